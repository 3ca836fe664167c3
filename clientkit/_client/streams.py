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

from clientkit._client.answers import refuse_unaccepted
from clientkit._client.deadline import Hold
from clientkit._declarations.answers import Answer
from clientkit._declarations.errors import (
    ClientKitError,
    ConnectError,
    DecodeError,
    IntegrityError,
    RequestTimeout,
    redacted_cause,
)
from clientkit._declarations.options import RequestOptions, Timeout

CHUNK = 256 * 1024  # bytes per read: large enough for throughput, small in memory
_BROKEN = (
    urllib3.exceptions.HTTPError,
    requests.exceptions.RequestException,
    http.client.HTTPException,
    OSError,
)


class Stream:
    """A streamed answer, to be used in a ``with`` block; the body is read with
    :meth:`iter_bytes` or :meth:`read`. Leaving the block releases the connection (one not
    fully read is closed, never returned to the pool half-read) and ends the deadline's watch.
    """

    def __init__(self, response: requests.Response, hold: Hold, *, method: str, budget: str) -> None:
        self.response = response
        self._hold = hold
        self._method = method
        self._budget = budget
        self._finished = False

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
        """Bytes of the body read from the wire so far (before any content decoding)."""
        return int(self.response.raw.tell())

    def iter_bytes(self, chunk_size: int = CHUNK) -> Iterator[bytes]:
        """The body in chunks of at most ``chunk_size`` bytes, as they arrive."""
        raw = self.response.raw
        try:
            for chunk in raw.stream(chunk_size, decode_content=True):
                if chunk:
                    yield chunk
        except ClientKitError:
            raise
        except _BROKEN as exc:
            error = self._error(exc)
            cause = exc
        else:
            self._finished = True
            self._hold.release()  # read whole: the connection is back in the pool
            return
        self.close()
        raise error from redacted_cause(cause)

    def read(self) -> bytes:
        """The rest of the body (for small bodies; use :meth:`iter_bytes` for large ones)."""
        return b"".join(self.iter_bytes())

    def peek(self, size: int = 512) -> bytes:
        """Up to ``size`` bytes of the body, for an error's excerpt (the stream is spent)."""
        out = bytearray()
        for chunk in self.iter_bytes(size):
            out += chunk
            if len(out) >= size:
                break
        return bytes(out[:size])

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
            expected = self.total
            return IntegrityError(
                f"the body ended after {self.received} of {expected} bytes", method=self._method, url=url
            )
        return ConnectError(f"the connection broke mid-body: {exc}", method=self._method, url=url)

    def close(self) -> None:
        """Release the connection (closed unless the body was read whole) and the alarm."""
        try:
            if not self._finished:
                self.response.raw.close()  # never back to the pool half-read
            self.response.close()
        finally:
            self._hold.release()

    def __enter__(self) -> Stream:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


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
    hold = Hold()
    resp = send(method, path, options=options, stream=True, hold=hold, deadline=deadline, **kwargs)
    total = (options.timeout or Timeout()).total
    budget = f"{total}s in total" if total else "the deadline of the call"
    stream = Stream(resp, hold, method=method.upper(), budget=budget)
    if accept is not None and not accept.accepts(stream.content_type):
        with stream:
            refuse_unaccepted(resp, accept, method.upper(), excerpt=stream.peek())
    return stream
