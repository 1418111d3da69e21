"""A citizen tracking one record by its code and query secret: 办件查询 (approvals), 投诉查询 (complaints).

One kernel for every app that hands a citizen a code and a secret (``portal.query_secret``):

- The lookup takes code and secret by POST only (never in a URL), rate-limited per client address
  (``portal.ratelimit``), and answers a wrong code and a wrong secret with the same message.
- A successful lookup cycles the session key and remembers the record in the server-side session
  for ``seconds`` (30 minutes): its primary key, the deadline and keyed *proofs* that the secret was
  verified (``query_secret.proof``), never the secret (issue 9). A secret reissued at a window
  changes the stored hash and so voids the proofs at once.
- The next GETs of the tracking page show the record; the citizen's POSTs on it (rate, correct,
  reopen: a table of ``TrackedVerb`` rows, the same idea as ``portal.actions.Verb``) need that fresh
  lookup; leaving forgets it. Pages showing a tracked record are never cached.

An app describes its tracking once, as a ``Tracking`` subclass (class attributes and four hooks),
and spreads its URLs (the three views of this module, configured by it) into its ``urlpatterns``::

    class CaseTracking(Tracking):
        session_key, record_name, url_name = "approvals.tracked", "case", "approvals:track"
        form_class = TrackForm
        form_template, page_template = "approvals/track_form.html", "approvals/track.html"
        limit_scope = "track"
        wrong = query_secret.WRONG
        expired = gettext_lazy("查询已过期，请重新输入办件编号和查询密码。")
        left = gettext_lazy("已退出办件查询。")
        verbs = {"rate": TrackedVerb(RatingForm, "rating_form", rate, gettext_lazy("感谢您的评议…"))}

        def find(self, code, secret): ...          # the record, or None (constant time)
        def make_proofs(self, record, secret, until): ...  # {"track": proof, …}
        def proves(self, record, proofs, until): ...       # the "track" proof is still live
        def load(self, pk): ...                     # the record with what its page needs
        def context(self, record, proofs, **forms): ...

    TRACKING = CaseTracking()

    urlpatterns = [..., *views.TRACKING.urls("track/"), ...]  # track, track_rate, track_leave

The session entry is ``{record_name: pk, "until": epoch seconds, "proofs": {kind: proof}}``; the
hooks and verbs receive the proofs as ``{kind: (proof, until)}``, the shape the services check.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from portal.forms import TextField, attach_errors
from portal.ratelimit import over_limit
from portal.services import TransitionError

#: How long a successful lookup keeps the record open in this browser.
SECONDS = 30 * 60
#: Lookups per client address and minute (against 31**8 secrets: guessing is hopeless).
LIMIT_PER_MINUTE = 10
TOO_OFTEN = _("查询过于频繁，请一分钟后再试。")


def text(message) -> str:
    """A message given as a plain msgid or a lazy translation, translated now."""
    return gettext(str(message))


def no_store(response):
    """Pages showing a secret or a tracked record: never cached by the browser or a proxy."""
    add_never_cache_headers(response)
    return response


_PLAIN = {"autocomplete": "off", "spellcheck": "false"}


class LookupForm(forms.Form):
    """Code and query secret. An app's subclass redeclares ``code`` with its own label, length and example."""

    code = TextField(label=_("编号"), max_length=32, widget=forms.TextInput(attrs=_PLAIN))
    secret = TextField(label=_("查询密码"), max_length=32, widget=forms.PasswordInput(attrs=_PLAIN))


@dataclass(frozen=True)
class TrackedVerb:
    """One thing a citizen may do on the record they track (rate, hand in a correction, reopen).

    ``perform(record, proofs, form)`` calls the service verb with the proof it needs and returns
    nothing; the verb's ``ValidationError`` is shown on the form, its ``TransitionError`` or
    ``PermissionDenied`` (e.g. the receipt's rating secret is missing) becomes an error message.
    """

    form_class: type
    #: The form's name in the page's context, where the page shows it again with its errors.
    form_name: str
    perform: Callable[[Any, dict, Any], Any]
    #: The success message.
    message: Any
    #: ``record -> keyword arguments`` of the form class beyond data and files.
    form_kwargs: Callable[[Any], dict] | None = None

    def bind(self, request, record):
        extra = self.form_kwargs(record) if self.form_kwargs else {}
        return self.form_class(request.POST, request.FILES, **extra)


class Tracking:
    """One app's tracking: what its three views share. Subclass, set the attributes, fill the hooks."""

    #: The session key of the tracked record.
    session_key: str = ""
    #: The record's name in the page context and in the session entry ("case", "complaint").
    record_name: str = ""
    #: The tracking page's URL name: every POST comes back there.
    url_name: str = ""
    form_class: type[forms.Form] = LookupForm
    form_template: str = ""
    page_template: str = ""
    #: The rate limit's scope (its own counter per app) and figure.
    limit_scope: str = ""
    limit_per_minute: int = LIMIT_PER_MINUTE
    seconds: int = SECONDS
    #: The one answer for a wrong code and a wrong secret (translated when shown).
    wrong: Any = ""
    #: A tracked POST after the lookup expired (or its proof died).
    expired: Any = ""
    #: After leaving.
    left: Any = ""
    #: The citizen's verbs on the tracked record, by name.
    verbs: dict[str, TrackedVerb] = {}

    # --- hooks ---------------------------------------------------------------------------------------

    def find(self, code: str, secret: str):
        """The record with this code and secret, or None; as slow for a wrong code as for a wrong secret."""
        raise NotImplementedError

    def make_proofs(self, record, secret: str, until: int) -> dict[str, str]:
        """The keyed proofs kept in the session (at least ``"track"``), never the secret."""
        raise NotImplementedError

    def proves(self, record, proofs: dict, until: int) -> bool:
        """True while the session's ``"track"`` proof is live for this record's current secret."""
        raise NotImplementedError

    def load(self, pk):
        """The record with what its tracking page needs, or None."""
        raise NotImplementedError

    def context(self, record, proofs: dict, **forms_) -> dict:
        """The tracking page's context; ``forms_`` are bound forms to show again with their errors."""
        return {self.record_name: record}

    # --- the session -------------------------------------------------------------------------------------

    def remember(self, request, record, secret: str) -> None:
        request.session.cycle_key()
        until = int(time.time() + self.seconds)
        request.session[self.session_key] = {
            self.record_name: record.pk,
            "until": until,
            "proofs": self.make_proofs(record, secret, until),
        }

    def tracked(self, request):
        """``(record, proofs)`` of this browser's fresh lookup, or ``(None, {})`` (and the entry forgotten)."""
        data = request.session.get(self.session_key)
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("until"), int)
            or data["until"] < time.time()
        ):
            self.forget(request)
            return None, {}
        until = data["until"]
        proofs = {kind: (value, until) for kind, value in (data.get("proofs") or {}).items()}
        record = self.load(data.get(self.record_name))
        if record is None or not self.proves(record, proofs, until):
            self.forget(request)  # e.g. the secret was reissued at a window
            return None, {}
        return record, proofs

    def forget(self, request) -> None:
        request.session.pop(self.session_key, None)

    # --- the URLs ----------------------------------------------------------------------------------------

    def urls(self, prefix: str = "track/", name: str = "track") -> list:
        """The tracking's pages: ``<prefix>`` (``name``), ``<prefix><verb>/`` (``name_<verb>``) for each
        verb, ``<prefix>leave/`` (``name_leave``); spread them into the app's ``urlpatterns``."""
        from django.urls import path

        if "leave" in self.verbs:
            raise ValueError("“leave” is the tracking's own page, not a verb name.")
        return [
            path(prefix, self.view(TrackView).as_view(), name=name),
            *(
                path(
                    f"{prefix}{verb}/",
                    self.view(TrackedActionView, verb=verb).as_view(),
                    name=f"{name}_{verb}",
                )
                for verb in self.verbs
            ),
            path(f"{prefix}leave/", self.view(TrackLeaveView).as_view(), name=f"{name}_leave"),
        ]

    def view(self, base: type, **attributes) -> type:
        """``base`` configured by this tracking, as a class of the app's module (where tracebacks, the
        permission matrix and the link crawl place its pages), e.g. ``CaseTrackingTrackedActionView``."""
        attributes = {"tracking": self, "__module__": type(self).__module__, **attributes}
        return type(f"{type(self).__name__}{base.__name__}", (base,), attributes)


class TrackingMixin:
    tracking: Tracking | None = None

    def respond(self, request, template_name: str, context: dict, status: int = 200):
        """Every page of the tracking goes out here: rendered and never cached."""
        return no_store(render(request, template_name, context, status=status))

    def page(self, request, record, proofs, status=200, **forms_):
        context = self.tracking.context(record, proofs, **forms_)
        return self.respond(request, self.tracking.page_template, context, status=status)

    def lookup_form(self, request, form, status=200, **context):
        return self.respond(request, self.tracking.form_template, {"form": form, **context}, status=status)


class TrackView(TrackingMixin, View):
    """The lookup form, or the tracked record while the lookup is fresh; POST looks up (rate-limited)."""

    def get(self, request):
        record, proofs = self.tracking.tracked(request)
        if record is None:
            return self.lookup_form(request, self.tracking.form_class())
        return self.page(request, record, proofs)

    def post(self, request):
        tracking = self.tracking
        form = tracking.form_class(request.POST)
        if over_limit(request, tracking.limit_scope, tracking.limit_per_minute):
            return self.refused(request, request.POST.get("code", ""), text(TOO_OFTEN), status=429)
        if form.is_valid():
            code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
            record = tracking.find(code, secret)
            if record is not None:
                tracking.remember(request, record, secret)
                return redirect(tracking.url_name)
            return self.refused(request, code, text(tracking.wrong))
        return self.lookup_form(request, form, status=400)

    def refused(self, request, code: str, message: str, status: int = 200):
        """The empty form again (the code kept, never the secret) with one message that reveals nothing."""
        form_class = self.tracking.form_class
        form = form_class(initial={"code": str(code)[: form_class.base_fields["code"].max_length]})
        return self.lookup_form(request, form, status=status, error=message)


class TrackedActionView(TrackingMixin, View):
    """A citizen's POST on the tracked record (``verb``, a row of the tracking's ``verbs``): needs a fresh lookup."""

    verb: str | None = None

    def post(self, request):
        tracking = self.tracking
        record, proofs = tracking.tracked(request)
        if record is None:
            messages.error(request, text(tracking.expired))
            return redirect(tracking.url_name)
        verb = tracking.verbs[self.verb]
        form = verb.bind(request, record)
        if form.is_valid():
            try:
                verb.perform(record, proofs, form)
            except ValidationError as exc:
                attach_errors(form, exc)
            except (TransitionError, PermissionDenied) as exc:
                messages.error(request, str(exc))
                return redirect(tracking.url_name)
            else:
                messages.success(request, text(verb.message))
                return redirect(tracking.url_name)
        return self.page(request, record, proofs, status=400, **{verb.form_name: form})


class TrackLeaveView(TrackingMixin, View):
    """Forget the tracked record in this browser."""

    def post(self, request):
        self.tracking.forget(request)
        messages.info(request, text(self.tracking.left))
        return redirect(self.tracking.url_name)
