"""The deadline of the long operation a call is made within (bulk work, a concurrent
walk), for calls that cannot be handed it: user code calling ``session.get`` in a worker.

The transport meets the ambient deadline as well as the call's own, and so does every
:class:`~clientkit._client.bounds.Bounds` (a job's wait, say), so every request made inside
bulk work ends when the work's deadline passes, however ``fn`` makes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("clientkit_ambient_deadline", default=None)


def earliest(a: float | None, b: float | None) -> float | None:
    """The earlier of two ``time.monotonic()`` instants (``None``: no deadline)."""
    if a is None:
        return b
    return a if b is None else min(a, b)


def ambient_deadline() -> float | None:
    """The deadline every call in this thread must meet, if any."""
    return _deadline.get()


@contextmanager
def ambient(deadline: float | None) -> Iterator[None]:
    """Calls made inside (in this thread) meet ``deadline`` too, and any outer one."""
    token = _deadline.set(earliest(deadline, _deadline.get()))
    try:
        yield
    finally:
        _deadline.reset(token)
