"""Where a nested record lives: the parent values that place it, fields among them.

A resource at ``/projects/{project_id}/tasks/{id}`` keeps its records per project. The
parent may be a field too (``project_id`` in the task's body): a seeded record is placed
by it, and a write's body must agree with the path, which fills it where it is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientkit._declarations.convert import conforms, field_types
from clientkit._declarations.resource import Resource, ResourceSpec, fields_of


def accepts_int(t: Any) -> bool:
    """Whether a field of type ``t`` holds integers."""
    return conforms(0, t)


def typed(value: str, t: Any) -> Any:
    """A path value as the field's type (ids in paths are text; stored ids may be ints)."""
    if accepts_int(t) and not conforms(value, t):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def seed_scope(
    cls: type[Resource], spec: ResourceSpec, body: dict[str, Any], defaults: Mapping[str, Any] = {}
) -> dict[str, str]:
    """The parent values placing a seeded record: a parent that is a field is read from the
    body and stays in it; any other is taken out of it (it is placement only). ``defaults``
    are the other placeholder values (``path_params``, context defaults), which a record may
    also give, as placement only."""
    wires = {f.name: f.wire for f in fields_of(cls)}
    scope: dict[str, str] = {}
    for name in dict.fromkeys([*spec.parents, *spec.parent_fields, *defaults]):
        value = body.get(wires[name]) if name in wires else body.pop(name, None)
        value = defaults.get(name) if value is None else value
        if value is not None:
            scope[name] = str(value)
    return scope


def place(
    cls: type[Resource], spec: ResourceSpec, body: dict[str, Any], params: Mapping[str, str]
) -> dict[str, list[str]]:
    """Fill ``body``'s parent fields from the path values ``params``; the field errors of a
    body that names another parent than its path (a record cannot move by a write)."""
    types, wires = field_types(cls), {f.name: f.wire for f in fields_of(cls)}
    errors: dict[str, list[str]] = {}
    for name in spec.parent_fields:
        if name not in params:
            continue
        wire, sent = wires[name], body.get(wires[name])
        if sent is not None and str(sent) != params[name]:
            errors[wire] = [f"Must be {params[name]}, as in the path."]
        else:
            body[wire] = typed(params[name], types[name])
    return errors
