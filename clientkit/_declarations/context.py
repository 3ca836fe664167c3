"""Context values carried in every request's query or JSON body (``Service.context_query``,
``Service.context_body``): templates of the session's context, or values computed per call."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from clientkit._declarations.errors import DeclarationError
from clientkit._declarations.paths import PLACEHOLDER

#: name -> how its value is made from the session's context (``None``: left out)
Made = tuple[tuple[str, Callable[[Mapping[str, Any]], Any]], ...]


def made_values(declared: Mapping[str, Any], names: Iterable[str], where: str) -> Made:
    """The declared values of ``where`` (``"Shop.context_query"``), checked: a template of
    context ``names`` (``"{user}"`` keeps the value's type; text around it makes a string),
    or a callable taking the context or nothing."""
    known = set(names)
    made = []
    for key, value in declared.items():
        if not isinstance(key, str) or not key:
            raise DeclarationError(f"{where} keys must be non-empty strings, not {key!r}")
        if isinstance(value, str):
            unknown = sorted(set(PLACEHOLDER.findall(value)) - known)
            if unknown:
                raise DeclarationError(f"{where}[{key!r}] uses {unknown}, which are not in context")
            made.append((key, _template(value)))
        elif callable(value):
            made.append((key, _computed(value, f"{where}[{key!r}]")))
        else:
            raise DeclarationError(
                f"{where}[{key!r}] must be a template or a callable, not {type(value).__name__}"
            )
    return tuple(made)


def _template(template: str) -> Callable[[Mapping[str, Any]], Any]:
    whole = PLACEHOLDER.fullmatch(template)
    used = PLACEHOLDER.findall(template)

    def render(context: Mapping[str, Any]) -> Any:
        if whole:
            return context.get(whole.group(1))
        if any(context.get(name) is None for name in used):
            return None
        return PLACEHOLDER.sub(lambda m: str(context[m.group(1)]), template)

    return render


def _computed(function: Callable[..., Any], where: str) -> Callable[[Mapping[str, Any]], Any]:
    """``function`` called with the context when it takes one argument, without otherwise
    (a builtin whose signature cannot be read, such as ``time.time``, without)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return lambda _context: function()
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in parameters if p.default is p.empty and p.kind in positional]
    if len(required) > 1 or any(p.default is p.empty and p.kind == p.KEYWORD_ONLY for p in parameters):
        raise DeclarationError(f"{where} must take the context, or nothing")
    if required:
        return function
    return lambda _context: function()


def values_of(made: Made, context: Mapping[str, Any], taken: Iterable[str]) -> list[tuple[str, Any]]:
    """The values to add, in declared order: none for a name in ``taken`` (the caller's own
    wins), none whose value is ``None`` (an unset context is left out, never sent as null)."""
    skip = set(taken)
    pairs = []
    for key, make in made:
        if key in skip:
            continue
        value = make(context)
        if value is not None:
            pairs.append((key, value))
    return pairs


def with_body(body: Any, made: Made, context: Mapping[str, Any]) -> Any:
    """A JSON object body with the context's values added beside its own keys (never over
    one of them, even a null); any other body (none, a list, a form) as it is."""
    if not made or not isinstance(body, Mapping):
        return body
    added = values_of(made, context, body)
    return {**body, **dict(added)} if added else body
