"""Path templates whose placeholders are always quoted as one segment.

Identity and paths are data: a value placed into ``{id}`` can never add a path
segment, a query, a fragment or a host, whatever characters it holds.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, unquote

import attrs

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
#: What an encoded segment may hold: RFC 3986 ``pchar`` (percent escapes included).
_SEGMENT = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@%]+")


def percent_encode(text: str) -> str:
    """``text`` percent-encoded as one segment (``/`` becomes ``%2F``): the default encoding."""
    return quote(text, safe=_SEGMENT_SAFE)


@attrs.frozen
class SegmentCodec:
    """How a value becomes one path segment, and back (the sandbox decodes with it).

    The default percent-encodes. ``encode`` must give one segment: RFC 3986 path
    characters only (no ``/``, ``?``, ``#``, spaces), else the request is refused.

    Example:
        >>> SegmentCodec.escaping({"~": "~7E", "/": "~2F"}).encode("a/b~c")
        'a~2Fb~7Ec'
    """

    encode: Callable[[str], str] = percent_encode
    decode: Callable[[str], str] = unquote

    def __attrs_post_init__(self) -> None:
        if not (callable(self.encode) and callable(self.decode)):
            raise DeclarationError("SegmentCodec takes an encode and a decode function")

    @classmethod
    def escaping(cls, escapes: Mapping[str, str]) -> SegmentCodec:
        """A codec replacing each character of ``escapes`` by its escape (``{"/": "~2F"}``),
        then percent-encoding the rest; the character introducing each escape must be escaped too
        (``"~": "~7E"``), so that every value keeps a segment of its own."""
        if not escapes or any(len(c) != 1 or not e or "/" in e for c, e in escapes.items()):
            raise DeclarationError("SegmentCodec.escaping takes single characters and non-empty escapes")
        unescaped = sorted({e[0] for e in escapes.values()} - set(escapes))
        if unescaped:
            raise DeclarationError(
                f"SegmentCodec.escaping: escape {unescaped[0]!r} too (as in {{{unescaped[0]!r}: ...}}): "
                "else text already holding an escape is encoded like the character it stands for"
            )
        forward = str.maketrans(dict(escapes))
        back = {e: c for c, e in escapes.items()}
        pattern = re.compile("|".join(re.escape(e) for e in sorted(back, key=len, reverse=True)))
        return cls(
            encode=lambda text: percent_encode(text.translate(forward)),
            decode=lambda segment: pattern.sub(lambda m: back[m.group(0)], unquote(segment)),
        )


PERCENT = SegmentCodec()


def quote_segment(value: Any, *, name: str = "value", codec: SegmentCodec = PERCENT) -> str:
    """Quote ``value`` so that it stays exactly one path segment, spelled by ``codec``.

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
        quoted = codec.encode(text) if text else ""
    except ValueError as exc:  # an int over Python's digit limit; a lone surrogate (UnicodeEncodeError)
        raise InvalidRequestError(f"{name} cannot be placed in a path: {exc}") from redacted_cause(exc)
    if text == "":
        raise InvalidRequestError(f"{name} must not be empty")
    if text in (".", ".."):
        raise InvalidRequestError(f"{name} {text!r} is a dot segment and cannot be an identifier")
    if not (isinstance(quoted, str) and _SEGMENT.fullmatch(quoted)) or quoted in (".", ".."):
        raise InvalidRequestError(
            f"the segment encoder turned {name} into {excerpt_of(quoted, 80)}, which is not one "
            "path segment (RFC 3986 path characters only, no '/', '?', '#' or spaces)"
        )
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

    def expand(self, values: Mapping[str, Any], codec: SegmentCodec = PERCENT) -> str:
        """Fill every placeholder from ``values``, each one segment spelled by ``codec``."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values or values[name] is None:
                raise InvalidRequestError(f"path {self.template} needs a value for {{{name}}}")
            return quote_segment(values[name], name=name, codec=codec)

        return PLACEHOLDER.sub(fill, self.template)

    def __repr__(self) -> str:
        return f"PathTemplate({self.template!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathTemplate) and other.template == self.template

    def __hash__(self) -> int:
        return hash(self.template)
