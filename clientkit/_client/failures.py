"""An exception raised while sending, as clientkit sees it: the kind of failure (for the
retry decision) and the typed error raised when it is not retried."""

from __future__ import annotations

import traceback

import requests
import urllib3.exceptions

from clientkit._client.deadline import DeadlineExceeded
from clientkit._declarations.errors import (
    ClientKitError,
    ConnectError,
    InvalidRequestError,
    RedirectError,
    RequestTimeout,
    TransportError,
)
from clientkit._declarations.redaction import redact_url
from clientkit._declarations.retry import Failure

_TIMEOUTS = (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError)
_BROKEN = (
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    urllib3.exceptions.HTTPError,
)
_UNSENDABLE = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidHeader,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)
#: What :func:`classify` knows; anything else (a ``ClientKitError`` from the auth object
#: or a hook, a bug) propagates as it is.
SENDING_ERRORS = (
    DeadlineExceeded,
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
    ValueError,  # UnicodeEncodeError, and requests' reading of a redirect's Location
)


def classify(exc: Exception, method: str, url: str, budget: str) -> tuple[Failure | None, ClientKitError]:
    """The failure kind (``None``: never retried) and the typed error of ``exc``; ``budget``
    words the deadline a timed-out call missed."""
    if isinstance(exc, DeadlineExceeded):
        return "timeout", RequestTimeout(f"the response took longer than {budget}", method=method, url=url)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect", RequestTimeout(f"connect timed out: {exc}", method=method, url=url)
    if isinstance(exc, _TIMEOUTS):
        return "timeout", RequestTimeout(f"read timed out: {exc}", method=method, url=url)
    if isinstance(exc, requests.exceptions.SSLError):
        return None, ConnectError(f"TLS failure: {exc}", method=method, url=url)
    if isinstance(exc, requests.exceptions.ConnectionError):
        kind: Failure = "connect" if _never_sent(exc) else "read"
        return kind, ConnectError(f"connection failed: {exc}", method=method, url=url)
    if isinstance(exc, _BROKEN):
        return "read", ConnectError(f"response broken off: {exc}", method=method, url=url)
    if isinstance(exc, _UNSENDABLE):
        return None, InvalidRequestError(f"cannot send {method} {redact_url(url)}: {exc}")
    if isinstance(exc, UnicodeEncodeError):  # http.client: a header or cookie outside Latin-1
        return None, InvalidRequestError(
            f"cannot send {method} {redact_url(url)}: a header or cookie holds a character "
            "outside Latin-1, which HTTP headers cannot carry"
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return None, TransportError(f"request failed: {exc}", method=method, url=url)
    if _reading_redirect(exc):  # requests reads a redirect's Location even when not following
        return None, RedirectError(
            f"the server redirected to a location that is not a URL: {exc}", method=method, url=url
        )
    return None, InvalidRequestError(f"cannot send {method} {redact_url(url)}: {exc}")


def _never_sent(exc: requests.exceptions.ConnectionError) -> bool:
    """Whether a connection error happened before any byte of the request left."""
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError)


def _reading_redirect(exc: Exception) -> bool:
    """Whether ``exc`` arose in requests' reading of a redirect's ``Location``."""
    frames = traceback.extract_tb(exc.__traceback__)
    return any(frame.name in ("resolve_redirects", "get_redirect_target") for frame in frames)
