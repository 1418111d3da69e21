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

The verb is called as ``perform(obj, by=user, **arguments)`` (the form's cleaned data, or what the
row's ``arguments(obj, form)`` makes of it). Its ``ValidationError`` is shown on the form
(``attach_errors``, status 400); its ``TransitionError`` becomes an error message and a redirect (or
``transition_error_status``, e.g. 409, when set); ``PermissionDenied`` is let through to the 403 page.
The permission function is what pages use to decide which verbs to offer (``offered``); the verb
itself refuses, so the view does not check it twice.

Two views share the table:

- ``ActionView``: one verb on a page of its own (GET shows its form alone; the powers workflow, the
  results desk).
- ``DetailActionView``: a detail page (the case at the desk, an alert, a supervision notice) that shows
  the forms of every verb its user may use now, each form posting to ``<page>/<verb>/``. Bad input
  shows the page again with the errors in the open form (400); success and a refused transition
  come back to the page with a message (POST/redirect/GET); GET on ``<page>/<verb>/`` goes to the page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
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
    #: The button's text; the view's ``submit_label`` when None.
    submit_label: Any = None
    #: The success message: a text, or ``(obj, result) -> text``; "已<title>" when None.
    message: Any = None
    #: ``(obj, form) -> keyword arguments`` of ``perform``; the form's cleaned data when None.
    arguments: Callable[[Any, Any], dict] | None = None
    #: ``obj -> keyword arguments`` of the form class beyond data and files (e.g. ``{"case": case}``).
    form_kwargs: Callable[[Any], dict] | None = None
    #: ``obj -> initial data`` of the form shown unbound (defaults that save typing).
    initial: Callable[[Any], dict] | None = None
    #: The object's next step in its workflow: on a detail page the first such form is shown open.
    primary: bool = False

    def kwargs_for(self, obj, form) -> dict:
        """The keyword arguments of ``perform`` besides the object and ``by``."""
        if self.arguments is not None:
            return self.arguments(obj, form)
        return dict(form.cleaned_data) if form is not None else {}

    def success_message(self, obj, result) -> str:
        if self.message is None:
            return _("已%(verb)s") % {"verb": self.title}
        return str(self.message(obj, result) if callable(self.message) else self.message)


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
            "submit_label": (self.verb.submit_label if self.verb else None) or self.submit_label,
            self.object_context_name: self.object,
        }
        context.update(kwargs)
        return context

    def render_form(self, form, status=200):
        return render(self.request, self.template_name, self.get_context_data(form=form), status=status)

    def call_verb(self, form):
        return self.verb.perform(self.object, by=self.request.user, **self.verb.kwargs_for(self.object, form))

    def get_success_url(self, result=None):
        target = (self.verb.success_url if self.verb else None) or self.success_url
        return target(self.object) if callable(target) else target

    def get_failure_url(self):
        return self.get_success_url()

    def get_success_message(self, result) -> str:
        return self.verb.success_message(self.object, result)

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


class NoFields(forms.Form):
    """The form of a verb that asks nothing: a button, and a place to show the verb's refusal."""


class DetailActionView(RoleRequiredMixin, View):
    """A detail page with the forms of the verbs its user may use now; each form posts to ``<page>/<verb>/``.

    Route the page and ``<page>/<slug:verb>/`` to the same view; ``detail_url_name`` names the page
    (its URL takes the same keyword arguments, less ``verb``; the verbs' URL is named
    ``<detail_url_name>_action``). A subclass says how the object is found
    (``get_object``) and what else the page shows (``get_context_data``); the template iterates
    ``action_forms``: dicts with name, title, submit_label, danger, form, url and open.

    POST ``<page>/<verb>/``: an unknown verb is a 404; the form's errors or the verb's ValidationError
    show the page again with that form open (400); the verb's TransitionError (a move the object's
    state no longer allows, e.g. a form left open while someone else acted) is an error message on the
    page; its PermissionDenied is the 403 page; success is a message on the page.
    """

    verbs: dict[str, Verb] = {}
    verb_kwarg = "verb"
    detail_url_name = ""
    #: The URL name of ``<page>/<verb>/``; ``<detail_url_name>_action`` when empty.
    verb_url_name = ""
    template_name = ""
    submit_label = gettext_lazy("确定")
    form_error_status = 400
    object_context_name = "object"

    def get_object(self):
        raise NotImplementedError

    def get_detail_url(self) -> str:
        kwargs = {k: v for k, v in self.kwargs.items() if k != self.verb_kwarg}
        return reverse(self.detail_url_name, kwargs=kwargs)

    def get_verb_url(self, name: str) -> str:
        kwargs = {k: v for k, v in self.kwargs.items() if k != self.verb_kwarg}
        return reverse(
            self.verb_url_name or f"{self.detail_url_name}_action", kwargs={**kwargs, "verb": name}
        )

    # --- forms ------------------------------------------------------------------------------------

    def make_form(self, name: str, data=None, files=None, **kwargs):
        verb = self.verbs[name]
        form_class = verb.form_class or NoFields
        if verb.form_kwargs is not None:
            kwargs = {**verb.form_kwargs(self.object), **kwargs}
        if data is None and verb.initial is not None and "initial" not in kwargs:
            kwargs["initial"] = verb.initial(self.object)
        # One id per verb: two forms of the page may have a field of the same name.
        kwargs.setdefault("auto_id", f"id_{name}_%s")
        return form_class(data, files, **kwargs)

    def action_forms(self, bound=None) -> list[dict]:
        """The forms of the verbs the user may use now (and of a bound one), in table order."""
        bound = bound or {}
        user = self.request.user
        rows = []
        opened = bool(bound)
        for name, verb in self.verbs.items():
            if name not in bound and not verb.allowed(user, self.object):
                continue
            is_open = name in bound or (verb.primary and not opened)
            opened = opened or is_open
            rows.append(
                {
                    "name": name,
                    "title": verb.title,
                    "submit_label": verb.submit_label or self.submit_label,
                    "danger": verb.danger,
                    "form": bound.get(name) or self.make_form(name),
                    "url": self.get_verb_url(name),
                    "open": is_open,
                }
            )
        return rows

    # --- the page ---------------------------------------------------------------------------------

    def get_context_data(self, *, bound=None, **kwargs) -> dict:
        return {self.object_context_name: self.object, "action_forms": self.action_forms(bound), **kwargs}

    def render_page(self, *, bound=None, status=200, **kwargs):
        context = self.get_context_data(bound=bound, **kwargs)
        return render(self.request, self.template_name, context, status=status)

    # --- the verb ---------------------------------------------------------------------------------

    def call_verb(self, name: str, form):
        verb = self.verbs[name]
        return verb.perform(self.object, by=self.request.user, **verb.kwargs_for(self.object, form))

    def verb_done(self, name: str, result) -> None:
        """After a verb succeeded, before the redirect (e.g. keep a one-time secret in the session)."""

    def get_success_message(self, name: str, result) -> str:
        return self.verbs[name].success_message(self.object, result)

    def get(self, request, *args, **kwargs):
        if kwargs.get(self.verb_kwarg) is not None:
            return redirect(self.get_detail_url())
        self.object = self.get_object()
        return self.render_page()

    def post(self, request, *args, **kwargs):
        name = kwargs.get(self.verb_kwarg)
        if name is None:
            return self.http_method_not_allowed(request, *args, **kwargs)
        if name not in self.verbs:
            raise Http404(_("没有该操作。"))
        self.object = self.get_object()
        return self.post_verb(name)

    def post_verb(self, name: str):
        form = self.make_form(name, self.request.POST, self.request.FILES)
        if not form.is_valid():
            return self.render_page(bound={name: form}, status=self.form_error_status)
        try:
            result = self.call_verb(name, form)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.render_page(bound={name: form}, status=self.form_error_status)
        except TransitionError as exc:
            messages.error(self.request, str(exc))
            return redirect(self.get_detail_url())
        self.verb_done(name, result)
        messages.success(self.request, self.get_success_message(name, result))
        return redirect(self.get_detail_url())
