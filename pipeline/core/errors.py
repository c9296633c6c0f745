"""Every error the application raises on purpose, in one tree, and the libraries' errors.

    NewswatchError                 base class; the CLI turns it into a one-line message
    ├── ConfigError                bad or missing config: names the key (exit code 2)
    ├── QueryError                 a search or filter value it cannot read (exit code 2)
    ├── MailError                  SMTP server unreachable, or refused login/message (exit code 1)
    └── FetchError                 one URL could not be turned into usable bytes
        ├── BlockedURLError        scheme or address refused before connecting
        ├── HTTPStatusError        a status other than 2xx/304 (carries .status)
        ├── TooLargeError          decoded body passed the byte cap
        ├── TooManyRedirectsError  more hops than [fetch] max_redirects
        ├── ContentTypeError       a content type the stage cannot use
        ├── TransportError         DNS, TLS, connection reset, timeout
        ├── DeferredError          not sent: Retry-After wait too long (carries .until)
        ├── RobotsDisallowedError  the host's robots.txt forbids the page
        ├── EmptyTextError         no main text in the page, or an empty text file
        └── TextStageError         the text stage failed on a page in a way it did not foresee

A FetchError for one item is recorded with its reason and the run goes on; the
others stop the command.

The libraries own their errors (storage/errors.py, extractors/errors.py), since they
never import the application. The CLI maps them at its seam (pipeline/cli/support.py),
the way httpx maps transport errors: `StorageError` and `LockedError` exit 1;
`ModelNotFoundError`, `ExtractorConfigError` and `LexiconError` exit 2 (a setup problem
the user fixes); `ExtractionWorkerError` exits 1. They are re-exported here so that the
application has one place to import every error from.
"""

from __future__ import annotations

from datetime import datetime

from extractors.errors import (
    ExtractionWorkerError,
    ExtractorConfigError,
    ExtractorError,
    LexiconError,
    ModelNotFoundError,
)
from storage.errors import LockedError, StorageError

__all__ = [
    "USER_ERRORS",
    "BlockedURLError",
    "ConfigError",
    "ContentTypeError",
    "DeferredError",
    "EmptyTextError",
    "ExtractionWorkerError",
    "ExtractorConfigError",
    "ExtractorError",
    "FetchError",
    "HTTPStatusError",
    "LexiconError",
    "LockedError",
    "MailError",
    "ModelNotFoundError",
    "NewswatchError",
    "QueryError",
    "RobotsDisallowedError",
    "StorageError",
    "TextStageError",
    "TooLargeError",
    "TooManyRedirectsError",
    "TransportError",
]

# Exit codes for the libraries' errors (the application's own carry `exit_code`).
LIBRARY_EXIT_CODES: dict[type[Exception], int] = {
    ModelNotFoundError: 2,
    ExtractorConfigError: 2,
    LexiconError: 2,
}


def exit_code_of(error: Exception) -> int:
    """The CLI exit code for an error newswatch raised on purpose."""
    if isinstance(error, NewswatchError):
        return error.exit_code
    for kind, code in LIBRARY_EXIT_CODES.items():
        if isinstance(error, kind):
            return code
    return 1


class NewswatchError(Exception):
    """Base class for errors that carry a message meant for the user."""

    exit_code = 1


class ConfigError(NewswatchError):
    exit_code = 2


class QueryError(NewswatchError):
    """A search or filter the database cannot answer as given (bad syntax, unknown value)."""

    exit_code = 2


class MailError(NewswatchError):
    """The SMTP server could not be reached, refused the login or the message."""


class FetchError(NewswatchError):
    """One URL failed; `reason` is a short machine-friendly tag for the runs table."""

    reason = "fetch"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class BlockedURLError(FetchError):
    reason = "blocked"


class HTTPStatusError(FetchError):
    reason = "http-status"

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int = 0,
        retry_after: str | None = None,
    ) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.retry_after = retry_after  # the Retry-After header of a 429/503, verbatim


class TooLargeError(FetchError):
    reason = "too-large"


class TooManyRedirectsError(FetchError):
    reason = "redirects"


class ContentTypeError(FetchError):
    reason = "content-type"


class TransportError(FetchError):
    reason = "transport"


class DeferredError(FetchError):
    """Not sent: the host asked us (Retry-After) to wait longer than we may wait now."""

    reason = "deferred"

    def __init__(self, message: str, *, url: str | None = None, until: datetime) -> None:
        super().__init__(message, url=url)
        self.until = until


class RobotsDisallowedError(FetchError):
    """robots.txt of the page's host does not let newswatch fetch it."""

    reason = "robots"


class EmptyTextError(FetchError):
    """No main text could be found in the page (or the text file was empty)."""

    reason = "empty-text"


class TextStageError(FetchError):
    """The text stage raised on one page: recorded for that page, the run goes on."""

    reason = "text"


# What the CLI and the daemon report as one line, never as a traceback.
USER_ERRORS = (NewswatchError, StorageError, ExtractorError)
