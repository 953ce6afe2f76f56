"""One error shape for the whole API, Seam's: {"error": {"type", "message"}, "ok": false}."""

import logging
import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils import timezone
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from locks.client_address import client_address
from locks.errors import ServiceError
from locks.tenancy import attempt_limits
from locks.tenancy.attempt_limits import API_KEY_FAILURES

log = logging.getLogger(__name__)

INTERNAL_ERROR = (
    "Innkeeper hit an internal error and nothing was changed; it has been logged. Try again, "
    "and contact support if it lasts."
)
UNAVAILABLE = "The database is busy or unreachable right now; nothing was changed. Try again soon."


def error_body(type: str, message: str, **extra) -> dict:
    return {"error": {"type": type, "message": message, **extra}, "ok": False}


def validation_errors(detail) -> dict:
    """DRF's error detail in the shape the Seam SDK reads: {param: {"_errors": [...]}}."""
    if not isinstance(detail, dict):
        return {"_errors": [str(m) for m in _flatten(detail)]}
    return {field: {"_errors": [str(m) for m in _flatten(msgs)]} for field, msgs in detail.items()}


def _flatten(detail) -> list:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _flatten(value)]
    return [detail]


def _first_message(errors: dict) -> str:
    for field, entry in errors.items():
        for message in entry["_errors"]:
            return message if field in ("_errors", "non_field_errors") else f"{field}: {message}"
    return "The request is not valid."


def seam_exception_handler(exc, context):
    """DRF's exception handler, answering in Seam's error shape."""
    if isinstance(exc, ServiceError):
        extra = {}
        if exc.field and exc.type == "invalid_input":
            extra["validation_errors"] = {exc.field: {"_errors": [exc.message]}}
        return Response(error_body(exc.type, exc.message, **extra), status=exc.status)
    if isinstance(exc, exceptions.ValidationError):
        errors = validation_errors(exc.detail)
        return Response(
            error_body("invalid_input", _first_message(errors), validation_errors=errors),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.ParseError):
        return Response(
            error_body("invalid_input", "The request body is not valid JSON."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return Response(
            error_body(
                "invalid_input",
                "Send the parameters as JSON, with the header Content-Type: application/json.",
            ),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, TooManyFieldsSent | RequestDataTooBig):
        message = (
            f"A request carries at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} parameters; "
            "send fewer (e.g. fewer ids at a time)."
            if isinstance(exc, TooManyFieldsSent)
            else "The request body is too large; send fewer items at a time."
        )
        return Response(error_body("invalid_input", message), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        address, now = client_address(context["request"]) or "unknown", timezone.now()
        retry_after = attempt_limits.attempt_retry_after(
            limit=API_KEY_FAILURES, subject=address, now=now
        )
        if retry_after is not None:
            return too_many_requests(
                "Too many requests without a valid API key came from this address. Check the "
                "key, and try again when Retry-After says.",
                retry_after.total_seconds(),
            )
        attempt_limits.attempt_record(limit=API_KEY_FAILURES, subject=address, now=now)
        message = (
            str(exc.detail)
            if isinstance(exc, exceptions.AuthenticationFailed)
            else "Send your API key as the header “Authorization: Bearer seam_...”."
        )
        response = Response(error_body("unauthorized", message), status=401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = context["request"].method
        allowed = ", ".join(context["view"].allowed_methods)
        return Response(
            error_body(
                "method_not_allowed", f"{method} is not allowed here; use one of {allowed}."
            ),
            status=status.HTTP_405_METHOD_NOT_ALLOWED,
        )
    if isinstance(exc, exceptions.Throttled):
        return too_many_requests(str(exc.detail), exc.wait)
    if isinstance(exc, exceptions.APIException):
        return Response(error_body(exc.default_code, str(exc.detail)), status=exc.status_code)
    # Anything else is ours: logged with its traceback, answered in Seam's shape, rolled back.
    set_rollback()
    if isinstance(exc, OperationalError | InterfaceError):  # locked, or not reachable
        log.exception("The database failed under %s", context["request"].path)
        response = Response(error_body("service_unavailable", UNAVAILABLE), status=503)
        response["Retry-After"] = "5"
        return response
    log.exception("Unexpected error under %s", context["request"].path)
    return Response(error_body("internal_server_error", INTERNAL_ERROR), status=500)


def too_many_requests(message: str, wait: float | None) -> Response:
    response = Response(error_body("too_many_requests", message), status=429)
    if wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def server_error(request, *args, **kwargs):
    """Django's 500 page, but Seam's error body under /api/ (an error outside any endpoint)."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("internal_server_error", INTERNAL_ERROR), status=500)
    return defaults.server_error(request, *args, **kwargs)


@csrf_exempt
def route_not_found(request, *args, **kwargs):
    return JsonResponse(
        error_body(
            "not_found",
            f"There is no endpoint {request.path}. See /api/schema/ for the list.",
        ),
        status=404,
    )
