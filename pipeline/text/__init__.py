"""The text stage: a fetched page to main text and metadata (title, authors, date, URL)."""
