"""Keeping secrets out of logs, reprs, messages and pickles.

Every credential clientkit handles is wrapped in :class:`Secret`, which registers
its value with a process-wide registry. :func:`redact` then scrubs any registered
value (and its percent-encoded forms) from a text, wherever it appears: a header,
a URL path (some services put the token there), an error body or a log line.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

MASK = "***"
_MIN_SECRET_LENGTH = 4
_MAX_REMEMBERED = 4096

SENSITIVE_NAME = re.compile(
    r"auth|token|secret|passw|api[-_]?key|apikey|cookie|session|signature|credential|nonce",
    re.IGNORECASE,
)


class _Registry:
    """The secret values seen in this process, newest last, bounded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: deque[str] = deque(maxlen=_MAX_REMEMBERED)
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str) -> None:
        if len(value) < _MIN_SECRET_LENGTH:
            return
        forms = {value, quote(value, safe=""), quote_plus(value), quote(value)}
        with self._lock:
            changed = False
            for form in forms:
                if form not in self._values:
                    self._values.append(form)
                    changed = True
            if changed:
                self._pattern = None

    def pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._values:
                alternatives = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in alternatives))
            return self._pattern


_registry = _Registry()


def register_secret(value: str) -> None:
    """Remember ``value`` so that :func:`redact` removes it from any text."""
    _registry.add(value)


def redact(text: str) -> str:
    """Return ``text`` with every registered secret replaced by ``***``."""
    pattern = _registry.pattern()
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


class Secret:
    """A credential that never shows itself by accident.

    ``repr``, ``str``, formatting and pickling all hide the value; only
    :meth:`reveal` returns it.

    Example:
        >>> s = Secret("hunter2-token")
        >>> s
        Secret('***')
        >>> s.reveal()
        'hunter2-token'
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"a secret must be a str, not {type(value).__name__}")
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        """The secret value itself."""
        return self._value

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


def secret_or_none(value: str | Secret | None) -> Secret | None:
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
