"""CxReports' errors: ``RuntimeError``s with the official client's messages, and clientkit's
typed errors too (``except RuntimeError`` and ``except clientkit.NotFoundError`` both work)."""

from __future__ import annotations

from clientkit.errors import ConnectError, UnexpectedContentType


class CxReportsError(RuntimeError):
    """Every CxReports API error, as the official client raises it: a ``RuntimeError``."""


class InvalidContentType(UnexpectedContentType, CxReportsError):
    """A document answered with another content type than PDF."""


class ConnectionFailed(ConnectError, CxReportsError):
    """No connection could be made: ``Connection error occurred: ...``, as the official client says."""
