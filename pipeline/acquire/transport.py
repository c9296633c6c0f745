"""The HTTP transport that connects only to addresses netguard has vetted.

`netguard.check_url` looks a host up before a request, but a plain HTTP client
looks it up again when it connects, and a hostile DNS server can answer the
second question differently (DNS rebinding: a public address for the check,
127.0.0.1 for the connection). Here the lookup and the connection are one step:
the network backend resolves the host once, refuses the request when ANY of its
addresses is blocked, and opens the socket to one of those same addresses. The
URL is left alone, so the Host header, TLS SNI and certificate verification all
keep the original host name.

No proxy is ever used (`trust_env=False`): a proxy would make the connection for
us, to an address we never saw.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable

import httpcore
import httpx

from pipeline.acquire.netguard import IPAddress, host_allowed, resolve_vetted
from pipeline.core.config import FetchConfig

ACCEPT_ENCODING = "gzip, deflate"  # what pipeline.acquire.fetch decodes itself, in bounded steps

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class VettingBackend(httpcore.NetworkBackend):
    """A sync network backend that resolves once, vets, and connects to the vetted address."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        allow_hosts: Iterable[str] = (),
        inner: httpcore.NetworkBackend | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.allow_hosts = tuple(allow_hosts)
        self._inner = inner if inner is not None else httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        url = f"connection to {host}:{port}"  # for messages; netguard checked the scheme
        skip_vetting = self.allow_private or host_allowed(host, self.allow_hosts)
        addresses = resolve_vetted(url, host, port, vet=not skip_vetting)
        return self._connect_first(addresses, port, timeout, local_address, socket_options)

    def _connect_first(
        self,
        addresses: list[IPAddress],
        port: int,
        timeout: float | None,
        local_address: str | None,
        socket_options: Iterable[SocketOption] | None,
    ) -> httpcore.NetworkStream:
        # Try each vetted address in turn (a dual-stack host whose IPv6 route is
        # down still answers on IPv4); never look the name up again.
        last: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        options = list(socket_options or [])
        for address in _unique(addresses):
            try:
                # An IP literal: the socket layer parses it without a DNS query.
                return self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # resolve_vetted never returns an empty list
        raise last

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by newswatch")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class VettingTransport(httpx.HTTPTransport):
    """`httpx.HTTPTransport` whose connections go through a `VettingBackend`."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        allow_hosts: Iterable[str] = (),
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        super().__init__(verify=verify, trust_env=False, limits=limits)
        ssl_context = verify if isinstance(verify, ssl.SSLContext) else None
        if ssl_context is None:
            ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self.backend = VettingBackend(allow_private=allow_private, allow_hosts=allow_hosts)
        # The parent built a pool on the default backend; replace it before any use.
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=self.backend,
        )


def make_client(config: FetchConfig, *, verify: ssl.SSLContext | bool = True) -> httpx.Client:
    """The httpx client a Fetcher should use: vetted connections, timeouts, our user agent.

    Redirects are never followed by the client: pipeline.acquire.fetch follows them itself
    so that every hop is checked and counted.
    """
    workers = max(1, config.concurrency)
    transport = VettingTransport(
        allow_private=config.allow_private_networks,
        allow_hosts=config.allow_hosts,
        verify=verify,
        limits=httpx.Limits(max_connections=workers * 4, max_keepalive_connections=workers * 2),
    )
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(config.timeout),
        headers={"User-Agent": config.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        follow_redirects=False,
        max_redirects=config.max_redirects,
        trust_env=False,
    )


def _unique(addresses: list[IPAddress]) -> list[IPAddress]:
    return list(dict.fromkeys(addresses))
