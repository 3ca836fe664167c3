"""Keeping secrets out of logs, reprs, messages and pickles.

Every credential clientkit handles is wrapped in :class:`Secret`, which registers
its value with a process-wide registry for as long as the ``Secret`` lives.
:func:`redact` then scrubs any registered value (and its percent-encoded, JSON and
repr forms) from a text, wherever it appears: a header, a URL path (some services
put the token there), an error body or a log line. :func:`scrub` also masks the
values of sensitive-named query parameters, and :func:`install_log_redaction`
applies it to every log record of clientkit, requests, urllib3 and requests-cache.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import threading
import traceback
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

MASK = "***"
_MIN_SECRET_LENGTH = 4
_MAX_LOOSE = 4096

SENSITIVE_NAME = re.compile(
    r"auth|token|secret|passw|api[-_]?key|apikey|cookie|session|signature|credential|nonce"
    r"|\bpin\b|pin[-_]?code|passcode|private[-_]?key",
    re.IGNORECASE,
)
_QUERY_SECRET = re.compile(
    rf"([?&;][^=&#\s'\"]*?(?:{SENSITIVE_NAME.pattern})[^=&#\s'\"]*=)([^&#\s'\")]+)", re.IGNORECASE
)


def _forms(value: str) -> set[str]:
    """The spellings of ``value`` a text may carry: raw, percent-encoded, JSON- and repr-escaped."""
    if len(value) < _MIN_SECRET_LENGTH:
        return set()
    forms = {value, quote(value, safe=""), quote_plus(value), quote(value)}
    forms.add(json.dumps(value)[1:-1])
    forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
    forms.add(repr(value)[1:-1])
    return {f for f in forms if len(f) >= _MIN_SECRET_LENGTH}


def _literal_pattern(values: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching any of ``values``, the longest one where several start at one place.

    The alternatives are merged into a prefix tree, so the work per position of a text
    grows with the length of the secrets, not with their number (a flat alternation of
    a thousand random tokens is over ten times slower).
    """
    trie: dict[str, Any] = {}
    for value in values:
        node = trie
        for char in value:
            node = node.setdefault(char, {})
        node[""] = {}
    try:
        return re.compile(_trie_regex(trie))
    except (RecursionError, re.error):
        flat = sorted({*values}, key=len, reverse=True)
        return re.compile("|".join(re.escape(v) for v in flat))


def _trie_regex(node: dict[str, Any]) -> str:
    """The regex of a prefix-tree node; chains of single children become plain literals."""
    branches = []
    for char, child in sorted(node.items()):
        if not char:
            continue
        literal, tail = [char], child
        while len(tail) == 1 and "" not in tail:
            ((next_char, tail),) = tail.items()
            literal.append(next_char)
        branches.append(re.escape("".join(literal)) + _trie_regex(tail))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


class _Registry:
    """The secret values alive in this process.

    Values held by an owner (a :class:`Secret`, an auth object, a resource) are counted
    and stay registered until every owner is garbage collected; owners release their
    values through weak-reference callbacks, which only queue the release (they may run
    at any moment, even while the lock is held) so it is applied at the next use.
    Values registered without an owner are kept in a bounded list that can never
    evict an owned value.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._loose: OrderedDict[str, None] = OrderedDict()
        self._released: deque[tuple[str, ...]] = deque()
        self._pattern: re.Pattern[str] | None = None

    def hold(self, value: str, owner: object) -> None:
        forms = tuple(_forms(value))
        if not forms:
            return
        weakref.finalize(owner, self._released.append, forms)  # first: raises for a non-weakrefable owner
        with self._lock:
            self._drain()
            for form in forms:
                count = self._counts.get(form, 0)
                self._counts[form] = count + 1
                if not count and form not in self._loose:
                    self._pattern = None

    def add(self, value: str) -> None:
        forms = _forms(value)
        with self._lock:
            for form in forms:
                if form in self._loose:
                    self._loose.move_to_end(form)
                    continue
                self._loose[form] = None
                if form not in self._counts:
                    self._pattern = None
            while len(self._loose) > _MAX_LOOSE:
                evicted, _ = self._loose.popitem(last=False)
                if evicted not in self._counts:
                    self._pattern = None

    def _drain(self) -> None:
        while self._released:
            for form in self._released.popleft():
                count = self._counts.get(form, 0) - 1
                if count > 0:
                    self._counts[form] = count
                    continue
                self._counts.pop(form, None)
                if form not in self._loose:
                    self._pattern = None

    def pattern(self) -> re.Pattern[str] | None:
        if self._released:
            with self._lock:
                self._drain()
        pattern = self._pattern
        if pattern is not None:
            return pattern
        with self._lock:
            if self._pattern is None and (self._counts or self._loose):
                self._pattern = _literal_pattern({*self._counts, *self._loose})
            return self._pattern

    def __len__(self) -> int:
        with self._lock:
            self._drain()
            return len({*self._counts, *self._loose})


_registry = _Registry()


def register_secret(value: str, owner: object | None = None) -> None:
    """Remember ``value`` so that :func:`redact` removes it from any text.

    With an ``owner`` (any object that supports weak references), the value stays
    registered at least as long as the owner lives; without one it joins a bounded
    list of recent values.
    """
    if owner is not None:
        try:
            _registry.hold(value, owner)
            return
        except TypeError:
            pass
    _registry.add(value)


def redact(text: str) -> str:
    """Return ``text`` with every registered secret replaced by ``***``."""
    pattern = _registry.pattern()
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


def redact_with(text: str, replace: Callable[[str], str]) -> str:
    """Return ``text`` with every registered secret replaced by ``replace(secret)``."""
    pattern = _registry.pattern()
    if pattern is None or not text:
        return text
    return pattern.sub(lambda m: replace(m.group()), text)


def scrub(text: str) -> str:
    """:func:`redact`, plus the values of sensitive-named query parameters in any URL in ``text``."""
    text = redact(text)
    if "=" in text:
        text = _QUERY_SECRET.sub(rf"\g<1>{MASK}", text)
    return text


def scrub_value(value: Any) -> Any:
    """A copy of ``value`` (text, number, bytes or JSON-like containers) with secrets scrubbed.

    Numbers whose text is a registered secret (a numeric PIN) become ``***``.
    """
    if isinstance(value, str):
        return scrub(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return MASK if redact(str(value)) != str(value) else value
    if isinstance(value, bytes):
        return scrub(value.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
    if isinstance(value, Mapping):
        return {scrub_value(k): scrub_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(scrub_value(v) for v in value)
    return value


class Secret:
    """A credential that never shows itself by accident.

    ``repr``, ``str``, formatting and pickling all hide the value; only
    :meth:`reveal` returns it. A number (a numeric PIN) is kept as given for the
    wire and registered in its text form.

    Example:
        >>> s = Secret("hunter2-token")
        >>> s
        Secret('***')
        >>> s.reveal()
        'hunter2-token'
    """

    __slots__ = ("__weakref__", "_given", "_value")

    def __init__(self, value: str | int | float | Secret) -> None:
        if isinstance(value, Secret):
            value = value._given
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError(f"a secret must be a str or a number, not {type(value).__name__}")
        self._given: str | int | float = value
        self._value = value if isinstance(value, str) else str(value)
        register_secret(self._value, self)

    def reveal(self) -> str:
        """The secret value itself, as text."""
        return self._value

    def reveal_as_given(self) -> str | int | float:
        """The secret value with the type it was given (a number stays a number in JSON)."""
        return self._given

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return hmac.compare_digest(self._value.encode(), other._value.encode())
        return NotImplemented

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickled_secret, ())


def _unpickled_secret() -> Secret:
    return Secret("")


def secret_or_none(value: str | int | float | Secret | None) -> Secret | None:
    """Wrap a credential given by a user; ``None`` and ``""`` stay absent."""
    if value is None or value == "":
        return None
    return value if isinstance(value, Secret) else Secret(value)


def redact_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    """A copy of ``headers`` fit for a log line or an exception."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        out[name] = MASK if SENSITIVE_NAME.search(name) else redact(text)
    return out


def redact_url(url: str) -> str:
    """``url`` with sensitive query values masked and registered secrets removed."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        masked = [(k, MASK if SENSITIVE_NAME.search(k) else v) for k, v in pairs]
        parts = parts._replace(query=urlencode(masked, safe="*"))
    if parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        parts = parts._replace(netloc=f"{parts.username}:{MASK}@{host}")
    return redact(urlunsplit(parts))


def redact_data(value: Any, names: Iterable[str] = ()) -> Any:
    """A deep copy of JSON-like ``value`` with sensitive keys masked (for logs)."""
    extra = {n.lower() for n in names}
    if isinstance(value, Mapping):
        return {
            k: (
                MASK
                if isinstance(k, str) and (SENSITIVE_NAME.search(k) or k.lower() in extra)
                else redact_data(v, extra)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_data(v, extra) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value


#: loggers whose records (and their children's) are scrubbed: clientkit's and the HTTP stack's.
REDACTED_LOGGERS = ("clientkit", "requests", "urllib3", "requests_cache")
_install_lock = threading.Lock()


def scrub_record(record: logging.LogRecord) -> None:
    """Scrub a log record in place: its message (formatted with its args), traceback and stack.

    A traceback is formatted and scrubbed into ``exc_text``; the exception objects
    themselves are dropped from the record unless they are clientkit errors (which
    are redacted when created), so no handler can format the originals.
    """
    if getattr(record, "_ck_scrubbed", False):
        return
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        message = f"{record.msg} {record.args!r}"
    record.msg, record.args = scrub(message), ()
    if record.exc_info and record.exc_info[1] is not None:
        if not record.exc_text:
            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        if not _is_clientkit_error(record.exc_info[1]):
            record.exc_info = None
    elif record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    record._ck_scrubbed = True


def _is_clientkit_error(exc: BaseException) -> bool:
    return any(c.__module__ == "clientkit.errors" for c in type(exc).__mro__)


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs secrets from every record it sees (it never drops one).

    clientkit scrubs the records of its own loggers and of the HTTP stack itself; put
    this filter on a handler to scrub records of other loggers too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


def _redacting_factory(inner: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = inner(*args, **kwargs)
        if record.name.startswith(REDACTED_LOGGERS):
            scrub_record(record)
        return record

    factory._ck_redacting = True  # type: ignore[attr-defined]
    return factory


def install_log_redaction() -> None:
    """Scrub every record of clientkit, requests, urllib3 and requests-cache, at every level.

    The record factory is wrapped (once: calling this again is cheap and changes
    nothing), so records of any child logger, created now or later, are scrubbed
    before any handler or filter sees them; the named loggers also get a
    :class:`RedactingFilter` in case the factory is later replaced without chaining.
    """
    if getattr(logging.getLogRecordFactory(), "_ck_redacting", False):
        return
    with _install_lock:
        current = logging.getLogRecordFactory()
        if getattr(current, "_ck_redacting", False):
            return
        logging.setLogRecordFactory(_redacting_factory(current))
        for name in REDACTED_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, RedactingFilter) for f in logger.filters):
                logger.addFilter(RedactingFilter())
