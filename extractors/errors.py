"""The errors `extractors` raises on purpose; the application maps them to messages and exit codes.

ExtractorError              base class
├── ModelNotFoundError      the configured spaCy model is not installed
├── ExtractorConfigError    an unknown component or a bad component setting
├── LexiconError            a data file in extractors/data/ cannot be read or is malformed
└── ExtractionWorkerError   an n_process > 1 worker raised or died (carries its traceback)
"""

from __future__ import annotations


class ExtractorError(Exception):
    """Base class for errors of the extraction library."""


class ModelNotFoundError(ExtractorError):
    pass


class ExtractorConfigError(ExtractorError):
    pass


class LexiconError(ExtractorError):
    pass


class ExtractionWorkerError(ExtractorError):
    """An extraction worker process failed or died; the message says which and why."""
