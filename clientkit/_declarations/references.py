"""Reference fields: a nested resource written as its id.

A field declared ``country: int | Country | None = field(reference=True)`` holds the id
at the base level and the whole object when expanded (``?expand=country``). Loading keeps
what the server sent; every write sends the id; ``Country(id=3, ...)`` and ``3`` are the
same reference, so switching between them is no change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from clientkit._declarations.errors import DeclarationError, InvalidRequestError
from clientkit._declarations.resource import FieldInfo, Resource, fields_of


def nested_resource(t: Any) -> type[Resource] | None:
    """The resource class a field of type ``t`` may hold (``int | Country``, ``list[Tag]``)."""
    if isinstance(t, type) and issubclass(t, Resource):
        return t
    return next(filter(None, map(nested_resource, get_args(t))), None)


def reference_key(info: FieldInfo, t: Any) -> tuple[str, str]:
    """The Python and wire names of the id inside the values of reference field ``info``."""
    nested = nested_resource(t)
    if nested is None:
        key = info.reference if isinstance(info.reference, str) else "id"
        return key, key
    spec = nested.__ck_spec__
    if isinstance(info.reference, str):
        name = info.reference
    elif spec is not None and len(spec.identity) == 1:
        name = spec.identity[0]
    else:
        name = next((f.name for f in fields_of(nested) if f.identity or f.name == "id"), "")
    wire = next((f.wire for f in fields_of(nested) if f.name == name), None)
    if wire is None:
        raise DeclarationError(
            f"reference field {info.name!r}: {nested.__name__} has no single identity field "
            f"{name!r}; name the field holding its id: field(reference='...')"
        )
    return name, wire


def reference_of(value: Any, key: tuple[str, str]) -> Any:
    """The id ``value`` stands for: a nested resource's or object's id (lists item by item);
    anything else is the id itself."""
    if isinstance(value, Resource):
        return getattr(value, key[0])
    if isinstance(value, Mapping):
        return value.get(key[1])
    if isinstance(value, list | tuple):
        return [reference_of(v, key) for v in value]
    return value


def sent_reference(value: Any, key: tuple[str, str], where: str) -> Any:
    """The id a write sends for reference ``value``; a nested resource or object without
    an id (never created) is refused: sending it as ``null`` would erase the reference."""
    items = value if isinstance(value, list | tuple) else [value]
    for item in items:
        if isinstance(item, Resource | Mapping) and reference_of(item, key) is None:
            raise InvalidRequestError(
                f"{where} refers to {type(item).__name__} {item!r}, which has no {key[0]!r} "
                "(it was never created); create it first, or set the field to its id"
            )
    return reference_of(value, key)
