"""The internals of :class:`~clientkit.sandbox.app.Sandbox` stay its own: a subclass (a
service's sandbox) that names a method or attribute like one of the base's private ones
would silently change how every request is served, so it is refused when it is created.
The hooks meant to be overridden (``error``, ``finish``, ``matching``) are public."""

from __future__ import annotations

import dis
from collections.abc import Iterator
from types import CodeType, FunctionType

from clientkit._declarations.errors import DeclarationError


def _private(name: object) -> bool:
    return isinstance(name, str) and name.startswith("_") and not name.startswith("__")


def _functions(value: object) -> Iterator[object]:
    """``value`` and what it wraps: a method's function, a property's accessors, the function
    a decorator wrapped (``__wrapped__``, or held in the wrapper's closure)."""
    todo, seen = [value], set()
    while todo:
        part = todo.pop()
        if part is None or id(part) in seen:
            continue
        seen.add(id(part))
        yield part
        todo += [getattr(part, name, None) for name in ("__func__", "fget", "fset", "fdel", "__wrapped__")]
        for cell in getattr(part, "__closure__", None) or ():
            try:
                held = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(held, FunctionType):
                todo.append(held)


def _codes(value: object) -> Iterator[CodeType]:
    """The code of a function, method or property, of what it wraps, and the code nested in
    it (lambdas)."""
    for part in _functions(value):
        code = getattr(part, "__code__", None)
        todo = [code] if isinstance(code, CodeType) else []
        while todo:
            found = todo.pop()
            yield found
            todo += [c for c in found.co_consts if isinstance(c, CodeType)]


def assigned(value: object) -> set[str]:
    """The private attribute names the code of ``value`` assigns (``self._routes = ...``)."""
    return {
        str(i.argval)
        for code in _codes(value)
        for i in dis.get_instructions(code)
        if i.opname == "STORE_ATTR" and _private(i.argval)
    }


def internals(base: type) -> frozenset[str]:
    """``base``'s private names: its own methods and class attributes, and the attributes
    its code assigns."""
    names = {n for n in vars(base) if _private(n)}
    for value in vars(base).values():
        names |= assigned(value)
    return frozenset(names)


def refuse_overrides(cls: type, base: type, internal: frozenset[str]) -> None:
    """Raise :class:`DeclarationError` when ``cls`` or a class it inherits from but ``base``'s
    own (a mixin) defines one of ``internal`` ahead of ``base``, or assigns one anywhere."""
    ahead = cls.__mro__[: cls.__mro__.index(base)]
    for owner in (c for c in cls.__mro__ if c not in base.__mro__):
        for name, value in vars(owner).items():
            if owner in ahead and _private(name) and name in internal:
                raise DeclarationError(
                    f"{owner.__name__}.{name} redefines {base.__name__}.{name}, an internal of the "
                    "sandbox, which would silently change how it serves; give it another name (the "
                    "hooks meant to be overridden are public: error, finish, matching)"
                )
            clashes = sorted(assigned(value) & internal)
            if clashes:
                raise DeclarationError(
                    f"{owner.__name__}.{name} assigns {', '.join(clashes)}, an internal attribute of "
                    f"{base.__name__}, which would silently change how it serves; give it another name"
                )
