"""Reference fields served: the id is stored, the object shown where the level expands it.

A record keeps the id of the resource it references (an object written whole is reduced
to its id). Answering at a level that expands the field, or for a field whose type cannot
hold a bare id, the sandbox shows the referenced record as it serves it, when it keeps one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clientkit._declarations.convert import conforms, field_types
from clientkit._declarations.references import nested_resource, reference_key, reference_of
from clientkit._declarations.resource import Resource, fields_of

if TYPE_CHECKING:
    from clientkit.sandbox.app import Sandbox


def is_id(value: Any) -> bool:
    """Whether ``value`` is a bare id (text or an integer) or a list of them."""
    if isinstance(value, list):
        return all(map(is_id, value))
    return isinstance(value, str | int) and not isinstance(value, bool)


def store_ids(cls: type[Resource], body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with its reference fields reduced to their ids (in place)."""
    types = field_types(cls)
    for info in fields_of(cls):
        if info.reference and isinstance(body.get(info.wire), dict | list):
            body[info.wire] = reference_of(body[info.wire], reference_key(info, types[info.name]))
    return body


def shown(sandbox: Sandbox, t: Any, value: Any, expanded: bool) -> Any:
    """A stored reference as an answer shows it: the referenced record's rendering where
    ``expanded`` (or where the type cannot hold the id) and the sandbox keeps it, else the id."""
    nested = nested_resource(t)
    spec = nested.__ck_spec__ if nested is not None else None
    if nested is None or spec is None or (not expanded and conforms(value, t)):
        return value

    def one(ref: Any) -> Any:
        record = sandbox.store.get(spec.name, str(ref)) if nested in sandbox.resources else None
        return sandbox.render(nested, record.body, None) if record is not None else ref

    return [one(v) for v in value] if isinstance(value, list) else one(value)
