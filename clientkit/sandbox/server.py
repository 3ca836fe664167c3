"""Serving a WSGI application on 127.0.0.1 in a background thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

WSGIApp = Callable[..., Any]


class ServerThread:
    """A threaded WSGI server on an ephemeral (or given) port of 127.0.0.1.

    Example:
        >>> with ServerThread(app) as url:
        ...     requests.get(url + "/health")
    """

    def __init__(self, app: WSGIApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        try:
            from werkzeug.serving import WSGIRequestHandler, make_server
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise ImportError("the sandbox needs werkzeug: pip install 'clientkit[sandbox]'") from exc

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        self._server = make_server(host, port, app, threaded=True, request_handler=QuietHandler)
        self._server.daemon_threads = True  # type: ignore[attr-defined]
        self.host = host
        self.port: int = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> str:
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
