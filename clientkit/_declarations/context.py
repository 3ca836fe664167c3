"""Context values carried in every request's query or JSON body (``Service.context_query``,
``Service.context_body``): templates of the session's context, or values computed per call."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from clientkit._declarations.errors import DeclarationError, InvalidRequestError
from clientkit._declarations.paths import PLACEHOLDER

#: a declared value: a template of context names, or a callable taking the context or nothing
ContextValue = str | Callable[[Mapping[str, Any]], object] | Callable[[], object]
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


def values_of(
    made: Made,
    context: Mapping[str, Any],
    given: Mapping[str, Sequence[Any]],
    where: str,
    loose: bool = False,
    noun: str = "",
) -> list[tuple[str, Any]]:
    """The values to add, in declared order; none whose value is ``None`` (an unset context
    is left out, never sent as null). A key the request already has (``given``: its values)
    gets nothing added when it holds the context's value; another value raises
    :class:`InvalidRequestError` naming both, never one silently replacing the other.
    ``loose``: a query or form, where ``1`` and ``"1"`` are the same text."""
    pairs = []
    for key, make in made:
        value = make(context)
        if value is None:
            continue
        if key in given:
            if not all(g == value or (loose and str(g) == str(value)) for g in given[key]):
                noun = noun or ("parameter" if loose else "body key")
                raise InvalidRequestError(
                    f"the request's own {noun} {key!r} differs from "
                    f"the value {where}[{key!r}] gives it; pass the same value or none"
                )
            continue
        pairs.append((key, value))
    return pairs


def with_body(
    body: Any, made: Made, context: Mapping[str, Any], where: str, form: bool = False, first: bool = False
) -> Any:
    """A JSON object body (or, ``form``, a multipart payload, whose fields are text) with the
    context's values added after its own keys (before them with ``first``); any other body
    (none, a list) as it is."""
    if not made or not isinstance(body, Mapping):
        return body
    added = values_of(made, context, {k: [v] for k, v in body.items()}, where, loose=form, noun="body key")
    if not added:
        return body
    return {**dict(added), **body} if first else {**body, **dict(added)}


def own_values(declared: Any, names: Iterable[str], where: str) -> Mapping[str, Any] | bool | None:
    """A resource's ``context_query`` or ``context_body``, checked: ``None`` (the service's),
    ``False`` (none of the service's), or a mapping adding to the service's, where a value
    of ``None`` leaves that key of the service's out."""
    if declared is None or declared is False:
        return declared
    if not isinstance(declared, Mapping):
        raise DeclarationError(f"{where} must be a mapping or False, not {type(declared).__name__}")
    made_values({k: v for k, v in declared.items() if v is not None}, names, where)
    return dict(declared)


def merged(service: Mapping[str, Any], own: Mapping[str, Any] | bool | None) -> dict[str, Any]:
    """The values in effect for a resource: the service's, with the resource's own over them."""
    if own is False:
        return {}
    values = {**service, **(own if isinstance(own, Mapping) else {})}
    return {key: value for key, value in values.items() if value is not None}


def refuse_collisions(
    name: str, body: Iterable[str], query: Iterable[str], wires: Iterable[str], params: Iterable[str]
) -> None:
    """A context key may not be a field a write sends (``wires``) or a parameter the resource
    sends itself (``params``): one value would silently replace the other."""
    checks = (("context_body", body, wires, "field"), ("context_query", query, params, "parameter"))
    for where, keys, taken, what in checks:
        clash = sorted(set(keys) & set(taken))
        if clash:
            raise DeclarationError(
                f"{name}: {where} keys {clash} are also a {what} it sends; rename one, or leave "
                f"the key out for this resource ({where}={{{clash[0]!r}: None}})"
            )
