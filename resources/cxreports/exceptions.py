"""CxReports' errors: ``RuntimeError``s with the official client's messages, and clientkit's
typed errors too (``except RuntimeError`` and ``except clientkit.NotFoundError`` both work)."""

from __future__ import annotations

from clientkit.errors import UnexpectedContentType


class CxReportsError(RuntimeError):
    """Every CxReports API error, as the official client raises it: a ``RuntimeError``."""


class InvalidContentType(UnexpectedContentType, CxReportsError):
    """A document answered with another content type than PDF."""
