"""A response body read as it arrives, under its call's total deadline: the alarm that cut
off a slow exchange stays armed until the stream is closed, so a trickling server is cut
off on time, and the failures of a read become clientkit's typed errors."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import attrs
import requests
import urllib3.exceptions
from urllib3.util.wait import wait_for_read

from clientkit._client.ambient import ambient_cancel
from clientkit._client.answers import refuse_unaccepted
from clientkit._client.deadline import Hold
from clientkit._declarations.answers import Answer
from clientkit._declarations.errors import (
    ClientKitError,
    ConnectError,
    DecodeError,
    IntegrityError,
    InvalidRequestError,
    RequestTimeout,
    redacted_cause,
)
from clientkit._declarations.options import RequestOptions, Timeout
from clientkit._declarations.progress import check_cancel

CHUNK = 256 * 1024  # bytes per read: large enough for throughput, small in memory
_BROKEN = (
    urllib3.exceptions.HTTPError,
    requests.exceptions.RequestException,
    http.client.HTTPException,
    OSError,
)


class Stream:
    """A streamed answer, to be used in a ``with`` block; the body is read with
    :meth:`iter_bytes`, :meth:`read1` or :meth:`read`, each chunk as soon as it has arrived.
    Leaving the block releases the connection (one not fully read is closed, never returned
    to the pool half-read) and ends the deadline's watch; reading after it raises
    :class:`InvalidRequestError`.
    """

    def __init__(self, response: requests.Response, hold: Hold, *, method: str, budget: str) -> None:
        self.response = response
        self._raw: Any = response.raw  # urllib3's, even once ``response.raw`` is guarded
        self._hold = hold
        self._method = method
        self._budget = budget
        self._finished = False
        self._closed = False
        self._received = 0
        self._failed: ClientKitError | None = None
        self._cancel = ambient_cancel()

    @property
    def headers(self) -> requests.structures.CaseInsensitiveDict[str]:
        return self.response.headers

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def content_type(self) -> str | None:
        return self.response.headers.get("Content-Type")

    @property
    def url(self) -> str:
        return self.response.url

    @property
    def total(self) -> int | None:
        """The body's ``Content-Length`` in bytes, when the server gave one."""
        value = self.response.headers.get("Content-Length", "")
        return int(value) if value.isdigit() and "Content-Encoding" not in self.response.headers else None

    @property
    def received(self) -> int:
        """Bytes of the body given out so far, as :meth:`iter_bytes` and :meth:`read` give
        them (after any content decoding)."""
        return self._received

    def iter_bytes(self, chunk_size: int = CHUNK) -> Iterator[bytes]:
        """The body in chunks of at most ``chunk_size`` bytes, each given as soon as it has
        arrived: a slow body comes in small chunks, a fast one in full ones."""
        while chunk := self.read1(chunk_size):
            yield chunk

    def read1(self, size: int = CHUNK) -> bytes:
        """Up to ``size`` bytes of the body, as many as have arrived (waiting for the first);
        ``b""`` once it is read whole."""
        failed, self._failed = self._failed, None
        if failed is not None:
            raise failed  # after the bytes read before it were given out
        if self._closed:
            raise InvalidRequestError("the stream is closed: read its body inside its with block")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidRequestError(f"a stream is read in chunks of at least one byte, not {size!r}")
        if self._finished:
            return b""
        check_cancel(self._cancel, "the stream")
        chunk = self._guarded(size)
        if not chunk:
            self._finished = True
            self._hold.release()  # read whole: the connection is back in the pool
            return b""
        parts, have = [chunk], len(chunk)
        try:
            while have < size and self._arrived() and (more := self._guarded(size - have)):
                parts.append(more)  # a fast body: what is there already, up to ``size``
                have += len(more)
        except ClientKitError as exc:
            self._failed = exc  # raised by the next read: what came before it is given now
        chunk = parts[0] if len(parts) == 1 else b"".join(parts)
        self._received += len(chunk)
        return chunk

    def read(self) -> bytes:
        """The rest of the body (for small bodies; use :meth:`iter_bytes` for large ones)."""
        return b"".join(self.iter_bytes())

    def peek(self, size: int = 512) -> bytes:
        """Up to ``size`` bytes of the body, for an error's excerpt (the stream is spent)."""
        out = bytearray()
        while len(out) < size and (chunk := self.read1(size - len(out))):
            out += chunk
        return bytes(out)

    def _arrived(self) -> bool:
        """Whether more of the body can be read without waiting."""
        sock = getattr(self._raw.connection, "sock", None)
        if sock is None:
            return False
        pending = getattr(sock, "pending", None)  # TLS: bytes decrypted already
        return bool(pending is not None and pending()) or wait_for_read(sock, timeout=0)

    def _guarded(self, size: int) -> bytes:
        """One read of what has arrived; a failure closes the stream and is typed."""
        try:
            return bytes(self._raw.read1(size, decode_content=True) or b"")
        except ClientKitError:
            raise
        except _BROKEN as exc:
            error, cause = self._error(exc), exc
        self.close()
        raise error from redacted_cause(cause)

    def _error(self, exc: BaseException) -> ClientKitError:
        url = self.response.url
        alarm = self._hold.alarm
        if alarm is not None and alarm.fired:
            return RequestTimeout(f"the body took longer than {self._budget}", method=self._method, url=url)
        if isinstance(exc, urllib3.exceptions.ReadTimeoutError | TimeoutError):
            return RequestTimeout(f"the body stalled: {exc}", method=self._method, url=url)
        if isinstance(exc, urllib3.exceptions.DecodeError):
            return DecodeError(f"the body could not be decoded: {exc}", method=self._method, url=url)
        if _short(exc):
            length = self.headers.get("Content-Length")
            got = self._raw.tell()
            why = f"{got} of {length} bytes" if length else f"{got} bytes, before its closing chunk"
            return IntegrityError(f"the body ended after {why}", method=self._method, url=url)
        return ConnectError(f"the connection broke mid-body: {exc}", method=self._method, url=url)

    def close(self) -> None:
        """Release the connection (closed unless the body was read whole) and the alarm."""
        if self._closed:
            return
        self._closed = True
        try:
            if not self._finished:
                self._raw.close()  # never back to the pool half-read
            self._raw.release_conn()
        finally:
            self._hold.release()

    def __enter__(self) -> Stream:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class GuardedBody:
    """``response.raw`` of ``request(..., stream=True)``: urllib3's body read through a
    :class:`Stream`, so the call's deadline bounds the reading and a failure is typed.
    The body is always decoded (requests asks for that); other attributes are urllib3's."""

    def __init__(self, stream: Stream) -> None:
        self._stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream._raw, name)

    def stream(self, amt: int | None = CHUNK, decode_content: bool | None = None) -> Iterator[bytes]:
        return self._stream.iter_bytes(_size(amt))

    def read1(self, amt: int | None = None, decode_content: bool | None = None) -> bytes:
        return b"" if amt == 0 else self._stream.read1(_size(amt))

    def read(
        self, amt: int | None = None, decode_content: bool | None = None, cache_content: bool = False
    ) -> bytes:
        if amt is None or amt < 0:
            return self._stream.read()
        out = bytearray()
        while len(out) < amt and (chunk := self._stream.read1(amt - len(out))):
            out += chunk
        return bytes(out)

    def close(self) -> None:
        self._stream.close()


def _size(amt: int | None) -> int:
    """urllib3's ``amt`` as a chunk size (``None`` or less than one: the default)."""
    return amt if amt is not None and amt > 0 else CHUNK


def _short(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection closed before ``Content-Length`` bytes arrived."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, http.client.IncompleteRead | urllib3.exceptions.IncompleteRead):
            return True
        if any(isinstance(a, http.client.IncompleteRead) for a in seen.args):
            return True
        seen = seen.__context__ or seen.__cause__
    return False


def open_stream(
    send: Callable[..., requests.Response],
    method: str,
    path: str,
    *,
    options: RequestOptions,
    accept: Answer | None = None,
    deadline: float | None = None,
    **kwargs: Any,
) -> Stream:
    """Send a request whose body is to be streamed (``send`` is the session's) and open its
    :class:`Stream`; an answer of a type ``accept`` refuses raises before it is returned.
    Streams bypass the cache (a cache would read the whole body to store it)."""
    if options.cache is None:
        options = attrs.evolve(options, cache="bypass")
    stream = _opened(send, method, path, options, deadline, kwargs)
    if accept is not None and not accept.accepts(stream.content_type):
        with stream:
            refuse_unaccepted(stream.response, accept, method.upper(), excerpt=stream.peek())
    return stream


def open_response(
    send: Callable[..., requests.Response],
    method: str,
    path: str,
    *,
    options: RequestOptions,
    accept: Answer | None = None,
    **kwargs: Any,
) -> requests.Response:
    """``request(..., stream=True)``: the response, its body still on the wire read through
    a :class:`GuardedBody` (a body a cache has already read is in memory as it is)."""
    stream = _opened(send, method, path, options, None, kwargs)
    if stream.response.raw.connection is None:  # read whole already (stored by the cache, empty)
        stream._hold.release()
    else:
        stream.response.raw = GuardedBody(stream)
    if accept is not None and not accept.accepts(stream.content_type):
        excerpt = stream.peek() if isinstance(stream.response.raw, GuardedBody) else None
        refuse_unaccepted(stream.response, accept, method.upper(), excerpt=excerpt)
    return stream.response


def _opened(
    send: Callable[..., requests.Response],
    method: str,
    path: str,
    options: RequestOptions,
    deadline: float | None,
    kwargs: dict[str, Any],
) -> Stream:
    hold = Hold()
    resp = send(method, path, options=options, stream=True, hold=hold, deadline=deadline, **kwargs)
    total = (options.timeout or Timeout()).total
    budget = f"{total}s in total" if total else "the deadline of the call"
    return Stream(resp, hold, method=method.upper(), budget=budget)
