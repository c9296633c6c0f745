"""Watchlists: what a [[watch]] selects (matching), the alert ledger read back, and
alerts rendered for people (email) and feed readers (Atom). Reads only; deciding
and delivering live in pipeline/alerts."""
