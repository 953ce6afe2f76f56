"""The shape every endpoint shares: RPC-style paths, POST everywhere plus the SDK's methods.

An endpoint is a function `(owner, params, now) -> dict` (and `key`, the API key itself, for one
declared `with_key=True`: a remote unlock records who asked); `endpoint(...)` turns it into a DRF
view that authenticates the key, reads the parameters from the query string and the JSON body,
validates them with an input serializer, and answers `{..., "ok": true}`.
"""

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from locks.api.answers import Answer, error_responses
from locks.api.auth import ApiKeyAuthentication, HasApiKey
from locks.api.serializers import Input
from locks.errors import ServiceError

# The SDK appends `_strict=true` to every query string; it asks Seam to refuse unknown
# parameters, which we ignore anyway.
IGNORED_QUERY_PARAMS = {"_strict"}


def request_params(request: Request) -> dict:
    """Query string and JSON body as one dict (the body wins); `name[]` reads as `name`, and
    `name.key=value` (how Seam's SDKs send an object, e.g. `custom_metadata_has`) as
    `{"name": {"key": "value"}}` (an empty value, the SDK's null, as None)."""
    body = request.data
    if not isinstance(body, dict):
        raise ServiceError('Send the parameters as a JSON object, e.g. {"device_id": "..."}.')
    params: dict = {}
    for key in request.query_params:
        if key in IGNORED_QUERY_PARAMS:
            continue
        values = request.query_params.getlist(key)
        name = key.removesuffix("[]")
        value = values if len(values) > 1 or key != name else values[0]
        outer, dot, inner = name.partition(".")
        if dot and outer and inner:
            nested = params.setdefault(outer, {})
            if isinstance(nested, dict):
                nested[inner] = None if value == "" else value
                continue
        params[name] = value
    params.update(body)
    return params


class SeamEndpoint(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    input_class: type[Input]
    handler: Callable
    with_key = False

    def run(self, request: Request, *args, **kwargs) -> Response:
        params = self.input_class(data=request_params(request)).validated()
        extra = {"key": request.auth} if self.with_key else {}
        result = type(self).handler(
            owner=request.auth.owner, params=params, now=timezone.now(), **extra
        )
        return Response({**result, "ok": True})


def endpoint(
    *methods: str,
    input: type[Input],
    summary: str,
    answer: type[serializers.Serializer] = Answer,
    errors: tuple[int, ...] = (404,),
    with_key: bool = False,
):
    """Make `handler` an endpoint answering POST and `methods` (the ones Seam's SDK uses).

    The schema documents its 200 `answer` and, in Seam's error body, 400, 401, 429, 500, 503 and
    the `errors` it can answer besides (404 by default: most endpoints look something up).
    """
    allowed = ["post", *(m.lower() for m in methods)]
    responses = {200: answer, **error_responses(errors)}

    def wrap(handler: Callable) -> type[SeamEndpoint]:
        view = type(
            f"{handler.__name__.title().replace('_', '')}Endpoint",
            (SeamEndpoint,),
            {
                "__doc__": handler.__doc__,
                "http_method_names": [*allowed, "options"],
                "input_class": input,
                "handler": staticmethod(handler),
                "with_key": with_key,
            },
        )
        for method in allowed:
            reads_query = method in ("get", "delete")
            takes_any = bool(input().fields)
            schema = extend_schema(
                summary=summary,
                description=handler.__doc__,
                request=None if reads_query else input,
                parameters=[input] if reads_query and takes_any else None,
                responses=responses,
            )
            setattr(view, method, schema(_answer()))
        return view

    return wrap


def _answer():
    """A fresh method per HTTP verb, so each can carry its own schema."""

    def answer(self, request, *args, **kwargs):
        return self.run(request, *args, **kwargs)

    return answer


def encode_cursor(created_at, pk) -> str:
    raw = json.dumps([created_at.isoformat(), str(pk)]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        created_at, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return str(created_at), str(pk)
    except (ValueError, TypeError, binascii.Error):
        raise serializers.ValidationError(
            {"page_cursor": ["Not a cursor this API gave out; use next_page_cursor as given."]}
        ) from None


def paginate(qs: QuerySet, params: dict) -> tuple[list, dict]:
    """Keyset pages in creation order: a cursor stays right while rows come and go."""
    qs = qs.order_by("created_at", "pk")
    cursor = params.get("page_cursor")
    if cursor:
        created_at, pk = decode_cursor(cursor)
        try:
            after = datetime.fromisoformat(created_at)
            qs = qs.filter(Q(created_at__gt=after) | Q(created_at=after, pk__gt=pk))
        except (ValueError, DjangoValidationError):
            raise serializers.ValidationError(
                {"page_cursor": ["Not a cursor this API gave out; use next_page_cursor as given."]}
            ) from None
    limit = params["limit"]
    rows = list(qs[: limit + 1])
    items, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(items[-1].created_at, items[-1].pk) if more else None
    return items, {
        "has_next_page": more,
        "next_page_cursor": next_cursor,
        "next_page_url": None,
    }
