"""``clientkit demo``: the embedded Clappform sandbox and a short real session against it
through the command itself (list, get, update, export), printing each step."""

from __future__ import annotations

import os
import shlex
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from clientkit.cli.profiles import env_prefix
from clientkit.cli.runner import invoke
from clientkit.cli.serve import start
from clientkit.cli.suggestion import accepted


def steps(export: Path) -> list[list[str]]:
    """The commands the demo runs, as a user would type them."""
    app = ["clappform", "app"]
    return [
        [*app, "list"],
        [*app, "get", "uspresidents"],
        [*app, "update", "uspresidents", "--set", "name=US Presidents (edited)", "-o", "json"],
        [*app, "export", "--to", str(export)],
    ]


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _report(sandbox: Any) -> None:
    click.secho("\nwhat the sandbox received:", bold=True)
    for entry in sandbox.journal:
        body = entry.json if entry.method in ("POST", "PUT", "PATCH") else None
        shown = "" if body is None or entry.path.endswith("/auth") else f" {body}"
        click.echo(f"  {entry.method} {entry.path}{'?' + entry.query if entry.query else ''}{shown}")


@click.command("demo")
def demo_command() -> None:
    """Start the embedded Clappform sandbox and use it through the command."""
    root = click.get_current_context().find_root().command
    service, sandbox = start("clappform", {})
    url = sandbox.start() + sandbox.prefix
    prefix = env_prefix("clappform")
    given = {"base_url": url, **accepted(service, sandbox.accounts)}
    env = {f"{prefix}{k.upper()}": v for k, v in given.items()}
    click.secho(f"The Clappform sandbox runs on {url}; the command connects with:", bold=True)
    for key, value in env.items():
        click.echo(f"  export {key}={shlex.quote(value)}")
    try:
        with tempfile.TemporaryDirectory() as folder, _environment(env):
            for argv in steps(Path(folder) / "apps.csv"):
                click.secho(f"\n$ clientkit {shlex.join(argv)}", bold=True)
                if invoke(root, argv) != 0:
                    raise click.ClickException(f"the step 'clientkit {shlex.join(argv)}' failed")
            click.echo((Path(folder) / "apps.csv").read_text("utf-8"), nl=False)
        _report(sandbox)
    finally:
        sandbox.stop()
        sandbox.store.close()
