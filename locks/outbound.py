"""Requests this server makes to others (webhooks, calendar feeds, Seam's cloud), kept away
from the inside of its own network.

A URL may name any host, but the address it resolves to is checked when the connection is made,
not only when the URL is saved: loopback, private, link-local, multicast and reserved addresses
are refused, unless they lie in a network of the setting `OUTBOUND_ALLOWED_NETWORKS` (read at
each request, so a deployment or a test can widen it). Plain `http` goes only to addresses inside
those networks; everything else is `https`. The connection goes to the address that was checked
(a name that resolves differently a moment later changes nothing), redirects are not followed,
and no proxy from the environment is used.
"""

import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

import certifi
import httpcore
import httpx
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(Exception):
    """A URL this server will not call; `message` says why, in words for the person who gave
    it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class HostNotFound(OutboundRefused):
    """The URL's host name does not resolve (now): nothing to call."""


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for cidr in settings.OUTBOUND_ALLOWED_NETWORKS:
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            raise OutboundRefused(
                f"The setting OUTBOUND_ALLOWED_NETWORKS holds {cidr!r}, which is not a network "
                "(write CIDRs such as 192.168.1.0/24, comma-separated)."
            ) from None
    return networks


def _is_allowed(address: IPAddress, networks) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def address_refusal(address: IPAddress, *, plain_http: bool = False) -> str | None:
    """Why this server will not connect to `address`, or None when it may."""
    networks = allowed_networks()
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if _is_allowed(address, networks):
        return None
    if plain_http:
        return (
            f"plain http is only for addresses inside OUTBOUND_ALLOWED_NETWORKS, and {address} "
            "is not: use an https URL"
        )
    for kind, is_it in (
        ("a loopback address (this server itself)", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a private address (inside this server's network)", address.is_private),
        ("a reserved address", address.is_reserved or address.is_unspecified),
    ):
        if is_it:
            return f"{address} is {kind}, refused unless OUTBOUND_ALLOWED_NETWORKS lists it"
    return None


def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise HostNotFound(f"the host name {host} does not resolve") from None
    seen: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if address not in seen:
            seen.append(address)
    return seen


def url_check(url: str, *, resolve: bool = True, https_only: bool = True) -> None:
    """Refuse a URL this server would not call (when it is saved). A host name that does not
    resolve yet is let through (it is checked again at each request). `https_only=False`
    (calendar feeds) lets plain http reach public addresses too."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused("Give a full URL starting with https://")
    if parts.username or parts.password:
        raise OutboundRefused("Leave the user name and password out of the URL.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise OutboundRefused("The URL's port is not a number between 1 and 65535.") from None
    if not resolve:
        return
    plain_http = https_only and parts.scheme == "http"
    try:
        addresses = _addresses(parts.hostname, port)
    except OutboundRefused:
        if plain_http:
            raise OutboundRefused(
                f"The host name {parts.hostname} does not resolve, and plain http is only for "
                "addresses inside OUTBOUND_ALLOWED_NETWORKS: use an https URL."
            ) from None
        return
    for address in addresses:
        refusal = address_refusal(address, plain_http=plain_http)
        if refusal:
            raise OutboundRefused(f"This URL cannot be called: {refusal}.")


class _CheckedBackend(httpcore.NetworkBackend):
    """Connects only to checked addresses: the check happens here, at connect time."""

    def __init__(self, *, plain_http: bool):
        self.plain_http = plain_http
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = _addresses(host, port)
        refusals = [address_refusal(a, plain_http=self.plain_http) for a in addresses]
        if any(refusals):  # one internal address among public ones refuses the name
            raise OutboundRefused(next(r for r in refusals if r))
        return self.inner.connect_tcp(
            str(addresses[0]), port, timeout, local_address, socket_options
        )

    def connect_unix_socket(self, *args, **kwargs):
        raise OutboundRefused("unix sockets are not called")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _CheckedTransport(httpx.HTTPTransport):
    def __init__(self, *, plain_http: bool):
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            network_backend=_CheckedBackend(plain_http=plain_http),
        )


def transport(url: str, *, https_only: bool = True) -> httpx.BaseTransport:
    """The checked transport alone, for a client built elsewhere (Seam's SDK)."""
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise OutboundRefused("only http and https URLs are called")
    return _CheckedTransport(plain_http=https_only and scheme == "http")


def client(
    url: str, *, timeout: float, https_only: bool = True, follow_redirects: bool = False
) -> httpx.Client:
    """A client for requests to `url`'s scheme: addresses checked at connect time (each
    redirect's too, when they are followed: every connection goes through the check), no
    proxies. `OutboundRefused` comes out of its requests for a refused address (httpx passes
    it through). `https_only=False` lets plain http reach public addresses (calendar feeds)."""
    return httpx.Client(
        transport=transport(url, https_only=https_only),
        timeout=timeout,
        follow_redirects=follow_redirects,
        max_redirects=5,
        trust_env=False,
    )
