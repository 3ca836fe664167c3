"""The sandbox's halves of declarations: one generic function per behaviour, keyed by type.

Each behaviour (serving a page, naming a request's principal, rendering an error body,
placing a payload) is a :func:`functools.singledispatch` function, so a declaration
type maps to its server half in one registry, and a subclass inherits its base's half
unless it registers its own. A declaration with no half raises :class:`NoServerHalf`;
:mod:`clientkit.sandbox.registry` holds the table of declaration types and their halves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clientkit._declarations.errors import DeclarationError


class NoServerHalf(DeclarationError):
    """The sandbox cannot serve a declaration: no server half is registered for its type."""

    def __init__(self, declaration: object, behaviour: Callable[..., Any]) -> None:
        kind = type(declaration).__qualname__
        where = f"{behaviour.__module__}.{behaviour.__name__}"
        super().__init__(
            f"the sandbox has no server half for {kind} ({where}); "
            f"register one with @{where}.register on a function taking a {kind}"
        )
