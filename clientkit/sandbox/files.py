"""File answers: bytes served with a declared content type, streamed from memory, a file
or a generator (never built whole), with ``Range`` requests (206, ``Accept-Ranges``,
``ETag``, ``If-Range``) so that resuming a download can be tested; and placeholder
documents for declared actions that answer bytes, text or a stream."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from clientkit._declarations.answers import Answer, media_type

BLOCK = 256 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


@attrs.frozen
class Generated:
    """``size`` deterministic bytes made as they are sent (a 1 GB body costs no memory)."""

    size: int
    seed: int = 0

    def block(self) -> bytes:
        base = bytes((i * 31 + self.seed) % 251 for i in range(251))
        return (base * (BLOCK // 251 + 2))[: BLOCK + 251]

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive), in blocks."""
        block, at = self.block(), start
        while at < end:
            offset = at % 251
            piece = block[offset : offset + min(BLOCK, end - at)]
            at += len(piece)
            yield piece


Source = bytes | str | os.PathLike[str] | Generated
Content = Source | Callable[[Any], Source]


@attrs.frozen
class Body:
    """One file answer's bytes: its size, validator and a reader of any range."""

    size: int
    etag: str
    read: Callable[[int, int], Iterator[bytes]]


def body_of(source: Source) -> Body:
    """The :class:`Body` of bytes, a file path or :class:`Generated` bytes."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return Body(len(data), f'"{hashlib.sha1(data).hexdigest()[:16]}"', lambda a, b: iter([data[a:b]]))
    if isinstance(source, Generated):
        return Body(source.size, f'"gen-{source.size}-{source.seed}"', source.chunks)
    path = Path(os.fspath(source))
    stat = path.stat()
    return Body(
        stat.st_size, f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"', lambda a, b: _file_chunks(path, a, b)
    )


def _file_chunks(path: Path, start: int, end: int) -> Iterator[bytes]:
    with path.open("rb") as file:
        file.seek(start)
        left = end - start
        while left > 0:
            piece = file.read(min(BLOCK, left))
            if not piece:
                return
            left -= len(piece)
            yield piece


def wanted_range(header: str | None, if_range: str | None, body: Body) -> tuple[int, int] | bool | None:
    """The range a request asks for: ``(start, end)``, ``None`` for the whole body, or
    ``False`` when it cannot be satisfied (416)."""
    if not header or (if_range is not None and if_range != body.etag):
        return None
    match = _RANGE.match(header.strip())
    if match is None or not (match.group(1) or match.group(2)):
        return None  # not one simple range: the whole body, as servers may
    first, last = match.group(1), match.group(2)
    if not first:
        start, end = max(0, body.size - int(last)), body.size
    else:
        start, end = int(first), min(body.size, int(last) + 1) if last else body.size
    if start >= body.size or start >= end:
        return False
    return start, end


def placeholder(answer: Answer, name: str) -> tuple[bytes, str]:
    """A small deterministic document of the first type ``answer`` accepts, and that type."""
    kind = next((a for a in answer.accept if not a.endswith("/*")), None)
    kind = kind or {"text": "text/plain", "bytes": "application/octet-stream"}.get(
        answer.kind, "application/octet-stream"
    )
    if media_type(kind) == "application/pdf":
        text = (
            f"%PDF-1.4\n% clientkit sandbox placeholder: {name}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
        )
        return text.encode(), kind
    if kind.startswith("text/") or kind.endswith(("json", "xml")):
        return f"clientkit sandbox placeholder: {name}\n".encode(), kind
    return f"clientkit sandbox placeholder: {name}\n".encode() + bytes(range(256)), kind


@attrs.frozen
class FileBody:
    """The body of a file answer (in a ``Reply``): what to send and how."""

    content: Source
    filename: str | None = None
    ranges: bool = True


def file_response(
    body: FileBody, status: int, headers: dict[str, str], content_type: str, request: Any
) -> Any:
    """The werkzeug response of a file answer, the whole body or the range asked for."""
    from werkzeug.wrappers import Response

    data = body_of(body.content)
    headers = {**headers, "ETag": data.etag}
    if body.filename is not None:
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quoted(body.filename)}"
    span: tuple[int, int] | bool | None = None
    if body.ranges:
        headers["Accept-Ranges"] = "bytes"
        if status == 200 and request.method == "GET":
            span = wanted_range(request.headers.get("Range"), request.headers.get("If-Range"), data)
    if span is False:
        headers["Content-Range"] = f"bytes */{data.size}"
        return Response(b"", status=416, headers=headers)
    start, end = span if isinstance(span, tuple) else (0, data.size)
    if isinstance(span, tuple):
        status, headers["Content-Range"] = 206, f"bytes {start}-{end - 1}/{data.size}"
    headers["Content-Length"] = str(end - start)
    chunks = data.read(start, end) if request.method != "HEAD" else iter(())
    return Response(
        chunks, status=status, headers=headers, content_type=content_type, direct_passthrough=True
    )


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
