"""Files to upload: the :class:`File` value, which payload values are files, and how a
payload splits into the form fields and file parts of a ``multipart/form-data`` body.

A payload (a resource's fields on a write, an action's ``json``) with a file among its
top-level values is sent as ``multipart/form-data``: its other values become form fields
(as the official clients built on requests spell them), files are streamed, never read
into memory. Nothing is read from the local disk unless the caller clearly meant an
upload: a :class:`File`, an open file, or a ``pathlib.Path`` in a field declared to hold
a ``File``; any other path (a pure path, a ``str``) is a value like any other.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

import attrs

from clientkit._declarations.errors import InvalidRequestError
from clientkit._declarations.progress import OnProgress
from clientkit._declarations.wire import check_header_value


class File:
    """A file to upload: a path (``str`` or ``os.PathLike``), bytes, or an open binary file.

    ``filename`` and ``content_type`` are what its part declares (default: the path's or
    the file's name, else the field's name; no content type). ``progress`` is called with
    ``Progress(bytes_sent, size, detail=filename)`` as the file goes out (again from 0
    when a retry re-sends it). An open binary file in a payload is taken as ``File(value)``,
    and so is a ``pathlib.Path`` in a field declared to hold a ``File``; a ``str`` is text
    unless wrapped, and bytes only as ``File(b"...")``.
    """

    __slots__ = ("content_type", "filename", "progress", "source")

    def __init__(
        self,
        source: Any,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        progress: OnProgress | None = None,
    ) -> None:
        self.source: Path | bytes | bytearray | memoryview | Any = _checked_source(source)
        if filename is not None and (not isinstance(filename, str) or not filename):
            raise InvalidRequestError(f"a File's filename is a non-empty str, not {filename!r}")
        if content_type is not None:
            if not isinstance(content_type, str):
                raise InvalidRequestError(f"a File's content_type is a str, not {content_type!r}")
            check_header_value("Content-Type", content_type)
        if progress is not None and not callable(progress):
            raise InvalidRequestError("a File's progress is a callable taking a Progress")
        self.filename = filename
        self.content_type = content_type
        self.progress = progress

    def name_for(self, field: str) -> str:
        """The part's filename: the declared one, the basename of the path or the file's
        ``name`` (unless it is a pseudo name like ``<stdin>``), else the field's name."""
        if self.filename is not None:
            return self.filename
        name = str(self.source) if isinstance(self.source, Path) else getattr(self.source, "name", None)
        if isinstance(name, str) and name and not (name.startswith("<") or name.endswith(">")):
            return os.path.basename(name) or field
        return field

    def __repr__(self) -> str:
        source = self.source
        kind = "bytes" if isinstance(source, bytes | bytearray | memoryview) else type(source).__name__
        shown = str(source) if isinstance(source, Path) else f"<{kind}>"
        return f"File({shown!r}, filename={self.filename!r}, content_type={self.content_type!r})"


def _checked_source(source: Any) -> Any:
    if isinstance(source, File):
        raise InvalidRequestError("a File wraps a path, bytes or a file, not another File")
    if isinstance(source, str | os.PathLike):
        return Path(os.fsdecode(source))
    if isinstance(source, memoryview) and not source.c_contiguous:
        raise InvalidRequestError("a File of a memoryview needs a contiguous one: pass bytes(view)")
    if isinstance(source, bytes | bytearray | memoryview):
        return source
    if callable(getattr(source, "read", None)):
        check_binary(source)
        return source
    raise InvalidRequestError(
        f"a File is a path, bytes or an open binary file, not a {type(source).__name__}"
    )


def check_binary(stream: Any) -> None:
    """Refuse a file object that is closed or open in text mode."""
    if getattr(stream, "closed", False) is True:
        raise InvalidRequestError("a file to upload is closed")
    mode = getattr(stream, "mode", None)
    if isinstance(stream, io.TextIOBase) or (isinstance(mode, str) and "b" not in mode):
        raise InvalidRequestError("a file to upload must be open in binary mode ('rb'), not text mode")


def requests_files(payload: Any) -> Any:
    """``payload`` with the files an official client built on requests takes among a dict's
    values made :class:`File`s, so that it is sent as multipart: open files and streams,
    bytes (named after their key), ``(filename, content[, content type])`` tuples whose
    content is bytes or a stream. Any other value (a tuple of strings: a range) stays a value."""
    if not isinstance(payload, Mapping):
        return payload
    return {key: _requests_file(key, value) for key, value in payload.items()}


def _requests_file(key: str, value: Any) -> Any:
    if isinstance(value, tuple) and len(value) in (2, 3) and isinstance(value[0], str):
        if _requests_file("", value[1]) is value[1]:
            return value
        return File(value[1], filename=value[0], content_type=value[2] if len(value) == 3 else None)
    if isinstance(value, bytes | bytearray):
        return File(bytes(value), filename=key or None)
    readable = isinstance(value, io.IOBase) or callable(getattr(value, "read", None))
    return File(value) if readable else value


def is_file(value: Any) -> bool:
    """Whether a payload value is sent as a file: a :class:`File` or an open file (an
    ``io.IOBase``; ``File`` checks it is binary). A path is not: it is wrapped in
    ``File(...)``, or given to a field declared to hold one (:func:`local_files`). A resource
    or any value whose ``read`` is an attribute (``Message(read=True)``) is a value; another
    object with a ``read()`` method is refused with :class:`InvalidRequestError` (wrap it in
    ``File(...)`` to upload it)."""
    if isinstance(value, File | io.IOBase):
        return True
    if callable(getattr(value, "read", None)) and not attrs.has(type(value)):
        raise InvalidRequestError(
            f"a {type(value).__name__} has a read() method but is not a file object: "
            "wrap it in File(...) to upload it"
        )
    return False


def declares_file(annotation: Any) -> bool:
    """Whether a field's annotation names :class:`File` (``File | Path | str | None``)."""
    return annotation is File or any(declares_file(arg) for arg in get_args(annotation))


def local_files(value: Any, annotation: Any) -> Any:
    """The value of a field annotated ``annotation`` with its local paths as files: in a
    field declared to hold a :class:`File`, a ``pathlib.Path`` (never a pure path, never a
    ``str``), alone or in a list, is ``File(path)``; any other value is as it is."""
    if isinstance(value, Path | list | tuple) and declares_file(annotation):
        if isinstance(value, Path):
            return File(value)
        if any(isinstance(v, Path) for v in value):
            return [File(v) if isinstance(v, Path) else v for v in value]
    return value


def as_file(value: Any) -> File:
    """``value`` as a :class:`File` (itself when it is one)."""
    return value if isinstance(value, File) else File(value)


def _files_in(value: Any) -> bool:
    if is_file(value):
        return True
    return isinstance(value, list | tuple) and any(is_file(v) for v in value)


def has_files(payload: Any) -> bool:
    """Whether ``payload`` is a mapping with a file (or a list holding files) among its
    top-level values, which makes it a multipart body."""
    return isinstance(payload, Mapping) and any(_files_in(v) for v in payload.values())


def form_parts(payload: Mapping[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, File]]]:
    """The form fields and the files of ``payload``, each in payload order.

    Fields: a ``str`` as it is, other scalars through ``str()`` (``True``, ``1.5``), ``None``
    left out, a list one field per element. A list of files is one file part per file.
    Mappings, nested lists and bare bytes have no form spelling and are refused.
    """
    fields: list[tuple[str, str]] = []
    files: list[tuple[str, File]] = []
    for name, value in payload.items():
        if not isinstance(name, str):
            raise InvalidRequestError(f"form field names are str, not {type(name).__name__}")
        if _files_in(value):
            values = list(value) if isinstance(value, list | tuple) else [value]
            if not all(is_file(v) for v in values):
                raise InvalidRequestError(f"field {name!r} mixes files and other values")
            files.extend((name, as_file(v)) for v in values)
            continue
        values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        fields.extend((name, _form_text(name, v)) for v in values if v is not None)
    return fields, files


def _form_text(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        raise InvalidRequestError(f"field {name!r} holds bytes: wrap them in File(...) to upload them")
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        raise InvalidRequestError(
            f"field {name!r} nests a {type(value).__name__}; a multipart form is flat "
            "(encode it as text yourself)"
        )
    return str(value)


def without_files(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` without its files (what a write leaves the object knowing it sent)."""
    if not has_files(payload):
        return payload
    return {k: v for k, v in payload.items() if not _files_in(v)}
