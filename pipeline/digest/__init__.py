"""The daily digest: what changed (build.py), rendered as Markdown and HTML (render.py), mailed (mailer.py)."""
