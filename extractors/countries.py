"""Placeholder for the newswatch_countries component (being written)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.factory("newswatch_countries", assigns=["doc._.nw_countries"])
def make_component(nlp: Language, name: str) -> "Component":
    return Component()


class Component:
    def __call__(self, doc: Doc) -> Doc:
        doc._.nw_countries = []
        return doc
