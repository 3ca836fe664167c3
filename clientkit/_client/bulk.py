"""Bounded concurrent work over many items: ordered results, per-item errors, chunks."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any, Generic, TypeVar

import attrs

from clientkit._declarations.errors import InvalidRequestError

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
    progress: Callable[[Outcome[T, R]], Any] | None = None,
) -> Iterator[Outcome[T, R]]:
    """Apply ``fn`` to every item on up to ``workers`` threads; yield outcomes in order.

    At most ``window`` (default ``2 * workers``) items are in flight or waiting to be
    yielded. An error in one item is reported in its outcome and does not stop the others.
    Closing the iterator early cancels what has not started.
    """
    if workers < 1:
        raise InvalidRequestError(f"workers must be at least 1, not {workers}")
    limit = window or 2 * workers
    source = iter(enumerate(items))
    pending: deque[tuple[int, T, Future[R]]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clientkit-bulk") as pool:
        try:
            for index, item in islice(source, limit):
                pending.append((index, item, pool.submit(fn, item)))
            while pending:
                index, item, future = pending.popleft()
                try:
                    outcome: Outcome[T, R] = Outcome(index, item, result=future.result())
                except Exception as exc:
                    outcome = Outcome(index, item, error=exc)
                for next_index, next_item in islice(source, 1):
                    pending.append((next_index, next_item, pool.submit(fn, next_item)))
                if progress is not None:
                    progress(outcome)
                yield outcome
        finally:
            for _, _, future in pending:
                future.cancel()
