"""A known defect of spaCy's English rule lemmatizer, mended from the model's own data.

When a verb ending in "e" and the same verb without it are both in the lemmatizer's
verb index ("hope" and "hop", "fine" and "fin", "rate" and "rat"), the lemmatizer
keeps the shorter one for every inflection: "hoped", "hopes", "hoping" are read as
"hop" (explosion/spaCy#1041, #1049, #2736). The event rules read lemmas ("hopes to
sign" is a wish, not an agreement), so the misreading turns wishes into happenings.

English spelling settles most of these: a verb ending consonant-vowel-consonant doubles
its last letter before -ed and -ing ("hop", "hopped", "hopping"), so "hoped" and
"hoping" can only be "hope"'s, and "hopes" can only be "hope"'s ("hop" makes "hops").
For each such pair in the model's index the inflections get their lemma from the
attribute ruler, which runs before the lemmatizer (the lemmatizer keeps a lemma already
set). The lemmatizer's own exception table, the remedy spaCy's maintainers give for its
lemma data (explosion/spaCy#4874), does not reach these: an exception goes first only
when the rules did not find the same form too. Pairs whose short verb does not double
("bathe"/"bath") are left as the model reads them.
"""

from __future__ import annotations

from spacy.language import Language

VOWELS = frozenset("aeiou")
# Final consonants English does not double before a suffix.
UNDOUBLED = frozenset("wxy")


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


# The Penn tags each inflection carries, so a noun ("fines", "codes") keeps its reading.
SUFFIX_TAGS = {"d": ("VBD", "VBN"), "s": ("VBZ",), "ing": ("VBG",)}


def e_verb_exceptions(index: set[str] | frozenset[str]) -> dict[str, tuple[str, str]]:
    """Inflected form -> (lemma, suffix) for each verb "Xe" of `index` whose "X" is also a
    verb of it and doubles its last letter: "hoped", "hopes", "hoping" -> "hope"."""
    out: dict[str, tuple[str, str]] = {}
    for verb in index:
        stem = verb[:-1]
        if verb.endswith("e") and stem in index and _doubles(stem):
            out[verb + "d"] = (verb, "d")
            out[verb + "s"] = (verb, "s")
            out[stem + "ing"] = (verb, "ing")
    return out


def mend_lemmatizer(nlp: Language) -> int:
    """Give the -e verbs' inflections their lemma in `nlp`'s attribute ruler. Returns how
    many forms were mended (0 for a pipeline without a rule lemmatizer that keeps the
    lemmas set before it, and an attribute ruler before it)."""
    names = nlp.pipe_names
    if "lemmatizer" not in names or "attribute_ruler" not in names:
        return 0
    if names.index("attribute_ruler") > names.index("lemmatizer"):
        return 0
    lemmatizer = nlp.get_pipe("lemmatizer")
    lookups = getattr(lemmatizer, "lookups", None)
    if getattr(lemmatizer, "mode", None) != "rule" or lookups is None:
        return 0
    if getattr(lemmatizer, "overwrite", True) or not lookups.has_table("lemma_index"):
        return 0
    index = lookups.get_table("lemma_index").get("verb")
    if not index:
        return 0
    forms = e_verb_exceptions(frozenset(index))
    ruler = nlp.get_pipe("attribute_ruler")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {
                "patterns": [[{"LOWER": form, "TAG": {"IN": list(SUFFIX_TAGS[suffix])}}]],
                "attrs": {"LEMMA": lemma},
            }
            for form, (lemma, suffix) in sorted(forms.items())
        ]
    )
    return len(forms)
