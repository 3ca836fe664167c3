"""``get``, ``create``, ``update`` and ``delete``: one record at a time."""

from __future__ import annotations

from typing import Any

import click

from clientkit import Resource
from clientkit.cli.output import FORMATS, print_value
from clientkit.cli.pathvalues import path_values
from clientkit.cli.state import State
from clientkit.cli.values import assign, changes, identity, level, pairs
from clientkit.errors import InvalidRequestError
from clientkit.model import fields_of, spec_of

_IDS = click.argument("ids", nargs=-1, metavar="[ID]...")
_PATHS = click.option("--path", "paths", multiple=True, metavar="NAME=VALUE", help="a path value (a parent)")
_OUTPUT = click.option("--output", "-o", type=click.Choice(FORMATS), default="table", show_default=True)
_SETS = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="a field (JSON read as JSON)")
_JSON = click.option("--json", "body", metavar="JSON|@FILE", help="the fields as a JSON object")


def _show(state: State, obj: Resource, output: str) -> None:
    print_value(state.out, state.records([obj])[0], output)


def get_command(cls: type[Resource]) -> click.Command:
    @click.command("get", help=f"Fetch one {spec_of(cls).name} by its identity.")
    @_IDS
    @_PATHS
    @click.option("--level", help="the expansion level (a number, true or false)")
    @click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="a query parameter")
    @_OUTPUT
    @click.pass_obj
    def run(state: State, ids: tuple[str, ...], paths: tuple[str, ...], level: str | None,
            params: tuple[str, ...], output: str) -> None:  # fmt: skip
        obj = _fetch(state, cls, ids, paths, level, params)
        _show(state, obj, output)

    return run


def _fetch(state: State, cls: type[Resource], ids: tuple[str, ...], paths: tuple[str, ...],
           lvl: str | None = None, params: tuple[str, ...] = (), command: str = "get") -> Any:  # fmt: skip
    spec = spec_of(cls)
    target = identity(spec, ids)
    path = path_values(state, cls, "get", paths, filled=spec.identity, command=command)
    query = pairs(params, "--param") or None
    return state.session().get(cls, target, level=level(lvl), params=query, **path)


def create_command(cls: type[Resource]) -> click.Command:
    @click.command("create", help=f"Create one {spec_of(cls).name} from --set fields and --json.")
    @_SETS
    @_JSON
    @_PATHS
    @_OUTPUT
    @click.pass_obj
    def run(state: State, sets: tuple[str, ...], body: str | None, paths: tuple[str, ...],
            output: str) -> None:  # fmt: skip
        values = changes(sets, body)
        if not values:
            raise InvalidRequestError("nothing to create: give fields with --set NAME=VALUE or --json")
        obj = cls()
        assign(obj, values, state.session().converter, creating=True)
        given = [f.name for f in fields_of(cls) if getattr(obj, f.name) is not None]
        path = path_values(state, cls, "create", paths, filled=given)
        _show(state, state.session().create(obj, **path), output)

    return run


def update_command(cls: type[Resource]) -> click.Command:
    about = f"Change fields of one {spec_of(cls).name}: it is fetched, then only what changed is sent."

    @click.command("update", help=about)
    @_IDS
    @_SETS
    @_JSON
    @_PATHS
    @_OUTPUT
    @click.pass_obj
    def run(state: State, ids: tuple[str, ...], sets: tuple[str, ...], body: str | None,
            paths: tuple[str, ...], output: str) -> None:  # fmt: skip
        values = changes(sets, body)
        if not values:
            raise InvalidRequestError("nothing to change: give fields with --set NAME=VALUE or --json")
        obj = _fetch(state, cls, ids, paths, command="update")
        assign(obj, values, state.session().converter, creating=False)
        _show(state, state.session().save(obj), output)

    return run


def delete_command(cls: type[Resource]) -> click.Command:
    @click.command("delete", help=f"Delete one {spec_of(cls).name}.")
    @_IDS
    @_PATHS
    @click.option("--yes", "-y", is_flag=True, help="do not ask for confirmation")
    @click.pass_obj
    def run(state: State, ids: tuple[str, ...], paths: tuple[str, ...], yes: bool) -> None:
        spec = spec_of(cls)
        target = identity(spec, ids)
        path = path_values(state, cls, "delete", paths, filled=spec.identity)
        if not yes:
            click.confirm(f"Delete {spec.name} {' '.join(ids)}?", abort=True, err=True)
        state.session().delete(cls, target, **path)
        state.err.print(f"deleted {spec.name} {' '.join(ids)}", highlight=False, markup=False)

    return run
