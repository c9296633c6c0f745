"""Bounds on the markup the text stage hands trafilatura, so hostile pages cost little.

trafilatura's cost grows with the number of elements (a few dozen XPath passes,
justext and readability each touch every element: ~0.1 ms per element per pass) and
with elements x depth (readability counts every element's descendants, link-density
and wild-text recovery walk every element's ancestors). Measured (cProfile): 80,000
unclosed `<p><b><i><u>` elements took 15 s; 10,000 paragraphs under 250 nested
`<div>`s 6 s, the same paragraphs at depth 3 1.5 s. Parsing itself is cheap but not
free: 20 MB of tags parse into 6.8 million elements in 9 s and 900 MB.

So, before trafilatura runs, in this order:
1. a page with more `<` than `max_tags` is refused unparsed (memory and parse time);
2. elements deeper than `max_depth` are flattened into their ancestor at that depth,
   keeping their text (libxml2 already stops at depth 256; this keeps well under it);
3. a tree still over `max_elements` loses its inline formatting tags (text kept);
4. a tree still over `max_elements` is refused with EmptyTextError.

The worst page inside the limits measured ~5 s (12,000 elements of link lists at
depth 63); flat markup at the limit ~1.5 s. Every news page in
../shared/corpora/article_pages is inside them (at most 8,093 `<`, 4,274 elements,
depth 51), so none is changed by them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from lxml import etree

from pipeline.core.errors import EmptyTextError


@dataclass(frozen=True)
class MarkupLimits:
    """How much markup one page may bring to trafilatura."""

    max_tags: int = 200_000  # `<` characters in the decoded page, counted before parsing
    max_depth: int = 64  # element nesting, the root element being depth 1
    max_elements: int = 12_000  # elements in the tree trafilatura gets


DEFAULT_LIMITS = MarkupLimits()

# Their content is not page text: dropped (tail kept) rather than flattened into it.
_NON_TEXT_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "textarea",
    "select",
)
# Flattening joins texts directly; these get a line break on each side so that
# "<p>One.</p><p>Two.</p>" does not become "One.Two.".
_BLOCK_TAGS = (
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
)
# Formatting only: removing the tags changes no word and no block boundary.
_INLINE_FORMATTING_TAGS = (
    "abbr",
    "b",
    "bdi",
    "bdo",
    "big",
    "blink",
    "center",
    "cite",
    "dfn",
    "em",
    "font",
    "i",
    "ins",
    "kbd",
    "mark",
    "nobr",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "tt",
    "u",
    "var",
)


def check_tag_count(markup: str, limits: MarkupLimits = DEFAULT_LIMITS, url: str = "") -> None:
    """Refuse a page with more `<` than the limit before it is parsed at all."""
    tags = markup.count("<")
    if tags > limits.max_tags:
        raise EmptyTextError(
            f"page markup too complex: {tags:,} tags (limit {limits.max_tags:,})", url=url
        )


def bound_tree(root: etree._Element, limits: MarkupLimits = DEFAULT_LIMITS, url: str = "") -> None:
    """Flatten `root` in place to `max_depth` and at most `max_elements` elements.

    Raises EmptyTextError when even without inline formatting the tree has more
    elements than the limit. A tree already inside both limits is left untouched.
    """
    flatten_below(root, limits.max_depth)
    if element_count(root) > limits.max_elements:
        etree.strip_tags(root, *_INLINE_FORMATTING_TAGS)
        for element in root.iter(etree.Element):
            _merge_text_nodes(element)
        count = element_count(root)
        if count > limits.max_elements:
            raise EmptyTextError(
                f"page markup too complex: {count:,} elements without inline formatting "
                f"(limit {limits.max_elements:,})",
                url=url,
            )


def flatten_below(root: etree._Element, max_depth: int) -> int:
    """Replace the element descendants of every depth-`max_depth` element by their text.

    Returns how many elements were flattened. The XPath finds exactly the elements at
    `max_depth` that have element children, in C, in one pass over the levels above.
    """
    if max_depth < 2:
        raise ValueError("max_depth must be at least 2 (the root and its children)")
    at_cap = cast(list[etree._Element], root.xpath("/".join(["*"] * (max_depth - 1)) + "[*]"))
    for element in at_cap:
        etree.strip_elements(element, *_NON_TEXT_TAGS, with_tail=False)
        etree.strip_elements(element, etree.Comment, etree.ProcessingInstruction, with_tail=False)
        for block in element.iterdescendants(*_BLOCK_TAGS):
            block.text = "\n" + (block.text or "")
            block.tail = "\n" + (block.tail or "")
        etree.strip_tags(element, "*")
        _merge_text_nodes(element)
    return len(at_cap)


def _merge_text_nodes(element: etree._Element) -> None:
    # strip_tags leaves the stripped elements' texts as separate adjacent text nodes,
    # and libxml2's XPath orders text nodes by walking their siblings: htmldate's
    # `//*/text()` then went quadratic (20,000 flattened paragraphs: 14 s). lxml's
    # setters replace a run of adjacent text nodes by one.
    element.text = element.text
    element.tail = element.tail


def element_count(root: etree._Element) -> int:
    """Elements in `root`'s subtree, root included (comments and PIs not counted)."""
    return int(cast(float, root.xpath("count(descendant-or-self::*)")))


def tree_depth(root: etree._Element) -> int:
    """Deepest element nesting under `root`, root being 1 (iterative: trees may be deep)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element.iterchildren(etree.Element))
    return deepest
