"""The read side: search, events and entity queries, bulk export, output formats, the web UI.

Everything here opens the database read-only and never blocks the writer.
"""
