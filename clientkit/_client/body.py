"""Request and response bodies: what may be sent (and sent again), and reading an answer
within the call's deadline and the ``max_body`` limit."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import requests

from clientkit._client.deadline import DeadlineExceeded
from clientkit._declarations.errors import DecodeError, InvalidRequestError, redacted_cause
from clientkit._declarations.wire import check_form, checked_chunks

_CHUNK = 1 << 20  # decoded bytes per read of a body


def raw_body(data: Any) -> Any:
    """``data`` as requests takes it (bytes, text, a form mapping, pairs, a file or an
    iterator of chunks); anything else is refused before sending."""
    if isinstance(data, str) and not data.isascii():
        try:
            data.encode("latin-1")  # what http.client does with a text body
        except UnicodeEncodeError as exc:
            raise InvalidRequestError(
                "a text body (data=) must be Latin-1; pass bytes for UTF-8"
            ) from redacted_cause(exc)
    if isinstance(data, Mapping | list | tuple):
        check_form(data)
    if data is None or isinstance(data, bytes | bytearray | memoryview | str | Mapping | list | tuple):
        return data
    if hasattr(data, "read"):
        if getattr(data, "closed", False) is True:
            raise InvalidRequestError("a raw body (data=) is a closed file")
        return data
    if hasattr(data, "__iter__"):
        return data if hasattr(data, "__len__") else checked_chunks(data)
    raise InvalidRequestError(f"a raw body (data=) cannot be a {type(data).__name__}")


class _NotReplayable:
    def tell(self) -> int:
        raise OSError("not replayable")


class Rewinder:
    """Puts file-like bodies back at their start before each attempt."""

    def __init__(self, *bodies: Any) -> None:
        self._marks: list[tuple[Any, int]] = []
        self.replayable = True
        for body in bodies:
            for stream in self._streams(body):
                try:
                    self._marks.append((stream, stream.tell()))
                except (AttributeError, OSError):
                    self.replayable = False

    @staticmethod
    def _streams(body: Any) -> Iterable[Any]:
        if body is None or isinstance(body, bytes | str | bytearray):
            return []
        if isinstance(body, Mapping | list | tuple):
            values = body.values() if isinstance(body, Mapping) else body if isinstance(body, list) else []
            items = (v[1] if isinstance(v, tuple) and len(v) > 1 else v for v in values)
            return [item for item in items if hasattr(item, "read")]
        if hasattr(body, "read"):
            return [body]
        return [_NotReplayable()]  # a generator or iterator is consumed by the first attempt

    def rewind(self) -> None:
        for stream, position in self._marks:
            stream.seek(position)


def within(limit: float | None, deadline: float | None) -> float | None:
    """``limit`` cut to the time left before ``deadline`` (never below a millisecond)."""
    if deadline is None:
        return limit
    left = max(deadline - time.monotonic(), 0.001)
    return left if limit is None else min(limit, left)


def read_body(resp: requests.Response, deadline: float | None, limit: int | None) -> None:
    """Read and decode the whole body in bounded chunks, checking ``deadline`` between them
    (so decompressing counts against it) and refusing more than ``limit`` decoded bytes;
    the connection returns to the pool."""
    length = _plain_length(resp)
    if resp.raw is not None and length is not None:
        if limit is not None and length > limit:
            resp.close()
            raise _too_large(resp, limit)
        resp._content = resp.raw.read(decode_content=True)  # the length bounds it; the watchdog, time
        resp._content_consumed = True  # type: ignore[attr-defined]
        return
    parts: list[bytes] = []
    size = 0
    while resp.raw is not None:
        if deadline is not None and time.monotonic() >= deadline:
            resp.close()
            raise DeadlineExceeded
        chunk = resp.raw.read(_CHUNK, decode_content=True)
        if not chunk:
            break
        size += len(chunk)
        if limit is not None and size > limit:
            resp.close()
            raise _too_large(resp, limit)
        parts.append(chunk)
    resp._content = b"".join(parts)
    resp._content_consumed = True  # type: ignore[attr-defined]


def _plain_length(resp: requests.Response) -> int | None:
    """The valid ``Content-Length`` of a body sent as it is: read in one call (the fastest
    way), since its length bounds the read and the watchdog its time."""
    encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
    declared = resp.headers.get("Content-Length", "")
    if encoding != "identity" or "Transfer-Encoding" in resp.headers or not _has_body(resp):
        return None  # chunked framing ignores the length; a HEAD, 204 or 304 sends none
    if not declared.isdigit() or len(declared) > 18:
        return None
    return int(declared)


def _has_body(resp: requests.Response) -> bool:
    method = resp.request.method if resp.request is not None else None
    return method != "HEAD" and resp.status_code >= 200 and resp.status_code not in (204, 304)


def _too_large(resp: requests.Response, limit: int) -> DecodeError:
    method = resp.request.method if resp.request is not None else ""
    return DecodeError(
        f"the decoded body is larger than max_body ({limit} bytes)",
        status=resp.status_code,
        content_type=resp.headers.get("Content-Type") or None,
        method=method or "",
        url=resp.url,
    )


def reader(deadline: float | None, limit: int | None) -> Any:
    """A response hook that reads the body (before requests-cache reads it) by ``deadline``
    and within ``limit``."""

    def hook(resp: requests.Response, *_: Any, **__: Any) -> requests.Response:
        if not resp._content_consumed and resp.raw is not None:  # type: ignore[attr-defined]
            read_body(resp, deadline, limit)
        return resp

    return hook
