"""A resource's declared actions as commands; those answering files are downloads."""

from __future__ import annotations

import sys
from typing import Any

import click

from clientkit import Resource
from clientkit.cli.output import FORMATS, print_value
from clientkit.cli.pathvalues import path_values
from clientkit.cli.progress import bar
from clientkit.cli.state import State
from clientkit.cli.values import json_body, pairs
from clientkit.errors import InvalidRequestError
from clientkit.model import ResourceSpec, spec_of

FILES = ("bytes", "stream")


def on_one(spec: ResourceSpec, name: str) -> bool:
    """Whether the action's path names the record's identity (else it is on the collection)."""
    return bool(spec.identity) and set(spec.identity) <= set(spec.template(name).names)


def _path(state: State, cls: type[Resource], name: str, ids: tuple[str, ...],
          paths: tuple[str, ...]) -> dict[str, Any]:  # fmt: skip
    spec = spec_of(cls)
    wanted = spec.identity if on_one(spec, name) else ()
    if len(ids) != len(wanted):
        names = " ".join(n.upper() for n in wanted) or "no identity"
        given = f"give {len(wanted)} value(s), not {len(ids)}"
        raise InvalidRequestError(f"{spec.name} {name} takes {names}: {given}")
    return {**path_values(state, cls, name, paths, filled=wanted), **dict(zip(wanted, ids, strict=True))}


def action_command(cls: type[Resource], name: str, command: str) -> click.Command:
    spec = spec_of(cls)
    method, template = spec.actions[name]
    kind = spec.answers[name].kind if name in spec.answers else "json"

    @click.command(command, help=f"The declared action {name}: {method} {template.template}.")
    @click.argument("ids", nargs=-1, metavar="[ID]...")
    @click.option("--json", "body", metavar="JSON|@FILE", help="the request body")
    @click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="a query parameter")
    @click.option("--path", "paths", multiple=True, metavar="NAME=VALUE", help="a path value (a parent)")
    @click.option("--to", help="the file a file answer is written to (- for standard output)")
    @click.option("--output", "-o", type=click.Choice(FORMATS), default="table", show_default=True)
    @click.pass_obj
    def run(state: State, ids: tuple[str, ...], body: str | None, params: tuple[str, ...],
            paths: tuple[str, ...], to: str | None, output: str) -> None:  # fmt: skip
        path = _path(state, cls, name, ids, paths)
        payload = {} if body is None else {"json": json_body(body)}
        query = pairs(params, "--param") or None
        if kind in FILES:
            _download(state, cls, name, to, query, payload, path)
            return
        answer = state.session().action(cls, name, params=query, **payload, **path)
        print_value(state.out, answer, output)

    return run


def _download(state: State, cls: type[Resource], name: str, to: str | None, query: Any,
              payload: dict[str, Any], path: dict[str, Any]) -> None:  # fmt: skip
    if to is None:
        raise InvalidRequestError(f"{spec_of(cls).name} {name} answers a file: give --to FILE (- for stdout)")
    target: Any = sys.stdout.buffer if to == "-" else to
    with bar(state.err, f"{name} -> {to}", None, shown=state.progress, bytes_=True) as progress:
        done = state.session().download(
            cls, name, to=target, params=query, progress=progress.report, **payload, **path
        )
    if to != "-":
        state.err.print(f"wrote {done.size} bytes to {to}", highlight=False, markup=False)
