"""Long-running jobs: the declaration (:class:`Job`, :class:`Flag`), the status a poll reads
(:class:`JobStatus`) and the progress a wait reports (see docs/jobs.md)."""

from clientkit._declarations.jobs import (
    Flag,
    Job,
    JobStatus,
)
from clientkit._declarations.progress import Progress

__all__ = [
    "Flag",
    "Job",
    "JobStatus",
    "Progress",
]
