"""canonicalize_url and text_hash: the two keys articles are deduplicated on."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text.urls import TRACKING_PARAMS, canonicalize_url, is_tracking_param, text_hash


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443", "https://example.com/"),
        ("http://Example.com:80/a/b", "http://example.com/a/b"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        (
            "https://example.com/story?utm_source=rss&utm_medium=feed&id=7&fbclid=XYZ",
            "https://example.com/story?id=7",
        ),
        ("https://example.com/x?ref=rss&gclid=1&mc_cid=2&mc_eid=3", "https://example.com/x"),
        ("https://example.com/%7euser/caf%c3%a9", "https://example.com/~user/caf%C3%A9"),
        ("https://example.com/café", "https://example.com/caf%C3%A9"),
        ("https://example.com./a", "https://example.com/a"),
    ],
)
def test_canonical_forms(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_file_urls_keep_their_path() -> None:
    assert canonicalize_url("file:///tmp/My%20Seeds/000.txt#p2") == "file:///tmp/My%20Seeds/000.txt"


def test_encoded_delimiters_keep_their_meaning() -> None:
    # %2F inside a segment is not a path separator; decoding it would name another page.
    assert canonicalize_url("https://example.com/a%2fb") == "https://example.com/a%2Fb"


def test_not_a_url_comes_back_stripped() -> None:
    assert canonicalize_url("  not a url ") == "not a url"


@pytest.mark.parametrize("name", ["utm_source", "UTM_Campaign", "fbclid", "gclid", "_ga", "ocid"])
def test_tracking_names(name: str) -> None:
    assert is_tracking_param(name)


@pytest.mark.parametrize("name", ["id", "page", "q", "article", "p"])
def test_content_names_are_not_tracking(name: str) -> None:
    assert not is_tracking_param(name)


def test_text_hash_ignores_case_width_and_whitespace() -> None:
    a = "Lithium  prices FELL\n\nin March."
    b = "lithium prices fell in march."
    fullwidth = "Ｌｉｔｈｉｕｍ prices fell in March."
    assert text_hash(a) == text_hash(b) == text_hash(fullwidth)
    assert text_hash(a) != text_hash("Lithium prices rose in March.")
    assert len(text_hash(a)) == 64


# --- properties -----------------------------------------------------------------

_segment = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="/?#"), max_size=8
)
_key = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda k: not is_tracking_param(k)
)
_value = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "HtTpS"]))
    host = draw(st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}\.(com|org|co\.uk)", fullmatch=True))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(_segment, max_size=3)))
    params = draw(st.lists(st.tuples(_key, _value), max_size=4))
    tracking = draw(st.lists(st.sampled_from(["utm_source", "utm_campaign", "fbclid"]), max_size=2))
    query = "&".join([f"{k}={v}" for k, v in params] + [f"{t}=x" for t in tracking])
    fragment = draw(st.sampled_from(["", "#", "#top", "#a?b=c"]))
    return f"{scheme}://{host}{port}/{path}{'?' + query if query else ''}{fragment}"


@settings(max_examples=200, deadline=None)
@given(urls())
def test_canonicalize_is_idempotent(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once


@settings(max_examples=200, deadline=None)
@given(urls())
def test_no_fragment_or_tracking_survives(url: str) -> None:
    parts = urlsplit(canonicalize_url(url))
    assert parts.fragment == ""
    assert "#" not in canonicalize_url(url)
    keys = [k for k, _ in parse_qsl(parts.query, keep_blank_values=True)]
    assert not [k for k in keys if k.lower().startswith("utm_") or k.lower() in TRACKING_PARAMS]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_key, _value), min_size=1, max_size=5))
def test_content_params_are_kept(params: list[tuple[str, str]]) -> None:
    from urllib.parse import urlencode

    url = "https://example.com/a?" + urlencode(params) + "&utm_source=newsletter"
    kept = parse_qsl(urlsplit(canonicalize_url(url)).query, keep_blank_values=True)
    assert sorted(kept) == sorted(params)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_canonicalize_never_raises_on_text(text: str) -> None:
    result = canonicalize_url(text)
    assert canonicalize_url(result) == result
