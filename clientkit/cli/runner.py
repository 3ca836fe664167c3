"""Running a command tree once: logging as ``CLIENTKIT_LOG`` asks, a fresh :class:`State`,
and every failure turned into a line and an exit status."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console

from clientkit.cli.failures import guarded
from clientkit.cli.logs import configure
from clientkit.cli.output import UNWRAPPED
from clientkit.cli.state import State


def invoke(root: click.Command, argv: Sequence[str]) -> int:
    """Run ``root`` with ``argv``; returns the exit status instead of exiting."""
    err = Console(stderr=True)
    out = Console(soft_wrap=False)
    if not out.is_terminal:  # a pipe or a file: tables are not squeezed to a terminal's width
        out = Console(soft_wrap=False, width=UNWRAPPED)
    state = State(out=out, err=err, progress=False)

    def main() -> Any:
        configure(os.environ)
        return root.main(list(argv), prog_name="clientkit", standalone_mode=False, obj=state)

    return guarded(err, main, debug=os.environ.get("CLIENTKIT_LOG", "").strip().lower() == "debug")
