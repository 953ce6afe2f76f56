"""Gunicorn's settings for Innkeeper's web process (docs/OPERATIONS.md says why each is so).

`gunicorn` run in the project folder reads this file by itself; elsewhere pass
`-c /path/to/gunicorn.conf.py`. What a deployment changes comes from the environment:
`WEB_BIND`, `WEB_CONCURRENCY`, `WEB_THREADS`, `FORWARDED_ALLOW_IPS`.
"""

import logging
import os
import re
import sys
from pathlib import Path

from gunicorn.glogging import Logger

# gunicorn reads this file before it puts the project on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from config.log_filters import GuestTokenFilter  # noqa: E402

wsgi_app = "config.wsgi:application"
proc_name = "innkeeper"
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")

# Threads: a few views wait seconds on another service (Seam's key check and device list,
# 8 s per call; a calendar feed read, 15 s) and must not hold a whole process meanwhile.
worker_class = "gthread"
# The cores this process may use (macOS has no sched_getaffinity).
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = os.environ.get("WEB_CONCURRENCY", str(cores))
threads = os.environ.get("WEB_THREADS", "4")

# With threads the timeout only catches a wedged process; a request is bounded by its own
# outbound timeouts. A deploy's SIGTERM lets requests in flight finish within 30 s.
timeout = 30
graceful_timeout = 30
# Longer than Today's 5-second refresh, so an open page keeps its connection between refreshes.
keepalive = 10
# Each worker is replaced, gracefully, after about 2,000 requests: a slow leak cannot grow.
max_requests = 2000
max_requests_jitter = 200

# Only the proxy in front may say the request came in over HTTPS (secure cookies, CSRF, the
# URL Twilio signs); one header, so a client's stray X-Forwarded-Ssl cannot break a request.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# The access log names each request by its path only: a query string can hold a PIN
# (`access_codes/get?device_id=…&code=…`) or a guest's phone number, and so can a Referer.
accesslog = "-"
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
)

# Two gunicorns of one user would take over each other's control socket (~/.gunicorn).
control_socket_disable = True

QUERY_STRING = re.compile(r"\?[^\s'\"]+")


class QueryStringFilter(logging.Filter):
    """Hides query strings in gunicorn's error log, which names a request by its whole URI
    (a request line it cannot parse, an error outside Django)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = QUERY_STRING.sub("?…", message), ()
        return True


class PinSafeLogger(Logger):
    query_strings_hidden = QueryStringFilter()
    # A guest page's path holds its token, which opens the stay's PIN.
    guest_tokens_hidden = GuestTokenFilter()

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(self.query_strings_hidden)
        self.error_log.addFilter(self.guest_tokens_hidden)
        self.access_log.addFilter(self.guest_tokens_hidden)


logger_class = PinSafeLogger
