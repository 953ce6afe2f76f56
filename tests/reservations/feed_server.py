"""A local web server that plays a booking site's calendar export, for the feed tests.

`server.answer(path, body, status=, delay=)` sets what a path answers from now on, so a test can
change a feed between two reads; `server.url(path)` is its address.
"""

import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.local_server import LocalServer, send

ICS = Path(__file__).parent / "ics"


def ics(name: str) -> str:
    return (ICS / name).read_bytes().decode()  # as served: CRLF line ends kept


class FeedServer(LocalServer):
    def __init__(self):
        self.answers: dict[str, tuple[int, bytes, str, float]] = {}
        self.requests: list[str] = []
        self.redirects: dict[str, str] = {}
        super().__init__()

    def handle(self, http: BaseHTTPRequestHandler) -> None:
        self.requests.append(http.path)
        if http.path in self.redirects:
            http.send_response(302)
            http.send_header("Location", self.redirects[http.path])
            http.send_header("Content-Length", "0")
            http.end_headers()
            return
        status, body, content_type, delay = self.answers.get(
            http.path, (404, b"Not found", "text/plain", 0)
        )
        if delay:
            time.sleep(delay)
        send(http, status, body, content_type)  # nothing once the client gave up (timeout test)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def answer(
        self,
        path: str,
        body: str | bytes,
        *,
        status: int = 200,
        content_type: str = "text/calendar; charset=utf-8",
        delay: float = 0,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.answers[path] = (status, data, content_type, delay)
        return self.url(path)


def read_now(feed, now):
    """Read a feed at once, as "Check now" does: claim it, read it, release it."""
    from reservations.imports import polling

    lease = polling.feed_claim(feed_id=feed.pk, now=now, due_only=False)
    assert lease is not None, "the feed is claimed by someone else"
    result = polling.feed_run_claimed(feed_id=feed.pk, token=lease, now=now)
    feed.refresh_from_db()
    return result
