"""What the transport does next, decided from plain values (what was sent and what came
back) and free of I/O, so a second (async) transport can reuse them as they are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from urllib.parse import urljoin, urlsplit

import attrs

from clientkit._declarations.errors import InvalidRequestError, RedirectError, redacted_cause
from clientkit._declarations.redaction import redact_url
from clientkit._declarations.retry import Failure, RetryPolicy, parse_retry_after

REDIRECTS = frozenset({301, 302, 303, 307, 308})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
Origin = tuple[str, str, int | None]
Outcome = Literal["answer", "redirect", "renew", "retry", "fail"]


@attrs.frozen
class Verdict:
    """What a response means: its ``outcome``; for a retry, the ``delay`` before it; for
    a failure, ``why`` a retryable status was not retried (a ``Retry-After`` too long)."""

    outcome: Outcome
    delay: float = 0.0
    why: str = ""


@attrs.frozen
class Hop:
    """A redirect to follow: the target ``url`` and whether it is on the service's origin
    (only then does it carry credentials and the caller's headers)."""

    url: str
    own: bool


def origin_of(url: str) -> Origin:
    """``(scheme, host, port)`` with default ports made explicit."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidRequestError(f"invalid URL: {exc}") from redacted_cause(exc)
    scheme = parts.scheme.lower()
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return (scheme, (parts.hostname or "").lower(), port)


def capped(delay: float, left: float | None) -> float:
    """``delay`` cut to the time ``left`` before the deadline (``None``: no deadline)."""
    return delay if left is None else max(0.0, min(delay, left))


def retry_failure(
    policy: RetryPolicy,
    attempt: int,
    failure: Failure | None,
    *,
    idempotent: bool,
    replayable: bool,
    left: float | None,
) -> float | None:
    """Seconds to wait before retrying an attempt that failed with ``failure``; ``None``
    to give up (no failure kind, a body that cannot be sent again, or the policy says no)."""
    if failure is None or not replayable:
        return None
    if not policy.should_retry(attempt, idempotent=idempotent, failure=failure):
        return None
    return capped(policy.delay(attempt), left)


def retry_status(
    policy: RetryPolicy,
    attempt: int,
    status: int,
    headers: Mapping[str, str],
    *,
    idempotent: bool,
    replayable: bool,
    left: float | None,
    now: float | None = None,
) -> float | None:
    """Seconds to wait before retrying after ``status``; ``None`` to give up. A
    ``Retry-After`` longer than the policy allows, or than the time ``left``, is not waited
    (a date in it is read against ``now``, a Unix time, by default the clock's)."""
    value = header(headers, "Retry-After")
    retry_after = None if value is None else parse_retry_after({"Retry-After": value}, now)
    if retry_after is not None and (
        retry_after > policy.max_retry_after or (left is not None and retry_after > left)
    ):
        return None
    if not replayable or not policy.should_retry(attempt, idempotent=idempotent, status=status):
        return None
    return capped(policy.delay(attempt) if retry_after is None else retry_after, left)


def judge(
    status: int,
    headers: Mapping[str, str],
    *,
    policy: RetryPolicy,
    attempt: int,
    idempotent: bool,
    replayable: bool,
    may_renew: bool,
    left: float | None,
    now: float | None = None,
) -> Verdict:
    """What a response means for its call: a redirect to follow, a 401 to renew the
    credential for, a status to retry (after the verdict's delay), a failure, or the answer.
    ``headers`` is case-insensitive (as a response's are)."""
    if status in REDIRECTS and header(headers, "Location") is not None:
        return Verdict("redirect")
    if status == 401 and may_renew:
        return Verdict("renew")
    if status < 400 and status not in policy.statuses:
        return Verdict("answer")
    delay = retry_status(
        policy, attempt, status, headers, idempotent=idempotent, replayable=replayable, left=left, now=now
    )
    if delay is not None:
        return Verdict("retry", delay)
    if status < 400:
        return Verdict("answer")
    return Verdict("fail", why=refused_wait(policy, status, headers, left=left, now=now))


def refused_wait(
    policy: RetryPolicy,
    status: int,
    headers: Mapping[str, str],
    *,
    left: float | None,
    now: float | None = None,
) -> str:
    """Why a retryable ``status`` was not retried for its ``Retry-After``: a wait longer
    than the policy's ``max_retry_after`` or than the time ``left`` ("" if neither)."""
    value = header(headers, "Retry-After")
    seconds = None if value is None else parse_retry_after({"Retry-After": value}, now)
    if seconds is None or status not in policy.statuses:
        return ""
    if seconds > policy.max_retry_after:
        limit = f"the retry policy's max_retry_after of {policy.max_retry_after:g}s"
    elif left is not None and seconds > left:
        limit = f"the {left:.1f}s left before the call's deadline"
    else:
        return ""
    return f"not retried: the server asked to wait {seconds:g}s (Retry-After), more than {limit}"


def hop(
    method: str, url: str, answer: tuple[int, str, str], hops: int, limit: int, origin: Origin
) -> Hop | RedirectError:
    """Where a redirect of ``url`` goes, given the ``(status, response URL, Location)`` of
    its ``answer`` (the location resolved against the response URL), or why it is not
    followed: a write is not re-sent elsewhere, nor is a hop past ``limit`` or to a
    ``location`` that is not a URL."""
    status, base, location = answer
    try:
        target = urljoin(base, location)
        own = origin_of(target) == origin
    except ValueError as exc:  # "http://[::1", a port out of range
        error = RedirectError(
            f"the server redirected to a location that is not a URL: {exc}", method=method, url=url
        )
        error.__cause__ = redacted_cause(exc)
        return error
    if method not in SAFE_METHODS:
        return RedirectError(
            f"the server redirected a {method} ({status}) to {redact_url(target)}; "
            "writes are not re-sent to another location",
            method=method,
            url=url,
        )
    if hops >= limit:
        return RedirectError(f"more than {limit} redirects", method=method, url=url)
    return Hop(target, own)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name``, whatever the spelling of its name in ``headers``."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value
