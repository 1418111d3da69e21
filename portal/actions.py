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
from django.utils.translation import gettext_lazy
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
    #: What the person is told after success ("已<title>" when None).
    message: Any = None


def offered(verbs: dict[str, Verb], user, obj) -> list[tuple[str, Any]]:
    """``(name, title)`` of the verbs ``user`` may apply to ``obj`` now, in table order."""
    return [(name, verb.title) for name, verb in verbs.items() if verb.allowed(user, obj)]


class ActionView(RoleRequiredMixin, View):
    """A verb on the object of ``get_object``: ``verb`` of a subclass, or one of ``verbs`` named by the URL.

    Hooks: ``allowed(obj)`` refuses early (raise PermissionDenied) what the page should not offer;
    ``call_verb(form)`` calls the verb and returns its result; ``get_success_message(result)`` and
    ``get_success_url(result)`` say what follows; ``transition_error(form, exc)`` and
    ``refused(exc)`` (a ValidationError of a verb without a form) answer the verb's refusals.
    """

    verbs: dict[str, Verb] | None = None
    verb: Verb | None = None
    verb_kwarg = "verb"
    template_name: str = ""
    success_url: Any = None
    submit_label = gettext_lazy("确定")
    #: The status of the form shown again with errors.
    form_error_status = 400
    #: ``None``: a TransitionError becomes a message and a redirect; else the form again with this status.
    transition_error_status: int | None = None
    object_context_name = "object"

    def dispatch(self, request, *args, **kwargs):
        self.verb_name = None
        if self.verbs is not None:
            if kwargs.get(self.verb_kwarg) not in self.verbs:
                raise Http404
            self.verb_name = kwargs[self.verb_kwarg]
            self.verb = self.verbs[self.verb_name]
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        raise NotImplementedError

    def allowed(self, obj) -> None:
        """Refuse early (PermissionDenied) what the verb would refuse; nothing by default."""

    def get_form(self, data=None):
        form_class = self.verb.form_class if self.verb else None
        return form_class(data) if form_class else None

    def get_context_data(self, **kwargs):
        context = {
            "verb": self.verb_name,
            "title": self.verb.title if self.verb else "",
            "danger": self.verb.danger if self.verb else False,
            "submit_label": self.submit_label,
            self.object_context_name: self.object,
        }
        context.update(kwargs)
        return context

    def render_form(self, form, status=200):
        return render(self.request, self.template_name, self.get_context_data(form=form), status=status)

    def call_verb(self, form):
        data = form.cleaned_data if form is not None else {}
        return self.verb.perform(self.object, by=self.request.user, **data)

    def get_success_url(self, result=None):
        target = (self.verb.success_url if self.verb else None) or self.success_url
        return target(self.object) if callable(target) else target

    def get_failure_url(self):
        return self.get_success_url()

    def get_success_message(self, result) -> str:
        if self.verb.message is not None:
            return str(self.verb.message)
        return _("已%(verb)s") % {"verb": self.verb.title}

    def transition_error(self, form, exc):
        messages.error(self.request, str(exc))
        if self.transition_error_status is not None:
            return self.render_form(form, status=self.transition_error_status)
        return redirect(self.get_failure_url())

    def refused(self, exc):
        raise exc

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.allowed(self.object)
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.allowed(self.object)
        form = self.get_form(request.POST)
        if form is not None and not form.is_valid():
            return self.render_form(form, status=self.form_error_status)
        try:
            result = self.call_verb(form)
        except ValidationError as exc:
            if form is None:
                return self.refused(exc)
            attach_errors(form, exc)
            return self.render_form(form, status=self.form_error_status)
        except TransitionError as exc:
            return self.transition_error(form, exc)
        messages.success(request, self.get_success_message(result))
        return redirect(self.get_success_url(result))
