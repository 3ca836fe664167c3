"""Per-request options, merged from service, session and call."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypedDict

import attrs

from clientkit._declarations.errors import InvalidRequestError
from clientkit._declarations.keywords import checked_keywords
from clientkit._declarations.redaction import MASK, is_sensitive_name, redact
from clientkit._declarations.retry import RetryPolicy
from clientkit._declarations.wire import check_header_name, pairs_of

CacheMode = Literal["use", "bypass", "refresh"]
HeaderLayer = Mapping[str, str | None] | Iterable[tuple[str, str | None]] | None


#: The longest timeout accepted, in seconds (a year); ``None`` is the way to say "no limit".
MAX_TIMEOUT = 365 * 24 * 3600.0


def _positive_or_none(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    """A timeout is ``None`` or seconds in (0, :data:`MAX_TIMEOUT`]; NaN and infinities are refused."""
    if value is None:
        return
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InvalidRequestError(f"Timeout.{attribute.name} must be a number, not {type(value).__name__}")
    if not 0 < value <= MAX_TIMEOUT:
        raise InvalidRequestError(
            f"Timeout.{attribute.name} must be above 0 and at most {MAX_TIMEOUT:.0f} seconds "
            f"(None for no limit), not {value!r}"
        )


@checked_keywords
@attrs.frozen
class Timeout:
    """Timeouts in seconds (``None``: no limit).

    ``connect`` bounds establishing the connection and ``read`` each wait for bytes.
    ``total`` is a hard deadline for one call (each page of a list is one call): every
    attempt, retry and backoff, redirect hop, login made for the call, the status line,
    headers and body however slowly they trickle, and decompressing the body; a
    ``stream=True`` call is covered up to its headers, and JSON decoding after the call is
    not. Past it the call raises ``RequestTimeout``.
    """

    connect: float | None = attrs.field(default=5.0, validator=_positive_or_none)
    read: float | None = attrs.field(default=30.0, validator=_positive_or_none)
    total: float | None = attrs.field(default=None, validator=_positive_or_none)

    @classmethod
    def of(cls, value: Timeout | float | tuple[float | None, float | None] | None) -> Timeout:
        """Accept ``Timeout``, one number for both phases, or a ``(connect, read)`` pair."""
        if isinstance(value, Timeout):
            return value
        if isinstance(value, tuple) and len(value) in (2, 3):
            return cls(*value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return cls(connect=float(value), read=float(value))
        raise InvalidRequestError(f"timeout must be a number, a pair or a Timeout, not {value!r}")


def _retry_of(value: RetryPolicy | int | None) -> RetryPolicy | None:
    if value is None or isinstance(value, RetryPolicy):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return RetryPolicy(retries=value)
    raise InvalidRequestError(f"retries must be a non-negative int or a RetryPolicy, not {value!r}")


def _timeout_of(value: Any) -> Timeout | None:
    return None if value is None else Timeout.of(value)


def _masked(values: Mapping[str, Any]) -> str:
    """A mapping's repr with the values of sensitive names (and registered secrets) hidden."""
    return redact(repr({k: MASK if is_sensitive_name(str(k)) else v for k, v in values.items()}))


Backend = Literal["sqlite", "memory", "filesystem", "redis"]
MAX_BODY = 256 * 1024 * 1024


def _positive_int_or_none(_: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidRequestError(f"{attribute.name} must be a positive integer, not {value!r}")


@attrs.frozen
class RequestOptions:
    """Options that shape a request; ``None`` means "inherit".

    ``max_body`` caps a response body's decoded size in bytes (default :data:`MAX_BODY`,
    256 MiB); a larger body raises ``DecodeError``. Streamed responses are the caller's.

    ``headers`` maps a name to a value, or to ``None`` to remove a header the
    service or session would otherwise send. ``auth=False`` sends the request without
    the session's credential (and never logs in for it).
    """

    headers: Mapping[str, str | None] = attrs.field(factory=dict, repr=_masked)
    params: Mapping[str, Any] = attrs.field(factory=dict, repr=_masked)
    timeout: Timeout | None = attrs.field(default=None, converter=_timeout_of)
    retry: RetryPolicy | None = attrs.field(default=None, converter=_retry_of)
    idempotent: bool | None = None
    cache: CacheMode | None = None
    max_body: int | None = attrs.field(default=None, validator=_positive_int_or_none)
    auth: bool | None = None

    def merge(self, other: RequestOptions | None) -> RequestOptions:
        """These options overridden by ``other``'s set values (headers whatever their case)."""
        if other is None:
            return self
        return RequestOptions(
            headers=merge_headers(self.headers, other.headers) if other.headers else self.headers,
            params={**self.params, **other.params} if other.params else self.params,
            timeout=_timeouts(self.timeout, other.timeout),
            retry=other.retry or self.retry,
            idempotent=self.idempotent if other.idempotent is None else other.idempotent,
            cache=other.cache or self.cache,
            max_body=other.max_body or self.max_body,
            auth=self.auth if other.auth is None else other.auth,
        )


def _timeouts(below: Timeout | None, above: Timeout | None) -> Timeout | None:
    """``above`` wins, but a layer that sets no ``total`` keeps the deadline of the one below
    (``timeout=5`` on a call changes the phases, never silently drops a session's deadline)."""
    if above is None or below is None:
        return above or below
    if above.total is None and below.total is not None:
        return attrs.evolve(above, total=below.total)
    return above


def merge_headers(*layers: HeaderLayer) -> dict[str, str | None]:
    """Later layers (mappings or name-value pairs) win, whatever the case of a header's name."""
    merged: dict[str, str | None] = {}
    spelled: dict[str, str] = {}  # lower-cased name -> the name as merged holds it
    for layer in layers:
        for name, value in layer.items() if isinstance(layer, Mapping) else pairs_of(layer or (), "headers"):
            check_header_name(name)
            lowered = name.lower()
            if lowered in spelled:
                del merged[spelled[lowered]]
            spelled[lowered] = name
            merged[name] = value
    return merged


class CallOptions(TypedDict, total=False):
    """The per-call keywords every session operation takes (``**options: Unpack[CallOptions]``)."""

    headers: Mapping[str, str | None] | None
    timeout: Timeout | float | tuple[float | None, float | None] | None
    retries: RetryPolicy | int | None
    idempotent: bool | None
    cache: CacheMode | None
    auth: bool | None


CALL_OPTIONS = frozenset(CallOptions.__annotations__)


def options_of(
    given: Mapping[str, Any], params: Mapping[str, Any] | None = None, *, caller: str = "call"
) -> RequestOptions | None:
    """Per-call keyword arguments (and a session's default ``params``) as options; ``None``
    when none were given. A keyword that is not a call option is a ``TypeError``."""
    unknown = sorted(set(given) - CALL_OPTIONS)
    if unknown:
        raise TypeError(f"{caller}() got an unexpected keyword argument {unknown[0]!r}")
    if params is None and all(value is None for value in given.values()):
        return None
    cache = given.get("cache")
    if cache is not None and cache not in ("use", "bypass", "refresh"):
        raise InvalidRequestError(f"cache must be 'use', 'bypass' or 'refresh', not {cache!r}")
    if not isinstance(given.get("auth"), bool | None):
        raise InvalidRequestError(f"auth must be True or False, not {given.get('auth')!r}")
    return RequestOptions(
        headers=dict(pairs_of(given.get("headers") or {}, "headers")),
        params=dict(pairs_of(params or {}, "query parameters")),
        timeout=given.get("timeout"),
        retry=given.get("retries"),
        idempotent=given.get("idempotent"),
        cache=cache,
        auth=given.get("auth"),
    )


def split_options(given: Mapping[str, Any]) -> tuple[RequestOptions | None, dict[str, Any]]:
    """Keyword arguments split into call options and the rest (a path's placeholders)."""
    rest = {k: v for k, v in given.items() if k not in CALL_OPTIONS}
    if len(rest) == len(given):
        return None, rest
    return options_of({k: v for k, v in given.items() if k in CALL_OPTIONS}), rest


@checked_keywords
@attrs.frozen
class CacheConfig:
    """Where and how responses are cached.

    Attributes:
        backend: ``"sqlite"`` (default, persistent), ``"memory"``, ``"filesystem"``,
            ``"redis"`` (needs the ``redis`` package), or a requests-cache backend object.
        location: the SQLite file or cache directory (default: under
            ``$XDG_CACHE_HOME/clientkit``, named after the service); for Redis, a URL.
        expire_after: seconds (or a timedelta) an answer is fresh without asking the
            server; ``0`` (the default) revalidates every time, which is always correct.
        cache_control: honour the server's ``Cache-Control``/``Expires`` headers.
        stale_if_error: serve a stored answer when the server fails.

    Example:
        >>> Shop.connect(token="...", cache=CacheConfig(expire_after=60))
    """

    backend: Backend | Any = "sqlite"
    location: str | os.PathLike[str] | None = None
    expire_after: float | dt.timedelta = 0
    cache_control: bool = True
    stale_if_error: bool = False

    @classmethod
    def of(cls, value: CacheConfig | bool | str | os.PathLike[str] | None) -> CacheConfig | None:
        """Accept a config, ``True`` (defaults), ``False``/``None`` (off) or a SQLite path."""
        if value is None or value is False:
            return None
        if value is True:
            return cls()
        if isinstance(value, CacheConfig):
            return value
        if isinstance(value, str | os.PathLike):
            return cls(location=value)
        raise InvalidRequestError(f"cache must be a CacheConfig, a path, True or False, not {value!r}")
