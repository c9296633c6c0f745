"""Placeholder for the newswatch_organizations component (being written)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.factory("newswatch_organizations", assigns=["doc._.nw_organizations"])
def make_component(nlp: Language, name: str) -> "Component":
    return Component()


class Component:
    def __call__(self, doc: Doc) -> Doc:
        doc._.nw_organizations = []
        return doc
