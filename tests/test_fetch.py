"""FETCH against a real HTTP server on 127.0.0.1, and the netguard address checks."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import ssl
import zlib

import httpx
import pytest

from pipeline.acquire.fetch import Fetcher
from pipeline.acquire.netguard import blocked_reason, check_url
from pipeline.core.config import FetchConfig
from pipeline.core.errors import (
    BlockedURLError,
    ContentTypeError,
    HTTPStatusError,
    TooLargeError,
    TooManyRedirectsError,
    TransportError,
)
from pipeline.core.models import Validators
from tests import httpserver
from tests.httpserver import LocalHTTPServer

http_server = httpserver.http_server  # the fixture, until conftest re-exports it

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
HTML = b"<html><body><p>An article.</p></body></html>"
LAST_MODIFIED = "Wed, 01 Jan 2025 10:00:00 GMT"


def config(**overrides: object) -> FetchConfig:
    values: dict[str, object] = {"allow_private_networks": True, "timeout": 5.0}
    values.update(overrides)
    return FetchConfig(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tls() -> ssl.SSLContext:
    # Loading the CA bundle is most of the cost of a new client; do it once.
    return httpx.create_ssl_context()


@pytest.fixture
def make_fetcher(tls):
    """Fetcher(config(**overrides)) on an injected client, closed after the test."""
    clients: list[httpx.Client] = []

    def make(**overrides: object) -> Fetcher:
        clients.append(httpx.Client(verify=tls))
        return Fetcher(config(**overrides), client=clients[-1])

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def fetcher(make_fetcher):
    return make_fetcher()


# -- conditional GET -----------------------------------------------------------


def test_conditional_get_round_trip_sends_validators_byte_exact(http_server, fetcher):
    # An unusual but legal weak ETag: it must come back exactly as the server sent it.
    etag = 'W/"a b;c=1"'
    http_server.route(
        "/feed.xml",
        body=RSS,
        content_type="application/rss+xml",
        etag=etag,
        last_modified=LAST_MODIFIED,
        headers={"Cache-Control": "max-age=300"},
    )
    first = fetcher.fetch_feed(http_server.url("/feed.xml"), Validators())
    assert first.status == 200
    assert not first.not_modified
    assert first.body == RSS
    assert first.validators == Validators(etag=etag, last_modified=LAST_MODIFIED)
    assert first.cache_control == "max-age=300"
    assert "if-none-match" not in http_server.requests[0].headers

    second = fetcher.fetch_feed(http_server.url("/feed.xml"), first.validators)
    sent = http_server.requests[1].headers
    assert sent["if-none-match"] == etag
    assert sent["if-modified-since"] == LAST_MODIFIED
    assert second.status == 304
    assert second.not_modified
    assert second.body == b""
    assert second.validators == first.validators


def test_if_modified_since_alone_gives_304(http_server, fetcher):
    http_server.route("/f", body=RSS, content_type="application/xml", last_modified=LAST_MODIFIED)
    got = fetcher.fetch_feed(http_server.url("/f"), Validators(last_modified=LAST_MODIFIED))
    assert got.not_modified
    assert http_server.requests[0].headers["if-modified-since"] == LAST_MODIFIED
    assert "if-none-match" not in http_server.requests[0].headers


def test_changed_feed_returns_new_validators(http_server, fetcher):
    http_server.route("/f", body=RSS, content_type="application/xml", etag='"v2"')
    got = fetcher.fetch_feed(http_server.url("/f"), Validators(etag='"v1"'))
    assert not got.not_modified
    assert got.validators == Validators(etag='"v2"', last_modified=None)


def test_user_agent_and_encoding_come_from_the_fetcher(http_server, make_fetcher):
    http_server.route("/p", body=HTML, content_type="text/html")
    with make_fetcher(user_agent="nw-test/9") as f:
        f.fetch_page(http_server.url("/p"))
    headers = http_server.requests[0].headers
    assert headers["user-agent"] == "nw-test/9"
    assert headers["accept-encoding"] == "gzip, deflate"


# -- redirects -----------------------------------------------------------------


def test_redirects_are_followed_and_final_url_reported(http_server, fetcher):
    http_server.redirect("/old", "/middle", status=301)
    http_server.redirect("/middle", http_server.url("/new"), status=307)
    http_server.route("/new", body=HTML, content_type="text/html; charset=utf-8")
    page = fetcher.fetch_page(http_server.url("/old"))
    assert page.url == http_server.url("/old")
    assert page.final_url == http_server.url("/new")
    assert page.body == HTML
    assert page.content_type == "text/html; charset=utf-8"


def test_redirect_limit(http_server, make_fetcher):
    for i in range(4):
        http_server.redirect(f"/r{i}", f"/r{i + 1}")
    http_server.route("/r4", body=HTML, content_type="text/html")
    with make_fetcher(max_redirects=4) as f:
        assert f.fetch_page(http_server.url("/r0")).final_url == http_server.url("/r4")
    with make_fetcher(max_redirects=3) as f, pytest.raises(TooManyRedirectsError) as info:
        f.fetch_page(http_server.url("/r0"))
    assert "more than 3 redirects" in str(info.value)
    assert info.value.reason == "redirects"


def test_redirect_loop_stops(http_server, fetcher):
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", "/a")
    with pytest.raises(TooManyRedirectsError):
        fetcher.fetch_page(http_server.url("/a"))
    assert len(http_server.requests) == fetcher.config.max_redirects + 1


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://x/"])
def test_redirect_to_another_scheme_is_blocked(http_server, fetcher, target):
    http_server.redirect("/go", target)
    with pytest.raises(BlockedURLError) as info:
        fetcher.fetch_page(http_server.url("/go"))
    assert target in str(info.value)


def test_redirect_without_location_is_a_status_error(http_server, fetcher):
    http_server.route("/odd", status=302, body=b"")
    with pytest.raises(HTTPStatusError) as info:
        fetcher.fetch_page(http_server.url("/odd"))
    assert info.value.status == 302


# -- size caps and decoding -------------------------------------------------------


def _gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    parts.append(packer.flush())
    return b"".join(parts)


def test_gzip_bomb_stops_at_the_decoded_cap(http_server, make_fetcher):
    bomb = _gzip_of_zeros(50_000_000)
    assert len(bomb) < 100_000  # tiny on the wire, so only the decoded count can catch it
    http_server.route(
        "/bomb.xml",
        body=bomb,
        content_type="application/xml",
        headers={"Content-Encoding": "gzip"},
    )
    with make_fetcher(max_feed_bytes=1_000_000) as f, pytest.raises(TooLargeError) as info:
        f.fetch_feed(http_server.url("/bomb.xml"), Validators())
    assert "larger than 1000000 bytes" in str(info.value)
    assert http_server.url("/bomb.xml") in str(info.value)


@pytest.mark.parametrize("encoding", ["gzip, gzip", "br", "zstd", "compress"])
def test_unrequested_or_stacked_encodings_are_refused_unread(http_server, make_fetcher, encoding):
    """Only gzip and deflate are asked for; stacked gzip would be a bomb httpx decodes unbounded."""
    layered = gzip.compress(_gzip_of_zeros(20_000_000))  # a few KB that inflate twice to 20 MB
    assert len(layered) < 50_000
    http_server.route(
        "/layered.xml",
        body=layered,
        content_type="application/xml",
        headers={"Content-Encoding": encoding},
    )
    with make_fetcher(max_feed_bytes=1_000_000) as f, pytest.raises(ContentTypeError) as info:
        f.fetch_feed(http_server.url("/layered.xml"), Validators())
    assert "unrequested content encoding" in str(info.value)


def test_gzip_and_deflate_bodies_are_decoded(http_server, fetcher):
    text = b"<html><body>" + b"mineral " * 5000 + b"</body></html>"
    http_server.route("/gz", body=text, content_type="text/html", gzip=True)
    http_server.route(
        "/zlib",
        body=zlib.compress(text),
        content_type="text/html",
        headers={"Content-Encoding": "deflate"},
    )
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    http_server.route(
        "/rawdeflate",
        body=raw.compress(text) + raw.flush(),
        content_type="text/html",
        headers={"Content-Encoding": "deflate"},
    )
    for path in ("/gz", "/zlib", "/rawdeflate"):
        assert fetcher.fetch_page(http_server.url(path)).body == text, path


def test_body_just_under_the_cap_is_kept_and_one_over_is_refused(http_server, make_fetcher):
    http_server.route("/exact", body=b"x" * 1000, content_type="text/plain", gzip=True)
    http_server.route("/over", body=b"x" * 1001, content_type="text/plain", gzip=True)
    with make_fetcher(max_bytes=1000) as f:
        assert len(f.fetch_page(http_server.url("/exact")).body) == 1000
        with pytest.raises(TooLargeError):
            f.fetch_page(http_server.url("/over"))


def test_declared_length_over_the_cap_is_refused_before_reading(http_server, make_fetcher):
    http_server.route("/big", body=b"y" * 5000, content_type="text/html")
    with make_fetcher(max_bytes=4000) as f, pytest.raises(TooLargeError) as info:
        f.fetch_page(http_server.url("/big"))
    assert "Content-Length 5000" in str(info.value)


def test_corrupt_gzip_is_a_transport_error(http_server, fetcher):
    http_server.route(
        "/bad",
        body=b"\x1f\x8bnot gzip",
        content_type="text/html",
        headers={"Content-Encoding": "gzip"},
    )
    with pytest.raises(TransportError) as info:
        fetcher.fetch_page(http_server.url("/bad"))
    assert "decode" in str(info.value)


# -- time limits ---------------------------------------------------------------------


def test_slow_drip_hits_the_total_deadline(http_server, make_fetcher):
    # Each piece arrives well within the read timeout; only the total deadline stops it.
    http_server.route("/drip", body=b"z" * 4000, content_type="text/html", drip=(100, 0.05))
    with make_fetcher(timeout=0.5) as f, pytest.raises(TransportError) as info:
        f.fetch_page(http_server.url("/drip"))
    assert "not complete within 0.5s" in str(info.value)


def test_slow_headers_hit_the_read_timeout(http_server, make_fetcher):
    http_server.route("/slow", body=HTML, content_type="text/html", delay=2.0)
    with make_fetcher(timeout=0.3) as f, pytest.raises(TransportError) as info:
        f.fetch_page(http_server.url("/slow"))
    assert "timed out" in str(info.value)


# -- statuses and content types ---------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_error_statuses(http_server, fetcher, status):
    http_server.route("/x", status=status, body=b"nope", content_type="text/html")
    url = http_server.url("/x")
    with pytest.raises(HTTPStatusError) as info:
        fetcher.fetch_feed(url, Validators())
    assert info.value.status == status
    assert info.value.reason == "http-status"
    assert url in str(info.value) and str(status) in str(info.value)


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "video/mp4"])
def test_page_content_type_refused(http_server, fetcher, content_type):
    http_server.route("/doc", body=b"%PDF-1.4", content_type=content_type)
    with pytest.raises(ContentTypeError) as info:
        fetcher.fetch_page(http_server.url("/doc"))
    assert content_type in str(info.value)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/rss+xml; charset=utf-8",
        "application/atom+xml",
        "text/xml",
        "application/xml",
        "application/feed+json",
        "text/plain",
        "application/octet-stream",
        None,
    ],
)
def test_feed_content_types_tolerated(http_server, fetcher, content_type):
    http_server.route("/f", body=RSS, content_type=content_type)
    assert fetcher.fetch_feed(http_server.url("/f"), Validators()).body == RSS


@pytest.mark.parametrize("content_type", ["image/jpeg", "application/pdf", "audio/mpeg"])
def test_feed_content_type_refused(http_server, fetcher, content_type):
    http_server.route("/f", body=b"\x89PNG", content_type=content_type)
    with pytest.raises(ContentTypeError):
        fetcher.fetch_feed(http_server.url("/f"), Validators())


# -- transport failures and client ownership ------------------------------------------------


def test_unresolvable_host_is_a_transport_error():
    for allow_private in (True, False):  # httpx's failure and netguard's own lookup
        with Fetcher(config(allow_private_networks=allow_private)) as f:
            with pytest.raises(TransportError) as info:
                f.fetch_page("http://nonexistent.invalid/")
            assert "nonexistent.invalid" in str(info.value)


def test_closed_port_is_a_transport_error(fetcher):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransportError):
        fetcher.fetch_page(f"http://127.0.0.1:{port}/")


def test_injected_client_is_used_and_left_open(http_server):
    http_server.route("/p", body=HTML, content_type="text/html")
    client = httpx.Client(headers={"X-Trace": "t1"})
    with Fetcher(config(), client=client) as f:
        f.fetch_page(http_server.url("/p"))
    assert http_server.requests[0].headers["x-trace"] == "t1"
    assert not client.is_closed
    client.close()


def test_own_client_is_closed_on_exit():
    with Fetcher(config()) as f:
        client = f._client
    assert client.is_closed


# -- netguard ----------------------------------------------------------------------------------

REFUSED = [
    "http://127.0.0.1/",
    "http://localhost:8080/feed",
    "http://2130706433/",  # decimal
    "http://0177.0.0.1/",  # octal
    "http://0x7f.0.0.1/",  # hex
    "http://0x7f000001/",
    "http://127.1/",  # short form
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "http://[::ffff:a9fe:a9fe]/",  # IPv4-mapped metadata address
    "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # CGNAT
    "http://0.0.0.0/",
    "http://0/",
    "http://224.0.0.1/",  # multicast
    "http://240.0.0.1/",  # reserved
    "http://255.255.255.255/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
    "http://[::]/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_netguard_refuses_private_and_tricky_hosts(url):
    with pytest.raises(BlockedURLError) as info:
        check_url(url, allow_private=False)
    assert url in str(info.value)
    check_url(url, allow_private=True)  # the opt-in lets the same URL through


@pytest.mark.parametrize(
    "url", ["http://93.184.215.14/", "https://8.8.8.8:8443/x", "http://[2606:4700::1111]/"]
)
def test_netguard_allows_public_addresses(url):
    check_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/", "javascript:alert(1)", "data:text/html,x", "//x/"],
)
def test_netguard_refuses_other_schemes_even_when_private_allowed(url):
    with pytest.raises(BlockedURLError) as info:
        check_url(url, allow_private=True)
    assert "scheme" in str(info.value)


def test_netguard_reports_mapped_address_by_its_ipv4_meaning():
    assert blocked_reason(ipaddress.ip_address("::ffff:10.1.2.3")) == "private"
    assert blocked_reason(ipaddress.ip_address("::ffff:8.8.8.8")) is None


def test_default_config_refuses_the_local_server_without_connecting(http_server):
    http_server.route("/feed.xml", body=RSS, content_type="application/rss+xml")
    with Fetcher(FetchConfig()) as f:
        with pytest.raises(BlockedURLError) as info:
            f.fetch_feed(http_server.url("/feed.xml"), Validators())
        assert info.value.reason == "blocked"
        with pytest.raises(BlockedURLError):
            f.fetch_page(f"http://2130706433:{http_server.port}/feed.xml")
    assert http_server.requests == []


def test_redirect_hop_to_a_private_address_is_checked(http_server, monkeypatch, make_fetcher):
    """Every hop goes through netguard, so a redirect cannot bounce onto a private address."""
    checked: list[str] = []

    def strict_for_metadata(url: str, allow_private: bool, allow_hosts: tuple[str, ...]) -> None:
        # The test server itself is on loopback, so only the second hop gets the strict check.
        checked.append(url)
        check_url(url, allow_private and "169.254" not in url, allow_hosts)

    monkeypatch.setattr("pipeline.acquire.fetch.check_url", strict_for_metadata)
    http_server.redirect("/hop", "http://169.254.169.254/latest/meta-data/")
    with make_fetcher() as f, pytest.raises(BlockedURLError) as info:
        f.fetch_page(http_server.url("/hop"))
    assert "link-local" in str(info.value)
    assert checked == [http_server.url("/hop"), "http://169.254.169.254/latest/meta-data/"]


def test_gzip_helper_really_is_gzip():
    assert gzip.decompress(_gzip_of_zeros(2 << 20)) == bytes(2 << 20)


def test_server_fixture_is_reusable():
    with LocalHTTPServer() as server:
        server.route("/a", body="hé", content_type="text/plain; charset=utf-8")
        assert httpx.get(server.url("/a")).text == "hé"
