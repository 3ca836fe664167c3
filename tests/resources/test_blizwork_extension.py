"""BlizWorkUtils.accept_call behind real endpoints: a WSGI app on werkzeug's server and an ASGI
app on uvicorn receive extension calls over HTTP; BlizWork's sandbox confirms each one-time
handshake, and replayed, forged, tokenless, malformed and (strictly) draft calls are refused."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Request, Response

from clientkit.errors import HandshakeError
from clientkit.sandbox import ServerThread
from clientkit_services.blizwork import BlizWorkAPIInstance, BlizWorkUtils
from clientkit_services.blizwork.sandbox import BlizWorkSandbox

uvicorn = pytest.importorskip("uvicorn")


def _check(utils: BlizWorkUtils, body: bytes, strict: bool) -> tuple[int, bytes]:
    try:
        call = utils.accept_call(body, strict)
    except HandshakeError as err:
        return 403, json.dumps({"error": type(err).__name__, "message": str(err)}).encode()
    return 200, json.dumps(call).encode()


def wsgi(utils: BlizWorkUtils, strict: bool) -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        status, body = _check(utils, Request(environ).get_data(), strict)
        return Response(body, status=status, content_type="application/json")(environ, start_response)

    return app


def asgi(utils: BlizWorkUtils, strict: bool) -> Callable[..., Any]:
    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        status, answer = await asyncio.to_thread(_check, utils, body, strict)
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    return app


def serve_wsgi(app: Callable[..., Any]) -> tuple[str, Callable[[], None]]:
    thread = ServerThread(app)
    return thread.start(), thread.stop


def serve_asgi(app: Callable[..., Any]) -> tuple[str, Callable[[], None]]:
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(5)
        listening.close()

    return f"http://127.0.0.1:{listening.getsockname()[1]}", stop


KINDS = {"wsgi": (wsgi, serve_wsgi), "asgi": (asgi, serve_asgi)}


@pytest.fixture
def box(monkeypatch: pytest.MonkeyPatch) -> Iterator[BlizWorkSandbox]:
    monkeypatch.setenv("NODE_ENV", "production")
    sandbox = BlizWorkSandbox()
    with sandbox:
        yield sandbox


@pytest.fixture(params=list(KINDS))
def endpoint(request: pytest.FixtureRequest, box: BlizWorkSandbox) -> Iterator[Callable[[bool], str]]:
    make, serve = KINDS[request.param]
    utils = BlizWorkUtils(BlizWorkAPIInstance("sandbox-token", "email@company.com", base_url=box.url))
    stops: list[Callable[[], None]] = []

    def start(strict: bool) -> str:
        url, stop = serve(make(utils, strict))
        stops.append(stop)
        return url

    yield start
    for stop in stops:
        stop()


def refused(resp: requests.Response, message: str) -> None:
    assert resp.status_code == 403 and resp.json()["error"] == "HandshakeError", resp.text
    assert message in resp.json()["message"]


def test_a_genuine_call_is_accepted_once(endpoint: Callable[[bool], str], box: BlizWorkSandbox) -> None:
    url = endpoint(False)
    token = box.issue_handshake()
    call = {"environment": "production", "processId": "sales-process", "processVersion": 1,
            "caseNumber": 39, "handshakeToken": token, "fields": {"amount": 1200}}  # fmt: skip
    accepted = requests.post(url, json=call, timeout=5)
    assert accepted.status_code == 200 and accepted.json() == call
    asked = box.journal.last
    assert asked.path.startswith(f"/utils/validatecall/{token}/***") and asked.body == b"{}"
    refused(requests.post(url, json=call, timeout=5), "did not confirm the handshake's handshakeToken")
    forged = {**call, "handshakeToken": "642c8f141be17c78c05bcbff"}
    refused(requests.post(url, json=forged, timeout=5), "did not confirm")
    assert len([e for e in box.journal.entries() if "/validatecall/" in e.path]) == 3


def test_malformed_and_tokenless_calls_never_reach_blizwork(
    endpoint: Callable[[bool], str], box: BlizWorkSandbox
) -> None:
    url = endpoint(True)
    tokenless = {"environment": "production", "caseNumber": 39}
    refused(requests.post(url, json=tokenless, timeout=5), "no handshakeToken")
    refused(requests.post(url, json={"handshakeToken": None}, timeout=5), "no handshakeToken")
    for raw in (b"[1, 2]", b"<xml/>", b"\xff\xfe"):
        refused(requests.post(url, data=raw, timeout=5), "not a JSON object")
    assert not box.journal.entries()


def test_a_draft_call_is_trusted_only_when_not_strict(
    endpoint: Callable[[bool], str], box: BlizWorkSandbox
) -> None:
    draft = {"environment": "draft", "caseNumber": 7, "handshakeToken": "000000000000000000000000"}
    assert requests.post(endpoint(False), json=draft, timeout=5).json() == draft  # the official shortcut
    assert not box.journal.entries()
    refused(requests.post(endpoint(True), json=draft, timeout=5), "did not confirm")  # B5
    assert box.journal.last.path.startswith("/utils/validatecall/000000000000000000000000/")
    genuine = {**draft, "handshakeToken": box.issue_handshake()}
    assert requests.post(endpoint(True), json=genuine, timeout=5).status_code == 200


def test_the_call_may_be_given_parsed_or_as_text(box: BlizWorkSandbox) -> None:
    utils = BlizWorkUtils(BlizWorkAPIInstance("sandbox-token", "email@company.com", base_url=box.url))
    token = box.issue_handshake()
    call = {"environment": "production", "handshakeToken": token}
    assert utils.accept_call(call) == call
    with pytest.raises(HandshakeError, match="did not confirm"):
        utils.accept_call(json.dumps(call))
