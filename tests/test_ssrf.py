"""SSRF: no feed, article or redirect URL reaches this machine or its network.

Everything runs against a real server on 127.0.0.1, so a URL that slipped
through would show up in `server.requests`. DNS is simulated by replacing
`socket.getaddrinfo` in-process; to play a "public" host that answers, the
local server's address is declared public with `pretend_public`.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import socket
import ssl
from typing import Any

import httpcore
import httpx
import pytest

from pipeline.acquire import netguard
from pipeline.acquire.fetch import Fetcher
from pipeline.acquire.netguard import blocked_reason, check_url, host_allowed
from pipeline.acquire.transport import VettingBackend, make_client
from pipeline.core.config import FetchConfig
from pipeline.core.errors import BlockedURLError, TransportError
from pipeline.core.models import Validators

PAGE = b"<html><body><p>secret</p></body></html>"
_real_getaddrinfo = socket.getaddrinfo
_real_blocked_reason = netguard.blocked_reason
REFUSED = (BlockedURLError, httpx.InvalidURL)
# Loading the CA bundle is most of the cost of a client; share one context.
tls = functools.cache(httpx.create_ssl_context)


def fetch_config(**values: Any) -> FetchConfig:
    """A FetchConfig, with `allow_hosts` even before config.py declares it."""
    values.setdefault("timeout", 5.0)
    if "allow_hosts" in {f.name for f in dataclasses.fields(FetchConfig)}:
        return FetchConfig(**values)
    return _ConfigWithHosts(**values)


@dataclasses.dataclass(frozen=True)
class _ConfigWithHosts(FetchConfig):
    allow_hosts: tuple[str, ...] = ()


@pytest.fixture
def secret(http_server):
    http_server.route("/secret", body=PAGE, content_type="text/html")
    return http_server


@pytest.fixture
def strict_fetcher():
    """A Fetcher with the default (closed) network policy on the vetting client."""
    config = fetch_config()
    with make_client(config, verify=tls()) as client, Fetcher(config, client=client) as fetcher:
        yield fetcher


# -- every address form, refused before anything is sent ------------------------------

LOCAL_FORMS = [
    "127.0.0.1",
    "localhost",
    "2130706433",  # decimal
    "0177.0.0.1",  # octal
    "0x7f.0.0.1",  # hex
    "0x7f000001",
    "127.1",  # short form
    "0",  # 0.0.0.0: the local host on Linux
    "0.0.0.0",
    "[::1]",
    "[::]",
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::ffff:7f00:1]",
]


@pytest.mark.parametrize("host", LOCAL_FORMS)
def test_local_host_forms_are_refused_by_the_fetcher(secret, strict_fetcher, host):
    url = f"http://{host}:{secret.port}/secret"
    with pytest.raises(BlockedURLError):
        strict_fetcher.fetch_page(url)
    with pytest.raises(BlockedURLError):
        strict_fetcher.fetch_feed(url, Validators())
    assert secret.requests == []


@pytest.mark.parametrize("host", LOCAL_FORMS)
def test_the_transport_refuses_them_on_its_own(secret, host):
    """Defence in depth: the client refuses even when no check_url ran first.

    httpx itself rejects dotted forms with a leading zero ("0177.0.0.1") as an
    invalid URL; the Fetcher turns that into a TransportError.
    """
    with make_client(fetch_config(), verify=tls()) as client, pytest.raises(REFUSED):
        client.get(f"http://{host}:{secret.port}/secret")
    assert secret.requests == []


NETWORK_FORMS = {
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "172.31.255.254": "private",
    "192.168.0.10": "private",
    "169.254.169.254": "link-local",  # cloud metadata
    "100.64.0.1": "shared address space (CGNAT)",
    "100.127.255.254": "shared address space (CGNAT)",
    "224.0.0.251": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "reserved",
    "0.0.0.0": "unspecified",
    "::": "unspecified",
    "::1": "loopback",
    "fe80::1": "link-local",
    "fc00::5": "private",
    "ff02::1": "multicast",
    "::ffff:127.0.0.1": "loopback",
    "::ffff:169.254.169.254": "link-local",
    "::ffff:10.0.0.1": "private",
    "2002:a9fe:a9fe::": "link-local",  # 6to4 around the metadata address
}


@pytest.mark.parametrize(("address", "why"), NETWORK_FORMS.items())
def test_each_blocked_range_names_its_reason(address, why):
    assert blocked_reason(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize(
    "host",
    ["10.1.2.3", "172.16.0.1", "192.168.0.10", "169.254.169.254", "100.64.0.1",
     "224.0.0.251", "240.0.0.1", "[fe80::1]", "[fc00::5]", "[::ffff:169.254.169.254]",
     "2852039166", "0251.0376.0251.0376", "0xa9.0xfe.0xa9.0xfe", "169.16689662"],
)  # fmt: skip
def test_network_hosts_are_refused_without_a_connection_attempt(host):
    backend = _RecordingBackend()
    with make_client(fetch_config(), verify=tls()) as client:
        client._transport.backend._inner = backend  # type: ignore[attr-defined]
        with pytest.raises(REFUSED):
            client.get(f"http://{host}/latest/meta-data/")
    assert backend.connected == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1:70/", "dict://x/"]
)
def test_only_http_and_https(strict_fetcher, url):
    with pytest.raises(BlockedURLError, match="scheme"):
        strict_fetcher.fetch_page(url)


# -- redirects ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/secret",
        "http://2130706433:{port}/secret",
        "http://[::ffff:127.0.0.1]:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/",
    ],
)
def test_every_redirect_hop_is_vetted(secret, monkeypatch, target):
    """The first hop is an allowlisted host; the hop it redirects to is not, and is refused."""
    _allow_hosts_in_fetch(monkeypatch, ("localhost",))
    secret.redirect("/hop", target.format(port=secret.port))
    config = fetch_config(allow_hosts=("localhost",))
    with (
        make_client(config, verify=tls()) as client,
        Fetcher(config, client=client) as fetcher,
        pytest.raises(BlockedURLError),
    ):
        fetcher.fetch_page(f"http://localhost:{secret.port}/hop")
    assert [r.path for r in secret.requests] == ["/hop"]


def test_allowlisted_host_redirecting_to_itself_is_followed(secret, monkeypatch):
    _allow_hosts_in_fetch(monkeypatch, ("localhost",))
    secret.redirect("/hop", "/secret")
    config = fetch_config(allow_hosts=("localhost",))
    with make_client(config, verify=tls()) as client, Fetcher(config, client=client) as fetcher:
        page = fetcher.fetch_page(f"http://localhost:{secret.port}/hop")
    assert page.body == PAGE
    assert page.final_url == f"http://localhost:{secret.port}/secret"


# -- DNS rebinding --------------------------------------------------------------------


def test_rebinding_after_the_check_is_refused_at_connect(secret, monkeypatch):
    """First answer public (passes check_url), second private: the transport refuses."""
    resolver = _Resolver(monkeypatch, {"rebind.test": [["127.0.0.1"], ["10.0.0.7"]]})
    pretend_public(monkeypatch, "127.0.0.1")
    config = fetch_config()
    with (
        make_client(config, verify=tls()) as client,
        Fetcher(config, client=client) as fetcher,
        pytest.raises(BlockedURLError, match=r"10\.0\.0\.7"),
    ):
        fetcher.fetch_page(f"http://rebind.test:{secret.port}/secret")
    assert resolver.calls["rebind.test"] == 2  # the check's lookup, then the connection's
    assert secret.requests == []


def test_connection_goes_to_the_address_that_was_vetted(secret, monkeypatch):
    """One lookup per connection; the socket opens to that answer, Host keeps the name."""
    resolver = _Resolver(monkeypatch, {"pinned.test": [["127.0.0.1"], ["169.254.169.254"]]})
    pretend_public(monkeypatch, "127.0.0.1")
    with make_client(fetch_config(), verify=tls()) as client:
        recording = _RecordingBackend(client._transport.backend._inner)  # type: ignore[attr-defined]
        client._transport.backend._inner = recording  # type: ignore[attr-defined]
        response = client.get(f"http://pinned.test:{secret.port}/secret")
        again = client.get(f"http://pinned.test:{secret.port}/secret")  # pooled connection
    assert response.content == PAGE and again.content == PAGE
    assert resolver.calls["pinned.test"] == 1
    assert recording.connected == [("127.0.0.1", secret.port)]
    assert secret.requests[0].headers["host"] == f"pinned.test:{secret.port}"


def test_one_blocked_address_among_several_refuses_the_host(secret, monkeypatch):
    _Resolver(monkeypatch, {"mixed.test": [["127.0.0.1", "169.254.169.254"]]})
    pretend_public(monkeypatch, "127.0.0.1")
    with (
        make_client(fetch_config(), verify=tls()) as client,
        pytest.raises(BlockedURLError, match="link-local"),
    ):
        client.get(f"http://mixed.test:{secret.port}/secret")
    assert secret.requests == []


def test_dns_answering_a_mapped_loopback_is_refused(secret, monkeypatch):
    _Resolver(monkeypatch, {"mapped.test": [["::ffff:127.0.0.1"]]})
    with (
        make_client(fetch_config(), verify=tls()) as client,
        pytest.raises(BlockedURLError, match="loopback"),
    ):
        client.get(f"http://mapped.test:{secret.port}/secret")
    assert secret.requests == []


def test_tls_keeps_the_host_name_for_sni_and_verification(monkeypatch):
    """The socket goes to the vetted IP, but TLS is started for the original name."""
    _Resolver(monkeypatch, {"news.example": [["93.184.215.14"]]})
    recorder = _TLSRecordingBackend()
    with make_client(fetch_config(), verify=tls()) as client:
        client._transport.backend._inner = recorder  # type: ignore[attr-defined]
        with pytest.raises(RuntimeError, match="stop after start_tls"):
            client.get("https://news.example/story")
    assert recorder.connected == [("93.184.215.14", 443)]
    assert recorder.server_hostname == "news.example"
    assert recorder.verify_mode == ssl.CERT_REQUIRED


def test_unresolvable_host_is_a_transport_error(monkeypatch):
    _Resolver(monkeypatch, {"nowhere.test": []})
    with make_client(fetch_config(), verify=tls()) as client, pytest.raises(TransportError):
        client.get("http://nowhere.test/")


# -- the opt-ins ----------------------------------------------------------------------


def test_allow_private_networks_opens_the_local_server(secret):
    config = fetch_config(allow_private_networks=True)
    with make_client(config, verify=tls()) as client, Fetcher(config, client=client) as fetcher:
        assert fetcher.fetch_page(secret.url("/secret")).body == PAGE


def test_allow_hosts_opens_only_the_named_hosts(secret):
    with make_client(fetch_config(allow_hosts=("localhost",)), verify=tls()) as client:
        assert client.get(f"http://localhost:{secret.port}/secret").content == PAGE
        with pytest.raises(BlockedURLError):
            client.get(f"http://127.0.0.1:{secret.port}/secret")


@pytest.mark.parametrize(
    ("host", "allow", "expected"),
    [
        ("feeds.intranet", ["feeds.intranet"], True),
        ("FEEDS.intranet.", ["feeds.intranet"], True),
        ("evil-feeds.intranet", ["feeds.intranet"], False),
        ("feeds.intranet.evil.com", ["feeds.intranet"], False),
        ("a.corp.example", ["*.corp.example"], True),
        ("corp.example", ["*.corp.example"], True),
        ("notcorp.example", ["*.corp.example"], False),
        ("127.0.0.1", ["127.0.0.1"], True),
        ("2130706433", ["127.0.0.1"], False),  # listed exactly as written, nothing else
        ("anything", [], False),
        ("anything", ["*."], False),
    ],
)
def test_host_allowlist_matching(host, allow, expected):
    assert host_allowed(host, allow) is expected


def test_allowlist_never_opens_other_schemes():
    with pytest.raises(BlockedURLError, match="scheme"):
        check_url("file://localhost/etc/passwd", allow_private=False, allow_hosts=["localhost"])


def test_backend_refuses_unix_sockets():
    with pytest.raises(httpcore.ConnectError):
        VettingBackend().connect_unix_socket("/var/run/docker.sock")


# -- helpers --------------------------------------------------------------------------


def pretend_public(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    """Let the test server's address play a public host's."""
    public = {ipaddress.ip_address(a) for a in addresses}

    def reason(address: netguard.IPAddress) -> str | None:
        return None if address in public else _real_blocked_reason(address)

    monkeypatch.setattr(netguard, "blocked_reason", reason)


def _allow_hosts_in_fetch(monkeypatch: pytest.MonkeyPatch, hosts: tuple[str, ...]) -> None:
    """What Fetcher does once it passes [fetch] allow_hosts to its per-hop check_url."""

    def check(url: str, allow_private: bool, allow_hosts: Any = ()) -> None:
        check_url(url, allow_private, hosts)

    monkeypatch.setattr("pipeline.acquire.fetch.check_url", check)


class _Resolver:
    """getaddrinfo for made-up names: the n-th lookup gets the n-th answer (the last repeats)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[list[str]]]):
        self.answers = answers
        self.calls: dict[str, int] = dict.fromkeys(answers, 0)
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in self.answers:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        n = self.calls[name]
        self.calls[name] = n + 1
        rounds = self.answers[name]
        if not rounds:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answer = rounds[min(n, len(rounds) - 1)]
        return [_info(address, int(port or 0)) for address in answer]


def _info(address: str, port: int) -> tuple[Any, ...]:
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


class _RecordingBackend(httpcore.NetworkBackend):
    """Records where connections go; connects through `inner` when given, else refuses."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self.inner = inner
        self.connected: list[tuple[str, int]] = []

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.connected.append((host, port))
        if self.inner is None:
            raise httpcore.ConnectError("recording only")
        return self.inner.connect_tcp(host, port, *args, **kwargs)


class _TLSRecordingBackend(_RecordingBackend):
    server_hostname: str | None = None
    verify_mode: Any = None

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.connected.append((host, port))
        return _TLSStream(self)


class _TLSStream(httpcore.NetworkStream):
    def __init__(self, owner: _TLSRecordingBackend) -> None:
        self.owner = owner

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: Any = None):
        self.owner.server_hostname = server_hostname
        self.owner.verify_mode = ssl_context.verify_mode
        raise RuntimeError("stop after start_tls")

    def close(self) -> None:
        pass
