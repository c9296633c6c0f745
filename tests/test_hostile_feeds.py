"""Hostile and malformed feeds: recorded with a reason, never a crash, never a leak.

The feedparser conformance suite (../shared) goes through `sources.poll_source`
and the text stage file by file; XML entity bombs and external entities (XXE)
go through the same path with real payloads.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.acquire.feedsafety import sanitize_feed_bytes
from pipeline.acquire.fetch import Fetcher
from pipeline.acquire.sources import poll_source
from pipeline.core.config import FetchConfig
from pipeline.core.errors import EmptyTextError
from pipeline.core.models import FeedPoll, Page, Source, Validators
from pipeline.text.extract import article_from_text, extract_article

REPO = Path(__file__).resolve().parents[1]
CATEGORIES = ("wellformed", "illformed", "encoding", "entities", "json")
ERROR_FORMAT = re.compile(r"^[a-z][a-z-]*: .+", re.S)
LINK_SCHEMES = ("http://", "https://", "file://")


@pytest.fixture(scope="module")
def conformance(shared_dir: Path) -> list[dict]:
    root = shared_dir / "corpora" / "feeds" / "feedparser_conformance"
    if not (root / "expectations.jsonl").is_file():
        pytest.skip(f"{root} not present: the feedparser conformance suite lives there")
    cases = [json.loads(line) for line in (root / "expectations.jsonl").open()]
    for case in cases:
        case["file"] = root / case["path"].removeprefix("tests/")
    return cases


@pytest.fixture
def fetcher():
    with Fetcher(FetchConfig(allow_private_networks=True, timeout=5.0)) as f:
        yield f


def problems_with(poll: FeedPoll) -> str | None:
    """What is wrong with a poll result, or None when it is an acceptable outcome."""
    if poll.status == "error":
        if not poll.error or not ERROR_FORMAT.match(poll.error):
            return f"error without 'reason: message': {poll.error!r}"
        return None
    if poll.status != "ok":
        return f"unexpected status {poll.status}"
    bad = [i.link for i in poll.items if not i.link.lower().startswith(LINK_SCHEMES)]
    return f"items with unusable links: {bad}" if bad else None


# -- the conformance suite ------------------------------------------------------------


@pytest.mark.parametrize("category", CATEGORIES)
def test_conformance_feeds_are_ingested_or_recorded(conformance, fetcher, category):
    cases = [c for c in conformance if c["category"] == category]
    assert cases, f"no {category} cases in the suite"
    failures: list[str] = []
    outcomes: dict[str, int] = {}
    for case in cases:
        source = Source("conformance", str(case["file"]), "file")
        try:
            poll = poll_source(source, fetcher, Validators())
        except Exception as exc:  # the point of the test: nothing may escape
            failures.append(f"{case['path']}: raised {exc!r}")
            continue
        key = poll.status if poll.status == "ok" else (poll.error or "").split(":")[0]
        outcomes[key] = outcomes.get(key, 0) + 1
        problem = problems_with(poll)
        if problem:
            failures.append(f"{case['path']}: {problem}")
        # A well-formed RSS/Atom/RDF document is a feed; CDF and friends may be refused.
        if category == "wellformed" and "/cdf/" not in case["path"] and poll.status != "ok":
            failures.append(f"{case['path']}: well-formed feed refused: {poll.error}")
    assert not failures, "\n".join(failures[:20])
    assert sum(outcomes.values()) == len(cases)


def test_conformance_cases_with_http_headers_over_http(conformance, fetcher, http_server):
    """The cases that depend on Content-Type go through the HTTP path with those headers."""
    cases = [c for c in conformance if c["http_headers"]]
    assert cases
    failures = []
    for n, case in enumerate(cases):
        headers = {k: v for k, v in case["http_headers"].items() if k.lower() != "content-type"}
        content_type = next(
            (v for k, v in case["http_headers"].items() if k.lower() == "content-type"), None
        )
        path = f"/c/{n}.xml"
        http_server.route(
            path, body=case["file"].read_bytes(), content_type=content_type, headers=headers
        )
        poll = poll_source(Source("c", http_server.url(path), "http"), fetcher, Validators())
        problem = problems_with(poll)
        if problem:
            failures.append(f"{case['path']}: {problem}")
    assert not failures, "\n".join(failures[:20])


def test_text_stage_survives_every_hostile_feed(conformance):
    """Feed bytes handed to the text stage as if they were a page, and every item summary."""
    failures = []
    for case in conformance:
        if case["category"] == "wellformed":
            continue  # the ill-formed, encoding and entity cases are the hostile ones
        body = case["file"].read_bytes()
        page = Page(case["path"], "http://example.org/x", 200, "text/html", body)
        for run in (
            lambda page=page: extract_article(page),
            lambda body=body: article_from_text(body.decode("utf-8", "replace"), "http://x.org/"),
        ):
            try:
                article = run()
            except EmptyTextError:
                continue
            except Exception as exc:
                failures.append(f"{case['path']}: {exc!r}")
                continue
            if not article.text.strip() or len(article.text_hash) != 64:
                failures.append(f"{case['path']}: empty article {article!r}")
    assert not failures, "\n".join(failures[:20])


# -- entity bombs and external entities ------------------------------------------------

ITEM = (
    "<item><title>t</title><link>http://news.example/1</link><description>{}</description></item>"
)


def laughs(levels: int = 9, prefix: str = "") -> bytes:
    """A billion-laughs feed; `prefix` declarations come first (the "<b>" trick below)."""
    decls = [prefix, '<!ENTITY l0 "LOL">']
    decls += [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels)]
    body = ITEM.format(f"&l{levels - 1};")
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(decls) + "\n]>\n"
        f'<rss version="2.0"><channel><title>&l{levels - 1};</title>{body}</channel></rss>'
    ).encode()


def xxe(system_id: str, *, parameter: bool = False) -> bytes:
    if parameter:
        dtd = f'<!ENTITY % p SYSTEM "{system_id}"> %p;'
        ref = "x"
    else:
        dtd = f'<!ENTITY xxe SYSTEM "{system_id}">'
        ref = "&xxe;"
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [{dtd}]>\n'
        f'<rss version="2.0"><channel><title>{ref}</title>{ITEM.format(ref)}</channel></rss>'
    ).encode()


def poll_bytes(tmp_path: Path, fetcher: Fetcher, data: bytes) -> FeedPoll:
    path = tmp_path / "feed.xml"
    path.write_bytes(data)
    return poll_source(Source("hostile", str(path), "file"), fetcher, Validators())


def all_text(poll: FeedPoll) -> str:
    return json.dumps([i.__dict__ for i in poll.items]) + (poll.error or "")


def test_sanitizer_keeps_plain_literal_entities_only():
    data = (
        b'<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE rss [\n'
        b'  <!ENTITY id "tag:example.com,">\n'
        b'  <!ENTITY gt2 "a > b">\n'
        b"  <!ENTITY copy '&#169;'>\n"
        b'  <!ENTITY chain "&id;&id;">\n'
        b'  <!ENTITY ext SYSTEM "file:///etc/passwd">\n'
        b'  <!ENTITY % pe "x">\n'
        b"  <!ELEMENT rss ANY>\n"
        b"]>\n<rss/>"
    )
    cleaned = sanitize_feed_bytes(data).decode()
    assert '<!ENTITY id "tag:example.com,">' in cleaned
    assert '<!ENTITY gt2 "a > b">' in cleaned  # a ">" inside quotes does not end the scan
    assert "<!ENTITY copy '&#169;'>" in cleaned
    for gone in ("chain", "SYSTEM", "% pe", "ELEMENT"):
        assert gone not in cleaned
    assert cleaned.startswith('<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE rss [')
    assert cleaned.endswith("]>\n<rss/>")


def test_sanitizer_leaves_documents_without_a_subset_alone():
    netscape = (
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"/>'
    )
    plain = b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>'
    not_prolog = b"<rss><![CDATA[<!DOCTYPE x [<!ENTITY a 'b'>]>]]></rss>"
    for data in (netscape, plain, not_prolog, b"", b"\x00\xff binary"):
        assert sanitize_feed_bytes(data) is data


def test_sanitizer_sees_through_wide_encodings():
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"")):
        data = bom + laughs(5).decode().encode(codec)
        cleaned = sanitize_feed_bytes(data)
        assert cleaned.startswith(bom)
        text = cleaned.decode(codec)
        assert "&l0;" not in text.split("]>")[0], codec  # the chain is gone from the DTD
        assert '<!ENTITY l0 "LOL">' in text


def test_unterminated_dtd_loses_its_subset_but_keeps_the_document():
    data = b'<!DOCTYPE rss [ <!ENTITY a "&b;&b;"\n<rss version="2.0"><channel/></rss>'
    assert sanitize_feed_bytes(data) == b'<!DOCTYPE rss><rss version="2.0"><channel/></rss>'


@pytest.mark.parametrize(
    "payload",
    [laughs(9), laughs(9, prefix='<!ENTITY tag "<b>">'), laughs(9).replace(b"\n", b"")],
    ids=["classic", "value-with-markup-first", "one-line"],
)
def test_billion_laughs_is_not_expanded(tmp_path, fetcher, payload):
    poll = poll_bytes(tmp_path, fetcher, payload)
    assert problems_with(poll) is None
    assert "LOLLOL" not in all_text(poll)


def test_billion_laughs_stays_small_in_memory(tmp_path):
    """In a fresh process: the peak RSS of polling the bomb, over its baseline.

    The "<b>" trick defeats feedparser's own DTD stripping, so without
    sanitize_feed_bytes expat expands entities up to its amplification limit
    (~100 MB and seconds for a 1 KB file); with it nothing is expanded.
    """
    feed = tmp_path / "bomb.xml"
    feed.write_bytes(laughs(9, prefix='<!ENTITY tag "<b>">'))
    script = textwrap.dedent(
        f"""
        import resource
        from pipeline.core.config import FetchConfig
        from pipeline.acquire.fetch import Fetcher
        from pipeline.core.models import Source, Validators
        from pipeline.acquire.sources import poll_source
        src = Source("bomb", {str(feed)!r}, "file")
        with Fetcher(FetchConfig()) as f:
            poll_source(src, f, Validators())  # warm up imports and caches
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            poll = poll_source(src, f, Validators())
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) // 1024, poll.status)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert out.returncode == 0, out.stderr
    grown_mb, status = out.stdout.split()
    assert int(grown_mb) < 30, (
        f"polling a 1 KB entity bomb grew RSS by {grown_mb} MB: "
        "is sources._parse_feed calling feedsafety.sanitize_feed_bytes?"
    )
    assert status in ("ok", "error")


def test_xxe_does_not_read_local_files(tmp_path, fetcher):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER-4711")
    for system_id in (secret.as_uri(), "file:///etc/passwd"):
        for parameter in (False, True):
            poll = poll_bytes(tmp_path, fetcher, xxe(system_id, parameter=parameter))
            assert problems_with(poll) is None
            text = all_text(poll)
            assert "TOP-SECRET-MARKER-4711" not in text
            assert "root:" not in text


def test_external_entities_and_dtds_are_never_fetched(http_server, fetcher):
    http_server.route("/evil.dtd", body=b'<!ENTITY xxe "PWNED">', content_type="text/plain")
    http_server.route("/xxe", body=b"PWNED", content_type="text/plain")
    dtd_url, xxe_url = http_server.url("/evil.dtd"), http_server.url("/xxe")
    feeds = {
        "/general.xml": xxe(xxe_url),
        "/parameter.xml": xxe(dtd_url, parameter=True),
        "/external-dtd.xml": (
            f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{dtd_url}">\n'
            f'<rss version="2.0"><channel><title>&xxe;</title>{ITEM.format("x")}</channel></rss>'
        ).encode(),
    }
    for path, body in feeds.items():
        http_server.route(path, body=body, content_type="application/rss+xml")
        poll = poll_source(Source("x", http_server.url(path), "http"), fetcher, Validators())
        assert problems_with(poll) is None
        assert "PWNED" not in all_text(poll)
    assert {r.path for r in http_server.requests} == set(feeds)
