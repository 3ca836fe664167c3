"""Bounded concurrent work: ordered outcomes, per-item errors, a window of items in flight."""

from clientkit._client.bulk import (
    Outcome,
    chunks,
    run,
)

__all__ = [
    "Outcome",
    "chunks",
    "run",
]
