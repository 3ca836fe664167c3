"""Clappform's exceptions, compatible with the official client's, and clientkit errors too.

Every API error raised for Clappform is a :class:`HTTPError` (a ``requests`` HTTPError,
as in the official client) *and* clientkit's status-specific error: ``except HTTPError``
and ``except clientkit.NotFoundError`` both work.
"""

from __future__ import annotations

from typing import Any

import requests

from clientkit.bulk import Incomplete
from clientkit.errors import InvalidRequestError, OfficialException
from clientkit.errors import PaginationError as _PagingError


class HTTPError(OfficialException, requests.exceptions.HTTPError):
    """An error answer from Clappform: ``str(e)`` holds the server's message, ``code`` and
    ``response_id`` (Clappform's support id) come from its body."""

    code: Any = None
    response_id: str | None = None


class PaginationError(OfficialException, _PagingError, requests.exceptions.HTTPError):
    """A paged read cannot go on; ``data`` holds the whole answer."""

    data: Any = None


class PaginationTotalError(PaginationError):
    """The answer's ``total`` cannot be paged."""

    total: Any = None


class PaginationKeyError(PaginationError):
    """The answer lacks a key paging needs (``total``)."""

    missing_key: str | None = None


DataframeWriteError = Incomplete
"""Some chunks of a dataframe write failed, the others were written: clientkit's bulk
:class:`~clientkit.bulk.Incomplete` (``failed``: the failed chunks' outcomes)."""


class ItemError(InvalidRequestError, KeyError):
    """A collection item without a usable ``_id``."""

    def __str__(self) -> str:
        return self.message
