"""Progress bars on standard error, hidden unless asked for or on a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from clientkit.cli.progress import bar
from clientkit.jobs import Progress


def test_a_bar_counts_and_reports() -> None:
    out = io.StringIO()
    console = Console(file=out, width=100)
    with bar(console, "exporting", 3, shown=True) as progress:
        for _ in range(3):
            progress.advance()
    assert "exporting" in out.getvalue() and "3/3" in out.getvalue()
    with bar(console, "download", None, shown=True, bytes_=True) as progress:
        progress.report(Progress(2048, 4096))
    assert "2.0/4.1 kB" in out.getvalue()


def test_a_hidden_bar_prints_nothing() -> None:
    out = io.StringIO()
    with bar(Console(file=out), "x", 1, shown=False) as progress:
        progress.advance()
    assert out.getvalue() == ""
