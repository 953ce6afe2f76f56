"""The address a request came from: REMOTE_ADDR, or X-Forwarded-For behind a trusted proxy.

Sign-in throttling (django-axes) and the API's key-failure throttling count per address, so
the address must be one a client cannot choose: X-Forwarded-For is believed only when the
connection comes from a proxy listed in settings.TRUSTED_PROXIES, and then read from the right,
skipping the trusted proxies, so a value the client itself put in front is never taken.
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


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXIES
    if not proxies or not _trusted(_address(remote), proxies):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Not an address: the proxy chain is broken here, so nothing left of it is believed.
            return remote
        if not _trusted(address, proxies):
            return str(address)
    # Every hop is a trusted machine: the first one is the client.
    return str(_address(hops[0])) if hops else remote
