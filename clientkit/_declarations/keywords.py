"""A misspelt keyword in a declaration (``Cursor(item=...)``) fails with a
``DeclarationError`` that names the close spellings, not a bare ``TypeError``."""

from __future__ import annotations

import difflib
import functools
import inspect
from typing import Any, TypeVar

from clientkit._declarations.errors import DeclarationError

C = TypeVar("C", bound=type)
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
        if not known.issuperset(kwargs):
            raise DeclarationError(_message(cls.__name__, [k for k in kwargs if k not in known], names))
        init(self, *args, **kwargs)

    setattr(cls, "__init__", checked)  # noqa: B010  (mypy refuses assigning to a method)
    return cls


def _message(name: str, unknown: list[str], names: list[str]) -> str:
    hints = []
    for word in unknown:
        close = difflib.get_close_matches(word, names, n=2, cutoff=0.6)
        guess = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
        hints.append(f"{word!r}{guess}")
    return f"{name}() takes no argument {', '.join(hints)}; its arguments are {', '.join(names)}"
