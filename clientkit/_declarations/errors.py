"""One exception hierarchy for everything clientkit raises, secrets redacted, and
:class:`ErrorShape`: where a service's error bodies keep their parts."""

from __future__ import annotations

import http
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from clientkit._declarations.keypaths import dig, has_path
from clientkit._declarations.official import fill_keywords
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

    def __init__(self, message: str = "") -> None:
        super().__init__(scrub(message))

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("__") and name not in _RAW_ATTRIBUTES:
            value = scrub_value(value)
        super().__setattr__(name, value)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[Any, ...]:
        parts = getattr(type(self), "_ck_parts", None)
        if parts is None:
            return super().__reduce__()  # type: ignore[return-value]
        return (_rebuild_combined, (*parts, self.args, _pickled_state(self)))

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


class ArgumentTypeError(InvalidRequestError, TypeError):
    """An argument of a type its parameter does not take (``clientkit.model.check_arguments``);
    also a ``TypeError``, as Python's own calls raise."""


class IncompleteResourceError(InvalidRequestError):
    """A full replace (PUT) of an object that lacks some fields would erase them on the server.

    ``fields`` names them; load the object completely first, or send only the changes.
    """

    def __init__(self, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.fields = fields


class TransportError(ClientKitError):
    """No usable HTTP response arrived; ``attempts``: how many were made (retries included)."""

    attempts: int = 1

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
        parts = getattr(type(self), "_ck_parts", None) or (type(self), None)
        return (_rebuild_combined, (*parts, self.args, _pickled_state(self)))


class DecodeError(ClientKitError, ValueError):
    """The body is not what the declaration expects (not JSON, wrong shape).

    ``write_succeeded`` is true when a write (its status in ``write_status``) went through
    before its answer failed to load: calling it again would write twice.
    """

    write_succeeded: bool = False
    write_status: int | None = None

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

    def after_write(self, method: str, status: int) -> None:
        """Say that the ``method`` before this answer went through, with ``status``."""
        self.write_succeeded, self.write_status = True, status
        self.args = (
            f"{self.args[0]}; the {method} went through (status {status}), only its answer could "
            "not be loaded: do not send it again blindly, it would write twice",
        )


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


class WebhookError(ClientKitError):
    """An incoming callback that does not pass its check (see :mod:`clientkit.webhooks`)."""


class SignatureError(WebhookError):
    """A callback's signature is missing, malformed, does not match, or is too old; the
    message never holds the secret or the expected signature."""


class HandshakeError(WebhookError):
    """A verification handshake that is not one, or whose token does not match."""


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
        details: the body's details as they were (``ErrorShape.details``), redacted.
        method, url: the request that failed (URL redacted).
        retry_after: the server's ``Retry-After``, in seconds, when it sent one.
        attempts: how many times the request was sent (retries included); the message
            says it when there were retries, and why a ``Retry-After`` was not waited.
    """

    status_code: int | None = None
    attempts: int = 1
    request: requests.Request | requests.PreparedRequest | None  # only with a ``mixin``
    retry_after: float | None = None
    details: Any = None

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
        details: Any = None,
        text: str | None = None,
    ) -> None:
        rid = f" (request id {request_id})" if request_id else ""
        where = f" {method} {redact_url(url) if url else ''}" if method else ""
        super().__init__(text if text is not None else f"{status}{where}: {message}{rid}")
        # set after super().__init__: a compatibility base (requests' HTTPError) resets some
        self.status = status
        self.body = redact_data(body)
        self.headers = redact_headers(headers or {})
        self.request_id = request_id
        self.code = code
        self.field_errors = dict(field_errors or {})
        self.details = redact_data(details)
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


def _rebuild_combined(
    cls: type[ClientKitError], mixin: type[Exception] | None, args: tuple[Any, ...], state: dict[str, Any]
) -> ClientKitError:
    """An unpickled error of ``cls`` (also ``mixin``), without calling ``__init__``."""
    cls = combined(cls, mixin) if mixin is not None else cls
    err: ClientKitError = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


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


class AnswerError(APIError):
    """An answer with a success status whose body reports a failure, as the service's
    ``AnswerCheck`` reads it: ``code`` and ``reason`` are what the body says, ``status`` the
    HTTP status (often 200), ``body`` the decoded body (redacted)."""


class UnexpectedStatus(APIError):
    """A success status other than the one the call declares it answers (``Action(status=)``):
    ``status`` is what came, ``expected`` what was declared."""

    expected: int | None = None


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


def as_official(error: ClientKitError, mixin: type[Exception], text: str | None = None) -> Any:
    """``error`` also an instance of ``mixin`` (an official client's exception), its class and
    attributes kept; ``text``: the official message in place of clientkit's."""
    if isinstance(error, mixin) and text is None:
        return error
    cls = combined(type(error), mixin) if not isinstance(error, mixin) else type(error)
    copy = cls.__new__(cls)
    copy.__dict__.update(error.__dict__)
    Exception.__init__(copy, *((scrub(text),) if text is not None else error.args))
    return copy


Path = str | Sequence[str] | None
_ITEM_FIELD: Path = ("field", "loc", "name")
_ITEM_MESSAGE: Path = ("message", "msg")


_FIELDS = ("status", "kind", "phrase", "message", "method", "url", "body")


def _media_types(value: Mapping[str, int]) -> dict[str, int]:
    """Media types as compared: lower case (``text/HTML`` is ``text/html``)."""
    return {k.lower() if isinstance(k, str) else k: v for k, v in dict(value).items()}


def _texts(value: Mapping[int | str, str] | str | None) -> dict[int | str, str]:
    """Error text templates by status (``"*"``: every other status); a string is for all."""
    texts: dict[int | str, str] = {"*": value} if isinstance(value, str) else dict(value or {})
    for key, template in texts.items():
        if not (key == "*" or isinstance(key, int)) or not isinstance(template, str):
            raise DeclarationError(f"ErrorShape(text=...) maps a status or '*' to a template, got {key!r}")
        try:
            template.format(**dict.fromkeys(_FIELDS, ""))
        except (KeyError, IndexError, ValueError) as exc:
            raise DeclarationError(
                f"ErrorShape(text={template!r}) may name only {', '.join(_FIELDS)}: {exc}"
            ) from None
    return texts


@attrs.frozen
class ErrorShape:
    """Where a service's error bodies keep their parts.

    Each location is a dotted key path (``"error.message"``, ``"errors.0.detail"``) or a
    sequence of alternatives tried in order. ``fields="$"`` means the body itself maps field
    names to messages (Django REST Framework's 400 answers). ``item_field`` and
    ``item_message`` say which keys of each item of a list of errors hold the field's name and
    the message (declaring either says the service sends field errors as such a list);
    ``details`` is where the raw details sit (by default where the field errors are), kept on
    the error as ``details``.

    Example:
        >>> ErrorShape(message="message", code="code", request_id="response_id")
        >>> ErrorShape(fields="errors", item_field="location", item_message="description")
    """

    message: Path = ("message", "detail", "error.message", "error", "title", "error_description")
    code: Path = "code"
    request_id: Path = None
    request_id_header: str | None = "X-Request-Id"
    fields: Path = ("errors", "field_errors")
    item_field: Path = None
    item_message: Path = None
    details: Path = None
    classes: Mapping[int, type[APIError]] = attrs.field(factory=dict)
    mixin: type[Exception] | None = None
    text: Mapping[int | str, str] = attrs.field(factory=dict, converter=_texts)
    content_types: Mapping[str, int] = attrs.field(factory=dict, converter=_media_types)

    def __attrs_post_init__(self) -> None:
        for media, status in self.content_types.items():
            if not isinstance(media, str) or "/" not in media or not isinstance(status, int) or status < 400:
                raise DeclarationError(
                    "ErrorShape(content_types=...) maps a media type to an error status, "
                    f"got {media!r}: {status!r}"
                )

    def status_for(self, content_type: str | None) -> int | None:
        """The error status a 2xx or 3xx answer of ``content_type`` stands for, if declared."""
        media = (content_type or "").split(";")[0].strip().lower()
        return self.content_types.get(media) if media else None

    def _text(self, status: int, message: str, method: str, url: str, reason: str, body: Any) -> str | None:
        """The error's whole text from the declared template for ``status``, if any; ``body``
        is the decoded answer (JSON, else its text, else ``None``), redacted."""
        template = self.text.get(status, self.text.get("*"))
        if template is None:
            return None
        kind = "Client" if status < 500 else "Server"
        phrase = reason.strip() or phrase_of(status)
        values = {"status": status, "kind": kind, "phrase": phrase, "message": message}
        return template.format(**values, method=method, url=redact_url(url), body=redact_data(body))

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
        request_id = _first(body, self.request_id, text=True)
        if request_id is None and self.request_id_header:
            request_id = headers.get(self.request_id_header)
        field_errors = self.field_errors_of(body)
        cls = error_class_for(status, self.classes, self.mixin)
        message = self._message(status, body, text, reason, field_errors)
        error = cls(
            message,
            status=status,
            body=body if body is not None else excerpt_of(text),
            headers=headers,
            request_id=request_id,
            code=_first(body, self.code),
            field_errors=field_errors,
            method=method,
            url=url,
            response=response,
            details=_found(body, self._details()),
            text=self._text(status, message, method, url, reason, body if body is not None else text or None),
        )
        fill_keywords(error, redact_data(body))  # as ``body`` is: never a raw secret
        return error

    def _details(self) -> list[str]:
        """Where details are: as declared, else where the field errors are, then ``details``."""
        if self.details is not None:
            return _alternatives(self.details)
        return [p for p in _alternatives(self.fields) if p != "$"] + ["details"]

    def _message(
        self, status: int, body: Any, text: str, reason: str, field_errors: Mapping[str, list[str]]
    ) -> str:
        """The body's message; else one built from its field errors or other details, a text
        excerpt of a body that is not JSON, the reason phrase; never empty."""
        message = _first(body, self.message, text=True)
        if not _blank(message):
            return str(message)
        if field_errors:
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors.items())
        told = self._detail_messages(body)
        if told:
            return "; ".join(told)
        if body is None and text.strip():
            return excerpt_of(text)
        return reason.strip() or phrase_of(status)

    def field_errors_of(self, body: Any) -> dict[str, list[str]]:
        """Field name -> messages, from wherever the shape says they are."""
        if not isinstance(body, Mapping):
            return {}
        for path in _alternatives(self.fields):
            found = body if path == "$" else dig(body, path)
            parsed = self._parse(found, root=path == "$")
            if parsed:
                return parsed
        return {}

    def _parse(self, found: Any, *, root: bool) -> dict[str, list[str]]:
        if isinstance(found, Mapping):
            return _mapped_errors(found, root=root)
        out: dict[str, list[str]] = {}
        for name, message in self._items(found):
            if name is not None:
                out.setdefault(name, []).append(message)
        return out

    def _items(self, found: Any) -> list[tuple[str | None, str]]:
        """(field name or ``None``, message) of each error item of a list at ``found``."""
        if not isinstance(found, list):
            return []
        fields = _ITEM_FIELD if self.item_field is None else self.item_field
        messages = _ITEM_MESSAGE if self.item_message is None else self.item_message
        out: list[tuple[str | None, str]] = []
        for item in found:
            message = _first(item, messages, text=True)
            if _blank(message):
                continue
            name = _first(item, fields)
            if isinstance(name, list):
                name = ".".join(str(p) for p in name)
            out.append((None if name is None or isinstance(name, Mapping) else str(name), str(message)))
        return out

    def _detail_messages(self, body: Any) -> list[str]:
        """The messages of error items that name no field (a message of last resort)."""
        if not isinstance(body, Mapping):
            return []
        for path in [p for p in _alternatives(self.fields) if p != "$"] + self._details():
            told = [m for name, m in self._items(dig(body, path)) if name is None]
            if told:
                return told
        return []


def _alternatives(paths: Path) -> list[str]:
    return [] if paths is None else [paths] if isinstance(paths, str) else list(paths)


def _blank(message: Any) -> bool:
    return message is None or not str(message).strip()


def phrase_of(status: int) -> str:
    """The standard reason phrase of ``status`` (``HTTP 499`` for one without)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _first(body: Any, paths: Path, *, text: bool = False) -> Any:
    """The first value found at ``paths`` in ``body``; with ``text``, the first scalar, as text."""
    if not isinstance(body, Mapping):
        return None
    for path in _alternatives(paths):
        value = dig(body, path)
        if value is not None and not (text and isinstance(value, Mapping | list)):
            return str(value) if text else value
    return None


def _found(body: Any, paths: list[str]) -> Any:
    """The value at the first of ``paths`` that ``body`` has, as it is."""
    if not isinstance(body, Mapping):
        return None
    return next((dig(body, p) for p in paths if has_path(body, p)), None)


def _mapped_errors(found: Mapping[Any, Any], *, root: bool, prefix: str = "") -> dict[str, list[str]]:
    """Field errors from a mapping of field to message(s), nested mappings named with dots.

    Inside the body, a mapping any of whose values is something else (a number, a list of
    objects) holds other details, not field errors. At the body root only lists count, as
    the root also holds the message and the code.
    """
    out: dict[str, list[str]] = {}
    for key, value in found.items():
        name = f"{prefix}{key}"
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            out.update({name: list(value)} if value else {})
        elif isinstance(value, str) and not root:
            out[name] = [value]
        elif isinstance(value, Mapping) and value:
            nested = _mapped_errors(value, root=root, prefix=f"{name}.")
            if not nested and not root:
                return {}
            out.update(nested)
        elif not root:
            return {}
    return out


for _public in (
    ClientKitError,
    DeclarationError,
    InvalidRequestError,
    ArgumentTypeError,
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
    AnswerError,
):
    _public.__module__ = "clientkit.errors"  # their public home, as tracebacks and pickles name them
