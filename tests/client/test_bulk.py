"""Bounded concurrent work: ordered outcomes, per-item errors, lazy pulling, chunks."""

from __future__ import annotations

import threading
import time

import pytest

from clientkit._client.bulk import chunks, run
from clientkit.errors import InvalidRequestError


def test_run_keeps_order_reports_errors_and_bounds_concurrency() -> None:
    active, peak, lock = 0, 0, threading.Lock()

    def work(n: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.01 * (n % 3))
        with lock:
            active -= 1
        if n == 7:
            raise ValueError("seven")
        return n * n

    seen: list[int] = []
    outcomes = list(run(work, range(20), workers=4, progress=lambda o: seen.append(o.index)))
    assert [o.index for o in outcomes] == list(range(20)) == seen
    assert [o.result for o in outcomes if o.ok] == [n * n for n in range(20) if n != 7]
    failed = [o for o in outcomes if not o.ok]
    assert len(failed) == 1 and failed[0].item == 7 and str(failed[0].error) == "seven"
    with pytest.raises(ValueError, match="seven"):
        failed[0].unwrap()
    assert peak <= 4


def test_run_pulls_items_lazily() -> None:
    pulled: list[int] = []

    def source() -> object:
        for i in range(1000):
            pulled.append(i)
            yield i

    iterator = run(lambda n: n, source(), workers=2, window=4)
    assert next(iterator).result == 0
    assert len(pulled) <= 6
    iterator.close()


def test_chunks() -> None:
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    with pytest.raises(InvalidRequestError):
        list(chunks([], 0))
