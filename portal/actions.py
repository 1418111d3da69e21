"""One view for "a verb with a small form": GET shows the form, POST validates it and calls the verb.

An app declares its verbs once, as a table of ``Verb`` rows (title, form class or none, the
``permissions.can_<verb>`` function, the service verb, danger, where to go after success), and
subclasses ``ActionView`` to say how the object is found and which template shows it::

    VERBS = {"withdraw": Verb(_("撤销公示"), WithdrawForm, permissions.can_withdraw, disclosure.withdraw,
                              danger=True)}

    class DisclosureActionView(ActionView):
        roles = RESULTS_DESK_ROLES
        verbs = VERBS
        template_name = "approvals/results/action.html"
        success_url = "approvals:results_desk"

        def get_object(self):
            return get_object_or_404(ResultDisclosure.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

The verb is called as ``perform(obj, by=user, **form.cleaned_data)``. Its ``ValidationError`` is shown
on the form (``attach_errors``, status 400); its ``TransitionError`` becomes an error message and a
redirect (or ``transition_error_status``, e.g. 409, when set); ``PermissionDenied`` is let through to
the 403 page. The permission function is what pages use to decide which verbs to offer (``offered``);
the verb itself refuses, so the view does not check it twice.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from portal.access import RoleRequiredMixin
from portal.forms import attach_errors
from portal.services import TransitionError


@dataclass(frozen=True)
class Verb:
    """One row of an app's verb table."""

    title: Any
    form_class: type | None
    allowed: Callable[[Any, Any], bool]
    perform: Callable[..., Any]
    danger: bool = False
    #: URL name (or callable ``obj -> url``) to go to after success; the view's ``success_url`` when None.
    success_url: Any = None


def offered(verbs: dict[str, Verb], user, obj) -> list[tuple[str, Any]]:
    """``(name, title)`` of the verbs ``user`` may apply to ``obj`` now, in table order."""
    return [(name, verb.title) for name, verb in verbs.items() if verb.allowed(user, obj)]


class ActionView(RoleRequiredMixin, View):
    """A verb from ``verbs`` (named by the URL's ``verb_kwarg``) on the object of ``get_object``."""

    verbs: dict[str, Verb] = {}
    verb_kwarg = "verb"
    template_name: str = ""
    success_url: Any = None
    #: ``None``: a TransitionError becomes a message and a redirect; else the form again with this status.
    transition_error_status: int | None = None
    object_context_name = "object"

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get(self.verb_kwarg) not in self.verbs:
            raise Http404
        self.verb_name = kwargs[self.verb_kwarg]
        self.verb = self.verbs[self.verb_name]
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        raise NotImplementedError

    def get_form(self, data=None):
        return self.verb.form_class(data) if self.verb.form_class else None

    def get_context_data(self, **kwargs):
        context = {"verb": self.verb_name, "title": self.verb.title, "danger": self.verb.danger,
                   self.object_context_name: self.object}  # fmt: skip
        context.update(kwargs)
        return context

    def render_form(self, form, status=200):
        return render(self.request, self.template_name, self.get_context_data(form=form), status=status)

    def get_success_url(self):
        target = self.verb.success_url or self.success_url
        return target(self.object) if callable(target) else target

    def get_failure_url(self):
        return self.get_success_url()

    def success_message(self) -> str:
        return _("已%(verb)s") % {"verb": self.verb.title}

    def perform(self, form):
        return self.verb.perform(self.object, by=self.request.user, **(form.cleaned_data if form else {}))

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form(request.POST)
        if form is not None and not form.is_valid():
            return self.render_form(form, status=400)
        try:
            self.perform(form)
        except ValidationError as exc:
            if form is None:
                raise
            attach_errors(form, exc)
            return self.render_form(form, status=400)
        except TransitionError as exc:
            messages.error(request, str(exc))
            if self.transition_error_status is not None:
                return self.render_form(form, status=self.transition_error_status)
            return redirect(self.get_failure_url())
        messages.success(request, self.success_message())
        return redirect(self.get_success_url())
