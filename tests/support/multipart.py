"""Multipart bodies as a server sees them: the parts in order (werkzeug's decoder), so
tests compare parts, never bytes (the boundary is random)."""

from __future__ import annotations

import attrs
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData


@attrs.frozen
class Part:
    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None


def parts_of(body: bytes, content_type: str) -> list[Part]:
    """The parts of a ``multipart/form-data`` body, in order."""
    mimetype, options = parse_options_header(content_type)
    assert mimetype == "multipart/form-data", content_type
    decoder = MultipartDecoder(options["boundary"].encode("latin-1"))
    decoder.receive_data(body)
    decoder.receive_data(None)
    parts: list[Part] = []
    head: Field | File | None = None
    data = bytearray()
    while not isinstance(event := decoder.next_event(), Epilogue | NeedData):
        if isinstance(event, Field | File):
            head, data = event, bytearray()
        elif isinstance(event, Data) and head is not None:
            data += event.data
            if not event.more_data:
                filename = head.filename if isinstance(head, File) else None
                ctype = head.headers.get("Content-Type")
                parts.append(Part(head.name, bytes(data), filename, ctype))
    return parts
