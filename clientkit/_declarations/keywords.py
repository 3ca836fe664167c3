"""A misspelt keyword in a declaration (``Cursor(item=...)``, ``resource(onee=...)``) fails
with a ``DeclarationError`` that names the close spellings, not a bare ``TypeError``."""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from clientkit._declarations.errors import DeclarationError

C = TypeVar("C", bound=type)
P = ParamSpec("P")
T = TypeVar("T")
_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def checked_keywords(cls: C) -> C:
    """``cls`` whose constructor refuses unknown keywords with a :class:`DeclarationError`
    ("did you mean ..."); put it above the ``attrs`` decorator of a public declaration type."""
    init = cls.__dict__.get("__init__")
    params = list(inspect.signature(init).parameters.values())[1:] if init else []
    if init is None or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return cls
    names = [p.name for p in params if p.kind in _NAMED]
    known = frozenset(names)

    @functools.wraps(init)
    def checked(self: Any, *args: Any, **kwargs: Any) -> None:
        _refuse_unknown(cls.__name__, kwargs, known, names)
        init(self, *args, **kwargs)

    setattr(cls, "__init__", checked)  # noqa: B010  (mypy refuses assigning to a method)
    return cls


def checked_options(declare: Callable[P, T]) -> Callable[P, T]:
    """``declare`` (a declaration function such as ``resource``) refusing unknown keywords the
    same way."""
    names = [p.name for p in inspect.signature(declare).parameters.values() if p.kind in _NAMED]
    known = frozenset(names)

    @functools.wraps(declare)
    def checked(*args: P.args, **kwargs: P.kwargs) -> T:
        _refuse_unknown(declare.__name__, kwargs, known, names)
        return declare(*args, **kwargs)

    return checked


def _refuse_unknown(name: str, given: dict[str, Any], known: frozenset[str], names: list[str]) -> None:
    if not known.issuperset(given):
        raise DeclarationError(_message(name, [k for k in given if k not in known], names))


def _message(name: str, unknown: list[str], names: list[str]) -> str:
    hints = []
    for word in unknown:
        close = difflib.get_close_matches(word, names, n=2, cutoff=0.6)
        guess = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
        hints.append(f"{word!r}{guess}")
    return f"{name}() takes no argument {', '.join(hints)}; its arguments are {', '.join(names)}"
