"""Where a nested record lives: the parent values that place it, fields among them.

A resource at ``/projects/{project_id}/tasks/{id}`` keeps its records per project. The
parent may be a field too (``project_id`` in the task's body): a seeded record is placed
by it, and a write's body must agree with the path, which fills it where it is missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from clientkit._declarations.convert import conforms, field_types
from clientkit._declarations.errors import InvalidRequestError
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


def read_table(table: str, resource: str, names: Collection[str]) -> dict[str, str] | None:
    """The path values a store table of ``resource`` is kept under (``Book|shelf=a`` ->
    ``{"shelf": "a"}``, split only before the resource's own placeholder ``names``); ``None``
    for another resource's table."""
    if table == resource:
        return {}
    if not table.startswith(resource + "|") or not names:
        return None
    marks = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    parts = re.split(rf"\|({marks})=", table[len(resource) :])
    if parts[0]:
        return None
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def seed_tables(
    data: Mapping[str, Iterable[Mapping[str, Any]]] | str | Path, where: str, service: str, known: list[str]
) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Seed data (or its JSON file) as ``(resource name, records)``, its shape checked first:
    an object of resource names, each a list (or other iterable) of objects."""
    if isinstance(data, str | Path):
        try:
            data = json.loads(Path(data).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise InvalidRequestError(f"{where}: cannot read it as JSON: {exc}") from None
    if not isinstance(data, Mapping):
        shape = f"give an object {{ResourceName: [records...]}}, not {type(data).__name__}"
        raise InvalidRequestError(f"{where}: {shape}")
    checked: list[tuple[str, list[Mapping[str, Any]]]] = []
    for name, records in data.items():
        if name not in known:
            raise InvalidRequestError(f"{where}: no resource named {name!r} in {service} (known: {known})")
        rows = _rows(records)
        if rows is None or not all(isinstance(r, Mapping) for r in rows):
            raise InvalidRequestError(f"{where}: {name!r} must hold a list of records (objects)")
        checked.append((name, rows))
    return checked


def _rows(records: object) -> list[Any] | None:
    """The records of one resource as a list: any iterable but text and a single object."""
    if isinstance(records, str | bytes | bytearray | Mapping) or not isinstance(records, Iterable):
        return None
    return list(records)
