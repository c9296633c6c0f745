"""The daily digest: what changed (build.py, reading through pipeline/read/digest_data.py),
rendered as Markdown and HTML (render.py), mailed (mailer.py)."""
