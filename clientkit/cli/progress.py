"""Progress bars (rich) for long listings, exports and downloads, on standard error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from clientkit.jobs import Progress as Done


class Bar:
    """One task of a rich progress display: ``advance`` by units, or ``report`` clientkit
    :class:`~clientkit.jobs.Progress` values (bytes of a download)."""

    def __init__(self, progress: Progress, label: str, total: int | None) -> None:
        self._progress = progress
        self._task = progress.add_task(label, total=total)

    def advance(self, units: int = 1) -> None:
        self._progress.advance(self._task, units)

    def report(self, done: Done) -> None:
        self._progress.update(self._task, completed=done.done, total=done.total)


@contextmanager
def bar(
    console: Console, label: str, total: int | None, *, shown: bool, bytes_: bool = False
) -> Iterator[Bar]:
    """A progress bar on ``console`` (standard error) while the block runs; hidden when not ``shown``."""
    counts = (DownloadColumn(), TransferSpeedColumn()) if bytes_ else (MofNCompleteColumn(),)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        *counts,
        TimeElapsedColumn(),
        console=console,
        disable=not shown,
    )
    with progress:
        yield Bar(progress, label, total)
