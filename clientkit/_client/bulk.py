"""Bounded concurrent work over many items: ordered results, per-item errors, chunks, and
the conventions of every long operation (one deadline, a cancel event, progress)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from itertools import islice
from typing import Any, Generic, TypeVar

import attrs

from clientkit._client.ambient import ambient, ambient_deadline, earliest
from clientkit._declarations.errors import Cancelled, InvalidRequestError, RequestTimeout
from clientkit._declarations.progress import Cancel, OnProgress, Progress, check_cancel, deadline_after

T = TypeVar("T")
R = TypeVar("R")
POLL = 0.05  # seconds between looks at the cancel event while waiting


@attrs.frozen
class Outcome(Generic[T, R]):
    """The fate of one item: its position, the item, and a result or an error."""

    index: int
    item: T
    result: R | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> R:
        """The result, or the error raised."""
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


@attrs.frozen
class Bounds:
    """What stops a long operation: its deadline (a ``time.monotonic()`` instant, the
    earlier of its own and the ambient one), its cancel event, and how its errors word it."""

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
        must end by the ambient deadline of an operation it is part of, if earlier)."""
        own = deadline_after(deadline, time.monotonic())
        due = earliest(own, ambient_deadline())
        return cls(due, cancel, deadline if due == own else None, what, unit, total)

    def left(self) -> float | None:
        """Seconds until the deadline (``None``: no deadline)."""
        return None if self.due is None else self.due - time.monotonic()

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.due is not None and time.monotonic() >= self.due

    def cut_off(self, error: BaseException | None) -> bool:
        """Whether ``error`` is a request cut off by this deadline (a socket's timeout may
        end a few microseconds before it: such a timeout waits for it)."""
        if not isinstance(error, RequestTimeout) or self.due is None:
            return False
        if self.due - time.monotonic() < POLL:
            time.sleep(max(0.0, self.due - time.monotonic()))
        return self.expired()

    def stopped(self) -> bool:
        """Whether the operation must stop: cancelled, or past its deadline."""
        return (self.cancel is not None and self.cancel.is_set()) or self.expired()

    def check(self, done: int) -> None:
        """Raise :class:`Cancelled` or :class:`RequestTimeout` when the operation must stop."""
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
        with ambient(self.due):
            try:
                yield
            except RequestTimeout as exc:
                if self.cut_off(exc):
                    self.check(done)
                raise

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


class _NotStarted(Exception):
    """An item whose turn came after its run was cancelled or past its deadline."""


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last may be shorter)."""
    if size < 1:
        raise InvalidRequestError(f"chunk size must be at least 1, not {size}")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def run(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int = 4,
    window: int | None = None,
    progress: OnProgress | None = None,
    deadline: float | None = None,
    cancel: Cancel | None = None,
) -> Iterator[Outcome[T, R]]:
    """Apply ``fn`` to every item on up to ``workers`` threads; yield outcomes in order.

    At most ``window`` (default ``2 * workers``) items are in flight or waiting to be
    yielded. An error in one item is reported in its outcome and does not stop the others.
    ``progress`` gets ``Progress(done, total, detail=outcome)`` for each outcome yielded
    (``total``: ``len(items)``, or ``None``). ``deadline`` (seconds, from this call) bounds
    the whole run and every request made inside ``fn``; once it passes, or ``cancel`` is
    set, no item starts, what is waiting is dropped and the iterator raises
    :class:`RequestTimeout` or :class:`Cancelled`. Closing the iterator early cancels what
    has not started.
    """
    if workers < 1:
        raise InvalidRequestError(f"workers must be at least 1, not {workers}")
    if window is not None and window < 1:
        raise InvalidRequestError(f"window must be at least 1, not {window}")
    total = len(items) if isinstance(items, Sized) else None
    bounds = Bounds.of(deadline, cancel, total=total)
    outcomes = run_within(bounds, fn, items, workers=workers, window=window)
    return outcomes if progress is None else _reporting(outcomes, progress, total)


def _reporting(
    outcomes: Iterator[Outcome[T, R]], progress: OnProgress, total: int | None
) -> Iterator[Outcome[T, R]]:
    try:
        for done, outcome in enumerate(outcomes, 1):
            progress(Progress(done, total, detail=outcome))
            yield outcome
    finally:
        outcomes.close()  # type: ignore[attr-defined]


def run_within(
    bounds: Bounds,
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    window: int | None = None,
    done: int = 0,
) -> Iterator[Outcome[T, R]]:
    """:func:`run` under ``bounds`` (the work of a pager's concurrent walk, say); ``done``
    units came before, for the errors' count."""
    source = iter(enumerate(items))
    pending: deque[tuple[int, T, Future[R]]] = deque()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clientkit-bulk")
    limit, left, stopped = window or 2 * workers, [True], False

    def start(item: T) -> R:
        if bounds.stopped():
            raise _NotStarted
        with ambient(bounds.due):
            return fn(item)

    def top_up() -> bool:
        """Start items up to the window; whether any is in flight or left to start."""
        while left[0] and len(pending) < limit and not bounds.stopped():
            nxt = next(source, None)
            if nxt is None:
                left[0] = False
            else:
                pending.append((nxt[0], nxt[1], pool.submit(start, nxt[1])))
        return bool(pending) or left[0]

    try:
        while top_up():
            check_cancel(bounds.cancel, bounds.what)
            if not pending:
                bounds.check(done)  # items left, none may start
                continue
            index, item, future = pending[0]
            bounds.wait(future, done)
            error = future.exception()  # an exception is never false
            if bounds.cut_off(error):
                bounds.check(done)  # cut off by the run's deadline: the run's timeout
            if isinstance(error, _NotStarted):
                bounds.check(done)
                pending[0] = (index, item, pool.submit(start, item))  # the cancel was cleared
                continue
            pending.popleft()
            top_up()  # the next item runs while this outcome is handled
            yield Outcome(index, item, error=error) if error else Outcome(index, item, future.result())
            done += 1
    except (Cancelled, RequestTimeout):
        stopped = True
        raise
    finally:
        for _, _, future in pending:
            future.cancel()
        pool.shutdown(wait=not stopped, cancel_futures=True)
