"""The default transport: nothing leaves the machine; the message is in the Outbox.

Its messages are `kept`, never `delivered`: no guest's phone received them.
"""

import uuid

from messaging.transports.base import Sent


class ConsoleTransport:
    key = "console"

    def __init__(self, **_options):
        pass

    def send(self, *, to: str, body: str, status_callback: str = "") -> Sent:
        return Sent(provider_id=f"console-{uuid.uuid4().hex[:12]}", status="kept")
