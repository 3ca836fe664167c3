"""Bounded concurrent work: ordered outcomes, per-item errors, a window of items in flight,
one deadline, a cancel event and progress (:class:`Progress`, whose ``detail`` is the
:class:`Outcome`); ``completed`` gathers the results, or reports the items that failed
(:class:`Incomplete`)."""

from clientkit._client.bulk import (
    Incomplete,
    Outcome,
    chunks,
    completed,
    run,
)
from clientkit._declarations.progress import Progress

__all__ = [
    "Incomplete",
    "Outcome",
    "Progress",
    "chunks",
    "completed",
    "run",
]
