"""SMS transports: a registry of small classes with one method, like the lock drivers.

`send` returns the provider's id and status, or raises `TransportError(message, permanent=)`.
"""

from django.utils.module_loading import import_string

from messaging.transports.base import Sent, TransportError

TRANSPORTS = {
    "console": "messaging.transports.console.ConsoleTransport",
    "twilio": "messaging.transports.twilio.TwilioTransport",
}


def get_transport(key: str, **options):
    try:
        path = TRANSPORTS[key]
    except KeyError:
        raise TransportError(f"No message transport called “{key}”.", permanent=True) from None
    return import_string(path)(**options)


__all__ = ["Sent", "TransportError", "TRANSPORTS", "get_transport"]
