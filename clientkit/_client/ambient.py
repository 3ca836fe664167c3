"""The deadline and cancel event of the long operation a call is made within (bulk work, a
concurrent walk), for calls that cannot be handed them: user code calling ``session.get``
in a worker.

The transport meets the ambient deadline as well as the call's own and looks at the ambient
cancel before each attempt; streams and downloads look at it as their bytes arrive; and
every :class:`~clientkit._client.bounds.Bounds` (a job's wait, say) takes both, so every
request made inside bulk work ends when the work's deadline passes or it is cancelled,
however ``fn`` makes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from clientkit._declarations.progress import Cancel

_deadline: ContextVar[float | None] = ContextVar("clientkit_ambient_deadline", default=None)
_cancels: ContextVar[tuple[Cancel, ...]] = ContextVar("clientkit_ambient_cancels", default=())


class AnyOf:
    """Set as soon as any of its cancel events is."""

    def __init__(self, cancels: tuple[Cancel, ...]) -> None:
        self.cancels = cancels

    def is_set(self) -> bool:
        return any(cancel.is_set() for cancel in self.cancels)


def earliest(a: float | None, b: float | None) -> float | None:
    """The earlier of two ``time.monotonic()`` instants (``None``: no deadline)."""
    if a is None:
        return b
    return a if b is None else min(a, b)


def either(a: Cancel | None, b: Cancel | None) -> Cancel | None:
    """A cancel set when ``a`` or ``b`` is (``None``: neither can be)."""
    if a is None or b is None or a is b:
        return a if b is None else b
    return AnyOf((a, b))


def ambient_deadline() -> float | None:
    """The deadline every call in this thread must meet, if any."""
    return _deadline.get()


def ambient_cancel() -> Cancel | None:
    """The cancel event every call in this thread stops at, if any."""
    cancels = _cancels.get()
    if not cancels:
        return None
    return cancels[0] if len(cancels) == 1 else AnyOf(cancels)


@contextmanager
def ambient(deadline: float | None, cancel: Cancel | None = None) -> Iterator[None]:
    """Calls made inside (in this thread) meet ``deadline`` and stop at ``cancel`` too, and
    at any outer ones."""
    token = _deadline.set(earliest(deadline, _deadline.get()))
    cancels = _cancels.set(_cancels.get() + ((cancel,) if cancel is not None else ()))
    try:
        yield
    finally:
        _cancels.reset(cancels)
        _deadline.reset(token)
