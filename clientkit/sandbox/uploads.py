"""Uploads the sandbox receives: ``multipart/form-data`` bodies parsed as they stream in,
files written to disk (never held in memory), served back where the record points.

A file part is stored under a fresh id and the record's field holds the path it is served
at, under the service's base URL: ``/_sandbox/files/<id>`` (the same bytes, the part's
content type, ``application/octet-stream`` when it declared none). Form fields become the
record's fields, typed by the model where the text spells the declared type (``"5"`` for
an ``int``, ``"true"``/``"True"`` for a ``bool``); a field sent more than once is a list.
The journal keeps a summary of the parts, never their bytes: each field's value, and each
file's filename, content type, size and SHA-256. A body is parsed only once its route and
its caller's access are checked (a refused request's body is read and dropped), and the
files of a request answered with an error status are deleted at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, get_args

import attrs
from werkzeug.sansio.multipart import Data, Epilogue, Field, MultipartDecoder, NeedData
from werkzeug.sansio.multipart import File as FileEvent
from werkzeug.wrappers import Request
from werkzeug.wsgi import get_input_stream

from clientkit._declarations.convert import conforms
from clientkit._declarations.errors import redacted_cause

FILES_PATH = "/_sandbox/files/{id}"
_CHUNK = 1 << 16
_MAX_FIELD = 1 << 20  # bytes of one form field (files have no limit)


@attrs.frozen
class StoredFile:
    """One uploaded file: where it is kept and what the part said about it."""

    id: str
    filename: str
    content_type: str | None
    size: int
    sha256: str
    path: Path

    @property
    def url(self) -> str:
        """The path it is served at, under the service's base URL."""
        return FILES_PATH.format(id=self.id)


@attrs.frozen
class Part:
    """One part of a form, in the order received: a field's text, or a stored file."""

    name: str
    value: str | None = None
    file: StoredFile | None = None


class Uploads:
    """The files a sandbox received, in a temporary directory removed by :meth:`close`."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._lock = threading.Lock()
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    def _directory(self) -> Path:
        with self._lock:
            if self._dir is None:
                self._dir = tempfile.TemporaryDirectory(prefix="clientkit-sandbox-files-")
            return Path(self._dir.name)

    def get(self, id: str) -> StoredFile | None:
        with self._lock:
            return self._files.get(id)

    def files(self) -> list[StoredFile]:
        """The files kept, in the order received."""
        with self._lock:
            return list(self._files.values())

    def add(self, file: StoredFile) -> None:
        with self._lock:
            self._files[file.id] = file

    def discard(self, parts: Iterable[Part]) -> None:
        """Delete the files of a request that kept none (an injected fault, an error answer)."""
        for part in parts:
            if part.file is not None:
                with self._lock:
                    self._files.pop(part.file.id, None)
                part.file.path.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._files.clear()
            directory, self._dir = self._dir, None
        if directory is not None:
            directory.cleanup()


def is_multipart(request: Request) -> bool:
    return request.mimetype == "multipart/form-data"


def drain(request: Request) -> None:
    """Read a body to its end, keeping nothing: a client still sending it would otherwise
    see a reset connection instead of the answer."""
    stream = get_input_stream(request.environ)
    while stream.read(_CHUNK):
        pass


def parse(request: Request, uploads: Uploads) -> list[Part]:
    """The parts of a multipart request, streamed: files go to disk as they arrive.
    ``ValueError`` for a body that is not a well-formed form."""
    boundary = request.mimetype_params.get("boundary", "").encode("latin-1")
    if not boundary:
        raise ValueError("a multipart body without a boundary")
    stream = get_input_stream(request.environ)
    decoder = MultipartDecoder(boundary, max_form_memory_size=_MAX_FIELD)
    parts: list[Part] = []
    current: _Receiving | None = None
    try:
        while True:
            chunk = stream.read(_CHUNK)
            decoder.receive_data(chunk or None)
            event = decoder.next_event()
            while not isinstance(event, NeedData | Epilogue):
                if isinstance(event, Field | FileEvent):
                    current = _Receiving(event, uploads)
                elif isinstance(event, Data) and current is not None:
                    current.write(event.data)
                    if not event.more_data:
                        parts.append(current.finish())
                        current = None
                event = decoder.next_event()
            if not chunk or isinstance(event, Epilogue):
                break
    except Exception as exc:  # werkzeug's own errors too (a part too large)
        if current is not None:
            current.abandon()
        uploads.discard(parts)
        raise ValueError(f"a malformed multipart body: {exc}") from redacted_cause(exc)
    if current is not None:
        current.abandon()
        raise ValueError("the multipart body ended inside a part")
    return parts


class _Receiving:
    """The part being received: a field's bytes, or a file written to disk and hashed."""

    def __init__(self, event: Field | FileEvent, uploads: Uploads) -> None:
        self.name = event.name
        self.uploads = uploads
        self.text = bytearray()
        self.stored: tuple[str, str, str | None, Path, Any] | None = None
        self.hash = hashlib.sha256()
        self.size = 0
        if isinstance(event, FileEvent):
            id = secrets.token_hex(12)
            path = uploads._directory() / id
            ctype = event.headers.get("Content-Type")
            self.stored = (id, event.filename, ctype, path, open(path, "wb"))  # noqa: SIM115

    def write(self, data: bytes) -> None:
        if self.stored is None:
            self.text += data
            if len(self.text) > _MAX_FIELD:
                raise ValueError(f"form field {self.name!r} is larger than {_MAX_FIELD} bytes")
            return
        self.stored[4].write(data)
        self.hash.update(data)
        self.size += len(data)

    def finish(self) -> Part:
        if self.stored is None:
            return Part(self.name, value=self.text.decode("utf-8", "replace"))
        id, filename, ctype, path, out = self.stored
        out.close()
        file = StoredFile(id, filename, ctype, self.size, self.hash.hexdigest(), path)
        self.uploads.add(file)
        return Part(self.name, file=file)

    def abandon(self) -> None:
        if self.stored is not None:
            self.stored[4].close()
            self.stored[3].unlink(missing_ok=True)


def summary(parts: Iterable[Part]) -> bytes:
    """What the journal keeps of a form: ``{"parts": [{name: text}, {name: {file facts}}]}``."""
    shown: list[dict[str, Any]] = []
    for part in parts:
        if part.file is None:
            shown.append({part.name: part.value})
        else:
            file = part.file
            facts = {"filename": file.filename, "content_type": file.content_type, "size": file.size}
            shown.append({part.name: {**facts, "sha256": file.sha256, "url": file.url}})
    return json.dumps({"parts": shown}).encode()


def payload(parts: Iterable[Part], types: Mapping[str, Any]) -> dict[str, Any]:
    """A form as a record's fields: text typed by the model (``types``: wire name -> type),
    a file as the path it is served at, a name sent more than once as a list."""
    grouped: dict[str, list[Any]] = {}
    for part in parts:
        value = part.file.url if part.file is not None else part.value
        grouped.setdefault(part.name, []).append(value)
    out: dict[str, Any] = {}
    for name, values in grouped.items():
        t = types.get(name, Any)
        if len(values) > 1 or (not conforms(values[0], t) and conforms([values[0]], t)):
            out[name] = [_typed(v, _item_type(t)) for v in values]
        else:
            out[name] = _typed(values[0], t)
    return out


def _item_type(t: Any) -> Any:
    for member in (t, *get_args(t)):
        args = get_args(member)
        if args and conforms([], member):
            return args[0]
    return Any


def _typed(text: Any, t: Any) -> Any:
    """``text`` as the type ``t`` declares, when it spells one (``"5"``, ``"true"``, ``"True"``)."""
    if not isinstance(text, str) or conforms(text, t):
        return text
    candidates: list[Any] = []
    with contextlib.suppress(ValueError):
        candidates.append(json.loads(text))
    candidates += [{"True": True, "False": False, "None": None}.get(text, text)]
    return next((c for c in candidates if conforms(c, t)), text)
