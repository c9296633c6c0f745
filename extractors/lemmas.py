"""A known defect of spaCy's English rule lemmatizer, mended from the model's own data.

When a verb ending in "e" and the same verb without it are both in the lemmatizer's
verb index ("hope" and "hop", "fine" and "fin", "rate" and "rat"), the lemmatizer
keeps the shorter one for every inflection: "hoped", "hopes", "hoping" are read as
"hop" (explosion/spaCy#1041, #1049, #2736). The event rules read lemmas ("hopes to
sign" is a wish, not an agreement), so the misreading turns wishes into happenings.

English spelling settles most of these: a verb ending consonant-vowel-consonant doubles
its last letter before -ed and -ing ("hop", "hopped", "hopping"), so "hoped" and
"hoping" can only be "hope"'s, and "hopes" can only be "hope"'s ("hop" makes "hops").
`newswatch_verb_lemmas`, right after the lemmatizer, gives those forms their verb's
lemma when the tagger reads them as that inflection; pairs whose short verb does not
double ("bathe"/"bath") are left as the model reads them.

Why not the remedy spaCy's maintainers give for its lemma data, an entry in the
lemmatizer's exception table (explosion/spaCy#4874): an exception goes first only when
the rules did not find the same form too, and here they find both. And why not the
attribute ruler's patterns: its matcher tries every pattern at every token, which cost
7% of the model's own time for some 200 forms; a dict lookup per token costs nothing
measurable.
"""

from __future__ import annotations

from collections.abc import Collection

from spacy.language import Language
from spacy.tokens import Doc

VOWELS = frozenset("aeiou")
# Final consonants English does not double before a suffix.
UNDOUBLED = frozenset("wxy")
# The Penn tags each inflection carries, so a noun ("fines", "codes") keeps its reading.
SUFFIX_TAGS = {"d": frozenset({"VBD", "VBN"}), "s": frozenset({"VBZ"}), "ing": frozenset({"VBG"})}
COMPONENT = "newswatch_verb_lemmas"


def _doubles(stem: str) -> bool:
    """Whether the verb `stem` doubles its last letter before -ed/-ing: it ends
    consonant-vowel-consonant ("hop", "fin", "rat"), not "bath", "ax", "bard"."""
    return (
        len(stem) >= 2
        and stem[-1] not in VOWELS
        and stem[-1] not in UNDOUBLED
        and stem[-2] in VOWELS
        and (len(stem) == 2 or stem[-3] not in VOWELS)
    )


def e_verb_exceptions(index: Collection[str]) -> dict[str, tuple[str, frozenset[str]]]:
    """Inflected form -> (lemma, the tags it carries as that inflection) for each verb
    "Xe" of `index` whose "X" is also a verb of it and doubles its last letter:
    "hoped" -> ("hope", {VBD, VBN}), "hopes" -> ("hope", {VBZ}), "hoping" -> ..."""
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for verb in index:
        stem = verb[:-1]
        if verb.endswith("e") and stem in index and _doubles(stem):
            out[verb + "d"] = (verb, SUFFIX_TAGS["d"])
            out[verb + "s"] = (verb, SUFFIX_TAGS["s"])
            out[stem + "ing"] = (verb, SUFFIX_TAGS["ing"])
    return out


def _verb_index(nlp: Language) -> frozenset[str]:
    """The verbs of `nlp`'s rule lemmatizer's index; empty without one."""
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    lemmatizer = nlp.get_pipe("lemmatizer")
    lookups = getattr(lemmatizer, "lookups", None)
    if getattr(lemmatizer, "mode", None) != "rule" or lookups is None:
        return frozenset()
    if not lookups.has_table("lemma_index"):
        return frozenset()
    return frozenset(lookups.get_table("lemma_index").get("verb") or ())


@Language.factory(COMPONENT, assigns=["token.lemma"], requires=["token.tag", "token.lemma"])
def make_verb_lemmas(nlp: Language, name: str) -> VerbLemmas:
    return VerbLemmas(e_verb_exceptions(_verb_index(nlp)))


class VerbLemmas:
    """Sets the lemma of each mended inflection the tagger reads as one."""

    def __init__(self, forms: dict[str, tuple[str, frozenset[str]]]) -> None:
        self.forms = forms

    def __call__(self, doc: Doc) -> Doc:
        forms = self.forms
        for token in doc:
            hit = forms.get(token.lower_)
            if hit is not None and token.tag_ in hit[1]:
                token.lemma_ = hit[0]
        return doc


def mend_lemmatizer(nlp: Language) -> int:
    """Add `newswatch_verb_lemmas` right after `nlp`'s rule lemmatizer; returns how many
    forms it mends (0, and nothing added, for a pipeline without a rule lemmatizer)."""
    if COMPONENT in nlp.pipe_names:
        return len(nlp.get_pipe(COMPONENT).forms)  # type: ignore[attr-defined]
    if not _verb_index(nlp):
        return 0
    component = nlp.add_pipe(COMPONENT, after="lemmatizer")
    return len(component.forms)  # type: ignore[attr-defined]
