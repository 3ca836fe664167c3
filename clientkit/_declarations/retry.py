"""Which failures are retried, and how long to wait before the next attempt."""

from __future__ import annotations

import email.utils
import math
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import attrs

from clientkit._declarations.errors import DeclarationError
from clientkit._declarations.keywords import checked_keywords

_DELTA_SECONDS = re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?")  # seconds, as servers write them

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
Failure = Literal["connect", "timeout", "read"]


def _non_negative(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 0:
        raise DeclarationError(f"RetryPolicy.{attribute.name} must not be negative")


def status_set(statuses: Iterable[int]) -> frozenset[int]:
    """HTTP statuses as a frozenset (a typed converter: ``frozenset`` itself loses the type)."""
    return frozenset(statuses)


@checked_keywords
@attrs.frozen
class RetryPolicy:
    """When to try a request again.

    Retried: connection failures (any method: nothing reached the server), read
    timeouts and broken responses on idempotent requests, and the statuses in
    ``statuses`` on idempotent requests. A POST or PATCH counts as idempotent only
    when the service declares an idempotency-key header (a fresh key per call,
    reused across its retries) or the caller passes ``idempotent=True``; otherwise
    only a 429 is retried for it, since the server refused it outright.

    Waits grow exponentially from ``backoff`` up to ``backoff_cap``, with jitter.
    A ``Retry-After`` answer (seconds or an HTTP date) sets the wait instead; if it
    asks for more than ``max_retry_after`` seconds the error is raised at once.

    Example:
        >>> RetryPolicy(retries=5, backoff=0.2, backoff_cap=10)
    """

    retries: int = attrs.field(default=2, validator=_non_negative)
    backoff: float = attrs.field(default=0.5, validator=_non_negative)
    backoff_cap: float = attrs.field(default=8.0, validator=_non_negative)
    max_retry_after: float = attrs.field(default=60.0, validator=_non_negative)
    statuses: frozenset[int] = attrs.field(
        default=frozenset({408, 429, 500, 502, 503, 504}), converter=status_set
    )
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, eq=False, repr=False)
    rng: random.Random = attrs.field(factory=random.Random, eq=False, repr=False)

    def should_retry(
        self,
        attempt: int,
        *,
        idempotent: bool,
        status: int | None = None,
        failure: Failure | None = None,
    ) -> bool:
        """Whether attempt number ``attempt`` (0-based) may be followed by another."""
        if attempt >= self.retries:
            return False
        if failure == "connect":
            return True
        if failure is not None:
            return idempotent
        if status is None or status not in self.statuses:
            return False
        return idempotent or status == 429

    def delay(self, attempt: int) -> float:
        """The backoff before retry ``attempt + 1``: exponential, capped, jittered."""
        ceiling = min(self.backoff_cap, self.backoff * (2**attempt))
        return float(ceiling / 2 + self.rng.uniform(0, ceiling / 2))


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date, read
    against ``now``, a Unix time, by default the clock's).

    A value that is neither (or a date no calendar holds) is ``None``, as if absent.
    """
    value = headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        seconds = float(value)
    else:
        try:  # a hostile date (a year or zone beyond any calendar) counts as absent
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        seconds = when - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
