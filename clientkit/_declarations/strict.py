"""Strict structuring hooks: a wire value that does not fit its declared type is an error.

cattrs' default hooks coerce (``bool("false")`` is ``True``, ``int(1.9)`` is ``1``,
``list("abc")`` is three letters, ``str({})`` is ``"{}"``); each of those silently
changes what the server said. These hooks accept a value only in its own JSON shape.
The one widening: a ``float`` field takes a JSON integer and keeps it an ``int``
(exact, and an ``int`` is a valid ``float`` for type checkers). A ``Decimal`` field takes
decimal text (``"12.50"``) or a finite JSON number, both exactly as written.
"""

from __future__ import annotations

import math
import re
from collections import abc
from collections.abc import Callable
from decimal import Decimal
from typing import Any, get_args, get_origin

import cattrs

from clientkit._declarations.redaction import clipped
from clientkit._declarations.wire import SpelledFloat

Hook = Callable[[Any, Any], Any]
_SEQUENCES: dict[Any, type] = {
    list: list,
    tuple: tuple,
    set: set,
    frozenset: frozenset,
    abc.Sequence: list,
    abc.MutableSequence: list,
    abc.Set: frozenset,
    abc.MutableSet: set,
}
_MAPPINGS = (dict, abc.Mapping, abc.MutableMapping)


def json_kind(value: Any) -> str:
    """The JSON name of a decoded value's kind, for error messages."""
    kinds = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    kind = float if isinstance(value, SpelledFloat) else type(value)
    return "null" if value is None else kinds.get(kind, kind.__name__)


def _refuse(value: Any, expected: str) -> ValueError:
    shown = "" if value is None else f" {clipped(repr(value), 60)}"
    return ValueError(f"expected {expected}, got {json_kind(value)}{shown}")


def _scalar(expected: str, fits: Callable[[Any], bool]) -> Hook:
    def hook(value: Any, _: Any) -> Any:
        if fits(value):
            return value
        raise _refuse(value, expected)

    return hook


def _is_number(value: Any) -> bool:
    return type(value) is float or type(value) is int or isinstance(value, SpelledFloat)


_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def decimal_of(value: Any, _: Any = Decimal) -> Decimal:
    """A finite ``Decimal`` from decimal text or a JSON number, digit for digit.

    A JSON number was decoded as a ``float`` before the field was known, so it is read back
    through its shortest spelling (``repr``): exact for up to 15 significant digits.
    """
    kind = type(value)
    if kind is str and _DECIMAL_TEXT.fullmatch(value):
        return Decimal(value)
    if kind is int:
        return Decimal(value)
    if kind is float and math.isfinite(value):
        return Decimal(repr(value))
    if kind is Decimal and value.is_finite():
        return value  # type: ignore[no-any-return]
    raise _refuse(value, "a decimal number (text or a number)")


def _is_sequence(t: Any) -> bool:
    return (get_origin(t) or t) in _SEQUENCES and t is not str


def _is_mapping(t: Any) -> bool:
    return (get_origin(t) or t) in _MAPPINGS


def _sequence_hook(conv: cattrs.Converter, t: Any) -> Hook:
    origin = get_origin(t) or t
    make = _SEQUENCES[origin]
    args = get_args(t)
    if origin is tuple and args and args[-1] is not Ellipsis:
        return _fixed_tuple_hook(conv, args)
    item = args[0] if args else Any
    structure = conv.get_structure_hook(item)

    def hook(value: Any, _: Any) -> Any:
        if type(value) is not list:
            raise _refuse(value, "an array")
        return make(structure(v, item) for v in value)

    return hook


def _fixed_tuple_hook(conv: cattrs.Converter, args: tuple[Any, ...]) -> Hook:
    hooks = [(conv.get_structure_hook(a), a) for a in args]

    def hook(value: Any, _: Any) -> Any:
        if type(value) is not list or len(value) != len(hooks):
            raise _refuse(value, f"an array of {len(hooks)}")
        return tuple(h(v, a) for (h, a), v in zip(hooks, value, strict=True))

    return hook


def _mapping_hook(conv: cattrs.Converter, t: Any) -> Hook:
    args = get_args(t)
    key_t, value_t = args if len(args) == 2 else (Any, Any)
    keys = None if key_t in (str, Any) else conv.get_structure_hook(key_t)
    values = conv.get_structure_hook(value_t)

    def hook(value: Any, _: Any) -> Any:
        if type(value) is not dict:
            raise _refuse(value, "an object")
        if keys is None:
            return {k: values(v, value_t) for k, v in value.items()}
        return {keys(k, key_t): values(v, value_t) for k, v in value.items()}

    return hook


def register_strict_hooks(conv: cattrs.Converter) -> None:
    """Replace cattrs' coercing hooks for scalars and containers with strict ones."""
    conv.register_structure_hook(bool, _scalar("a boolean", lambda v: type(v) is bool))
    conv.register_structure_hook(int, _scalar("an integer", lambda v: type(v) is int))
    conv.register_structure_hook(float, _scalar("a number", _is_number))
    conv.register_structure_hook(str, _scalar("a string", lambda v: type(v) is str))
    conv.register_structure_hook(Decimal, decimal_of)
    conv.register_structure_hook_factory(_is_sequence, lambda t: _sequence_hook(conv, t))
    conv.register_structure_hook_factory(_is_mapping, lambda t: _mapping_hook(conv, t))
