"""A service with file answers (a PDF report, a CSV export, a streamed log) for the
download, stream and answer tests, and httpbin served on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
