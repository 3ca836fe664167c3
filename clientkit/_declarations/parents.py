"""Fields that are also parents: ``project_id`` in the body of ``/projects/{project_id}/tasks/{id}``.

The field's value fills the path when the caller does not pass it (the path is built from
the object); a value the caller passes for the path fills the field where it is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from clientkit._declarations.convert import conforms, field_types
from clientkit._declarations.errors import InvalidRequestError
from clientkit._declarations.resource import Resource, ResourceSpec, fields_of


def with_parents(cls: type[Resource], spec: ResourceSpec, raw: Any, given: Mapping[str, Any]) -> Any:
    """``raw`` (a wire object) with each parent field it lacks taken from the path values
    ``given`` (when the value has the field's type), so that it loads as it was reached."""
    if not spec.parent_fields or not isinstance(raw, Mapping):
        return raw
    types, wires = field_types(cls), {f.name: f.wire for f in fields_of(cls)}
    added = {
        wires[name]: given[name]
        for name in spec.parent_fields
        if name in given and wires[name] not in raw and conforms(given[name], types[name])
    }
    return {**raw, **added} if added else raw


def fill_parents(obj: Resource, spec: ResourceSpec, given: Mapping[str, Any]) -> None:
    """Set the empty parent fields of ``obj`` from the path values ``given`` (before a create);
    a value that contradicts the field's raises :class:`InvalidRequestError`."""
    types = field_types(type(obj))
    for name in spec.parent_fields:
        value = given.get(name)
        if value is None:
            continue
        current = getattr(obj, name)
        if current is None:
            if conforms(value, types[name]):
                setattr(obj, name, value)
        elif str(current) != str(value):
            raise InvalidRequestError(
                f"{spec.name}.{name} is {current!r} but the path was given {name}={value!r}; "
                "pass one value or none"
            )


def placed_values(
    obj: Resource, names: Iterable[str], structure: Callable[[Any, Any], Any]
) -> dict[str, Any]:
    """The values of ``obj``'s fields that fill the placeholders ``names``. A loaded object
    fills them with what it was loaded with (its snapshot, else the parents it was reached
    through), so an edited parent or identity field never sends a write to another record:
    such an edit is refused with :class:`InvalidRequestError`."""
    infos, types = {f.name: f for f in fields_of(obj)}, field_types(type(obj))
    raw, parents = obj._ck_raw, obj._ck_parents or {}
    out: dict[str, Any] = {}
    for name in (n for n in names if n in infos):
        current, loaded = getattr(obj, name), None
        if raw is not None:
            held = raw.get(infos[name].wire)
            loaded = structure(held, types[name]) if held is not None else parents.get(name)
        if loaded is not None and current != loaded and str(current) != str(loaded):
            raise InvalidRequestError(
                f"{type(obj).__name__}.{name} was {loaded!r} when loaded and is now {current!r}: moving a "
                "record between parents (or changing its identity) is not a write clientkit can "
                "make by saving; set it back, or create the record anew and delete the old one"
            )
        value = current if loaded is None else loaded
        if value is not None:
            out[name] = value
    return out


def path_values(
    spec: ResourceSpec,
    names: Iterable[str],
    obj: Resource | None,
    given: Mapping[str, Any],
    context: Mapping[str, Any],
    structure: Callable[[Any, Any], Any],
) -> dict[str, Any]:
    """The values filling the placeholders ``names`` of one of ``spec``'s paths, each source
    over the one before: the session's ``context``, the resource's ``path_params``, the
    parents ``obj`` was loaded under, ``obj``'s fields (:func:`placed_values`), then ``given``.
    The session builds its paths with it, and so do the path helpers (``path_of``)."""
    values: dict[str, Any] = {**context, **spec.path_params}
    if obj is not None:
        values.update(obj._ck_parents or {})
        values.update(placed_values(obj, names, structure))
    values.update(given)
    return values
