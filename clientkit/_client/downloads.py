"""Downloads: a body streamed in constant memory to a file object, or to a temporary file
beside the target that is renamed over it only when complete and verified (removed on any
failure or interruption: never a partial file), with progress, checksums, cancellation,
and resuming with ``Range`` after a connection breaks mid-body."""

from __future__ import annotations

import contextlib
import email.message
import hashlib
import io
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import attrs

from clientkit._client.answers import refuse_unaccepted
from clientkit._client.streams import CHUNK, Stream
from clientkit._declarations.answers import Answer
from clientkit._declarations.errors import ConnectError, IntegrityError, InvalidRequestError
from clientkit._declarations.progress import Cancel, OnProgress, Progress, check_cancel

Opener = Callable[[Mapping[str, str]], Stream]
"""Opens the download's stream with extra headers (``Range`` and ``If-Range`` on resuming)."""

_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.IGNORECASE)


@attrs.frozen
class Downloaded:
    """A finished download: where it went (``None`` for a file object), its size in bytes,
    its content type, the ``filename`` the server suggested (never used as the path) and,
    when a ``checksum`` was asked for, the ``digest`` of what was written
    (``"sha256:<hex>"``)."""

    path: Path | None
    size: int
    content_type: str | None
    filename: str | None
    digest: str | None = None


@attrs.frozen
class Plan:
    """How one download runs: its checks, limits and callbacks."""

    accept: Answer | None = None
    checksum: str | None = None
    resume: bool = False
    retries: int = 0
    restartable: bool = True
    deadline: float | None = None
    cancel: Cancel | None = None
    progress: OnProgress | None = None
    chunk_size: int = CHUNK


def target_of(to: Any) -> tuple[Path | None, IO[bytes] | None]:
    """``to`` checked before anything is sent: a file path (its directory must exist) or
    an open, writable binary file object."""
    if isinstance(to, str | os.PathLike):
        path = Path(os.fspath(to))
        if path.is_dir():
            raise InvalidRequestError(f"cannot download to {str(path)!r}: it is a directory")
        if not path.parent.is_dir():
            raise InvalidRequestError(f"cannot download to {str(path)!r}: no directory {str(path.parent)!r}")
        return path, None
    if not callable(getattr(to, "write", None)):
        raise InvalidRequestError(f"download to a path or a binary file object, not {type(to).__name__}")
    if getattr(to, "closed", False):
        raise InvalidRequestError("cannot download to a closed file")
    writable = getattr(to, "writable", None)
    if callable(writable) and not writable():
        raise InvalidRequestError("cannot download to a file not opened for writing")
    mode = getattr(to, "mode", "b")
    if isinstance(to, io.TextIOBase) or (isinstance(mode, str) and "b" not in mode):
        raise InvalidRequestError("download to a file opened in binary mode ('wb'), not text mode")
    return None, to


def checked_plan(plan: Plan) -> Plan:
    """``plan`` with its checksum and chunk size validated (before anything is sent)."""
    if plan.checksum is not None:
        algorithm, colon, digest = str(plan.checksum).partition(":")
        known = algorithm.lower() in hashlib.algorithms_available
        if not known or (colon and not re.fullmatch(r"[0-9a-fA-F]+", digest)):
            raise InvalidRequestError(
                "a checksum is an algorithm to compute ('sha256') or one with the digest to "
                f"verify ('sha256:<hex>'; any hashlib algorithm), not {plan.checksum!r}"
            )
    if isinstance(plan.chunk_size, bool) or not isinstance(plan.chunk_size, int) or plan.chunk_size < 1:
        raise InvalidRequestError(f"chunk_size is a positive number of bytes, not {plan.chunk_size!r}")
    return plan


def download(opener: Opener, to: Any, plan: Plan) -> Downloaded:
    """Download what ``opener`` opens to ``to`` (a path or a binary file object)."""
    plan = checked_plan(plan)
    path, sink = target_of(to)
    if sink is not None:
        return _receive(opener, sink, plan)
    assert path is not None
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file:
            got = _receive(opener, file, plan)
            file.flush()
        with contextlib.suppress(OSError):  # a file replaced keeps its permissions
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return attrs.evolve(got, path=path)


@attrs.define
class _State:
    """What has been received so far, across the responses of one download."""

    sink: IO[bytes]
    plan: Plan
    start: int | None
    done: int = 0
    total: int | None = None
    content_type: str | None = None
    filename: str | None = None
    validator: str | None = None
    ranges: bool = False
    began: bool = False
    check: Any = None

    def headers(self) -> dict[str, str]:
        """What the next request adds: identity encoding, and the range still missing."""
        extra = {"Accept-Encoding": "identity"}
        if self.done and self.ranges and self.validator:
            extra.update({"Range": f"bytes={self.done}-", "If-Range": self.validator})
        return extra

    def begin(self, stream: Stream, method: str) -> None:
        """Take a response: the first, a continuation (206) or a fresh start (200)."""
        accept = self.plan.accept
        if accept is not None and not accept.accepts(stream.content_type):
            refuse_unaccepted(stream.response, accept, method, excerpt=stream.peek())
        if self.began and stream.status_code == 206 and self._continues(stream):
            return
        if self.began:
            self._restart()
        self.began = True
        headers = stream.headers
        self.total, self.content_type = stream.total, stream.content_type
        self.filename = filename_of(headers.get("Content-Disposition"))
        etag = headers.get("ETag")
        self.validator = etag if etag and not etag.startswith("W/") else headers.get("Last-Modified")
        self.ranges = headers.get("Accept-Ranges", "").lower() == "bytes"

    def _continues(self, stream: Stream) -> bool:
        match = _RANGE.fullmatch(stream.headers.get("Content-Range", "").strip())
        if match is None or int(match.group(1)) != self.done:
            return False
        return match.group(3) == "*" or self.total is None or int(match.group(3)) == self.total

    def _restart(self) -> None:
        if self.start is None:
            raise IntegrityError("the download broke off and cannot restart: the file object cannot seek")
        self.sink.seek(self.start)
        self.sink.truncate()
        self.done = 0
        self.check = _new_check(self.plan.checksum)

    def add(self, chunk: bytes) -> None:
        self.sink.write(chunk)
        if self.check is not None:
            self.check.update(chunk)
        self.done += len(chunk)
        if self.plan.progress is not None:
            self.plan.progress(Progress(self.done, self.total))
        check_cancel(self.plan.cancel, "the download")

    def may_continue(self, failures: int) -> bool:
        """Whether a body broken off may be continued (or started again) within the call."""
        plan = self.plan
        if not (plan.resume and self.began and failures < plan.retries):
            return False
        if plan.deadline is not None and time.monotonic() >= plan.deadline:
            return False
        return (self.ranges and self.validator is not None) or plan.restartable


def _new_check(checksum: str | None) -> Any:
    return None if checksum is None else hashlib.new(checksum.partition(":")[0].lower())


def _receive(opener: Opener, sink: IO[bytes], plan: Plan) -> Downloaded:
    start = sink.tell() if _seekable(sink) else None
    state = _State(sink, plan, start, check=_new_check(plan.checksum))
    failures = 0
    while True:
        check_cancel(plan.cancel, "the download")
        try:
            _one_response(opener, state)
            break
        except (ConnectError, IntegrityError):
            if not state.may_continue(failures):
                raise
            failures += 1
    _verify(state)
    digest = None if state.check is None else f"{state.check.name}:{state.check.hexdigest()}"
    return Downloaded(None, state.done, state.content_type, state.filename, digest)


def _one_response(opener: Opener, state: _State) -> None:
    with opener(state.headers()) as stream:
        state.begin(stream, stream.response.request.method or "GET")
        for chunk in stream.iter_bytes(state.plan.chunk_size):
            state.add(chunk)
        if stream.total is not None and stream.received != stream.total:
            raise IntegrityError(
                f"the body was {stream.received} bytes, not its Content-Length of {stream.total}"
            )


def _verify(state: _State) -> None:
    if state.total is not None and state.done != state.total:
        raise IntegrityError(f"the download was {state.done} bytes, not the {state.total} announced")
    expected = str(state.plan.checksum).partition(":")[2].lower()
    if state.check is not None and expected and state.check.hexdigest() != expected:
        got = state.check.hexdigest()
        raise IntegrityError(f"the download's {state.check.name} is {got}, not {expected}")


def _seekable(sink: IO[bytes]) -> bool:
    seekable = getattr(sink, "seekable", None)
    try:
        return bool(seekable()) if callable(seekable) else False
    except (OSError, ValueError):
        return False


def filename_of(disposition: str | None) -> str | None:
    """The file name a ``Content-Disposition`` suggests (its last path part only)."""
    if not disposition:
        return None
    message = email.message.Message()
    message["Content-Disposition"] = disposition
    name = message.get_filename()
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base if base not in ("", ".", "..") else None
