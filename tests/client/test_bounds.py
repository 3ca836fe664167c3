"""The bounds of a long operation: one deadline (its own or the ambient one, the earlier),
a cancel that ends a sleep at once, the operation's timeout and progress reporting."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from clientkit._client.ambient import ambient
from clientkit._client.bounds import Bounds, reporting
from clientkit._declarations.progress import Progress
from clientkit.errors import Cancelled, InvalidRequestError, JobTimeout, RequestTimeout


class Flagged:
    """A cancel without ``wait()``: set from a moment on."""

    def __init__(self, after: float) -> None:
        self.at = time.monotonic() + after

    def is_set(self) -> bool:
        return time.monotonic() >= self.at


def test_the_deadline_is_the_earlier_of_its_own_and_the_ambient_one() -> None:
    assert Bounds.of(None, None).due is None and Bounds.of(None, None).left() is None
    own = Bounds.of(10, None)
    assert own.seconds == 10 and 9 < (own.left() or 0) <= 10
    with ambient(time.monotonic() + 2):
        outer = Bounds.of(10, None)
        assert outer.seconds is None and (outer.left() or 0) <= 2  # the outer one is earlier
        inner = Bounds.of(1, None)
        assert inner.seconds == 1
        assert Bounds.of(None, None).due is not None  # no deadline of its own: the ambient one
    with pytest.raises(InvalidRequestError, match="positive number of seconds"):
        Bounds.of(0, None)


def test_check_raises_the_operations_timeout_or_cancelled() -> None:
    bounds = Bounds(time.monotonic() - 1, seconds=5, what="fetching pages", unit="pages", total=40)
    assert bounds.expired() and bounds.stopped() and not bounds.cancelled()
    with pytest.raises(RequestTimeout, match="fetching pages took longer than 5s; 7 of 40 pages done"):
        bounds.check(7)
    with pytest.raises(RequestTimeout, match="longer than the deadline of the work it is part of; 3 items"):
        Bounds(time.monotonic() - 1).check(3)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled, match="bulk work was cancelled"):
        Bounds(None, stop).check(0)


def test_sleep_never_outlasts_the_deadline() -> None:
    bounds = Bounds.of(0.2, None)
    began = time.monotonic()
    bounds.sleep(30)
    assert 0.1 < time.monotonic() - began < 2.0 and bounds.expired()
    bounds.sleep(30)  # past it: no wait at all
    assert time.monotonic() - began < 2.0


@pytest.mark.parametrize("kind", ["event", "no wait()"])
def test_sleep_ends_when_the_cancel_is_set(kind: str) -> None:
    cancel: threading.Event | Flagged
    if kind == "event":
        cancel = threading.Event()
        threading.Timer(0.2, cancel.set).start()
    else:
        cancel = Flagged(0.2)
    began = time.monotonic()
    Bounds.of(None, cancel).sleep(30)
    assert time.monotonic() - began < 2.0 and cancel.is_set()


def test_a_timeout_at_the_deadline_is_cut_off_by_it() -> None:
    bounds = Bounds(time.monotonic() - 0.01)
    assert bounds.cut_off(RequestTimeout("cut")) and bounds.cut_off(JobTimeout("cut"))
    assert not bounds.cut_off(ValueError("other")) and not bounds.cut_off(None)
    assert not Bounds.of(30, None).cut_off(RequestTimeout("the call's own timeout"))


def test_reporting_counts_what_is_yielded_against_the_total_once_known() -> None:
    closed: list[bool] = []
    bounds = Bounds(None)

    def source() -> Iterator[str]:
        try:
            yield "a"
            bounds.total = 3  # learnt on the way, as a concurrent walk does
            yield "b"
            yield "c"
        finally:
            closed.append(True)

    seen: list[Progress] = []
    items = reporting(source(), seen.append, bounds)
    assert next(items) == "a" and next(items) == "b"
    items.close()
    assert closed == [True]
    assert seen == [Progress(1, None, detail="a"), Progress(2, 3, detail="b")]
    assert list(reporting(iter(["x"]), None, bounds)) == ["x"]
