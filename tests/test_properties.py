"""Property tests (hypothesis): URL canonicalisation, date resolution, acronyms, config loading."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.acronyms import fits, initials, looks_like_acronym
from extractors.dates import WEEKDAYS, resolve_date
from pipeline.core.config import Config, parse_config
from pipeline.core.errors import ConfigError
from pipeline.text.urls import TRACKING_PARAMS, canonicalize_url, is_tracking_param

# -- URL canonicalisation ----------------------------------------------------------------

hosts = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,6}){1,2}", fullmatch=True)
segments = st.text(st.characters(codec="utf-8", exclude_characters="/?#"), max_size=8)
params = st.lists(
    st.tuples(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), st.text(max_size=6)), max_size=5
)
tracking = st.lists(
    st.tuples(
        st.sampled_from([*sorted(TRACKING_PARAMS), "utm_source", "UTM_Medium"]), st.text(max_size=5)
    ),
    max_size=3,
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    from urllib.parse import quote, urlencode

    scheme = draw(st.sampled_from(["http", "https", "HTTP"]))
    host = draw(hosts)
    host = host.upper() if draw(st.booleans()) else host
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/" + "/".join(quote(s) for s in draw(st.lists(segments, max_size=4)))
    query = urlencode(draw(params) + draw(tracking))
    fragment = draw(st.sampled_from(["", "#top", "#x=1"]))
    return f"{scheme}://{host}{port}{path}" + (f"?{query}" if query else "") + fragment


@given(urls())
def test_canonicalisation_is_idempotent(url):
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once


@given(urls())
def test_canonical_url_has_no_tracking_no_fragment_lowercase_host(url):
    canonical = canonicalize_url(url)
    parts = urlsplit(canonical)
    assert not any(is_tracking_param(k) for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    assert parts.fragment == ""
    assert parts.scheme == parts.scheme.lower() and parts.netloc == parts.netloc.lower()


@given(urls(), tracking)
def test_adding_tracking_params_never_changes_the_canonical_url(url, extra):
    from urllib.parse import urlencode

    sep = "&" if "?" in url.split("#")[0] else "?"
    base, _, frag = url.partition("#")
    tracked = base + (sep + urlencode(extra) if extra else "") + ("#" + frag if frag else "")
    assert canonicalize_url(tracked) == canonicalize_url(url)


@given(st.text(max_size=60))
def test_canonicalisation_never_raises(text):
    assert isinstance(canonicalize_url(text), str)


# -- date resolution ---------------------------------------------------------------------

anchors = st.dates(min_value=date(1980, 1, 1), max_value=date(2040, 12, 31))


@given(anchors, st.sampled_from(WEEKDAYS), st.booleans())
def test_weekday_lands_on_that_weekday_within_a_week(anchor, name, future):
    found = resolve_date(f"on {name.title()}", anchor, future=future)
    assert found is not None and found.weekday() == WEEKDAYS.index(name)
    delta = (found - anchor).days
    assert (0 <= delta <= 6) if future else (-6 <= delta <= 0)


@given(anchors)
def test_relative_days(anchor):
    assert resolve_date("yesterday", anchor) == anchor - timedelta(days=1)
    assert resolve_date("tomorrow", anchor) == anchor + timedelta(days=1)
    assert resolve_date("today", anchor) == anchor


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), anchors)
def test_explicit_dates_ignore_the_anchor(day, anchor):
    for text in (
        day.isoformat(),
        f"{day:%B} {day.day}, {day.year}",
        f"{day.day} {day:%b} {day.year}",
    ):
        assert resolve_date(text, anchor) == day


@given(anchors, st.integers(1, 12), st.integers(1, 31), st.booleans())
def test_yearless_dates_stay_within_a_year_of_the_anchor(anchor, month, day, future):
    found = resolve_date(f"{date(2000, month, 1):%B} {day}", anchor, future=future)
    if found is not None:
        assert (found.month, found.day) == (month, day)
        assert abs((found - anchor).days) <= 366


@given(st.text(max_size=80), st.none() | anchors, st.booleans())
def test_date_resolution_never_raises(text, anchor, future):
    found = resolve_date(text, anchor, future=future)
    assert found is None or isinstance(found, date)


# -- acronyms ----------------------------------------------------------------------------

words = st.from_regex(r"[A-Z][a-z]{2,9}", fullmatch=True)


@given(st.lists(words, min_size=2, max_size=6))
def test_initials_of_a_name_fit_it(name_words):
    name = " ".join(name_words)
    acronym = initials(name)
    assert acronym == "".join(w[0] for w in name_words)
    assert fits(acronym, name) and fits(acronym, name, strict=True)


@given(st.lists(words, min_size=2, max_size=6), st.sampled_from(["of", "and", "the", "for"]))
def test_function_words_are_skipped(name_words, function_word):
    name = " ".join([name_words[0], function_word, *name_words[1:]])
    assert fits("".join(w[0] for w in name_words), name)


@given(st.text(max_size=12), st.text(max_size=40), st.booleans())
def test_acronym_helpers_never_raise(acronym, name, strict):
    assert isinstance(looks_like_acronym(acronym), bool)
    assert isinstance(fits(acronym, name, strict=strict), bool)


@given(st.text(max_size=12))
def test_single_letter_is_never_an_acronym_of_anything(letter):
    if sum(c.isalpha() for c in letter) < 2:
        assert not fits(letter, "Anything Goes Here")


# -- config loading ----------------------------------------------------------------------

toml_scalars = st.one_of(
    st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False), st.text(max_size=10)
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
known_keys = {
    "storage": ["path"],
    "fetch": ["user_agent", "timeout", "max_bytes", "max_feed_bytes", "max_redirects",
              "concurrency", "allow_private_networks", "allow_hosts"],
    "nlp": ["model", "batch_size", "n_process", "components"],
}  # fmt: skip


@st.composite
def config_dicts(draw: st.DrawFn) -> dict:
    data: dict = {}
    for table, keys in known_keys.items():
        if draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys)))
            data[table] = {k: draw(toml_values) for k in chosen}
    if draw(st.booleans()):
        feed = st.fixed_dictionaries(
            {"name": st.text(max_size=6), "url": st.text(max_size=10)},
            optional={"tags": toml_values, "interval": toml_values},
        )
        data["feeds"] = draw(st.lists(feed, max_size=3) | toml_values)
    data.update(draw(st.dictionaries(st.text(max_size=6), toml_values, max_size=2)))
    return data


@settings(max_examples=300)
@given(config_dicts())
def test_config_loading_gives_a_config_or_a_config_error(data):
    try:
        config = parse_config(data, base_dir=Path("/tmp"))
    except ConfigError as exc:
        assert str(exc)  # a message naming the problem
        return
    assert isinstance(config, Config)
    assert config.fetch.timeout > 0 and config.nlp.batch_size > 0
    assert len({f.name for f in config.feeds}) == len(config.feeds)
