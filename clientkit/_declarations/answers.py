"""What a call answers: JSON (the default), bytes, text or a stream, and the content types
it accepts. Pure: the client checks an answer with :func:`refusal`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

import attrs

from clientkit._declarations.errors import DeclarationError
from clientkit._declarations.keywords import checked_keywords

Kind = Literal["json", "bytes", "text", "stream"]
KINDS: tuple[str, ...] = get_args(Kind)


def media_type(content_type: str | None) -> str:
    """``"application/pdf"`` of ``"Application/PDF; charset=binary"`` (``""`` when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _accepted(value: str | Iterable[str]) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else tuple(value)
    out = []
    for item in items:
        kind = media_type(item)
        if kind.count("/") != 1 or not all(kind.split("/")):
            raise DeclarationError(f"accept takes media types such as 'application/pdf', not {item!r}")
        out.append(kind)
    return tuple(out)


@checked_keywords
@attrs.frozen
class Answer:
    """What a call answers: ``kind`` and the media types it ``accept``s (``()``: any;
    ``"image/*"`` matches every image)."""

    kind: Kind = "json"
    accept: tuple[str, ...] = attrs.field(default=(), converter=_accepted)

    def __attrs_post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DeclarationError(f"an answer is one of {', '.join(KINDS)}, not {self.kind!r}")

    def accepts(self, content_type: str | None) -> bool:
        """Whether an answer of ``content_type`` is one this call takes."""
        if not self.accept:
            return True
        kind = media_type(content_type)
        major = kind.split("/", 1)[0]
        return any(a == kind or (a.endswith("/*") and a[:-2] == major) or a == "*/*" for a in self.accept)

    def refusal(self, content_type: str | None) -> str | None:
        """Why an answer of ``content_type`` is refused (``None``: it is accepted)."""
        if self.accepts(content_type):
            return None
        got = media_type(content_type) or "no content type"
        return f"expected {' or '.join(self.accept)}, got {got}"


JSON = Answer()
