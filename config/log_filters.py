"""Logging filters that keep secrets out of the logs.

A guest page's link (`/g/<token>/`) opens a stay's PIN, so its token is a secret: Django's
request log ("Not Found: /g/…") and gunicorn's access log would otherwise write it down.
"""

import logging
import re

GUEST_TOKEN = re.compile(r"/g/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def hide_guest_tokens(text: str) -> str:
    return GUEST_TOKEN.sub("/g/…", text)


class GuestTokenFilter(logging.Filter):
    """Rewrites a record whose message names a guest page, keeping the rest of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/g/" in message:
            record.msg, record.args = hide_guest_tokens(message), ()
        return True
