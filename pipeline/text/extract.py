"""The TEXT stage: page bytes (or a plain .txt article) → `ArticleText`.

trafilatura finds the main text (lead.py puts back the standfirst its precision mode
drops and takes off the headline area it keeps); the page's own structured metadata
(JSON-LD, Open Graph, meta tags — see metadata.py) decides authors and date
(authors.py, fields.py), with trafilatura's guesses and then the feed item as
fallbacks; the title is trafilatura's choice without the site labels the other
candidates lack (titles.py). Whatever the bytes are,
the result is an `ArticleText` or an `EmptyTextError`, never another exception.
Hostile markup is bounded before trafilatura sees it (markup_limits.py), so no page
costs more than a few seconds.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document

from extractors.datelines import find_dateline
from pipeline.core.errors import EmptyTextError
from pipeline.core.models import ArticleText, FeedItem, Page
from pipeline.text.authors import choose_authors
from pipeline.text.fields import choose_language, choose_published, guess_language
from pipeline.text.lead import restored_lead, without_leading_furniture
from pipeline.text.markup_limits import DEFAULT_LIMITS, MarkupLimits, bound_tree, check_tag_count
from pipeline.text.metadata import PageMetadata, collect_metadata
from pipeline.text.titles import choose_title, title_candidates
from pipeline.text.urls import canonicalize_url, normalize_text, text_hash

# Below this many characters of main text a "page" is a paywall stub, an error page
# or binary noise: better reported than stored.
MIN_TEXT_CHARS = 25


# One page at a time through lxml and trafilatura in a process. Concurrent calls from
# threads (a run fetches with `[fetch] concurrency` threads, and each went on into this
# stage) corrupt the heap now and then: a run of the 177-page test stream died with
# "double free or corruption" (SIGABRT), as trafilatura's issues #840 and #925 report
# for threads; a daemon hanging on a corrupted malloc lock fits the stall seen in
# test_contention too. The fetching (the network waits) still overlaps; the text stage
# is CPU under the GIL anyway, so serialising it costs little.
_TEXT_STAGE = threading.Lock()


def extract_article(
    page: Page,
    item: FeedItem | None = None,
    source: str = "",
    limits: MarkupLimits = DEFAULT_LIMITS,
) -> ArticleText:
    """Main text and metadata of one fetched page; raises EmptyTextError when there is none.

    Also raises EmptyTextError (message "page markup too complex: ...") for a page over
    `limits` even after flattening: see markup_limits.py. Thread-safe: calls from
    several threads run one at a time (see _TEXT_STAGE).
    """
    with _TEXT_STAGE:
        return _extract_article(page, item, source, limits)


def _extract_article(
    page: Page, item: FeedItem | None, source: str, limits: MarkupLimits
) -> ArticleText:
    source = source or (item.source if item else "")
    markup = decode_page(page.body, page.content_type)
    if markup is None:
        raise EmptyTextError("page is empty or not text", url=page.final_url)
    main_tree = trafilatura_tree(markup, limits, page.final_url)
    tree = _parse(markup)
    if tree is not None:
        bound_tree(tree, limits, page.final_url)
    meta = collect_metadata(tree) if tree is not None else PageMetadata()
    doc, default, text = _trafilatura(main_tree, page.final_url)
    if len(text.strip()) < MIN_TEXT_CHARS:
        raise EmptyTextError("no main text found in page", url=page.final_url)
    title = choose_title(meta, doc.title if doc else None, page.final_url, item)
    authors = choose_authors(meta, doc.author if doc else None, item, page.final_url)
    titles = [title or "", *title_candidates(meta, item)]
    text = text.strip()
    if doc is not None and default is not None and text == (doc.text or "").strip():
        text = "\n".join([*restored_lead(doc.body, default.body, titles), text])
    text = without_leading_furniture(text, titles, authors)
    if len(text) < MIN_TEXT_CHARS:
        raise EmptyTextError("no main text found in page", url=page.final_url)
    published = choose_published(meta, doc.date if doc else None, item)
    language = choose_language(meta, doc.language if doc else None) or guess_language(text)
    return ArticleText(
        source=source,
        url=page.final_url,
        canonical_url=canonical_url_for(page.final_url, meta),
        title=title,
        authors=authors,
        published=published,
        language=language,
        text=text,
        text_hash=text_hash(text),
        html=page.body,
        dateline=find_dateline(text),
    )


def article_from_text(
    text: str, url: str, item: FeedItem | None = None, source: str = ""
) -> ArticleText:
    """An `ArticleText` from a plain-text article (folder sources).

    The first line is taken as the title when it looks like one (short, no final
    full stop). Files that repeat the title as the first paragraph of the body get
    the repetition dropped, so the text does not start with the headline twice.
    """
    source = source or (item.source if item else "")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    paragraphs = [p for p in paragraphs if p]
    title = item.title if item and item.title else None
    if paragraphs:
        first_line, _, rest = paragraphs[0].partition("\n")
        if _looks_like_title(first_line):
            title = first_line.strip()
            paragraphs = ([rest.strip()] if rest.strip() else []) + paragraphs[1:]
    if title and paragraphs and normalize_text(paragraphs[0]) == normalize_text(title):
        paragraphs = paragraphs[1:]
    body = "\n\n".join(paragraphs)
    if not body.strip():
        raise EmptyTextError("text file has no body", url=url)
    return ArticleText(
        source=source,
        url=url,
        canonical_url=canonicalize_url(url),
        title=title,
        authors=item.authors if item else (),
        published=item.published if item else None,
        language=guess_language(body),
        text=body,
        text_hash=text_hash(body),
        html=None,
        dateline=find_dateline(body),
    )


def _looks_like_title(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= 200 and len(line.split()) <= 30 and not line.endswith((".", ":"))


# --- decoding -------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)


def decode_page(body: bytes, content_type: str | None) -> str | None:
    """The page as text, or None when it is empty or binary.

    Order: BOM, the charset of the Content-Type header, the page's own <meta> or XML
    declaration, UTF-8, then cp1252 (which decodes any byte, and is what pages that
    say "iso-8859-1" really mean).
    """
    if not body or not body.strip():
        return None
    if _looks_binary(body[:4096]):
        return None
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if body.startswith(bom):
            return _try_decode(body, codec) or body.decode("utf-8", "replace")
    declared = [_charset_from_content_type(content_type)]
    head = body[:4096]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        match = pattern.search(head)
        if match:
            declared.append(match.group(1).decode("ascii", "ignore"))
    # Bytes that are valid UTF-8 beyond ASCII are UTF-8 whatever a single-byte label
    # claims: servers and templates mislabel pages far more often than cp1252 text
    # happens to form valid UTF-8 sequences.
    utf8 = _try_decode(body, "utf-8")
    # A <meta> that says UTF-16 on a page without a BOM is wrong by construction (the
    # tag itself was readable as ASCII); HTML5 treats it as UTF-8 too.
    for codec in [c for c in declared if c and not c.lower().startswith("utf-16")]:
        if utf8 is not None and _is_single_byte(codec):
            return utf8
        decoded = _try_decode(body, "cp1252" if codec.lower() in _LATIN1 else codec)
        if decoded is not None:
            return decoded
    return utf8 if utf8 is not None else body.decode("cp1252", "replace")


def _is_single_byte(codec: str) -> bool:
    name = codec.lower().replace("_", "-")
    return name in _LATIN1 or name.startswith(("iso-8859", "iso8859", "windows-125", "cp125"))


_LATIN1 = {"iso-8859-1", "latin-1", "latin1", "iso8859-1", "us-ascii", "ascii"}


def _charset_from_content_type(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def _try_decode(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None


def _looks_binary(head: bytes) -> bool:
    # NULs or many C0 control bytes never occur in an HTML page in an 8-bit encoding;
    # UTF-16 pages start with a BOM and are let through above.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return b"\x00" in head or controls > len(head) // 20


# --- parsing and extraction -----------------------------------------------------


def _parse(markup: str) -> lxml_html.HtmlElement | None:
    # lxml refuses str input that carries an XML encoding declaration.
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    try:
        return lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None


def trafilatura_tree(
    markup: str, limits: MarkupLimits = DEFAULT_LIMITS, url: str = ""
) -> lxml_html.HtmlElement | None:
    """The tree trafilatura would build from `markup`, bounded by `limits` (see above).

    Parsed once with trafilatura's own loader, so a page inside the limits gives
    exactly the tree, hence the output, that passing the markup would; both
    extraction passes below get it (bare_extraction works on a copy). Raises
    EmptyTextError for markup over the limits (markup_limits.py).
    """
    check_tag_count(markup, limits, url)
    _quiet_trafilatura()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = trafilatura.load_html(markup)
    except Exception:  # third-party parser on hostile input: any failure means "no tree"
        return None
    if tree is not None:
        bound_tree(tree, limits, url)
    return tree


# trafilatura's precision mode drops more boilerplate (related links, captions) but on
# some layouts loses most of the article; then the default mode's text is used.
# Measured on ../shared/corpora/article_pages (benchmarks/text_quality.py): precision
# with this fallback beats either mode alone on both corpora.
_SHORT_TEXT_CHARS = 2000
_LOST_TEXT_RATIO = 0.3


def _trafilatura(
    tree: lxml_html.HtmlElement | None, url: str
) -> tuple[Document | None, Document | None, str]:
    """trafilatura's precision-mode document (with the metadata), its default-mode
    document (whose lead lead.py restores), and the main text chosen as above."""
    if tree is None:
        return None, None, ""
    doc = _bare_extraction(tree, url, with_metadata=True, favor_precision=True)
    text = (doc.text if doc else None) or ""
    default = _bare_extraction(tree, url, with_metadata=False, favor_precision=False)
    default_text = (default.text if default else None) or ""
    if len(text) < _SHORT_TEXT_CHARS and len(text) < _LOST_TEXT_RATIO * len(default_text):
        text = default_text
    return doc, default, text


def _bare_extraction(tree: lxml_html.HtmlElement, url: str, **options: bool) -> Document | None:
    _quiet_trafilatura()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = trafilatura.bare_extraction(
                tree,
                url=url or None,
                include_comments=False,
                date_extraction_params={"extensive_search": True, "original_date": True},
                **options,  # type: ignore[arg-type]
            )
    except Exception:  # third-party parser on hostile input: any failure means "no text"
        return None
    return doc if isinstance(doc, Document) else None


def _quiet_trafilatura() -> None:
    # trafilatura logs and warns on every malformed page; that is expected input here.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def canonical_url_for(final_url: str, meta: PageMetadata) -> str:
    """<link rel=canonical>, else og:url, when absolute-able and on the same site."""
    for candidate in (meta.canonical, meta.first_meta("og:url")):
        if not candidate:
            continue
        absolute = urljoin(final_url, candidate)
        if _same_site(absolute, final_url):
            return canonicalize_url(absolute)
    return canonicalize_url(final_url)


def _same_site(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    if pa.scheme not in ("http", "https") or pb.scheme not in ("http", "https", "file"):
        return False
    if pb.scheme == "file":
        return False  # a local copy keeps its file URL
    ha, hb = (pa.hostname or "").removeprefix("www."), (pb.hostname or "").removeprefix("www.")
    return bool(ha) and (ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha))
