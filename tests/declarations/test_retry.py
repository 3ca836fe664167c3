"""RetryPolicy: exponential backoff, capped and jittered; Retry-After parsed."""

from __future__ import annotations

import pytest

from clientkit import RetryPolicy
from clientkit._declarations.retry import parse_retry_after


def test_backoff_is_exponential_capped_and_jittered() -> None:
    p = RetryPolicy(backoff=1.0, backoff_cap=8.0)
    for attempt, ceiling in [(0, 1), (1, 2), (2, 4), (3, 8), (6, 8)]:
        delays = {p.delay(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


def test_which_failures_and_statuses_are_retried() -> None:
    p = RetryPolicy(retries=2)
    assert p.should_retry(0, idempotent=False, failure="connect")  # never reached the server
    assert not p.should_retry(0, idempotent=False, failure="read")  # a write may have landed
    assert p.should_retry(0, idempotent=True, failure="read")
    assert p.should_retry(1, idempotent=True, status=503)
    assert not p.should_retry(2, idempotent=True, status=503)  # the retries are spent
    assert not p.should_retry(0, idempotent=True, status=404)
    assert p.should_retry(0, idempotent=False, status=429)  # nothing was done: safe to repeat
    assert not p.should_retry(0, idempotent=False, status=503)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5", 5.0),
        (" 0 ", 0.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # a date past: no wait
        ("soon", None),
        ("1e3", None),
        ("inf", None),
        ("Wed, 21 Oct 99999 07:28:00 GMT", None),
    ],
)
def test_retry_after_in_seconds_or_as_a_date(value: str, seconds: float | None) -> None:
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert parse_retry_after({"Retry-After": value}, now=now) == seconds
