"""Timeouts, retries, backoff, Retry-After and idempotency over real HTTP."""

from __future__ import annotations

import email.utils
import time

import pytest

from clientkit.errors import ConnectError, RateLimitError, RequestTimeout, ServerError
from tests.support.filed import docs
from tests.support.processes import free_port
from tests.support.retried import Api, IdempotentApi, IThing, Thing, ok, policy
from tests.support.scripted import Reply, ScriptedServer


def test_5xx_on_get_is_retried_then_succeeds(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503), Reply(502), ok())
    sleeps: list[float] = []
    thing = Api.connect(server.url, retries=policy(sleeps)).get(Thing, 1)
    assert thing.name == "x"
    assert len(server.received) == 3 and len(sleeps) == 2


def test_retries_are_bounded_and_the_last_error_raised(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(500, json={"message": "boom"}))
    sleeps: list[float] = []
    with pytest.raises(ServerError, match="boom") as info:
        Api.connect(server.url, retries=policy(sleeps, retries=2)).get(Thing, 1)
    assert info.value.status == 500
    assert len(server.received) == 3 and len(sleeps) == 2


def test_post_is_not_retried_on_5xx(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(503), ok())
    with pytest.raises(ServerError):
        Api.connect(server.url, retries=policy([])).create(Thing(name="x"))
    assert len(server.received) == 1


def test_post_with_declared_idempotency_key_is_retried_with_the_same_key(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(503), Reply(504), ok())
    session = IdempotentApi.connect(server.url, retries=policy([]))
    session.create(IThing(name="x"))
    keys = [r.header("Idempotency-Key") for r in server.received]
    assert len(keys) == 3 and keys[0] and len(set(keys)) == 1
    server.clear()
    server.on("POST", "/things", ok())
    session.create(IThing(name="y"))
    assert server.received[0].header("Idempotency-Key") not in keys  # a fresh key per call


def test_caller_can_opt_in_to_retrying_a_post(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(503), ok())
    Api.connect(server.url, retries=policy([])).create(Thing(name="x"), idempotent=True)
    assert len(server.received) == 2


def test_429_on_post_is_retried_because_it_was_refused(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(429, headers={"Retry-After": "0"}), ok())
    sleeps: list[float] = []
    Api.connect(server.url, retries=policy(sleeps)).create(Thing(name="x"))
    assert len(server.received) == 2 and sleeps == [0.0]


def test_408_is_retried(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(408), ok())
    Api.connect(server.url, retries=policy([])).get(Thing, 1)
    assert len(server.received) == 2


def test_retry_after_seconds_is_honoured(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503, headers={"Retry-After": "2"}), ok())
    sleeps: list[float] = []
    Api.connect(server.url, retries=policy(sleeps)).get(Thing, 1)
    assert sleeps == [2.0]


def test_retry_after_http_date_is_honoured(server: ScriptedServer) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.on("GET", "/things/1", Reply(429, headers={"Retry-After": when}), ok())
    sleeps: list[float] = []
    Api.connect(server.url, retries=policy(sleeps)).get(Thing, 1)
    assert len(sleeps) == 1 and 25 <= sleeps[0] <= 31


def test_retry_after_beyond_the_cap_raises_at_once(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(429, json={"message": "slow down"}, headers={"Retry-After": "3600"}))
    sleeps: list[float] = []
    with pytest.raises(RateLimitError) as info:
        Api.connect(server.url, retries=policy(sleeps, max_retry_after=60)).get(Thing, 1)
    assert info.value.retry_after == 3600 and sleeps == []
    assert len(server.received) == 1


def test_read_timeout_on_get_is_retried(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1}, delay=0.6), ok())
    sleeps: list[float] = []
    thing = Api.connect(server.url, timeout=(1, 0.2), retries=policy(sleeps)).get(Thing, 1)
    assert thing.name == "x" and len(server.received) == 2


def test_read_timeout_on_post_is_not_retried(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(json={"id": 1}, delay=0.6))
    with pytest.raises(RequestTimeout, match="read timed out"):
        Api.connect(server.url, timeout=(1, 0.2), retries=policy([])).create(Thing(name="x"))
    time.sleep(0.5)
    assert len(server.received) == 1


def test_connection_refused_is_retried_then_raised() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    sleeps: list[float] = []
    with pytest.raises(ConnectError, match="connection failed") as info:
        Api.connect(url, retries=policy(sleeps, retries=2)).create(Thing(name="x"))
    assert len(sleeps) == 2  # even a POST: nothing reached a server
    assert info.value.method == "POST"


def test_dropped_connection_on_get_is_retried(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(drop=True), ok())
    Api.connect(server.url, retries=policy([])).get(Thing, 1)
    assert len(server.received) == 2


def test_dropped_connection_on_post_is_not_retried(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(drop=True), ok())
    with pytest.raises(ConnectError):
        Api.connect(server.url, retries=policy([])).create(Thing(name="x"))
    assert len(server.received) == 1


def test_body_cut_off_mid_way_is_retried_for_get(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1, "name": "long" * 100}, truncate=20), ok())
    assert Api.connect(server.url, retries=policy([])).get(Thing, 1).name == "x"
    assert len(server.received) == 2


def test_per_call_retries_override(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503), ok())
    session = Api.connect(server.url, retries=policy([]))
    with pytest.raises(ServerError):
        session.get(Thing, 1, retries=0)
    assert len(server.received) == 1


def test_callers_idempotency_key_is_kept_whatever_its_case(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(503), ok())
    IdempotentApi.connect(server.url, retries=policy([])).request(
        "POST", "/things", json={}, headers={"idempotency-key": "mine-1"}
    )
    assert [r.header("Idempotency-Key") for r in server.received] == ["mine-1", "mine-1"]


def test_idempotent_false_stops_retrying_a_get(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503), ok())
    with pytest.raises(ServerError):
        Api.connect(server.url, retries=policy([])).request("GET", "/things/1", idempotent=False)
    assert len(server.received) == 1


def test_carried_headers_follow_a_redirect_off_origin(
    server: ScriptedServer, other_server: ScriptedServer
) -> None:
    other_server.on("GET", "/signed", ok())
    server.on("GET", "/things/1", Reply(302, headers={"Location": f"{other_server.url}/signed"}, raw=True))
    session = docs(server.url, headers={"X-Tenant": "acme"})
    session.transport.request("GET", "/things/1", carry={"Range": "bytes=5-"}, options=session._resolve(None))
    sent = server.requests_to("/things/1")[0]
    assert sent.header("Range") == "bytes=5-" and sent.header("X-Tenant") == "acme"
    assert sent.header("Authorization") == "Bearer sandbox-token"
    there = other_server.requests_to("/signed")[0]
    assert there.header("Range") == "bytes=5-"  # the transfer's own header goes along
    assert there.header("X-Tenant") is None and there.header("Authorization") is None
