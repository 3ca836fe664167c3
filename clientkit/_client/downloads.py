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

from clientkit._client.ambient import ambient_cancel, ambient_deadline, earliest, either
from clientkit._client.answers import refuse_unaccepted
from clientkit._client.streams import CHUNK, Stream
from clientkit._declarations.answers import Answer
from clientkit._declarations.errors import APIError, ConnectError, IntegrityError, InvalidRequestError
from clientkit._declarations.progress import Cancel, OnProgress, Progress, check_cancel, deadline_after

Opener = Callable[[Mapping[str, str]], Stream]
"""Opens the download's stream with extra headers (``Range`` and ``If-Range`` on resuming)."""

_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.IGNORECASE)
_UNSATISFIED = re.compile(r"bytes\s+\*/(\d+)", re.IGNORECASE)
_OWN_HEADERS = ("range", "if-range")


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
    """How one download runs: its checks, limits and callbacks. ``may_restart``: the request
    may be sent again from the start (it is idempotent); ``ranged``: a body broken off may be
    continued with ``Range`` (a ``GET``); ``deadline``: the one ``time.monotonic()`` instant
    every attempt must meet."""

    accept: Answer | None = None
    checksum: str | None = None
    resume: bool = False
    retries: int = 0
    may_restart: bool = True
    ranged: bool = True
    deadline: float | None = None
    cancel: Cancel | None = None
    progress: OnProgress | None = None
    chunk_size: int = CHUNK


def one_deadline(seconds: float | None, total: float | None) -> float | None:
    """The download's one deadline, for every attempt and resume: the earliest of
    ``deadline=`` (seconds), the call's ``Timeout(total=)`` and the ambient deadline."""
    now = time.monotonic()
    until = earliest(deadline_after(seconds, now), ambient_deadline())
    return earliest(until, now + total) if total else until


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


def refuse_own_ranges(headers: Mapping[str, Any]) -> None:
    """A download asks for its own ranges: a caller's ``Range`` or ``If-Range`` header is
    refused before anything is sent (the checks and resuming count from byte 0)."""
    own = sorted(name for name, value in headers.items() if name.lower() in _OWN_HEADERS and value)
    if own:
        raise InvalidRequestError(
            f"download() sends its own {'/'.join(own)} header (to resume); stream() a range of a body instead"
        )


def download(opener: Opener, to: Any, plan: Plan) -> Downloaded:
    """Download what ``opener`` opens to ``to`` (a path or a binary file object); it stops
    at the ambient cancel (of bulk work it runs in) as at its own."""
    plan = attrs.evolve(checked_plan(plan), cancel=either(plan.cancel, ambient_cancel()))
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
    etag: str | None = None
    modified: str | None = None
    ranges: bool = False
    encoded: bool = False  # the first answer was content-encoded: a Range would count other bytes
    began: bool = False
    check: Any = None
    asked: bool = False  # the last request asked for the rest of the body (Range)
    until: int | None = None  # where the current 206's range ends (exclusive)
    stuck: bool = False  # a failure no further attempt can mend

    def headers(self) -> dict[str, str]:
        """What the next request adds: identity encoding, and the range still missing."""
        extra = {"Accept-Encoding": "identity"}
        self.asked = bool(self.done and self._continuable())
        if self.asked and self.validator:
            extra.update({"Range": f"bytes={self.done}-", "If-Range": self.validator})
        return extra

    def begin(self, stream: Stream, method: str) -> None:
        """Take a response: the first, a continuation (206) or a fresh start (200)."""
        self._check_type(stream, method)
        self.until = None
        if stream.status_code == 206:
            self._continue(stream, method)
            return
        if self.began:
            self._restart(stream, method)
        self._capture(stream)

    def _check_type(self, stream: Stream, method: str) -> None:
        accept = self.plan.accept
        if accept is not None and not accept.accepts(stream.content_type):
            refuse_unaccepted(stream.response, accept, method, excerpt=stream.peek())

    def _continue(self, stream: Stream, method: str) -> None:
        """A 206 continues exactly where the body broke off, of the same body (validator)
        and length; anything else would splice another body into this one."""
        said = stream.headers.get("Content-Range", "").strip()
        match = _RANGE.fullmatch(said)
        if not self.asked:
            raise self._stuck("a partial answer (206) where the whole body was asked for", stream, method)
        if match is None or int(match.group(2)) < int(match.group(1)):
            raise self._stuck(f"cannot resume: a 206 with the Content-Range {said[:80]!r}", stream, method)
        start, total = int(match.group(1)), match.group(3)
        if start != self.done:
            why = (
                f"cannot resume: the server continued at byte {start}, not at {self.done} where it broke off"
            )
            raise self._stuck(why, stream, method)
        if total != "*" and self.total is not None and int(total) != self.total:
            raise self._stuck(
                f"cannot resume: the body is now {total} bytes, not the {self.total} it began with",
                stream,
                method,
            )
        self._same_body(stream, method)
        self.total = int(total) if total != "*" else self.total
        self.until = int(match.group(2)) + 1

    def _same_body(self, stream: Stream, method: str) -> None:
        """Refuse a 206 whose validator says the body changed (a server ignoring If-Range):
        the next attempt starts again from zero if it may, else the download fails."""
        etag, modified = stream.headers.get("ETag"), stream.headers.get("Last-Modified")
        changed = (etag and self.etag and etag != self.etag) or (
            modified and self.modified and modified != self.modified
        )
        if not changed:
            return
        self.validator = None  # never ask for a range of this body again
        why = "cannot resume: the body changed on the server (another validator in the 206)"
        if self.plan.may_restart and self.start is not None:
            raise IntegrityError(f"{why}; starting again", method=method, url=stream.url)
        raise self._stuck(why, stream, method)

    def _restart(self, stream: Stream, method: str) -> None:
        if self.start is None:
            why = "the download broke off and cannot start again: the file object cannot seek"
            raise self._stuck(why, stream, method)
        self.sink.seek(self.start)
        self.sink.truncate()
        self.done = 0
        self.check = _new_check(self.plan.checksum)

    def _capture(self, stream: Stream) -> None:
        """What the first (or a fresh) whole answer says about the body."""
        self.began = True
        headers = stream.headers
        self.total, self.content_type = stream.total, stream.content_type
        self.filename = filename_of(headers.get("Content-Disposition"))
        self.etag, self.modified = headers.get("ETag"), headers.get("Last-Modified")
        etag = self.etag
        self.validator = etag if etag and not etag.startswith("W/") else self.modified
        self.ranges = headers.get("Accept-Ranges", "").lower() == "bytes"
        self.encoded = headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")

    def _stuck(self, why: str, stream: Stream, method: str) -> IntegrityError:
        self.stuck = True
        return IntegrityError(why, method=method, url=stream.url)

    def add(self, chunk: bytes) -> None:
        self.sink.write(chunk)
        if self.check is not None:
            self.check.update(chunk)
        self.done += len(chunk)
        if self.plan.progress is not None:
            self.plan.progress(Progress(self.done, self.total))
        check_cancel(self.plan.cancel, "the download")

    def complete(self, stream: Stream, method: str) -> bool:
        """After a body read without error: whether the download is whole. A 206 must have
        given its whole range; a body short of the known total is broken off (continued
        within the retries); a 206 of a body whose total the server never said (``/*``)
        proves nothing: the next range is asked for until the server says there is none."""
        if stream.total is not None and stream.received != stream.total:
            raise IntegrityError(
                f"the body was {stream.received} bytes, not its Content-Length of {stream.total}"
            )
        if self.until is not None and self.done > self.until:
            raise self._stuck(f"the 206 sent more than its range (to byte {self.until})", stream, method)
        if self.until is not None and self.done < self.until:
            raise IntegrityError(f"the 206 ended at byte {self.done}, before its range's end at {self.until}")
        if self.total is not None and self.done < self.total:
            raise IntegrityError(f"the server sent {self.done} of {self.total} bytes; the rest is missing")
        return self.until is None or self.total is not None

    def unsatisfiable(self, error: APIError) -> bool:
        """Whether a 416 to our range says the body is whole already (``bytes */<done>``):
        a chunked body that came whole but without its closing chunk."""
        headers = error.response.headers if error.response is not None else {}
        match = _UNSATISFIED.fullmatch(str(headers.get("Content-Range", "")).strip())
        if error.status != 416 or not self.asked or match is None:
            return False
        if int(match.group(1)) != self.done or (self.total is not None and self.total != self.done):
            self.stuck = True
            said = match.group(1)
            raise IntegrityError(
                f"cannot resume: the server says the body is {said} bytes, not the {self.done} received"
            ) from None
        return True

    def _continuable(self) -> bool:
        return self.plan.ranged and self.ranges and self.validator is not None and not self.encoded

    def may_continue(self, failures: int) -> bool:
        """Whether a body broken off may be continued (or started again) within the call."""
        plan = self.plan
        if self.stuck or not (plan.resume and self.began and failures < plan.retries):
            return False
        if plan.deadline is not None and time.monotonic() >= plan.deadline:
            return False
        return self._continuable() or (plan.may_restart and self.start is not None)


def _new_check(checksum: str | None) -> Any:
    return None if checksum is None else hashlib.new(checksum.partition(":")[0].lower())


def _receive(opener: Opener, sink: IO[bytes], plan: Plan) -> Downloaded:
    start = sink.tell() if _seekable(sink) else None
    state = _State(sink, plan, start, check=_new_check(plan.checksum))
    failures = 0
    while True:
        check_cancel(plan.cancel, "the download")
        try:
            if _one_response(opener, state):
                break
        except (ConnectError, IntegrityError):
            if not state.may_continue(failures):
                raise
            failures += 1
    _verify(state)
    digest = None if state.check is None else f"{state.check.name}:{state.check.hexdigest()}"
    return Downloaded(None, state.done, state.content_type, state.filename, digest)


def _one_response(opener: Opener, state: _State) -> bool:
    """One response's body into the sink; whether the download is whole."""
    try:
        stream = opener(state.headers())
    except APIError as error:
        if state.unsatisfiable(error):
            return True
        raise
    with stream:
        method = stream.response.request.method or "GET"
        state.begin(stream, method)
        for chunk in stream.iter_bytes(state.plan.chunk_size):
            state.add(chunk)
        return state.complete(stream, method)


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
