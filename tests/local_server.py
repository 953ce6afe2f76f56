"""A web server on a free loopback port, run in a thread for a `with` block: the base of the
tests' stand-ins of other services (Twilio's API, a booking site's calendar export).

A subclass says which `METHODS` it answers and answers each request in `handle(http)`, with
`http` the request's `BaseHTTPRequestHandler`; `send(http, ...)` writes an answer.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalServer:
    METHODS: tuple[str, ...] = ("GET",)

    def __init__(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

        for method in self.METHODS:
            setattr(Handler, f"do_{method}", lambda http: server.handle(http))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def handle(self, http: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError


def send(http: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    """Answer `status` with `body`; nothing when the client has given up waiting."""
    try:
        http.send_response(status)
        http.send_header("Content-Type", content_type)
        http.send_header("Content-Length", str(len(body)))
        http.end_headers()
        http.wfile.write(body)
    except OSError:
        pass
