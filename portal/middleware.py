"""Site-wide middleware: a strict Content-Security-Policy (every asset is served by the portal
itself), the choice of language (Chinese first) and the end of idle or old staff sessions."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs page (Swagger UI from the sidecar) needs inline bootstrapping.
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the visitor chose English with the language switch (the cookie).

    Django's LocaleMiddleware would also follow the browser's Accept-Language, so a civil servant
    whose computer is set to English would get an English portal they never asked for. Here the
    browser's preference is not consulted: zh-hans first, English on request.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


#: Session keys: when the person signed in, and when a request of theirs was last seen.
SIGNED_IN_AT = "portal.signed_in_at"
SEEN_AT = "portal.seen_at"
#: The last-seen time is written at most this often (a session write per request would cost a query).
SEEN_RESOLUTION = 60


def _now() -> float:
    return time.time()


def start_session_clock(sender, request=None, user=None, **kwargs):
    """``user_logged_in``: the session's clocks start at every login (Django keeps the session's data
    when the same person signs in again)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = _now()


class SessionTimeoutMiddleware:
    """Sign out a person idle for ``SESSION_IDLE_MINUTES`` or signed in ``SESSION_MAX_HOURS`` ago.

    A page (GET) goes to the login page and comes back after it; anything else (a form, the API with
    the session) is answered as for a visitor who is not signed in. Token holders of the API are not
    affected: their tokens have lifetimes of their own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request):
        now, session = _now(), request.session
        signed_in = session.setdefault(SIGNED_IN_AT, now)
        seen = session.get(SEEN_AT, now)
        idle, limit = now - seen, now - signed_in
        if idle > settings.SESSION_IDLE_MINUTES * 60 or limit > settings.SESSION_MAX_HOURS * 3600:
            logout(request)
            if request.method == "GET" and not request.path.startswith("/api/"):
                messages.info(request, translation.gettext("登录已超时，请重新登录。"))
                return redirect_to_login(request.get_full_path())
            return None
        if now - seen >= SEEN_RESOLUTION or SEEN_AT not in session:
            session[SEEN_AT] = now
        return None
