"""The office-holder knowledge base: building it, refreshing it, and the analyst's corrections.

The KB itself (load, look up, `who`, `link`) is a library, `extractors/kb.py`, shipped with
its data in `extractors/data/kb/`. This package is the application around it:

    sources.py    readers for the open datasets the shipped KB is built from
    build.py      `python -m pipeline.kb.build`: those sources -> extractors/data/kb/
    wikidata.py   `newswatch kb update`: the same rows from a Wikidata SPARQL endpoint
    entries.py    the KB rows kept in the database (analyst corrections, updates) and the
                  KB that extraction uses: shipped data plus those rows
"""
