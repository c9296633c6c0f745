"""The lexicons and fixed word sets the organisation rules share.

One `OrgLexicons` is built per component instance from the data files (org kinds,
news agencies, office titles) and handed to the candidate, cleaning, filtering and
kind modules, so none of them loads data or keeps it in a module global.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extractors.names import KindClassifier, NewsAgencies, OfficeLexicon

# Words that sit between the parts of a name ("Ministry of Mines", "Trade and Technology").
CONNECTORS = {"of", "and", "&", "for", "on", "de", "-", "–"}
REPORTING = {"photographer", "photojournalist", "reporter", "correspondent", "journalist"}
LEGAL_FORMS = {"inc", "inc.", "corp", "corp.", "co", "co.", "ltd", "ltd.", "plc", "llc", "ag", "kk"}
COMPANY_FORMS = {"ltd", "inc", "corp", "co", "plc", "kk", "ag", "sa", "nv", "llc", "group"}
# Lowercase words that finish a name NER cut short ("the House Appropriations subcommittee").
LOWER_HEADS = {"committee", "subcommittee", "panel"}


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
