"""API errors always carry a reason a client can show, in one body shape (``portal.api.schema``).

``{"detail": "…", "code": "…"}`` for a refusal, ``{"<field>": ["…"]}`` for a field's validation error;
never a bare list nor a list under ``detail`` (DRF answers ``["…"]`` for ``ValidationError("…")``).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.services import TransitionError


def _text(value) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(part) for part in value)
    if isinstance(value, dict):
        return " ".join(_text(part) for part in value.values())
    return str(value)


# The code of an answer whose exception carries none (Django's Http404 and PermissionDenied).
CODES = {400: "invalid", 401: "not_authenticated", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed", 409: "conflict", 429: "throttled"}  # fmt: skip


def _one_shape(exc, data, status_code):
    """The answer's body as the schema's ``Error``: an object, ``detail`` a string, with a ``code``."""
    if isinstance(data, list | tuple | str):
        data = {"detail": _text(data)}
    if not isinstance(data, dict):
        return data
    if "detail" in data and not isinstance(data["detail"], str):
        data = {**data, "detail": _text(data["detail"])}
    if "detail" in data and "code" not in data:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        data = {**data, "code": codes if isinstance(codes, str) else CODES.get(status_code, "error")}
    return data


def exception_handler(exc, context):
    if isinstance(exc, TransitionError):
        return Response({"detail": str(exc), "code": "illegal_transition"}, status=status.HTTP_409_CONFLICT)
    # As DRF's own handler does, but before the body is shaped, so a verb's Django exception gets
    # the same code as the API's own (a wrong secret answers alike from the view and from the verb).
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = _one_shape(exc, response.data, response.status_code)
    return response
