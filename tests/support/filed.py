"""A service with file answers (a PDF report, a CSV export, a streamed log) for the
download, stream and answer tests, and httpbin served on 127.0.0.1."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from clientkit import Action, Resource, Service, TokenAuth
from clientkit._client.session import Session


class Docs(Service):
    auth = TokenAuth()


@Docs.resource(
    one="/reports/{id}",
    actions={
        "pdf": Action("GET", "/reports/{id}/pdf", answer="bytes", accept="application/pdf"),
        "csv": Action("GET", "/reports/{id}/csv", answer="text", accept=("text/csv",)),
        "log": Action("GET", "/reports/{id}/log", answer="stream"),
        "meta": Action("GET", "/reports/{id}/meta", accept="application/json"),
    },
)
class Report(Resource):
    id: int | None = None
    title: str | None = None


def docs(url: str, **options: object) -> Session:
    return Docs.connect(url, token="sandbox-token", **options)  # type: ignore[arg-type]


def leftovers(directory: Path) -> list[str]:
    """What a directory holds (a download that failed must leave nothing behind)."""
    return sorted(p.name for p in directory.iterdir())


@contextmanager
def httpbin() -> Iterator[str]:
    """httpbin's Flask app on an ephemeral port of 127.0.0.1."""
    from httpbin import app  # type: ignore[import-untyped]
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


BIG = 20_000_000
ZIPPED = b"clientkit " * 50_000


class _Cacheable(BaseHTTPRequestHandler):
    """Answers every GET as fresh for an hour (``Cache-Control: max-age=3600``): ``/big`` is
    :data:`BIG` bytes sent in 1 MB blocks, ``/gz`` is :data:`ZIPPED` gzip-encoded, any other
    path a small JSON body."""

    protocol_version = "HTTP/1.1"
    zipped = gzip.compress(ZIPPED)

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.send_response(200)
        self.send_header("Cache-Control", "max-age=3600")
        if path == "/big":
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
            block = b"z" * 1_000_000
            for _ in range(BIG // len(block)):
                self.wfile.write(block)
            return
        body, ctype = b'{"ok": true}', "application/json"
        if path == "/gz":
            body, ctype = self.zipped, "application/octet-stream"
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on 127.0.0.1 in a background thread; the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def cacheable() -> Iterator[str]:
    """A server whose answers say they may be cached for an hour (see :class:`_Cacheable`)."""
    with _serving(_Cacheable) as url:
        yield url


def stored(session: Session) -> int:
    """How many answers the session's cache backend holds."""
    return len(list(session.transport.http.cache.responses.keys()))  # type: ignore[attr-defined]


@contextmanager
def raw(answer: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A server whose every GET is answered by ``answer(handler)``, byte for byte (a body
    broken off, a chunked body without its closing chunk)."""
    handler = type("Raw", (_Quiet,), {"do_GET": lambda self: answer(self)})
    with _serving(handler) as url:
        yield url


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass
