"""The server half of :class:`Expansion`: which level a request asks for, read as the
service's own query style spells it (``?extended=yes`` where booleans are ``yes``/``no``)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from clientkit._declarations.expansion import Expansion
from clientkit._declarations.wire import QueryStyle
from clientkit.sandbox.halves import NoServerHalf


@functools.singledispatch
def read_level(
    expansion: object,
    args: Mapping[str, Sequence[str]],  # noqa: ARG001 - the fallback only refuses
    query: QueryStyle,  # noqa: ARG001
) -> int | tuple[str, ...] | None:
    """The level a request's query ``args`` (name -> every value given) asks for."""
    raise NoServerHalf(expansion, read_level)


@read_level.register
def _(
    expansion: Expansion, args: Mapping[str, Sequence[str]], query: QueryStyle
) -> int | tuple[str, ...] | None:
    given = list(args.get(expansion.param, ()))
    if expansion.style == "list":
        return tuple(given) or None
    if not given:
        return expansion.normalize(None)
    raw = given[0]
    spelled_true, spelled_false = query.booleans
    if raw == spelled_true or raw.lower() == "true":
        return 1
    if raw == spelled_false or raw.lower() == "false":
        return 0
    try:
        return max(0, min(int(raw), expansion.max_level))
    except ValueError:
        return 0
