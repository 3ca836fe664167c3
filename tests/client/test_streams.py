"""Streamed bodies under the call's total deadline, typed failures, connections released."""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from clientkit import CacheConfig, Timeout
from clientkit.errors import (
    ConnectError,
    IntegrityError,
    InvalidRequestError,
    NotFoundError,
    RequestTimeout,
    UnexpectedContentType,
)
from clientkit.files import File, Stream
from clientkit.sandbox import Fault
from clientkit.sandbox.app import Sandbox
from clientkit.sandbox.files import Generated
from tests.support.filed import BIG, ZIPPED, Docs, Report, cacheable, docs, raw, stored
from tests.support.scripted import Reply, ScriptedServer
from tests.support.trickler import TricklingServer

SIZE = 300_000


@pytest.fixture
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(Docs, data={"Report": [{"id": 7}]})
    sandbox.serve_file("/files/data.bin", Generated(SIZE))
    with sandbox:
        yield sandbox


def test_stream_reads_in_chunks(box: Sandbox) -> None:
    with docs(box.url).stream("GET", "/files/data.bin") as body:
        assert isinstance(body, Stream)
        assert (body.status_code, body.total, body.content_type) == (200, SIZE, "application/octet-stream")
        chunks = list(body.iter_bytes(10_000))
    assert max(map(len, chunks)) <= 10_000 and sum(map(len, chunks)) == SIZE


def test_a_trickled_stream_hits_the_total_timeout_on_time(box: Sandbox) -> None:
    box.faults.add(Fault("trickle", times=1, chunk=3000, delay=0.1, route="/files/*"))  # 10 s
    started = time.monotonic()
    session = docs(box.url, timeout=Timeout(total=0.5), retries=0)
    with (
        pytest.raises(RequestTimeout, match=r"0\.5s in total"),
        session.stream("GET", "/files/data.bin") as body,
    ):
        body.read()
    assert time.monotonic() - started < 3


def test_the_deadline_argument_bounds_the_body(box: Sandbox) -> None:
    box.faults.add(Fault("trickle", times=1, chunk=3000, delay=0.1, route="/files/*"))
    started = time.monotonic()
    with pytest.raises(RequestTimeout), docs(box.url).stream("GET", "/files/data.bin", deadline=0.5) as body:
        body.read()
    assert time.monotonic() - started < 3


def test_a_reset_mid_body_is_a_connect_error(box: Sandbox) -> None:
    box.faults.add(Fault("reset", times=1, route="/files/*"))
    with pytest.raises(ConnectError), docs(box.url).stream("GET", "/files/data.bin") as body:
        body.read()


def test_errors_are_raised_before_the_stream_is_returned(box: Sandbox) -> None:
    with pytest.raises(NotFoundError):
        docs(box.url).stream("GET", "/files/none")


def test_accept_refuses_another_type_with_an_excerpt(box: Sandbox) -> None:
    with pytest.raises(UnexpectedContentType) as caught:
        docs(box.url).stream("GET", "/reports/7/csv", accept="application/pdf")
    assert "placeholder" in caught.value.excerpt


def test_a_stream_closed_half_read_is_not_reused(box: Sandbox) -> None:
    session = docs(box.url)
    with session.stream("GET", "/files/data.bin") as body:
        next(body.iter_bytes(1000))
    assert session.get(Report, 7).id == 7  # the pool gives a clean connection


def test_the_alarm_is_finished_once_read(box: Sandbox) -> None:
    session = docs(box.url, timeout=Timeout(total=0.3))
    with session.stream("GET", "/files/data.bin") as body:
        body.read()
        time.sleep(0.5)  # past the deadline: the alarm must not shut a pooled connection
        assert session.get(Report, 7).id == 7


def test_a_declared_stream_action(box: Sandbox) -> None:
    with docs(box.url).action(Report, "log", id=7) as body:
        assert body.read().startswith(b"clientkit sandbox placeholder")


def test_a_slow_header_still_times_out(server: ScriptedServer) -> None:
    trickler = TricklingServer(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0.2)
    started = time.monotonic()
    try:
        with pytest.raises(RequestTimeout):
            docs(trickler.url, timeout=Timeout(total=0.5), retries=0).stream("GET", "/x")
    finally:
        trickler.stop()
    assert time.monotonic() - started < 3


def test_redirected_streams_send_no_credentials_off_origin(
    server: ScriptedServer, other_server: ScriptedServer
) -> None:
    other_server.on("GET", "/blob", Reply(body=b"blob", content_type="application/octet-stream"))
    server.on("GET", "/get", Reply(status=307, headers={"Location": f"{other_server.url}/blob"}, raw=True))
    with docs(server.url).stream("GET", "/get") as body:
        assert body.read() == b"blob"
    assert other_server.requests_to("/blob")[0].header("Authorization") is None


def test_a_slow_body_is_given_as_it_arrives(box: Sandbox) -> None:
    box.faults.add(Fault("trickle", times=1, chunk=1000, delay=0.05, route="/files/*"))  # 15 s
    with docs(box.url).stream("GET", "/files/data.bin") as body:
        first = next(body.iter_bytes(256 * 1024))
        assert 0 < len(first) < SIZE // 10  # not held back until a whole chunk has come
        assert body.received == len(first)


def test_received_counts_the_decoded_bytes_it_gave(server: ScriptedServer) -> None:
    data = b"abc" * 100_000
    server.on("GET", "/z", Reply(body=gzip.compress(data), headers={"Content-Encoding": "gzip"}))
    with docs(server.url).stream("GET", "/z") as body:
        assert body.read() == data
        assert body.received == len(data) and body.total is None


def test_reading_a_closed_stream_is_an_error(box: Sandbox) -> None:
    with docs(box.url).stream("GET", "/files/data.bin") as body:
        chunks = body.iter_bytes(1000)
        next(chunks)
    with pytest.raises(InvalidRequestError, match="the stream is closed"):
        body.read()
    with pytest.raises(InvalidRequestError, match="the stream is closed"):
        next(chunks)


def test_request_stream_reads_under_the_total_deadline(box: Sandbox) -> None:
    box.faults.add(Fault("trickle", times=1, chunk=20_000, delay=0.1, route="/files/*"))  # 1.5 s
    started = time.monotonic()
    resp = docs(box.url).request("GET", "/files/data.bin", stream=True, timeout=Timeout(total=0.5))
    with pytest.raises(RequestTimeout, match=r"0\.5s in total"):
        resp.content  # noqa: B018
    assert time.monotonic() - started < 1.4  # cut off, not read to the end


def test_request_stream_reads_whole_and_frees_its_connection(box: Sandbox) -> None:
    session = docs(box.url, timeout=Timeout(total=0.3))
    resp = session.request("GET", "/files/data.bin", stream=True)
    assert b"".join(resp.iter_content(65536)) == b"".join(Generated(SIZE).chunks(0, SIZE))
    time.sleep(0.5)  # past the deadline: nothing it held may be shut now
    assert session.get(Report, 7).id == 7


def test_request_stream_with_accept_takes_a_typed_excerpt(box: Sandbox) -> None:
    session = docs(box.url, retries=0)
    with pytest.raises(UnexpectedContentType) as caught:
        session.request("GET", "/reports/7/csv", stream=True, accept="application/pdf")
    assert "placeholder" in caught.value.excerpt
    box.faults.add(Fault("reset", times=1, route="/reports/*"))
    with pytest.raises(ConnectError, match="mid-body"):
        session.request("GET", "/reports/7/log", stream=True, accept="application/pdf")
    box.faults.add(Fault("trickle", times=1, chunk=1, delay=0.05, route="/reports/*"))
    started = time.monotonic()
    with pytest.raises(RequestTimeout):
        session.request(
            "GET", "/reports/7/log", stream=True, accept="application/pdf", timeout=Timeout(total=0.3)
        )
    assert time.monotonic() - started < 2


def test_a_chunk_size_below_one_is_refused(box: Sandbox) -> None:
    with docs(box.url).stream("GET", "/files/data.bin") as body:
        with pytest.raises(InvalidRequestError, match="at least one byte"):
            next(body.iter_bytes(0))
        assert len(body.read1(10)) <= 10


# -- a cached session: streamed bodies never touch the cache -----------------------------------


def test_a_cached_session_streams_past_the_cache() -> None:
    with cacheable() as url:
        session = docs(url, cache=CacheConfig(backend="memory"))
        for _ in range(2):  # the second would be a fresh hit from a cache that stored it
            with session.stream("GET", "/gz") as body:
                assert body.read() == ZIPPED  # decoded once, as it arrives
            resp = session.request("GET", "/gz", stream=True)
            assert b"".join(resp.raw.stream(1000)) == ZIPPED
            resp = session.request("GET", "/gz", stream=True)
            assert resp.raw.read(decode_content=True) == ZIPPED
        assert stored(session) == 0
        session.request("GET", "/json")
        assert stored(session) == 1  # what is not streamed is still cached


def test_a_cached_session_streams_in_constant_memory() -> None:
    with cacheable() as url:
        session = docs(url, cache=CacheConfig(backend="memory"))
        tracemalloc.start()
        try:
            with session.stream("GET", "/big") as body:
                size = sum(len(chunk) for chunk in body.iter_bytes())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert size == BIG and peak < BIG // 4  # never the whole body in memory
        assert stored(session) == 0


def _half_sent(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "200000")
    handler.end_headers()
    handler.wfile.write(b"x" * 100_000)
    handler.wfile.flush()
    handler.connection.shutdown(socket.SHUT_RDWR)
    handler.close_connection = True


def test_the_bytes_read_before_a_failure_are_given_before_it() -> None:
    got = bytearray()
    with raw(_half_sent) as url, docs(url, retries=0).stream("GET", "/cut") as body:
        chunks = body.iter_bytes()  # a chunk larger than what arrived
        got += next(chunks)
        with pytest.raises(IntegrityError, match="ended after 100000 of 200000 bytes"):
            next(chunks)
    assert len(got) == 100_000  # nothing that arrived is thrown away (a resume starts there)


def test_request_stream_read1_of_zero_is_empty(box: Sandbox) -> None:
    resp = docs(box.url).request("GET", "/files/data.bin", stream=True)
    assert resp.raw.read1(0) == b""
    assert 0 < len(resp.raw.read1(10)) <= 10
    resp.close()


def test_stream_sends_a_payload_with_files_as_multipart(server: ScriptedServer) -> None:
    server.on("POST", "/up", Reply(body=b"done", content_type="text/plain"))
    payload = {"note": "n", "f": File(b"abc", filename="a.txt")}
    with docs(server.url).stream("POST", "/up", json=payload) as body:
        assert body.read() == b"done"
    sent = server.received[-1]
    assert (sent.header("Content-Type") or "").startswith("multipart/form-data; boundary=")
    assert b'filename="a.txt"' in sent.body and b"abc" in sent.body
