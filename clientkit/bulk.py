"""Bounded concurrent work: ordered outcomes, per-item errors, a window of items in flight,
one deadline, a cancel event and progress (:class:`Progress`, whose ``detail`` is the
:class:`Outcome`)."""

from clientkit._client.bulk import (
    Outcome,
    chunks,
    run,
)
from clientkit._declarations.progress import Progress

__all__ = [
    "Outcome",
    "Progress",
    "chunks",
    "run",
]
