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
    """Check each argument against the annotation of its parameter when the function is called
    (a generator function: when its generator starts, at the first ``next()``).

    Classes, unions, ``None``, generics (by their origin: ``dict[str, int]`` takes a dict) and
    ``Callable`` are checked; ``Any``, type variables, ``Literal`` and protocols that are not
    ``@runtime_checkable`` are not. A ``bool`` is not taken for an ``int``; an ``int`` is for a
    ``float``. A ``range`` in ``Annotated`` bounds the value (``Annotated[int, range(10, 501)]``,
    also as a member of a union); a ``TypedDict`` checks its keys (``NotRequired`` ones when
    given), every problem named. A wrong argument raises
    :class:`~clientkit.errors.ArgumentTypeError` (also a ``TypeError``): "extended must be a
    bool, not int"; ``descriptions`` words a parameter's expected type in that message. An
    annotation naming a class that does not exist when the function is called raises
    :class:`~clientkit.errors.DeclarationError` naming it.

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

        def refusal(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Exception | None:
            if not checks:  # annotations may name classes defined after the function
                try:
                    checks.update(_checks(function, signature, wording))
                except DeclarationError as error:
                    return error
            for name, value in signature.bind(*args, **kwargs).arguments.items():
                check = checks.get(name)
                if check and (problem := check(value)):
                    return ArgumentTypeError(f"{name} {problem}")
            return None

        @functools.wraps(function)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if error := refusal(args, kwargs):
                del args, kwargs  # a traceback shown with its locals would print them
                raise error
            return function(*args, **kwargs)

        @functools.wraps(function)
        def started(*args: Any, **kwargs: Any) -> Any:
            if error := refusal(args, kwargs):
                del args, kwargs
                raise error
            return (yield from function(*args, **kwargs))

        return typing.cast(F, started if inspect.isgeneratorfunction(function) else checked)

    return decorate if func is None else decorate(func)


def _checks(
    function: Callable[..., Any], signature: inspect.Signature, wording: Mapping[str, str]
) -> dict[str, Problem | None]:
    """The check of each annotated parameter (``None``: not checked); ``""`` marks them made."""
    hints = _hints(function, function.__qualname__)
    found: dict[str, Problem | None] = {"": None}
    for name, param in signature.parameters.items():
        if name in hints and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            found[name] = problem_of(hints[name], wording.get(name))
    return found


def _hints(owner: Any, where: str) -> dict[str, Any]:
    """``owner``'s resolved annotations; a name that is not defined is a declaration error."""
    try:
        return typing.get_type_hints(owner, include_extras=True)
    except NameError as error:
        raise DeclarationError(
            f"{where}: an annotation names {error.name!r}, which is not defined where it is "
            "declared; its arguments cannot be checked"
        ) from None


def annotated(owner: type, name: str, value: Any) -> Any:
    """``value`` if it fits the annotation of ``owner``'s attribute ``name``, else ``ArgumentTypeError``."""
    problem = _attribute_check(owner, name)
    if problem and (found := problem(value)):
        del value
        raise ArgumentTypeError(f"{name} {found}")
    return value


@functools.cache
def _attribute_check(owner: type, name: str) -> Problem | None:
    return problem_of(_hints(owner, f"{owner.__qualname__}.{name}")[name])


#: The classes a value of one member of an annotation is of, and what else it must be.
Member = tuple[tuple[type, ...], Problem | None]


def problem_of(hint: Any, expected: str | None = None) -> Problem | None:
    """What is wrong with a value for ``hint`` ("must be a str, not int"), or ``None``; a
    ``TypedDict`` checks its keys, a ``range`` in ``Annotated`` bounds the value (of its own
    member of a union). ``expected`` words the type a value of the wrong type must be."""
    members = _members(hint)
    if members is None:
        return None
    accepted = tuple(dict.fromkeys(c for classes, _ in members for c in classes))

    def problem(value: Any) -> str | None:
        fitting = [more for classes, more in members if _fits(value, classes)]
        if not fitting:
            return f"must be {expected or _describe(accepted)}, not {type(value).__name__}"
        found = None
        for more in fitting:
            if more is None or (wrong := more(value)) is None:
                return None
            found = found or wrong
        return found

    return problem


def _members(hint: Any) -> list[Member] | None:
    """The members of ``hint`` (one but for a union); ``None`` when it cannot be checked."""
    origin = typing.get_origin(hint)
    if origin in (typing.Required, typing.NotRequired):
        return _members(typing.get_args(hint)[0])
    if origin in (typing.Union, types.UnionType):
        parts = [_members(arg) for arg in typing.get_args(hint)]
        return None if any(p is None for p in parts) else [m for p in parts if p for m in p]
    if origin is typing.Annotated:
        inner = _members(typing.get_args(hint)[0])
        bounds = [m for m in hint.__metadata__ if isinstance(m, range)]
        if not bounds:
            return inner
        return [(classes, _within(bounds, more)) for classes, more in inner or [((object,), None)]]
    if typing.is_typeddict(hint):
        return [((Mapping,), _keys(hint))]
    classes = _classes(hint)
    return [(classes, None)] if classes else None


def _within(bounds: list[range], more: Problem | None) -> Problem:
    def problem(value: Any) -> str | None:
        for bound in bounds:
            if value is not None and value not in bound:
                return f"must be between {bound.start} and {bound.stop - 1}"
        return more(value) if more else None

    return problem


def _keys(hint: Any) -> Problem:
    """The check of a ``TypedDict``: every problem of its keys, in one message."""
    hints = _hints(hint, hint.__qualname__)
    keys = {k: problem_of(h) for k, h in hints.items()}
    marked = {k: typing.get_origin(h) for k, h in hints.items()}  # as written: a string hides them
    required = {*hint.__required_keys__, *(k for k, m in marked.items() if m is typing.Required)}
    required -= {k for k, m in marked.items() if m is typing.NotRequired}

    def problem(value: Any) -> str | None:
        found = [f"{k}: required" for k in keys if k in required and k not in value]
        found += [f"{k}: {p}" for k, check in keys.items() if k in value and check and (p := check(value[k]))]
        return "is not valid: " + "; ".join(found) if found else None

    return problem


def _classes(hint: Any) -> tuple[type, ...]:
    """The runtime classes ``hint`` takes; empty when it cannot be checked by class."""
    if hint is None or hint is type(None):
        return (type(None),)
    origin = typing.get_origin(hint)
    if hint in _UNCHECKED or isinstance(hint, typing.TypeVar) or origin is typing.Literal:
        return ()
    if origin is collections.abc.Callable or hint is collections.abc.Callable:
        return (collections.abc.Callable,)
    target = origin if origin is not None else hint
    if getattr(target, "_is_protocol", False) and not getattr(target, "_is_runtime_protocol", False):
        return ()  # isinstance() refuses a protocol that is not @runtime_checkable
    return (target,) if isinstance(target, type) else ()


def _fits(value: Any, accepted: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in accepted and object not in accepted:
        return False
    if isinstance(value, int) and float in accepted:
        return True
    return isinstance(value, accepted)


def _describe(accepted: tuple[type, ...]) -> str:
    names = ["mapping" if c is Mapping else c.__name__ for c in accepted if c is not type(None)]
    words = [f"an {n}" if n[0].lower() in "aeiou" else f"a {n}" for n in names]
    return " or ".join(words + (["None"] if type(None) in accepted else []))
