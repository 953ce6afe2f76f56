"""Helpers for the API tests: API keys, the real Seam SDK talking to the app in-process."""

import json
from contextlib import contextmanager

import httpx
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from seam import Seam

from locks import scheduler
from locks.tenancy import services as tenancy


def reconcile() -> None:
    """The scheduler's passes over the due locks; the API answers at the wall clock's time,
    so they run at it too."""
    scheduler.run_due_locks(now=timezone.now())


def api_key_for(owner, name: str = "Property system") -> str:
    _, secret = tenancy.api_key_create(owner=owner, name=name)
    return secret


class _InProcessTransport(httpx.WSGITransport):
    """The WSGI app in this process, sharing the test's database transaction.

    Django closes "old" connections around each request, which would end the test's
    transaction; as Django's own test client does, that is switched off for each request,
    until its body has been read and closed.
    """

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = super().handle_request(request)
            content = response.read()
            response.close()
            return httpx.Response(response.status_code, headers=response.headers, content=content)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@contextmanager
def seam_client(key: str, **options):
    """The real Seam SDK, talking to the app in-process."""
    yield Seam(
        api_key=key,
        endpoint="http://testserver/api",
        httpx_options={"transport": _InProcessTransport(app=get_wsgi_application())},
        **options,
    )


def call(client, method: str, path: str, key: str | None = None, body=None, **query):
    """A plain request with the Django test client; returns (status, decoded JSON body)."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    url = "/api/" + path
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    if method == "GET":
        response = client.get(url, **headers)
    else:
        data = body if isinstance(body, str | bytes) else json.dumps(body or {})
        response = getattr(client, method.lower())(
            url, data=data, content_type="application/json", **headers
        )
    return response.status_code, response.json()


def call_with(client, method: str, path: str, key: str, body: dict):
    """`call` with `body` as the query of a GET, or as the JSON body of any other method."""
    if method == "GET":
        return call(client, method, path, key, **body)
    return call(client, method, path, key, body)
