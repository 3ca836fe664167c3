"""What stops a long operation (bulk work, a concurrent walk, a job's wait): one deadline,
the earlier of its own and the ambient one of an operation it is part of, and a cancel
event; waits and sleeps that end at the deadline or as soon as the cancel is set; progress
reported as the operation's units are yielded."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from typing import Any, TypeVar

import attrs

from clientkit._client.ambient import ambient, ambient_cancel, ambient_deadline, earliest, either
from clientkit._declarations.errors import JobTimeout, RequestTimeout
from clientkit._declarations.progress import Cancel, OnProgress, Progress, check_cancel, deadline_after

T = TypeVar("T")
POLL = 0.05  # seconds between looks at a cancel that cannot be waited on


@attrs.define
class Bounds:
    """The deadline (a ``time.monotonic()`` instant) and cancel event of one long operation,
    and how its errors word it: ``what`` it is, its ``unit`` and, once known, their ``total``."""

    due: float | None
    cancel: Cancel | None = None
    seconds: float | None = None
    what: str = "bulk work"
    unit: str = "items"
    total: int | None = None

    @classmethod
    def of(
        cls,
        deadline: float | None,
        cancel: Cancel | None,
        *,
        what: str = "bulk work",
        unit: str = "items",
        total: int | None = None,
    ) -> Bounds:
        """The bounds of an operation starting now that may take ``deadline`` seconds (and
        must end by the ambient deadline of an operation it is part of, if earlier, and stop
        when its ambient cancel is set)."""
        own = deadline_after(deadline, time.monotonic())
        due = earliest(own, ambient_deadline())
        stop = either(cancel, ambient_cancel())
        return cls(due, stop, deadline if due == own else None, what, unit, total)

    def left(self) -> float | None:
        """Seconds until the deadline (``None``: no deadline)."""
        return None if self.due is None else self.due - time.monotonic()

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.due is not None and time.monotonic() >= self.due

    def cancelled(self) -> bool:
        """Whether the cancel event is set."""
        return self.cancel is not None and self.cancel.is_set()

    def stopped(self) -> bool:
        """Whether the operation must stop: cancelled, or past its deadline."""
        return self.cancelled() or self.expired()

    def cut_off(self, error: BaseException | None) -> bool:
        """Whether ``error`` is a request (or a job's wait) cut off by this deadline (a
        socket's timeout may end a few microseconds before it: such a timeout waits for it)."""
        if not isinstance(error, RequestTimeout | JobTimeout) or self.due is None:
            return False
        if self.due - time.monotonic() < POLL:
            time.sleep(max(0.0, self.due - time.monotonic()))
        return self.expired()

    def check(self, done: int) -> None:
        """Raise :class:`Cancelled` or :class:`RequestTimeout` when the operation must stop;
        ``done`` units are done, for the message."""
        check_cancel(self.cancel, self.what)
        if self.expired():
            budget = "the deadline of the work it is part of"
            if self.seconds is not None:
                budget = f"{self.seconds:g}s"
            of = f" of {self.total}" if self.total is not None else ""
            raise RequestTimeout(f"{self.what} took longer than {budget}; {done}{of} {self.unit} done")

    @contextmanager
    def step(self, done: int) -> Iterator[None]:
        """One step of the operation, in this thread, within its bounds: checked first, its
        requests meet the deadline, and one cut off by it raises the operation's timeout."""
        self.check(done)
        with ambient(self.due, self.cancel):
            try:
                yield
            except RequestTimeout as exc:
                if self.cut_off(exc):
                    self.check(done)
                raise

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, never past the deadline; a set cancel ends the wait at once
        (a cancel without ``wait()`` is looked at every :data:`POLL` seconds)."""
        left = self.left()
        if left is not None:
            seconds = min(seconds, left)
        if seconds <= 0:
            return
        seconds = min(seconds, threading.TIMEOUT_MAX)
        cancel = self.cancel
        if cancel is None:
            time.sleep(seconds)
            return
        waiter = getattr(cancel, "wait", None)
        if callable(waiter):
            waiter(seconds)
            return
        until = time.monotonic() + seconds
        while not cancel.is_set() and (now := time.monotonic()) < until:
            time.sleep(min(POLL, until - now))

    def wait(self, future: Future[Any], done: int) -> None:
        """Wait for ``future``, looking at the cancel event every :data:`POLL` seconds;
        raise as :meth:`check` does once the operation must stop."""
        while not future.done():
            self.check(done)
            left = self.left()
            timeout = POLL if self.cancel is not None else left
            if left is not None and timeout is not None:
                timeout = min(timeout, max(left, 0.0))
            wait([future], timeout=timeout, return_when=FIRST_COMPLETED)


def reporting(items: Iterator[T], progress: OnProgress | None, bounds: Bounds) -> Iterator[T]:
    """The ``items``, each reported as it is yielded: ``Progress(done so far, bounds.total,
    detail=item)``. Closing this closes ``items`` (a generator)."""
    try:
        for done, item in enumerate(items, 1):
            if progress is not None:
                progress(Progress(done, bounds.total, detail=item))
            yield item
    finally:
        close = getattr(items, "close", None)
        if callable(close):
            close()
