"""How names are compared: folded, never shown folded.

Its own module, free of spaCy, so that the knowledge base (extractors/kb.py), which the
read-only commands and storage load, folds names exactly as the components do.
"""

from __future__ import annotations

import unicodedata


def lower_unaccented(text: str) -> str:
    """Lowercase, accents removed ("Sánchez" -> "sanchez"): for comparing words of names,
    never for output. Dashes and spacing are kept (storage.names.plain_key folds those too)."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()
