"""An HTTP/1.1 server that keeps connections open (werkzeug's test server closes each
one), so tests can see a pooled connection reused by the next request: ``GET`` answers
``blob`` bytes, ``POST`` answers 201 after ``delay`` seconds."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class KeepAliveServer:
    """Records the client ports it served (one per connection) and the POSTs it answered."""

    def __init__(self, blob: bytes = b"x" * 10_000, delay: float = 1.0) -> None:
        self.ports: set[int] = set()
        self.answered: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                owner.ports.add(self.client_address[1])
                self._answer(200, "application/octet-stream", blob)

            def do_POST(self) -> None:
                owner.ports.add(self.client_address[1])
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)
                self._answer(201, "application/json", b'{"ok": true}')
                owner.answered.append(self.path)

            def _answer(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
