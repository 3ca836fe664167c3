"""The ``multipart/form-data`` body of an upload, streamed: a file-like object that reads
its parts in turn (files in chunks from disk or their file objects, never whole) and
knows its length, so requests sends a ``Content-Length`` and a retry can rewind it.

Part headers and the boundary come from urllib3 (:class:`urllib3.fields.RequestField`,
:func:`urllib3.filepost.choose_boundary`); the layout is requests' own: fields first,
then files, each in payload order.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from urllib3.fields import RequestField
from urllib3.filepost import choose_boundary

from clientkit._declarations.errors import InvalidRequestError, redacted_cause
from clientkit._declarations.files import File, check_binary, form_parts, has_files
from clientkit._declarations.progress import Progress

_CHUNK = 1 << 16  # bytes read from a file at a time


class _Part:
    """The content of one file part, read from its start after each :meth:`restart`."""

    def __init__(self, file: File, filename: str) -> None:
        self.file, self.filename = file, filename
        self.size: int | None = None
        self.done = 0
        self._data: memoryview | None = None
        self._stream: Any = None
        self._start = 0
        self._opened = False
        source = file.source
        if isinstance(source, Path):
            self.size = _path_size(source)
        elif isinstance(source, bytes | bytearray | memoryview):
            self._data = memoryview(source).cast("B")
            self.size = len(self._data)
        else:
            check_binary(source)
            self._start, self.size = _stream_extent(source)

    def restart(self) -> None:
        self.close()
        self.done = 0

    def read(self, n: int) -> bytes:
        data = self._data
        chunk = bytes(data[self.done : self.done + n]) if data is not None else self._stream_read(n)
        if chunk:
            self.done += len(chunk)
            if self.size is not None and self.done > self.size:
                raise InvalidRequestError(f"{self.filename} grew while it was uploaded")
            if self.file.progress is not None:
                self.file.progress(Progress(self.done, self.size, self.filename))
        elif self.size is not None and self.done != self.size:
            raise InvalidRequestError(f"{self.filename} shrank while it was uploaded")
        return chunk

    def _stream_read(self, n: int) -> bytes:
        if not self._opened:
            self._opened = True
            if isinstance(self.file.source, Path):
                self._stream = open(self.file.source, "rb")  # noqa: SIM115 - closed by close()
            else:
                self._stream = self.file.source
                if self.size is not None:
                    self._stream.seek(self._start)
        if self.size is not None:
            n = min(n, self.size - self.done) or 1  # one byte more finds a file that grew
        chunk = self._stream.read(n)
        if not isinstance(chunk, bytes | bytearray):
            kind = type(chunk).__name__
            raise InvalidRequestError(f"{self.filename} is not a binary file: read() gave {kind}")
        return bytes(chunk)

    def close(self) -> None:
        if self._opened and isinstance(self.file.source, Path) and self._stream is not None:
            self._stream.close()
        self._stream, self._opened = None, False


def _path_size(path: Path) -> int:
    try:
        info = path.stat()
    except OSError as exc:
        raise InvalidRequestError(f"cannot upload {path}: {exc.strerror or exc}") from redacted_cause(exc)
    if not stat.S_ISREG(info.st_mode):
        raise InvalidRequestError(f"cannot upload {path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise InvalidRequestError(f"cannot upload {path}: not readable")
    return info.st_size


def _stream_extent(stream: Any) -> tuple[int, int | None]:
    """Where a file object's content starts and how long it is (``None``: a pipe)."""
    try:
        if callable(getattr(stream, "seekable", None)) and not stream.seekable():
            return 0, None
        start = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(start)
    except (AttributeError, OSError, ValueError):
        return 0, None
    return start, max(0, end - start)


class MultipartBody:
    """A ``multipart/form-data`` body read in order; one whose file sizes are not all
    known (a pipe) is sent chunked and cannot be re-sent (``tell`` raises)."""

    def __init__(self, segments: list[bytes | _Part], boundary: str) -> None:
        self._segments = segments
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self._index = 0
        self._offset = 0  # within a bytes segment
        self._position = 0

    def read(self, size: int | None = -1) -> bytes:
        want = size if size is not None and size >= 0 else None
        out: list[bytes] = []
        got = 0
        while (want is None or got < want) and self._index < len(self._segments):
            segment = self._segments[self._index]
            room = _CHUNK if want is None else want - got
            if isinstance(segment, bytes):
                chunk = segment[self._offset : self._offset + room]
                self._offset += len(chunk)
                if self._offset >= len(segment):
                    self._index, self._offset = self._index + 1, 0
            else:
                chunk = segment.read(min(room, _CHUNK))
                if not chunk:
                    segment.close()
                    self._index += 1
            out.append(chunk)
            got += len(chunk)
        self._position += got
        return b"".join(out)

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(_CHUNK):
            yield chunk

    def tell(self) -> int:
        raise io.UnsupportedOperation("a body streamed from a pipe cannot be re-sent")

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        raise io.UnsupportedOperation("a body streamed from a pipe cannot be re-sent")

    def close(self) -> None:
        for segment in self._segments:
            if isinstance(segment, _Part):
                segment.close()

    def _restart(self) -> None:
        for segment in self._segments:
            if isinstance(segment, _Part):
                segment.restart()
        self._index = self._offset = self._position = 0


class SizedMultipartBody(MultipartBody):
    """A body of known length: sent with ``Content-Length``, rewound to re-send it."""

    def __init__(self, segments: list[bytes | _Part], boundary: str, length: int) -> None:
        super().__init__(segments, boundary)
        self._length = length

    def __len__(self) -> int:
        return self._length

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Only back to the start (what a retry needs), or where it already is."""
        target = offset if whence == io.SEEK_SET else self._position + offset if whence == io.SEEK_CUR else -1
        if target == 0:
            self._restart()
        elif target != self._position:
            raise io.UnsupportedOperation("a multipart body seeks only back to its start")
        return self._position


def _head(boundary: str, name: str, filename: str | None, content_type: str | None, headers: Any) -> bytes:
    field = RequestField(name=name, data=b"", filename=filename, headers=headers)
    field.make_multipart(content_type=content_type)
    return f"--{boundary}\r\n".encode("latin-1") + field.render_headers().encode("utf-8")


#: one file part: its field name, its content, its ``filename`` (``None``: no filename, a
#: plain field, as requests sends ``(None, value)``) and extra part headers
FilePart = tuple[str, File, str | None, Mapping[str, str] | None]


def build(
    fields: Iterable[tuple[str, str | bytes]], files: Iterable[FilePart], boundary: str | None = None
) -> MultipartBody:
    """The body of ``fields`` then ``files``."""
    boundary = boundary or choose_boundary()
    segments: list[bytes | _Part] = []
    for name, value in fields:
        data = value.encode("utf-8") if isinstance(value, str) else value
        segments.append(_head(boundary, name, None, None, None) + data + b"\r\n")
    for name, file, filename, headers in files:
        segments.append(_head(boundary, name, filename, file.content_type, headers))
        segments.extend((_Part(file, filename or name), b"\r\n"))
    segments.append(f"--{boundary}--\r\n".encode("latin-1"))
    sizes = [len(s) if isinstance(s, bytes) else s.size for s in segments]
    if any(size is None for size in sizes):
        return MultipartBody(segments, boundary)
    return SizedMultipartBody(segments, boundary, sum(s for s in sizes if s is not None))


def body_for(payload: Any) -> MultipartBody | None:
    """The multipart body of a payload with files among its top-level values, else ``None``
    (the payload is sent as JSON)."""
    if not has_files(payload):
        return None
    fields, files = form_parts(payload)
    return build(fields, [(name, file, file.name_for(name), None) for name, file in files])


def from_requests(data: Any, files: Any) -> MultipartBody | None:
    """``request(data=..., files=...)`` as requests takes them, streamed; ``None`` when
    requests should build it (no files, or a ``data`` that is not a form)."""
    if not files or not (data is None or isinstance(data, Mapping | list | tuple)):
        return None
    pairs = list(data.items() if isinstance(data, Mapping) else data or [])
    fields: list[tuple[str, str | bytes]] = []
    for name, value in pairs:
        values = [value] if isinstance(value, str | bytes) or not hasattr(value, "__iter__") else value
        fields.extend((name, v if isinstance(v, bytes) else str(v)) for v in values if v is not None)
    pairs = list(files.items() if isinstance(files, Mapping) else files)
    parts = [part for name, value in pairs if (part := _requests_file(value, name)) is not None]
    return build(fields, parts)


def _requests_file(value: Any, name: str) -> FilePart | None:
    """One ``files=`` value as requests reads it: a file, bytes or text (its filename the
    file's name, else the field's), or ``(filename, content[, type[, headers]])`` whose
    filename is sent as given (``None``: a plain field; ``""``: an empty filename)."""
    if not isinstance(value, tuple | list):
        if value is None:
            return None
        file = value if isinstance(value, File) else File(_content(value))
        return name, file, file.name_for(name), None
    if not 2 <= len(value) <= 4:
        raise InvalidRequestError("a files= tuple is (filename, content[, content type[, headers]])")
    filename, content, ctype, headers = (*value, None, None)[:4]
    if content is None:
        return None
    if filename is not None and not isinstance(filename, str):
        raise InvalidRequestError(f"a files= filename is a str or None, not {type(filename).__name__}")
    if isinstance(content, File):
        file = File(content.source, content_type=ctype or content.content_type, progress=content.progress)
    else:
        file = File(_content(content), content_type=ctype)
    return name, file, filename, headers


def _content(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8")
    if callable(getattr(value, "read", None)) or isinstance(value, bytes | bytearray | memoryview):
        return value  # requests reads any object with read() here
    raise InvalidRequestError(f"a files= value is bytes, text or an open file, not {type(value).__name__}")
