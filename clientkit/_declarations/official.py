"""Official exception classes declared by their keyword attributes, as official clients
define them (``HTTPError(msg, code=..., response_id=...)``), in one annotated line each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class OfficialException(Exception):
    """Base of an official client's exception: every class attribute it annotates is a keyword
    of the constructor, kept as an attribute (the class value is its default); the other
    arguments go to the next base (``requests``' ``HTTPError`` takes ``response=``).

    Used as an ``ErrorShape(mixin=...)``, an attribute not given takes the error body's
    key of the same name, as the official client reads it.

    Example:
        >>> class PaginationError(OfficialException, requests.exceptions.HTTPError):
        ...     data: dict[str, Any] | None = None
        >>> PaginationError(data={"total": 3}).data
        {'total': 3}
    """

    keywords: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [
            c
            for c in reversed(cls.__mro__)
            if issubclass(c, OfficialException) and c is not OfficialException
        ]
        cls.keywords = tuple(dict.fromkeys(n for c in own for n in vars(c).get("__annotations__", {})))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for name in self.keywords:
            if name in kwargs:
                setattr(self, name, kwargs.pop(name))
        super().__init__(*args, **kwargs)


def fill_keywords(error: Exception, body: Any) -> None:
    """``error``'s official keyword attributes not yet set, from the body's keys of those names."""
    if not isinstance(error, OfficialException) or not isinstance(body, Mapping):
        return
    for name in error.keywords:
        if name in body and name not in vars(error):
            setattr(error, name, body[name])


OfficialException.__module__ = "clientkit.errors"  # its public home
