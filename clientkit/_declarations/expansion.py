"""Expansion levels: asking a service for more or less detail.

A service can answer the same resource at several levels of detail: Clappform's
``extended=0..3``, a boolean ``extended=true``, Stripe's ``expand[]=field``. An
:class:`Expansion` declares how a level is requested; fields declare the level
they appear at (``field(level=1)``), so a resource knows which fields a fetch
at a given level has filled.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from clientkit._declarations.errors import DeclarationError, InvalidRequestError
from clientkit._declarations.keywords import checked_keywords

Level = int | bool | Sequence[str]
_OPERATIONS = frozenset({"get", "list", "create", "update", "patch", "delete"})


def _operations(names: Iterable[str]) -> frozenset[str]:
    return frozenset(names)


@checked_keywords
@attrs.frozen
class Expansion:
    """How a level of detail is requested.

    Attributes:
        param: the query parameter that carries the level.
        style: ``"int"`` (``extended=2``), ``"bool"`` (``extended=true``) or
            ``"list"`` (``expand=a&expand=b``, levels are field names).
        max_level: the highest integer level (``1`` for ``"bool"``).
        default: the level sent when the caller names none (``None``: omit the parameter).
        on: the operations whose requests carry the parameter.

    Example:
        >>> Expansion("extended", style="int", max_level=3, default=0)
    """

    param: str = "extended"
    style: Literal["int", "bool", "list"] = "int"
    max_level: int = 1
    default: Level | None = None
    on: frozenset[str] = attrs.field(default=frozenset({"get", "list"}), converter=_operations)

    def __attrs_post_init__(self) -> None:
        if unknown := self.on - _OPERATIONS:
            raise DeclarationError(f"Expansion(on=...) names unknown operations {sorted(unknown)}")
        if self.style not in ("int", "bool", "list"):
            raise DeclarationError(f"Expansion style must be int, bool or list, not {self.style!r}")
        if self.style == "bool" and self.max_level != 1:
            raise DeclarationError("a boolean expansion has exactly two levels (max_level=1)")
        if self.max_level < 0:
            raise DeclarationError("Expansion.max_level must not be negative")
        if self.default is not None:
            try:
                self.normalize(self.default)
            except InvalidRequestError as exc:
                raise DeclarationError(f"Expansion.default: {exc.message}") from None

    def normalize(
        self, level: Level | None, expandable: Mapping[str, str] | None = None
    ) -> int | tuple[str, ...] | None:
        """Validate a caller's level; ``None`` becomes the declared default.

        ``expandable`` maps the names (Python and wire) of the fields a list level may
        name to their wire names: another name is refused, a known one is sent as wire.
        """
        if level is None:
            level = self.default
            if level is None:
                return None
        if self.style == "list":
            if isinstance(level, str) or not isinstance(level, Sequence):
                raise InvalidRequestError(f"{self.param} takes a list of field names, not {level!r}")
            return tuple(str(x) for x in level) if expandable is None else _named(level, expandable)
        if isinstance(level, str) or not isinstance(level, int):
            raise InvalidRequestError(
                f"{self.param} must be an integer level 0..{self.max_level}, not {level!r}"
            )
        value = int(level)
        if not 0 <= value <= self.max_level:
            raise InvalidRequestError(f"{self.param} must be between 0 and {self.max_level}, not {value}")
        return value

    def params(self, level: int | tuple[str, ...] | None, operation: str) -> list[tuple[str, Any]]:
        """The query pairs that request ``level`` for ``operation``."""
        if level is None or operation not in self.on:
            return []
        if isinstance(level, tuple):
            return [(self.param, name) for name in level]
        if self.style == "bool":
            return [(self.param, bool(level))]
        return [(self.param, level)]

    def covers(self, loaded: int | tuple[str, ...] | None, field_level: int, *names: str) -> bool:
        """Whether a fetch at ``loaded`` returns a field declared at ``field_level`` (and
        known by ``names``: its Python and wire names)."""
        if field_level <= 0:
            return True
        if loaded is None:
            return False
        if isinstance(loaded, tuple):
            return any(name in loaded for name in names)
        return loaded >= field_level


def _named(level: Sequence[object], expandable: Mapping[str, str]) -> tuple[str, ...]:
    """The level as sent: each name's first dotted step must be a field declared with a level
    (Python or wire name), and is sent as its wire name; another name is refused."""
    out = []
    for name in map(str, level):
        head, dot, rest = name.partition(".")
        if head not in expandable:
            guess = difflib.get_close_matches(head, list(expandable), n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            known = ", ".join(sorted(set(expandable.values()))) or "none"
            raise InvalidRequestError(
                f"cannot expand {name!r}: only fields declared with a level expand (here: {known}){hint}"
            )
        out.append(expandable[head] + dot + rest)
    return tuple(dict.fromkeys(out))
