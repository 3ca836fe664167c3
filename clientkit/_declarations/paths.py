"""Path templates whose placeholders are always quoted as one segment.

Identity and paths are data: a value placed into ``{id}`` can never add a path
segment, a query, a fragment or a host, whatever characters it holds.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from clientkit._declarations.errors import (
    DeclarationError,
    InvalidRequestError,
    excerpt_of,
    redacted_cause,
)
from clientkit._declarations.identity import identity_of

#: A ``{name}`` placeholder in a path, header or login template.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BRACED = re.compile(r"\{([^{}]*)\}")  # any braced text, to name a malformed placeholder
#: RFC 3986 ``pchar`` minus the percent sign: legal inside a segment, never structural.
_SEGMENT_SAFE = "!$&'()*+,;=:@"


def quote_segment(value: Any, *, name: str = "value") -> str:
    """Quote ``value`` so that it stays exactly one path segment.

    Strings, integers and UUIDs are accepted (a resource stands for its identity);
    booleans, empty values and the dot segments ``.``/``..`` are refused.

    Example:
        >>> quote_segment("a/b?c#d")
        'a%2Fb%3Fc%23d'
    """
    if hasattr(value, "__ck_spec__") and not isinstance(value, type):
        value = identity_of(value)
    if isinstance(value, bool) or not isinstance(value, str | int | uuid.UUID):
        raise InvalidRequestError(
            f"{name} must be a string or an integer, not {type(value).__name__} ({excerpt_of(value, 80)})"
        )
    try:
        text = str(value)
        quoted = quote(text, safe=_SEGMENT_SAFE)
    except ValueError as exc:  # an int over Python's digit limit; a lone surrogate (UnicodeEncodeError)
        raise InvalidRequestError(f"{name} cannot be placed in a path: {exc}") from redacted_cause(exc)
    if text == "":
        raise InvalidRequestError(f"{name} must not be empty")
    if text in (".", ".."):
        raise InvalidRequestError(f"{name} {text!r} is a dot segment and cannot be an identifier")
    return quoted


class PathTemplate:
    """A path such as ``/collection/{app}/{slug}``.

    Example:
        >>> PathTemplate("/item/{app}/{id}").expand({"app": "x", "id": "a/b"})
        '/item/x/a%2Fb'
    """

    __slots__ = ("names", "template")

    def __init__(self, template: str) -> None:
        if not isinstance(template, str):
            raise DeclarationError(f"a path must be a string, not {type(template).__name__}")
        if not template.startswith("/"):
            raise DeclarationError(f"path {template!r} must start with '/'")
        if "?" in template or "#" in template:
            raise DeclarationError(
                f"path {template!r} must not hold a query or fragment; declare query parameters instead"
            )
        for braced in _BRACED.findall(template):
            if not PLACEHOLDER.fullmatch(f"{{{braced}}}"):
                raise DeclarationError(f"path {template!r} has an invalid placeholder {{{braced}}}")
        names = PLACEHOLDER.findall(template)
        stray = PLACEHOLDER.sub("", template)
        if "{" in stray or "}" in stray:
            raise DeclarationError(f"path {template!r} has an unbalanced brace")
        if len(set(names)) != len(names):
            raise DeclarationError(f"path {template!r} repeats a placeholder")
        self.template = template
        self.names: tuple[str, ...] = tuple(names)

    def expand(self, values: Mapping[str, Any]) -> str:
        """Fill every placeholder from ``values``, quoting each as one segment."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values or values[name] is None:
                raise InvalidRequestError(f"path {self.template} needs a value for {{{name}}}")
            return quote_segment(values[name], name=name)

        return PLACEHOLDER.sub(fill, self.template)

    def __repr__(self) -> str:
        return f"PathTemplate({self.template!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathTemplate) and other.template == self.template

    def __hash__(self) -> int:
        return hash(self.template)
