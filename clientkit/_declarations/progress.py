"""The conventions every long operation shares (a download, an upload, a job's wait, bulk
work): one overall ``deadline`` in seconds, a ``cancel`` event, and a ``progress``
callback that receives :class:`Progress`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import attrs

from clientkit._declarations.errors import Cancelled, InvalidRequestError


@attrs.frozen
class Progress:
    """How far a long operation is: ``done`` units (bytes, items, polls) of ``total``
    (``None`` when unknown); ``detail`` is what the unit was (a job's status, an outcome)."""

    done: int
    total: int | None = None
    detail: Any = None

    @property
    def fraction(self) -> float | None:
        """``done / total``, when the total is known and not zero."""
        return self.done / self.total if self.total else None


OnProgress = Callable[[Progress], object]


class Cancel(Protocol):
    """What stops a long operation: a :class:`threading.Event`, or anything with ``is_set``."""

    def is_set(self) -> bool: ...


def deadline_after(seconds: float | None, now: float) -> float | None:
    """The ``time.monotonic()`` instant ``seconds`` after ``now`` (``None``: no deadline)."""
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
        raise InvalidRequestError(f"a deadline is a positive number of seconds, not {seconds!r}")
    return now + float(seconds)


def check_cancel(cancel: Cancel | None, what: str) -> None:
    """Raise :class:`Cancelled` when ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"{what} was cancelled")
