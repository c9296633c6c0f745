"""The lexicons and word sets the organisation rules share.

One `OrgLexicons` is built per component instance from the data files (org kinds,
news agencies, office titles) and handed to the candidate, cleaning, filtering and
kind modules, so none of them loads data or keeps it in a module global.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extractors.lexicons import DATA_DIR, read_word_lists
from extractors.names import KindClassifier, NewsAgencies, OfficeLexicon

# Words that sit between the parts of a name ("Ministry of Mines", "Trade and Technology").
CONNECTORS = {"of", "and", "&", "for", "on", "de", "-", "–"}
# The content words the org rules read are in data/org_words.tsv, which says what each is for.
ORG_WORDS = read_word_lists(
    DATA_DIR / "org_words.tsv",
    (
        "reporting_role", "legal_form", "company_form", "lower_head", "sub_body_head",
        "event_title_head", "motion_verb", "media_noun", "affiliation_noun", "type_noun",
        "part_noun",
    ),
)  # fmt: skip
REPORTING = frozenset(ORG_WORDS["reporting_role"])
LEGAL_FORMS = frozenset(ORG_WORDS["legal_form"])
COMPANY_FORMS = frozenset(ORG_WORDS["company_form"])
LOWER_HEADS = frozenset(ORG_WORDS["lower_head"])
SUB_BODY_HEADS = frozenset(ORG_WORDS["sub_body_head"])
EVENT_TITLE_HEADS = frozenset(ORG_WORDS["event_title_head"])
MOTION_VERBS = frozenset(ORG_WORDS["motion_verb"])
MEDIA_NOUNS = tuple(ORG_WORDS["media_noun"])
TYPE_NOUNS = tuple(ORG_WORDS["type_noun"])
AFFILIATION_NOUNS = frozenset(ORG_WORDS["affiliation_noun"]) | frozenset(MEDIA_NOUNS)
PART_NOUNS = frozenset(ORG_WORDS["part_noun"])


@dataclass(frozen=True)
class OrgLexicons:
    kinds: KindClassifier
    agencies: NewsAgencies
    # single words of office titles: a capitalised run stops at one ("Prime Minister")
    office_words: set[str]
    honorifics: set[str]
    # last words of office titles ("Secretary", "spokesman"): they end a title, not a name
    office_heads: set[str]

    @classmethod
    def build(
        cls, kinds: KindClassifier, agencies: NewsAgencies, offices: OfficeLexicon
    ) -> OrgLexicons:
        return cls(
            kinds=kinds,
            agencies=agencies,
            # "State", "House", "General", "Foreign" open org names too ("State Bank")
            office_words=offices.office_words - {"state", "house", "general", "foreign"},
            honorifics=offices.honorifics | {"lord", "lady"},
            office_heads={p.split()[-1].split("-")[-1] for p in offices.office_phrases},
        )

    @classmethod
    def load(cls, data_dir: Path) -> OrgLexicons:
        return cls.build(
            KindClassifier.load(data_dir / "org_kinds.tsv"),
            NewsAgencies.load(data_dir / "news_agencies.txt"),
            OfficeLexicon.load(data_dir / "office_titles.txt"),
        )
