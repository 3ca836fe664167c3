"""Clappform's exceptions, compatible with the official client's, and clientkit errors too.

Every API error raised for Clappform is a :class:`HTTPError` (a ``requests`` HTTPError,
as in the official client) *and* clientkit's status-specific error: ``except HTTPError``
and ``except clientkit.NotFoundError`` both work.
"""

from __future__ import annotations

from typing import Any

import requests

from clientkit.bulk import Incomplete
from clientkit.errors import InvalidRequestError
from clientkit.errors import PaginationError as _PagingError


class HTTPError(requests.exceptions.HTTPError):
    """An error answer from Clappform: ``str(e)`` holds the server's message.

    Attributes:
        code: the ``code`` of the error body (normally the status).
        response_id: the ``response_id`` of the error body (Clappform's support id).
    """

    def __init__(self, *args: Any, code: Any = None, response_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code
        self._response_id = response_id

    @property
    def response_id(self) -> str | None:
        return self._response_id or getattr(self, "request_id", None)


class PaginationError(_PagingError, requests.exceptions.HTTPError):
    """A paged read cannot go on; ``data`` holds the whole answer."""

    def __init__(self, *args: Any, data: Any = None, **kwargs: Any) -> None:
        requests.exceptions.HTTPError.__init__(self, *args, **kwargs)
        self.data = data


class PaginationTotalError(PaginationError):
    """The answer's ``total`` cannot be paged."""

    def __init__(self, *args: Any, total: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.total = total


class PaginationKeyError(PaginationError):
    """The answer lacks a key paging needs (``total``)."""

    def __init__(self, *args: Any, missing_key: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missing_key = missing_key


DataframeWriteError = Incomplete
"""Some chunks of a dataframe write failed, the others were written: clientkit's bulk
:class:`~clientkit.bulk.Incomplete` (``failed``: the failed chunks' outcomes)."""


class ItemError(InvalidRequestError, KeyError):
    """A collection item without a usable ``_id``."""

    def __str__(self) -> str:
        return self.message
