"""The address a request came from: REMOTE_ADDR, or X-Forwarded-For behind a trusted proxy.

Sign-in throttling (django-axes) and the API's key-failure throttling count per address, so
the address must be one a client cannot choose: X-Forwarded-For is believed only on a
connection from a proxy listed in settings.TRUSTED_PROXIES, or over a unix socket (gunicorn's
`WEB_BIND=unix:…`: only a process on this machine, the proxy, can connect there), and it is read
from the right, skipping the trusted proxies, so a value the client itself put in front is never
taken.
"""

import ipaddress

from django.conf import settings


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, proxies) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(request) -> str | None:
    """The client's address, or None when nothing tells it (a unix socket without the header)."""
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.TRUSTED_PROXIES
    if remote is not None and not _trusted(remote, proxies):
        return str(remote)
    fallback = None if remote is None else str(remote)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Not an address: the chain is broken here, so nothing left of it is believed.
            return fallback
        if not _trusted(address, proxies):
            return str(address)
    # Every hop is a trusted machine: the first one is the client.
    return str(_address(hops[0])) if hops else fallback
