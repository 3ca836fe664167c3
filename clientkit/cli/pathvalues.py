"""``--path NAME=VALUE`` values checked against the operation's path before anything is sent,
so a name it does not take or a value it lacks is told in the command's words (``--path``,
``-p``, ``-C`` and the environment variable), not in the library's (``params=``)."""

from __future__ import annotations

from collections.abc import Iterable

from clientkit import Resource
from clientkit._client.auth import path_marks
from clientkit.cli.state import State, label
from clientkit.cli.values import pairs
from clientkit.errors import InvalidRequestError
from clientkit.model import spec_of

#: the operations whose commands take query parameters (``-p/--param``)
_QUERIED = ("list", "get", "export")


def path_values(state: State, cls: type[Resource], operation: str, paths: Iterable[str],
                *, filled: Iterable[str] = (), command: str | None = None) -> dict[str, str]:  # fmt: skip
    """The ``--path`` values of ``operation`` (a declared action's name works too) run by
    ``command`` (default: the operation): each must name a placeholder of its path, and each
    placeholder must have a value from them, the connection's context, the declaration or
    ``filled`` (the ids, the fields a create is given)."""
    spec = spec_of(cls)
    given = pairs(paths, "--path")
    template = spec.template(operation)
    command = command or operation
    what = f"{label(spec)} {command.replace('_', '-')}"
    unknown = [n for n in given if n not in template.names]
    if unknown:
        queried = command in _QUERIED or command in spec.actions
        raise InvalidRequestError(_unknown(what, template.template, template.names, unknown, queried))
    known = {*given, *filled, *spec.path_params, *path_marks(state.service().auth), *_context(state)}
    for name in template.names:
        if name not in known:
            raise InvalidRequestError(_missing(state, what, template.template, name))
    return given


def _context(state: State) -> set[str]:
    service = state.service()
    values = state.connection.values if state.connection is not None else {}
    return {k for k in service.context if values.get(k) is not None or service.context[k] is not None}


def _unknown(what: str, path: str, names: Iterable[str], unknown: list[str], queried: bool) -> str:
    takes = " ".join(f"--path {n}=VALUE" for n in names) or "no --path values"
    said = ", ".join(f"--path {n}" for n in unknown)
    text = f"{what}: {said} is not a value of its path {path} (it takes {takes})"
    if queried:
        text += "; a filter or other query parameter goes in " + " ".join(f"-p {n}=VALUE" for n in unknown)
    return text


def _missing(state: State, what: str, path: str, name: str) -> str:
    if name in state.service().context:
        assert state.connection is not None
        where = (
            f"-C {name}=VALUE after the service's name, {state.connection.prefix}{name.upper()} or a profile"
        )
        return f"{what} needs the context value {name} (its path is {path}): give {where}"
    return f"{what} needs --path {name}=VALUE (its path is {path})"
