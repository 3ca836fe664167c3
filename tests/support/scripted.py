"""A scripted HTTP server for transport tests: it answers what a test queues and
records every request it receives, so tests assert on the wire."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs
from werkzeug.wrappers import Request, Response

from clientkit.sandbox import ServerThread


@attrs.frozen
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    raw_path: str = ""  # the path as it arrived, percent-escapes intact

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@attrs.define
class Reply:
    status: int = 200
    json: Any = None
    body: bytes | str | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    delay: float = 0.0
    drop: bool = False  # close the connection without answering
    truncate: int | None = None  # send this many body bytes, then close
    trickle: tuple[int, float] | None = None  # send the body N bytes every T seconds
    content_type: str = "application/json"
    raw: bool = False  # headers exactly as given (werkzeug would rewrite a Location)


Handler = Callable[[Received, Request], Reply]


class ScriptedServer:
    """Queue replies per (method, path); the last queued reply repeats."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._queues: dict[tuple[str, str], deque[Reply | Handler]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._thread = ServerThread(self._app)
        self.url = self._thread.url
        self.host_alias_url = f"http://localhost:{self._thread.port}"

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._thread.stop()

    def on(self, method: str, path: str, *replies: Reply | Handler) -> None:
        with self._lock:
            self._queues[(method.upper(), path)].extend(replies)

    def set(self, method: str, path: str, *replies: Reply | Handler) -> None:
        """Replace whatever was queued for (method, path)."""
        with self._lock:
            self._queues[(method.upper(), path)] = deque(replies)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self._queues.clear()

    def requests_to(self, path: str, method: str | None = None) -> list[Received]:
        return [r for r in self.received if r.path == path and (method is None or r.method == method)]

    def _next(self, method: str, path: str) -> Reply | Handler | None:
        with self._lock:
            queue = self._queues.get((method, path)) or self._queues.get(("*", path))
            if not queue:
                return None
            return queue.popleft() if len(queue) > 1 else queue[0]

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        record = Received(
            method=request.method,
            path=request.path,
            query=environ.get("QUERY_STRING", ""),
            headers=dict(request.headers.items()),
            body=request.get_data(),
            raw_path=environ.get("RAW_URI", "").split("?", 1)[0],
        )
        with self._lock:
            self.received.append(record)
        entry = self._next(request.method, request.path)
        if entry is None:
            reply = Reply(404, json={"message": f"no script for {request.method} {request.path}"})
        elif isinstance(entry, Reply):
            reply = entry
        else:
            reply = entry(record, request)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            sock: socket.socket = environ["werkzeug.socket"]
            sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            return []
        if reply.body is not None:
            payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
        elif reply.json is not None:
            payload = json.dumps(reply.json).encode()
        else:
            payload = b""
        headers = {"Content-Type": reply.content_type, **reply.headers}
        if reply.truncate is not None or reply.raw:
            keep = len(payload) if reply.truncate is None else reply.truncate
            return self._truncated(environ, start_response, reply.status, headers, payload, keep)
        if reply.trickle is not None:
            return self._trickled(start_response, reply.status, headers, payload, *reply.trickle)
        return Response(payload, status=reply.status, headers=headers)(environ, start_response)

    @staticmethod
    def _truncated(
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        status: int,
        headers: dict[str, str],
        payload: bytes,
        keep: int,
    ) -> Iterator[bytes]:
        start_response(f"{status} X", [*headers.items(), ("Content-Length", str(len(payload)))])
        yield payload[:keep]
        sock: socket.socket = environ["werkzeug.socket"]
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    @staticmethod
    def _trickled(
        start_response: Callable[..., Any],
        status: int,
        headers: dict[str, str],
        payload: bytes,
        size: int,
        pause: float,
    ) -> Iterator[bytes]:
        """The whole body, ``size`` bytes at a time with ``pause`` seconds between them."""
        start_response(f"{status} X", [*headers.items(), ("Content-Length", str(len(payload)))])
        for start in range(0, len(payload), size):
            if start:
                time.sleep(pause)
            yield payload[start : start + size]
