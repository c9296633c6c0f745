"""The read side: search, events and entity queries, bulk export, the digest's data,
source status, syndicated stories, output formats, the web UI.

Every read-side query lives here (or, for the store's own records, in storage);
the CLI and the digest call these functions and only format what they return.
Everything here opens the database read-only and never blocks the writer.
"""
