"""Refuse URLs that would make newswatch talk to its own machine or network.

Feeds and article links come from the outside world, and a redirect can point
anywhere, so every hop is checked before connecting: the scheme must be http(s)
and every address the host resolves to must be a public one. Numeric hosts in
the legacy forms that resolvers still accept (`2130706433`, `0177.0.0.1`,
`0x7f.1`, `127.1`) are decoded the way the resolver would decode them, so they
cannot slip past as "names".

`check_url` is the early check (before any socket is opened, on every redirect
hop). It cannot stop DNS rebinding alone: the HTTP client would resolve the name
again when it connects. `resolve_vetted` is the other half, used by
pipeline.acquire.transport: resolve once, vet every address, connect to one of them.

`allow_private` (tests, a newsroom intranet) lifts the address check for every
host; `allow_hosts` lifts it for named hosts only ("feeds.intranet", or
"*.corp.example" for a domain and its subdomains). The scheme is always checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from pipeline.core.errors import BlockedURLError, TransportError

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Not covered by `is_global` in every Python version, or worth naming on their own.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def check_url(url: str, allow_private: bool, allow_hosts: Iterable[str] = ()) -> None:
    """Raise BlockedURLError unless `url` is http(s) to a public address.

    With `allow_private`, or a host in `allow_hosts`, only the scheme is checked
    (tests and intranet feeds). A host that does not resolve raises
    TransportError, like a failed connection.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedURLError(f"{url}: not a valid URL ({exc})", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = scheme or "none"
        raise BlockedURLError(f"{url}: scheme '{shown}' is not allowed (http/https)", url=url)
    host = parts.hostname
    if not host:
        raise BlockedURLError(f"{url}: no host in URL", url=url)
    if allow_private or host_allowed(host, allow_hosts):
        return
    resolve_vetted(url, host, port or (443 if scheme == "https" else 80))


def host_allowed(host: str, allow_hosts: Iterable[str]) -> bool:
    """Is `host` on the allowlist? Exact names, or "*.example.org" for the domain and below.

    Names compare case-insensitively and without a trailing dot. Numeric hosts
    match only when listed exactly as written in the allowlist.
    """
    name = _host_key(host)
    if not name:
        return False
    for entry in allow_hosts:
        wanted = _host_key(entry)
        if wanted.startswith("*."):
            domain = wanted[2:]
            if domain and (name == domain or name.endswith("." + domain)):
                return True
        elif wanted and name == wanted:
            return True
    return False


def resolve_vetted(url: str, host: str, port: int, *, vet: bool = True) -> list[IPAddress]:
    """Every address `host` resolves to, looked up once; BlockedURLError if any is blocked.

    ANY blocked address refuses the host: a name that answers with one public and
    one private address is how a rebinding attack hides the private one.
    """
    addresses = _addresses(url, host, port)
    if vet:
        for address in addresses:
            why = blocked_reason(address)
            if why:
                raise BlockedURLError(f"{url}: host {host} is {why} ({address})", url=url)
    return addresses


def _host_key(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def blocked_reason(address: IPAddress) -> str | None:
    """Why `address` must not be contacted, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address wrapped in IPv6 reaches the IPv4 host, so judge that one.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return blocked_reason(embedded)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("shared address space (CGNAT)", address in _CGNAT),
        ("reserved", address.is_reserved),  # before "private": 240/4 is both
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    )
    for name, hit in checks:
        if hit:
            return name
    return None


def _addresses(url: str, host: str, port: int) -> list[IPAddress]:
    literal = _numeric_host(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TransportError(f"{url}: cannot resolve host {host}: {exc}", url=url) from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        addresses.append(ipaddress.ip_address(text))
    if not addresses:
        raise TransportError(f"{url}: host {host} has no addresses", url=url)
    return addresses


def _numeric_host(host: str) -> IPAddress | None:
    """The address a numeric host means, including inet_aton's legacy IPv4 forms."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        # inet_aton accepts exactly what getaddrinfo treats as a numeric IPv4 host:
        # decimal (2130706433), octal (0177.0.0.1), hex (0x7f.1) and short (127.1).
        packed = socket.inet_aton(host)
    except (OSError, UnicodeError, ValueError):
        return None
    return ipaddress.IPv4Address(packed)
