"""The total deadline leaves complete answers alone: cached, compressed and large bodies arrive whole."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from clientkit import Service, Timeout
from clientkit._declarations.options import CacheConfig
from clientkit.errors import RequestTimeout
from tests.faults.test_flow_faults import Thing, connect
from tests.support.filed import docs
from tests.support.keepalive import KeepAliveServer
from tests.support.scripted import Received, Reply, ScriptedServer


def test_total_deadline_keeps_caching_a_complete_answer(server: ScriptedServer, tmp_path: Path) -> None:
    def versioned(rec: Received, req: Any) -> Reply:
        if rec.header("If-None-Match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(json={"id": 1, "name": "cached"}, headers={"ETag": '"v1"'})

    server.on("GET", "/things/1", versioned)
    cache = CacheConfig(location=tmp_path / "c.sqlite")
    assert connect(server.url, timeout=Timeout(total=5), cache=cache).get(Thing, 1).name == "cached"
    again = connect(server.url, timeout=Timeout(total=5), cache=cache)  # a new session: requests-cache only
    assert again.get(Thing, 1).name == "cached"  # the stored body, after a 304
    assert again.cache_stats.revalidations == 1
    assert [r.header("If-None-Match") for r in server.received] == [None, '"v1"']


def test_total_deadline_leaves_fast_calls_alone(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(body=b'{"id": 1, "name": "' + b"y" * 300_000 + b'"}'))
    api = connect(server.url, timeout=Timeout(total=5))
    assert len(api.get(Thing, 1).name) == 300_000


def test_total_deadline_reads_a_compressed_body(server: ScriptedServer) -> None:
    body = gzip.compress(b'{"id": 1, "name": "' + b"z" * 200_000 + b'"}')
    server.on("GET", "/things/1", Reply(body=body, headers={"Content-Encoding": "gzip"}))
    api = connect(server.url, timeout=Timeout(total=5))
    assert api.get(Thing, 1).name == "z" * 200_000


def test_a_call_timeout_without_a_total_keeps_the_sessions_deadline(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1}, delay=2.0))
    session = connect(server.url, timeout=Timeout(total=0.3))
    with pytest.raises(RequestTimeout):  # without the deadline, the answer arrives after 2 s
        session.get(Thing, 1, timeout=5)  # the phases change; the deadline stays


class Deadlined(Service):
    timeout = Timeout(total=0.3)


def test_connect_timeout_without_a_total_keeps_the_declared_deadline(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1}, delay=2.0))
    session = Deadlined.connect(server.url, timeout=5, retries=0)
    with pytest.raises(RequestTimeout):  # without the deadline, the answer arrives after 2 s
        session.request("GET", "/things/1")


def test_a_held_alarm_stays_armed_until_released() -> None:
    import time

    from clientkit._client.deadline import Hold, watched

    hold = Hold()
    with watched(time.monotonic() + 0.05, hold=True) as alarm:
        hold.alarm = alarm
    assert alarm is not None
    time.sleep(0.2)
    assert alarm.fired  # rang after the exchange returned: its body was still being read
    hold.release()
    assert alarm.done and hold.alarm is None


def test_an_alarm_not_held_is_finished_with_its_exchange() -> None:
    import time

    from clientkit._client.deadline import watched

    with watched(time.monotonic() + 0.05) as alarm:
        pass
    time.sleep(0.2)
    assert alarm is not None and alarm.done and not alarm.fired


def test_a_streams_alarm_spares_a_connection_the_pool_took_back() -> None:
    server = KeepAliveServer(delay=1.0)
    try:
        session = docs(server.url)
        with session.stream("GET", "/blob", deadline=0.5) as body:
            for _ in body.iter_bytes():
                if body.received == body.total:  # the last bytes: the connection is back in the pool
                    assert session.request("POST", "/rows", json={"row": 1}).status_code == 201
    finally:
        server.stop()
    assert server.answered == ["/rows"] and len(server.ports) == 1  # the POST reused it, unharmed


def test_an_alarm_that_rang_does_not_let_go_of_a_shut_socket() -> None:
    import socket
    import time

    from clientkit._client.deadline import watched

    left, right = socket.socketpair()
    with left, right:
        with watched(time.monotonic() + 10, hold=True) as alarm:
            assert alarm is not None
            alarm.attach(left)
        assert alarm.detach(left)  # still armed: taken off its watch, untouched
        alarm.ring()
        right.sendall(b"x")
        assert left.recv(1) == b"x"
        alarm.attach(left)
        assert not alarm.detach(left)  # shut already: its connection must be closed
