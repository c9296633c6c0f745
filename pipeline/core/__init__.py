"""Shared types of the application: config (config.py), stage records (models.py),
errors (errors.py)."""
