"""Structured metadata a page declares about itself: JSON-LD, Open Graph, meta tags.

Publishers state title, authors and dates for search engines and social cards far
more reliably than any layout heuristic can find them, so the text stage reads these
first and only falls back to trafilatura's guesses. This module only *collects*
candidates from one parsed tree; choosing and cleaning them is fields.py's job.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

# schema.org types whose headline/author/date describe the article itself.
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "techarticle",
        "scholarlyarticle",
        "report",
        "review",
        "satiricalarticle",
    }
)


# schema.org types of an author that is not a person (an agency, the publisher).
_ORGANISATION_TYPES = frozenset(
    {"organization", "newsmediaorganization", "corporation", "newsagency", "brand"}
)


@dataclass
class PageMetadata:
    """Every candidate value found on one page, in document order."""

    ld_headlines: list[str] = field(default_factory=list)
    ld_authors: list[str] = field(default_factory=list)  # Person-typed or untyped
    ld_organisation_authors: list[str] = field(default_factory=list)
    ld_dates: list[str] = field(default_factory=list)
    ld_modified: list[str] = field(default_factory=list)
    ld_languages: list[str] = field(default_factory=list)
    ld_publishers: list[str] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)  # lowercased name/property
    itemprop_authors: list[str] = field(default_factory=list)
    itemprop_dates: list[str] = field(default_factory=list)
    byline: list[str] = field(default_factory=list)  # text of the first byline element
    canonical: str | None = None
    html_lang: str | None = None
    title_tag: str | None = None
    h1: list[str] = field(default_factory=list)

    def first_meta(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return None

    def all_meta(self, *names: str) -> list[str]:
        return [v.strip() for n in names for v in self.meta.get(n, ()) if v.strip()]


def _text(element: Any) -> str:
    return " ".join(element.text_content().split())


def _clean(value: str) -> str:
    # Values in JSON-LD and meta tags are often HTML-escaped twice ("&amp;quot;").
    return " ".join(html.unescape(value).split())


def collect_metadata(tree: lxml_html.HtmlElement) -> PageMetadata:
    """Read every metadata candidate from a parsed page; never raises on odd markup."""
    found = PageMetadata()
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            for obj in _article_objects(_load_json_ld(script.text or "")):
                _read_article_object(obj, found)
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content is not None:
            found.meta.setdefault(key.strip().lower(), []).append(_clean(content))
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and link.get("href") and found.canonical is None:
            found.canonical = link.get("href", "").strip()
    found.itemprop_authors = _itemprop_authors(tree)
    for element in tree.xpath('//*[@itemprop="datePublished"]'):
        value = element.get("content") or element.get("datetime") or _text(element)
        if value:
            found.itemprop_dates.append(value.strip())
    found.byline = _byline(tree)
    root_lang = tree.getroottree().getroot().get("lang")
    found.html_lang = root_lang.strip() if root_lang else None
    title = tree.find(".//title")
    if title is not None:
        found.title_tag = _text(title) or None
    found.h1 = [t for t in (_text(h) for h in tree.iter("h1")) if t][:3]
    return found


_BYLINE_XPATH = (
    '//*[@rel="author" or contains(@class, "byline") or contains(@class, "author")'
    ' or contains(@id, "byline")]'
)


def _byline(tree: lxml_html.HtmlElement) -> list[str]:
    """Names from the first short byline-looking element of the page body."""
    for element in tree.xpath(_BYLINE_XPATH):
        if element.tag in ("meta", "link", "script", "style", "body", "html"):
            continue
        # Keep the element's own line structure so "A | B" or "A<br>B" split later.
        parts = [" ".join(t.split()) for t in element.itertext()]
        text = " ; ".join(p for p in parts if p)
        if text and len(text) <= 120:
            return [text]
    return []


def _itemprop_authors(tree: lxml_html.HtmlElement) -> list[str]:
    # Teasers for other articles carry their own itemprop=author; only the authors in
    # the same itemscope as the first one belong to this article.
    elements = tree.xpath('//*[@itemprop="author"]')
    if not elements:
        return []
    scope = _scope_of(elements[0])
    names = []
    for element in elements:
        if _scope_of(element) is scope:
            name = element.get("content") or _itemprop_name(element)
            if name:
                names.append(name)
    return names


def _scope_of(element: Any) -> Any:
    for ancestor in element.iterancestors():
        if ancestor.get("itemscope") is not None:
            return ancestor
    return None


def _itemprop_name(element: Any) -> str:
    names = element.xpath('.//*[@itemprop="name"]')
    if names:
        return names[0].get("content") or _text(names[0])
    return _text(element) if len(_text(element)) < 80 else ""


def _load_json_ld(raw: str) -> Any:
    # Real pages wrap JSON-LD in CDATA or comments, leave raw newlines inside strings
    # and trailing commas; each repair is tried only when the strict parse fails.
    raw = raw.strip()
    raw = re.sub(r"^(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)$", "", raw).strip()
    for candidate in (raw, re.sub(r",\s*([\]}])", r"\1", raw)):
        try:
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _article_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Article-typed objects anywhere in a JSON-LD document (@graph, lists, mainEntity)."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _article_objects(item, depth + 1)
    elif isinstance(data, dict):
        if _types(data) & ARTICLE_TYPES:
            yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in data and isinstance(data[key], list | dict):
                yield from _article_objects(data[key], depth + 1)


def _read_article_object(obj: dict[str, Any], found: PageMetadata) -> None:
    headline = obj.get("headline") or obj.get("name")
    if isinstance(headline, str) and headline.strip():
        found.ld_headlines.append(_clean(headline))
    # Pages list related articles as further Article objects; their authors are not
    # this article's, so only the first object that names any is believed.
    if not (found.ld_authors or found.ld_organisation_authors):
        credit = obj.get("author") or obj.get("creator")
        for value in credit if isinstance(credit, list) else [credit]:
            organisation = isinstance(value, dict) and bool(_types(value) & _ORGANISATION_TYPES)
            target = found.ld_organisation_authors if organisation else found.ld_authors
            target.extend(_names(value))
    for key, target in (
        ("datePublished", found.ld_dates),
        ("dateCreated", found.ld_dates),
        ("dateModified", found.ld_modified),
    ):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            target.append(value.strip())
    language = obj.get("inLanguage")
    if isinstance(language, dict):
        language = language.get("name") or language.get("alternateName")
    if isinstance(language, str) and language.strip():
        found.ld_languages.append(language.strip())
    found.ld_publishers.extend(_names(obj.get("publisher")))


def _names(value: Any, depth: int = 0) -> list[str]:
    """Person names from a schema.org author value: a string, a Person, or a list."""
    if depth > 3 or value is None:
        return []
    if isinstance(value, str):
        return [_clean(value)] if value.strip() else []
    if isinstance(value, list):
        return [n for item in value for n in _names(item, depth + 1)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            name = next((n for n in name if isinstance(n, str)), None)
        if isinstance(name, str) and name.strip():
            return [_clean(name)]
        given, family = value.get("givenName"), value.get("familyName")
        if isinstance(given, str) and isinstance(family, str):
            return [f"{given.strip()} {family.strip()}".strip()]
    return []
