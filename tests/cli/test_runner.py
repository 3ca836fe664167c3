"""Running the command tree once: a fresh state each time, failures as statuses."""

from __future__ import annotations

import click

from clientkit.cli.runner import invoke
from clientkit.cli.state import State
from clientkit.errors import InvalidRequestError


@click.group()
def root() -> None:
    """A tree of two commands."""


@root.command()
@click.pass_obj
def fine(state: State) -> None:
    state.out.print("fine")


@root.command()
def refused() -> None:
    raise InvalidRequestError("refused here")


def test_statuses_and_what_is_printed(capsys) -> None:
    assert invoke(root, ["fine"]) == 0
    assert capsys.readouterr().out == "fine\n"
    assert invoke(root, ["refused"]) == 1
    assert capsys.readouterr().err == "clientkit: error: InvalidRequestError: refused here\n"
    assert invoke(root, ["missing"]) == 2
    assert invoke(root, ["--help"]) == 0
