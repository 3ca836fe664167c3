"""One exception hierarchy for everything clientkit raises, secrets redacted, and
:class:`ErrorShape`: where a service's error bodies keep their parts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from clientkit._declarations.keypaths import dig
from clientkit._declarations.redaction import (
    clipped,
    redact,
    redact_data,
    redact_headers,
    redact_url,
    scrub,
    scrub_value,
)

if TYPE_CHECKING:
    import requests

_EXCERPT = 200
_RAW_ATTRIBUTES = frozenset({"response", "request"})


_CAUSE: Any = BaseException.__dict__["__cause__"]
_CONTEXT: Any = BaseException.__dict__["__context__"]


def _redacting(slot: Any) -> property:
    """A property over the exception link in C ``slot``: what it holds is replaced for good by
    its redacted summary, when set or first read."""

    def get(error: BaseException) -> BaseException | None:
        link = slot.__get__(error)
        safe = _redacted_link(link)
        if safe is not link:
            slot.__set__(error, safe)
        return safe

    return property(get, lambda error, link: slot.__set__(error, _redacted_link(link)))


class ClientKitError(Exception):
    """Base class of every error clientkit raises.

    Every attribute (of subclasses and mixins too) is scrubbed as it is set, so neither the
    error nor its pickle holds a secret; only the raw ``response`` and ``request`` are kept
    as they are (and never pickled).
    """

    def __init__(self, message: str) -> None:
        super().__init__(scrub(message))

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("__") and name not in _RAW_ATTRIBUTES:
            value = scrub_value(value)
        super().__setattr__(name, value)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    # ``raise ... from exc`` and raising inside ``except`` store the original exception
    # (which may hold a token in its text) in C slots; every read and write through these
    # properties swaps it for a RedactedCause, so tracebacks and code see only that.
    __cause__ = _redacting(_CAUSE)
    __context__ = _redacting(_CONTEXT)


def _redacted_link(link: BaseException | None) -> BaseException | None:
    """What a clientkit error may chain to: nothing, or a :class:`RedactedCause`."""
    return link if link is None or isinstance(link, RedactedCause) else redacted_cause(link)


class DeclarationError(ClientKitError, TypeError):
    """A service or resource declaration is inconsistent (raised at class creation)."""


class InvalidRequestError(ClientKitError, ValueError):
    """Arguments that cannot make a safe, well-formed request (bad id, CR/LF in a header)."""


class IncompleteResourceError(InvalidRequestError):
    """A full replace (PUT) of an object that lacks some fields would erase them on the server.

    ``fields`` names them; load the object completely first, or send only the changes.
    """

    def __init__(self, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.fields = fields


class TransportError(ClientKitError):
    """No usable HTTP response arrived."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = redact_url(url)
        where = f" ({method} {self.url})" if method else ""
        super().__init__(f"{message}{where}")


class ConnectError(TransportError, ConnectionError):
    """The connection could not be made, or broke before a full response arrived."""


class RequestTimeout(TransportError, TimeoutError):
    """The connect or read timeout, or a deadline, expired."""


class CacheError(TransportError):
    """The cache backend failed (Redis unreachable, a SQLite file that cannot be read or
    written...); nothing was sent, or the answer could not be stored."""


class RedirectError(TransportError):
    """A redirect clientkit will not follow: a redirected write, or more than the hop limit.

    ``response`` is the redirect that a write received (``None`` otherwise).

    Reads redirected to another origin are followed without credentials or service headers.
    """

    response: requests.Response | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self.args, _pickled_state(self))


class DecodeError(ClientKitError, ValueError):
    """The body is not what the declaration expects (not JSON, wrong shape)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        content_type: str | None = None,
        excerpt: str = "",
        method: str = "",
        url: str = "",
    ) -> None:
        self.status = status
        self.content_type = content_type
        self.excerpt = redact(excerpt)
        self.method = method
        self.url = redact_url(url)
        details = []
        if status is not None:
            details.append(f"status {status}")
        if content_type:
            details.append(f"content type {content_type!r}")
        if method:
            details.append(f"{method} {self.url}")
        tail = f" [{', '.join(details)}]" if details else ""
        quoted = f": {self.excerpt!r}" if excerpt else ""
        super().__init__(f"{message}{tail}{quoted}")


class UnexpectedContentType(DecodeError):
    """The answer's ``Content-Type`` is not one the call accepts (an HTML login page where
    a PDF was expected); ``excerpt`` shows the start of what came instead."""


class IntegrityError(TransportError):
    """A body arrived whole by the wire's account but not by the declaration's: shorter or
    longer than its ``Content-Length``, or with another checksum than the one asked for."""


class Cancelled(ClientKitError):
    """The caller's cancel event was set and the operation stopped: what it held on this
    side is cleaned up (no partial file) and it returns at once, without waiting for work in
    flight. Inside bulk work (stopped by its cancel, or by closing its iterator) a request
    made through clientkit is cut at its next check: before each attempt, and as the bytes
    of a stream or download arrive; other code in the work's function runs to its end in
    the background, its result dropped. Work already handed to the server (a started job,
    a request sent) may go on there."""


class JobFailed(ClientKitError):
    """A long-running job ended in a failed state; ``status`` is its last status."""

    def __init__(self, message: str, *, status: Any = None) -> None:
        self.status = status
        super().__init__(message)


class JobTimeout(ClientKitError, TimeoutError):
    """A job was still running when the deadline passed; ``status`` is its last status
    (``None`` when no poll answered)."""

    def __init__(self, message: str, *, status: Any = None) -> None:
        self.status = status
        super().__init__(message)


class RedactedCause(Exception):
    """Stands in for the third-party exception behind a clientkit error: only the type and
    scrubbed text of it and its chain, so no traceback or pickle shows what it carried."""

    def __init__(self, text: str) -> None:
        super().__init__(scrub(text))


def redacted_cause(exc: BaseException) -> RedactedCause:
    """A :class:`RedactedCause` summarising ``exc`` and its chain (``raise ... from`` it)."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(parts) < 8:
        seen.add(id(current))
        parts.append(f"{type(current).__module__}.{type(current).__qualname__}: {current}")
        current = _CAUSE.__get__(current) or _CONTEXT.__get__(current)  # the slots: no property loops
    return RedactedCause(" <- ".join(parts))


def excerpt_of(content: Any, limit: int = _EXCERPT) -> str:
    """A short, printable, redacted excerpt of a body (or of any value) for an error message."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    if not isinstance(text, str):
        text = _repr(text)
    text = redact(" ".join(text.split()))  # before cutting: a cut secret would not match
    if len(text) > limit:
        text = text[:limit] + "..."
    return text


def repr_excerpt(value: Any, limit: int = _EXCERPT) -> str:
    """The ``repr`` of a decoded value, scrubbed, then cut to ``limit`` characters."""
    return clipped(_repr(value), limit)


def _repr(value: Any) -> str:
    """``repr(value)``, or its type when the repr itself fails (an int over the digit limit)."""
    try:
        return repr(value)
    except Exception:
        return f"<{type(value).__name__}>"


class PaginationError(ClientKitError):
    """A list cannot be walked safely (a next link to another host, a page that repeats)."""


class APIError(ClientKitError):
    """The service answered with an error status.

    Attributes:
        status: the HTTP status code.
        body: the parsed body (a dict, list or text), secrets redacted.
        headers: the response headers, sensitive ones masked.
        request_id: the service's request id, when it sends one.
        code: the service's own error code, when its error body has one.
        field_errors: field name -> list of messages, for validation errors.
        method, url: the request that failed (URL redacted).
        retry_after: the server's ``Retry-After``, in seconds, when it sent one.
    """

    status_code: int | None = None
    retry_after: float | None = None

    def __init__(
        self,
        message: str,
        *,
        status: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        code: Any = None,
        field_errors: Mapping[str, list[str]] | None = None,
        method: str = "",
        url: str = "",
        response: requests.Response | None = None,
    ) -> None:
        rid = f" (request id {request_id})" if request_id else ""
        where = f" {method} {redact_url(url) if url else ''}" if method else ""
        super().__init__(f"{status}{where}: {message}{rid}")
        # set after super().__init__: a compatibility base (requests' HTTPError) resets some
        self.status = status
        self.body = redact_data(body)
        self.headers = redact_headers(headers or {})
        self.request_id = request_id
        self.code = code
        self.field_errors = dict(field_errors or {})
        self.method = method
        self.url = redact_url(url)
        self.response = response
        self.reason = redact(message)
        if response is not None and getattr(type(self), "_ck_parts", None):
            self.request = response.request  # as requests' own HTTPError has it

    def __reduce__(self) -> tuple[Any, ...]:
        parts = getattr(type(self), "_ck_parts", None) or (type(self), None)
        return (_rebuild_api_error, (*parts, self.args, _pickled_state(self)))


def _pickled_state(error: ClientKitError) -> dict[str, Any]:
    """An error's attributes without the raw ``response`` and ``request``."""
    return {k: v for k, v in error.__dict__.items() if k not in _RAW_ATTRIBUTES}


def _rebuild_api_error(
    cls: type[APIError], mixin: type[Exception] | None, args: tuple[Any, ...], state: dict[str, Any]
) -> APIError:
    if mixin is not None:
        cls = combined(cls, mixin)
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    err.response = None
    if mixin is not None:
        err.__dict__["request"] = None
    return err


class ClientError(APIError):
    """A 4xx answer."""


class BadRequestError(ClientError):
    status_code = 400


class AuthenticationError(ClientError):
    status_code = 401


class PermissionDeniedError(ClientError):
    status_code = 403


class NotFoundError(ClientError):
    status_code = 404


class ConflictError(ClientError):
    status_code = 409


class PreconditionFailedError(ClientError):
    """412: the resource changed since it was loaded (optimistic concurrency)."""

    status_code = 412


class ValidationError(ClientError):
    """422: the server rejected the data; see :attr:`field_errors`."""

    status_code = 422


class RateLimitError(ClientError):
    """429: too many requests; :attr:`retry_after` holds the server's wait, in seconds."""

    status_code = 429
    retry_after: float | None = None


class ServerError(APIError):
    """A 5xx answer."""


STATUS_ERRORS: dict[int, type[APIError]] = {
    cls.status_code: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        PreconditionFailedError,
        ValidationError,
        RateLimitError,
    )
    if cls.status_code is not None
}


def error_class_for(
    status: int, overrides: Mapping[int, type[APIError]] | None = None, mixin: type[Exception] | None = None
) -> type[APIError]:
    """The exception class for ``status``: a declared override, the specific class, or the family.

    With ``mixin``, the class is also a subclass of it (an official client's exception, so
    ``except`` clauses written for that client keep working).
    """
    cls = (overrides or {}).get(status) or STATUS_ERRORS.get(status)
    if cls is None:
        cls = ClientError if 400 <= status < 500 else ServerError if status >= 500 else APIError
    return cls if mixin is None or issubclass(cls, mixin) else combined(cls, mixin)


_COMBINED: dict[tuple[type, type], type] = {}


def combined(cls: type[ClientKitError], mixin: type[Exception]) -> Any:
    """A class that is both ``cls`` and ``mixin`` (cached, so ``except`` works across calls)."""
    key = (cls, mixin)
    if key not in _COMBINED:
        _COMBINED[key] = type(
            cls.__name__, (cls, mixin), {"__module__": mixin.__module__, "_ck_parts": (cls, mixin)}
        )
    return _COMBINED[key]


Path = str | Sequence[str] | None


@attrs.frozen
class ErrorShape:
    """Where a service's error bodies keep their parts.

    Each location is a dotted key path (``"error.message"``) or a sequence of
    alternatives tried in order. ``fields="$"`` means the body itself maps field
    names to messages (Django REST Framework's 400 answers).

    Example:
        >>> ErrorShape(message="message", code="code", request_id="response_id")
    """

    message: Path = ("message", "detail", "error.message", "error", "title", "error_description")
    code: Path = "code"
    request_id: Path = None
    request_id_header: str | None = "X-Request-Id"
    fields: Path = ("errors", "field_errors")
    classes: Mapping[int, type[APIError]] = attrs.field(factory=dict)
    mixin: type[Exception] | None = None

    def error_for(
        self,
        *,
        status: int,
        body: Any,
        text: str,
        headers: Mapping[str, str],
        method: str,
        url: str,
        reason: str = "",
        response: requests.Response | None = None,
    ) -> APIError:
        """Build the typed error for one failed response."""
        message = _first(body, self.message, text=True)
        request_id = _first(body, self.request_id, text=True)
        if request_id is None and self.request_id_header:
            request_id = headers.get(self.request_id_header)
        code = _first(body, self.code)
        field_errors = self.field_errors_of(body)
        if not message and field_errors:
            message = "; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors.items())
        if not message:
            message = (excerpt_of(text) if text else "") or reason
        cls = error_class_for(status, self.classes, self.mixin)
        return cls(
            message or "request failed",
            status=status,
            body=body if body is not None else excerpt_of(text),
            headers=headers,
            request_id=request_id,
            code=code,
            field_errors=field_errors,
            method=method,
            url=url,
            response=response,
        )

    def field_errors_of(self, body: Any) -> dict[str, list[str]]:
        """Field name -> messages, from wherever the shape says they are."""
        if not isinstance(body, Mapping):
            return {}
        for path in _alternatives(self.fields):
            found = body if path == "$" else dig(body, path)
            parsed = _parse_field_errors(found, root=path == "$")
            if parsed:
                return parsed
        return {}


def _alternatives(paths: Path) -> list[str]:
    return [] if paths is None else [paths] if isinstance(paths, str) else list(paths)


def _first(body: Any, paths: Path, *, text: bool = False) -> Any:
    """The first value found at ``paths`` in ``body``; with ``text``, the first scalar, as text."""
    if not isinstance(body, Mapping):
        return None
    for path in _alternatives(paths):
        value = dig(body, path)
        if value is not None and not (text and isinstance(value, Mapping | list)):
            return str(value) if text else value
    return None


def _parse_field_errors(found: Any, *, root: bool) -> dict[str, list[str]]:
    """Field errors from a mapping or a list; at the body root only lists count as messages."""
    out: dict[str, list[str]] = {}
    if isinstance(found, Mapping):
        for key, value in found.items():
            if isinstance(value, str) and not root:
                out[str(key)] = [value]
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                out[str(key)] = list(value)
    elif isinstance(found, list):
        for item in found:
            if isinstance(item, Mapping):
                name = item.get("field") or item.get("loc") or item.get("name")
                msg = item.get("message") or item.get("msg")
                if isinstance(name, list):
                    name = ".".join(str(p) for p in name)
                if name is not None and msg is not None:
                    out.setdefault(str(name), []).append(str(msg))
    return out


for _public in (
    ClientKitError,
    DeclarationError,
    InvalidRequestError,
    IncompleteResourceError,
    TransportError,
    ConnectError,
    RequestTimeout,
    CacheError,
    RedirectError,
    DecodeError,
    UnexpectedContentType,
    IntegrityError,
    Cancelled,
    JobFailed,
    JobTimeout,
    RedactedCause,
    PaginationError,
    APIError,
    ClientError,
    BadRequestError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    ConflictError,
    PreconditionFailedError,
    ValidationError,
    RateLimitError,
    ServerError,
    ErrorShape,
):
    _public.__module__ = "clientkit.errors"  # their public home, as tracebacks and pickles name them
