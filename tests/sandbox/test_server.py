"""The background server thread: serves a WSGI application on 127.0.0.1 until stopped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
import requests

from clientkit.sandbox.server import ServerThread
from tests.support.processes import free_port


def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"hello from {environ['PATH_INFO']}".encode()]


def test_serves_on_an_ephemeral_port_until_stopped() -> None:
    server = ServerThread(hello)
    assert server.port > 0 and server.url == f"http://127.0.0.1:{server.port}"
    with server as url:
        assert requests.get(url + "/health", timeout=5).text == "hello from /health"
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/health", timeout=2)


def test_serves_on_the_port_it_is_given() -> None:
    port = free_port()
    with ServerThread(hello, port=port) as url:
        assert url == f"http://127.0.0.1:{port}"
        assert requests.get(url + "/x", timeout=5).text == "hello from /x"
