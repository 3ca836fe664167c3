"""RetryPolicy: exponential backoff, capped and jittered; Retry-After parsed."""

from __future__ import annotations

from clientkit import RetryPolicy


def test_backoff_is_exponential_capped_and_jittered() -> None:
    p = RetryPolicy(backoff=1.0, backoff_cap=8.0)
    for attempt, ceiling in [(0, 1), (1, 2), (2, 4), (3, 8), (6, 8)]:
        delays = {p.delay(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered
