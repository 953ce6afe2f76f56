"""A local web server that plays a booking site's calendar export, for the feed tests.

`server.answer(path, body, status=, delay=)` sets what a path answers from now on, so a test can
change a feed between two reads; `server.url(path)` is its address.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ICS = Path(__file__).parent / "ics"


def ics(name: str) -> str:
    return (ICS / name).read_bytes().decode()  # as served: CRLF line ends kept


class FeedServer:
    def __init__(self):
        self.answers: dict[str, tuple[int, bytes, str, float]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                status, body, content_type, delay = server.answers.get(
                    self.path, (404, b"Not found", "text/plain", 0)
                )
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

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
