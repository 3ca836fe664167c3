"""One test per fault kind, and faults reproducible with a seed."""

from __future__ import annotations

from typing import Any

import pytest

from clientkit import (
    RetryPolicy,
    Timeout,
)
from clientkit.errors import (
    ConnectError,
    DecodeError,
    RedirectError,
    RequestTimeout,
    ServerError,
)
from clientkit.sandbox import Fault
from clientkit.sandbox.app import Sandbox, SandboxRequest
from tests.support.sandboxed import Product, Shop, shop


def test_fault_latency(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("latency", delay=0.5, times=1))
    with pytest.raises(RequestTimeout):
        shop(sandbox, timeout=(2, 0.2), retries=0).get(Product, 1)
    sandbox.faults.add(Fault("latency", delay=0.5, times=1))
    assert shop(sandbox, timeout=(2, 0.2)).get(Product, 1).id == 1  # retried


def test_fault_status_burst_is_retried(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("status", status=503, times=2, route="/products/*"))
    assert shop(sandbox).get(Product, 1).id == 1
    assert len(sandbox.journal.entries("GET", "/products/1")) == 3


def test_fault_status_longer_than_the_budget(sandbox: Sandbox) -> None:
    from clientkit.errors import ServerError

    sandbox.faults.add(Fault("status", status=502, times=5))
    with pytest.raises(ServerError) as info:
        shop(sandbox).get(Product, 1)
    assert info.value.status == 502 and info.value.body["message"] == "injected fault"


def test_fault_429_with_retry_after(sandbox: Sandbox) -> None:
    slept: list[float] = []
    sandbox.faults.add(Fault("status", status=429, retry_after="1", times=1))
    shop(sandbox, retries=RetryPolicy(sleep=slept.append)).create(Product(name="x"))
    assert slept == [1.0]


def test_fault_dropped_connection(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("drop", times=1))
    assert shop(sandbox).get(Product, 1).id == 1
    sandbox.faults.add(Fault("drop", times=1))
    with pytest.raises(ConnectError):
        shop(sandbox).create(Product(name="never twice"))
    assert not any(r["name"] == "never twice" for r in sandbox.records("Product"))


def test_fault_dropped_mid_body(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("drop_mid", times=1))
    assert shop(sandbox).get(Product, 1).id == 1
    assert len(sandbox.journal.entries("GET", "/products/1")) == 2


def test_fault_truncated_json(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("truncate", times=1))
    with pytest.raises(DecodeError, match="expected a JSON body") as info:
        shop(sandbox).get(Product, 1)
    assert info.value.excerpt.startswith('{"data"')


def test_fault_html_error_page(sandbox: Sandbox) -> None:
    from clientkit.errors import ServerError

    sandbox.faults.add(Fault("html", times=3))
    with pytest.raises(ServerError) as info:
        shop(sandbox).get(Product, 1)
    assert info.value.status == 502 and "Bad Gateway" in str(info.value)


def test_fault_trickle_hits_the_total_deadline(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("trickle", chunk=8, delay=0.05))
    with pytest.raises(RequestTimeout, match="in total"):
        shop(sandbox, timeout=Timeout(connect=2, read=1, total=0.5), retries=0).get(Product, 1)
    sandbox.faults.clear()
    sandbox.faults.add(Fault("trickle", chunk=64, delay=0.01, times=1))
    assert shop(sandbox).get(Product, 1).id == 1  # slow but within every limit


def test_fault_redirect_to_another_host(sandbox: Sandbox) -> None:
    other = Sandbox(Shop)

    @other.route("/mirror/{id}", public=True)
    def mirror(req: SandboxRequest) -> Any:
        return {"data": {"id": int(req.params["id"]), "name": "mirrored"}}

    with other as other_url:
        target = other_url.replace("127.0.0.1", "localhost") + "/mirror/1"
        sandbox.faults.add(Fault("redirect", location=target, times=1))
        assert shop(sandbox).get(Product, 1).name == "mirrored"
        followed = other.journal.last
        assert followed is not None and followed.header("Authorization") is None
        sandbox.faults.add(Fault("redirect", location=target, times=1))
        with pytest.raises(RedirectError):
            shop(sandbox).create(Product(name="x"))


def test_faults_are_reproducible_with_a_seed() -> None:
    def draws(seed: int) -> list[bool]:
        box = Sandbox(Shop, seed=seed)
        box.faults.add(Fault("status", rate=0.3))
        return [bool(box.faults.draw("GET", "/products")) for _ in range(50)]

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_fault_reset_breaks_the_connection_mid_body(sandbox: Sandbox) -> None:
    import socket

    sandbox.faults.add(Fault("reset", times=1, route="/products/1"))
    with socket.create_connection(("127.0.0.1", int(sandbox.url.rsplit(":", 1)[1])), timeout=5) as conn:
        conn.sendall(b"GET /products/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Token sandbox-token\r\n\r\n")
        received = bytearray()
        with pytest.raises(ConnectionResetError):
            _read_all(conn, received)
    head, _, body = received.partition(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0] and len(body) < int(
        head.split(b"Content-Length: ")[1].split(b"\r\n")[0]
    )


@pytest.mark.parametrize("kind", ["drop_mid", "reset", "trickle"])
def test_body_faults_apply_to_file_answers(sandbox: Sandbox, kind: str) -> None:
    import requests

    from clientkit.sandbox.files import Generated

    sandbox.serve_file("/file", Generated(4000))
    sandbox.faults.add(Fault(kind, times=1, route="/file", chunk=1000, delay=0.01))  # type: ignore[arg-type]
    resp = requests.get(
        sandbox.url + "/file", headers={"Authorization": "Token sandbox-token"}, stream=True, timeout=5
    )
    if kind == "trickle":
        import time

        started = time.monotonic()
        assert len(resp.content) == 4000 and time.monotonic() - started >= 0.03  # four pauses
        return
    with pytest.raises(requests.exceptions.RequestException):
        resp.content  # noqa: B018


def _read_all(conn: Any, into: bytearray) -> None:
    while chunk := conn.recv(65536):
        into += chunk


def test_matching_faults_answer_one_request_each_in_declaration_order(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("status", status=503, times=1))
    sandbox.faults.add(Fault("status", status=429, retry_after="0", times=1))
    sandbox.faults.add(Fault("drop_mid", times=1, route="/products/*"))
    slept: list[float] = []
    session = shop(sandbox, retries=RetryPolicy(retries=3, backoff=0, sleep=slept.append))
    assert session.get(Product, 1).id == 1  # 503, then 429, then half a body, then success
    assert [e.status for e in sandbox.journal.entries("GET", "/products/1")] == [503, 429, 200, 200]
    assert len(slept) == 3


def test_a_latency_fault_adds_its_wait_to_the_fault_that_answers(sandbox: Sandbox) -> None:
    import time

    sandbox.faults.add(Fault("latency", delay=0.3, times=1))
    sandbox.faults.add(Fault("latency", delay=0.3, times=1))  # the next request's
    sandbox.faults.add(Fault("status", status=503, times=1))
    session = shop(sandbox, retries=0)
    started = time.monotonic()
    with pytest.raises(ServerError):
        session.get(Product, 1)  # slow, and a 503
    assert 0.3 <= time.monotonic() - started < 0.55  # one wait, not both
    started = time.monotonic()
    assert session.get(Product, 1).id == 1 and time.monotonic() - started >= 0.3


def test_a_fault_for_other_requests_waits_for_them(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("status", status=500, times=1, route="/orders*"))
    sandbox.faults.add(Fault("status", status=503, times=1, method="GET"))
    sandbox.faults.add(Fault("status", status=502, rate=1.0))
    draws = [sandbox.faults.draw("POST", "/products"), sandbox.faults.draw("GET", "/products")]
    assert [[f.status for f in d] for d in draws] == [[502], [503]]
    assert [f.status for f in sandbox.faults.draw("GET", "/orders")] == [500]
