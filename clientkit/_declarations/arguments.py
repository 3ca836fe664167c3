"""Argument checks stated once: a function's arguments checked against its own annotations
when it is called, so a wrong type is refused before anything is sent, with one typed error."""

from __future__ import annotations

import collections.abc
import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from clientkit._declarations.errors import ArgumentTypeError, DeclarationError

F = TypeVar("F", bound=Callable[..., Any])
Problem = Callable[[Any], "str | None"]
_UNCHECKED = (Any, typing.TypeVar, typing.Literal)


@overload
def check_arguments(func: F, /) -> F: ...
@overload
def check_arguments(*, descriptions: dict[str, str] | None = None) -> Callable[[F], F]: ...


def check_arguments(func: Any = None, /, *, descriptions: dict[str, str] | None = None) -> Any:
    """Check each argument against the annotation of its parameter when the function is called.

    Classes, unions, ``None``, generics (by their origin: ``dict[str, int]`` takes a dict) and
    ``Callable`` are checked; ``Any``, type variables and ``Literal`` are not. A ``bool`` is not
    taken for an ``int``; an ``int`` is for a ``float``. A ``range`` in ``Annotated`` bounds the
    value (``Annotated[int, range(10, 501)]``); a ``TypedDict`` checks its keys, every problem
    named. A wrong argument raises :class:`~clientkit.errors.ArgumentTypeError` (also a
    ``TypeError``): "extended must be a bool, not int"; ``descriptions`` words a parameter's
    expected type in its message.

    Example:
        >>> @check_arguments(descriptions={"app": "an App or its id"})
        ... def export_app(app: App | str, deep: bool = False) -> dict[str, Any]: ...
    """

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        wording = descriptions or {}
        if unknown := set(wording) - set(signature.parameters):
            raise DeclarationError(f"{function.__qualname__} has no parameter {', '.join(sorted(unknown))}")
        checks: dict[str, Problem | None] = {}

        @functools.wraps(function)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not checks:  # annotations may name classes defined after the function
                checks.update(_checks(function, signature))
            for name, value in signature.bind(*args, **kwargs).arguments.items():
                check = checks.get(name)
                problem = check(value) if check else None
                if problem:
                    if name in wording and problem.startswith("must be "):
                        problem = f"must be {wording[name]}, not {type(value).__name__}"
                    raise ArgumentTypeError(f"{name} {problem}")
            return function(*args, **kwargs)

        return typing.cast(F, checked)

    return decorate if func is None else decorate(func)


def _checks(function: Callable[..., Any], signature: inspect.Signature) -> dict[str, Problem | None]:
    """The check of each annotated parameter (``None``: not checked); ``""`` marks them made."""
    hints = typing.get_type_hints(function, include_extras=True)
    found: dict[str, Problem | None] = {"": None}
    for name, param in signature.parameters.items():
        if name in hints and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            found[name] = problem_of(hints[name])
    return found


def annotated(owner: type, name: str, value: Any) -> Any:
    """``value`` if it fits the annotation of ``owner``'s attribute ``name``, else ``ArgumentTypeError``."""
    problem = _attribute_check(owner, name)
    found = problem(value) if problem else None
    if found:
        raise ArgumentTypeError(f"{name} {found}")
    return value


@functools.cache
def _attribute_check(owner: type, name: str) -> Problem | None:
    return problem_of(typing.get_type_hints(owner, include_extras=True)[name])


def problem_of(hint: Any) -> Problem | None:
    """What is wrong with a value for ``hint`` ("must be a str, not int"), or ``None``; a
    ``TypedDict`` checks its keys, a ``range`` in ``Annotated`` bounds the value."""
    if typing.is_typeddict(hint):
        return _keys(hint)
    bounds = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, range)]
    classes = _classes(hint)
    if not classes and not bounds:
        return None

    def problem(value: Any) -> str | None:
        if classes and not _fits(value, classes):
            return f"must be {_describe(classes)}, not {type(value).__name__}"
        for bound in bounds:
            if value is not None and value not in bound:
                return f"must be between {bound.start} and {bound.stop - 1}"
        return None

    return problem


def _keys(hint: Any) -> Problem:
    """The check of a ``TypedDict``: every problem of its keys, in one message."""
    keys = {k: problem_of(h) for k, h in typing.get_type_hints(hint, include_extras=True).items()}
    required = hint.__required_keys__

    def problem(value: Any) -> str | None:
        if not isinstance(value, Mapping):
            return f"must be a mapping, not {type(value).__name__}"
        found = [f"{k}: required" for k in keys if k in required and k not in value]
        found += [f"{k}: {p}" for k, check in keys.items() if k in value and check and (p := check(value[k]))]
        return "is not valid: " + "; ".join(found) if found else None

    return problem


def _classes(hint: Any) -> tuple[type, ...]:
    """The runtime classes ``hint`` takes; empty when it cannot be checked by class."""
    if hint is None or hint is type(None):
        return (type(None),)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        parts = [_classes(arg) for arg in typing.get_args(hint)]
        return () if any(not p for p in parts) else tuple(c for p in parts for c in p)
    if origin is typing.Annotated:
        return _classes(typing.get_args(hint)[0])
    if hint in _UNCHECKED or isinstance(hint, typing.TypeVar) or origin is typing.Literal:
        return ()
    if origin is collections.abc.Callable or hint is collections.abc.Callable:
        return (collections.abc.Callable,)
    target = origin if origin is not None else hint
    return (target,) if isinstance(target, type) else ()


def _fits(value: Any, accepted: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in accepted and object not in accepted:
        return False
    if isinstance(value, int) and float in accepted:
        return True
    return isinstance(value, accepted)


def _describe(accepted: tuple[type, ...]) -> str:
    names = [c.__name__ for c in accepted if c is not type(None)]
    words = [f"an {n}" if n[0].lower() in "aeiou" else f"a {n}" for n in names]
    return " or ".join(words + (["None"] if type(None) in accepted else []))
