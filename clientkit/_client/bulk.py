"""Bounded concurrent work over many items: ordered results, per-item errors, chunks,
under the :class:`~clientkit._client.bounds.Bounds` of every long operation."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any, Generic, TypeVar

import attrs

from clientkit._client.ambient import ambient, either
from clientkit._client.bounds import Bounds, reporting
from clientkit._declarations.errors import Cancelled, ClientKitError, InvalidRequestError
from clientkit._declarations.progress import Cancel, OnProgress, check_cancel

T = TypeVar("T")
R = TypeVar("R")


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


class Incomplete(ClientKitError):
    """Bulk work in which some items failed, raised once every item ran: ``failed`` holds
    their outcomes, ``results`` the results of the others, in order."""

    def __init__(self, message: str, *, failed: list[Outcome[Any, Any]], results: list[Any]) -> None:
        super().__init__(message)
        self.failed = failed
        self.results = results


def completed(
    outcomes: Iterable[Outcome[T, R]], *, name: Callable[[Outcome[T, R]], str] = lambda o: f"#{o.index}"
) -> list[R]:
    """Every result of ``outcomes`` in order, once all are in; if some failed,
    :class:`Incomplete` naming each (``name(outcome)``) and the first error."""
    results: list[R] = []
    failed: list[Outcome[T, R]] = []
    for outcome in outcomes:
        if outcome.error is None:
            results.append(outcome.result)  # type: ignore[arg-type]
        else:
            failed.append(outcome)
    if failed:
        names, total = ", ".join(map(name, failed)), len(failed) + len(results)
        message = f"{len(failed)} of {total} failed ({names}); the first: {failed[0].error}"
        raise Incomplete(message, failed=failed, results=results)
    return results


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
    :class:`RequestTimeout` or :class:`Cancelled`. Closing the iterator early stops the run
    the same way. Either way the iterator returns at once, without waiting for the items in
    flight: their requests (and streams, downloads, job waits) made through clientkit are
    cut at their next check, and their results are dropped.
    """
    if workers < 1:
        raise InvalidRequestError(f"workers must be at least 1, not {workers}")
    if window is not None and window < 1:
        raise InvalidRequestError(f"window must be at least 1, not {window}")
    total = len(items) if isinstance(items, Sized) else None
    bounds = Bounds.of(deadline, cancel, total=total)
    outcomes = run_within(bounds, fn, items, workers=workers, window=window)
    return outcomes if progress is None else reporting(outcomes, progress, bounds)


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
    limit, left = window or 2 * workers, [True]
    ended = threading.Event()  # the run is over (finished, cancelled, timed out or closed)
    stop = either(bounds.cancel, ended)

    def start(item: T) -> R:
        if bounds.stopped() or ended.is_set():
            raise _NotStarted
        with ambient(bounds.due, stop):
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
            if bounds.cut_off(error) or (isinstance(error, Cancelled) and bounds.cancelled()):
                bounds.check(done)  # cut off by the run's deadline or cancel: the run's error
            if isinstance(error, _NotStarted):
                bounds.check(done)
                pending[0] = (index, item, pool.submit(start, item))  # the cancel was cleared
                continue
            pending.popleft()
            top_up()  # the next item runs while this outcome is handled
            yield Outcome(index, item, error=error) if error else Outcome(index, item, future.result())
            done += 1
    finally:
        ended.set()  # what is in flight is cut at its next check; nobody waits for it
        for _, _, future in pending:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
