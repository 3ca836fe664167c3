"""Trust suite, flow slice: total deadlines, paging loops and ``last_response`` after failures.

Every scenario runs over real HTTP on 127.0.0.1 and asserts on the outcome and on what the
server received. Timing bounds are generous: each attacking server would hold the call for
eight seconds or more, and the deadline is one second.
"""

from __future__ import annotations

import functools
import gzip
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from clientkit import PasswordLogin, Resource, RetryPolicy, Service, Timeout, TokenAuth, field
from clientkit._declarations.errors import DecodeError, RedirectError, ServerError
from clientkit._declarations.options import CacheConfig
from clientkit._declarations.paging import (
    Cursor,
    HeaderNext,
    LinkHeader,
    NextUrl,
    OffsetLimit,
    PageNumber,
    Paginator,
)
from clientkit.errors import (
    ConnectError,
    InvalidRequestError,
    NotFoundError,
    PaginationError,
    RequestTimeout,
)
from tests.support.scripted import Received, Reply, ScriptedServer
from tests.support.trickler import TricklingServer, http_answer

SLOW_BODY = b'{"id": 1, "name": "' + b"x" * 2600 + b'"}'  # 16 bytes per 50 ms: over 8 s
TRICKLE = (16, 0.05)
ROWS = [{"id": i} for i in range(1, 11)]


class Api(Service):
    auth = TokenAuth()


@Api.resource(one="/things/{id}", many="/things")
class Thing(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


def connect(url: str, **kw: Any) -> Any:
    kw.setdefault("retries", 0)
    return Api.connect(url, token="flow-token", **kw)


def elapsed(call: Callable[[], Any]) -> tuple[float, BaseException | None]:
    """Seconds ``call`` took, and what it raised."""
    started = time.monotonic()
    try:
        call()
    except Exception as exc:
        return time.monotonic() - started, exc
    return time.monotonic() - started, None


# -- total deadlines ---------------------------------------------------------------------


def test_total_deadline_bounds_trickled_body(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(body=SLOW_BODY, trickle=TRICKLE))
    api = connect(server.url, timeout=Timeout(total=1))
    took, error = elapsed(lambda: api.get(Thing, 1))
    assert isinstance(error, RequestTimeout)
    assert took < 3


def test_total_deadline_bounds_trickled_body_with_cache(server: ScriptedServer, tmp_path: Path) -> None:
    server.on("GET", "/things/1", Reply(body=SLOW_BODY, trickle=TRICKLE, headers={"ETag": '"v1"'}))
    api = connect(server.url, timeout=Timeout(total=1), cache=CacheConfig(location=tmp_path / "c.sqlite"))
    took, error = elapsed(lambda: api.get(Thing, 1))
    assert isinstance(error, RequestTimeout)
    assert took < 3


def test_total_deadline_bounds_the_cache_shortcuts_conditional_request(
    server: ScriptedServer, tmp_path: Path
) -> None:
    fresh = Reply(json={"id": 1, "name": "first"}, headers={"ETag": '"v1"'})
    changed = Reply(body=SLOW_BODY, trickle=TRICKLE, headers={"ETag": '"v2"'})
    server.on("GET", "/things/1", fresh, changed)
    api = connect(server.url, timeout=Timeout(total=1), cache=CacheConfig(location=tmp_path / "c.sqlite"))
    api.get(Thing, 1)
    took, error = elapsed(lambda: api.get(Thing, 1))
    assert isinstance(error, RequestTimeout)
    assert took < 3
    assert server.received[-1].header("If-None-Match") == '"v1"'


def test_total_deadline_bounds_slow_headers_across_retries(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503, delay=0.8))
    api = connect(server.url, timeout=Timeout(read=5, total=1), retries=RetryPolicy(retries=10, backoff=0))
    took, error = elapsed(lambda: api.get(Thing, 1))
    assert isinstance(error, RequestTimeout)
    assert took < 3
    assert len(server.received) <= 2


def test_total_deadline_cuts_retry_backoff(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503))
    slow = RetryPolicy(retries=5, backoff=8, backoff_cap=8)
    api = connect(server.url, timeout=Timeout(total=1), retries=slow)
    took, error = elapsed(lambda: api.get(Thing, 1))
    assert isinstance(error, RequestTimeout)
    assert took < 3
    assert len(server.received) == 1  # no retry started once the deadline had passed


def test_retry_after_beyond_deadline_raises_server_error(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503, headers={"Retry-After": "9"}))
    api = connect(server.url, timeout=Timeout(total=5), retries=3)
    took, error = elapsed(lambda: api.get(Thing, 1))
    assert isinstance(error, ServerError) and error.status == 503
    assert error.retry_after == 9
    assert took < 1  # raised at once, not after sleeping to the deadline
    assert len(server.received) == 1


def test_total_deadline_bounds_a_trickled_redirect_target(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(302, headers={"Location": "/things/2"}))
    server.on("GET", "/things/2", Reply(body=SLOW_BODY, trickle=TRICKLE))
    api = connect(server.url, timeout=Timeout(total=1))
    took, error = elapsed(lambda: api.get(Thing, 1))
    assert isinstance(error, RequestTimeout)
    assert took < 3
    assert [r.path for r in server.received] == ["/things/1", "/things/2"]


def test_total_deadline_bounds_trickled_headers() -> None:
    trickler = TricklingServer(http_answer(b'{"id": 1}', header_lines=20), pause=0.05)  # 25 s
    try:
        api = connect(trickler.url, timeout=Timeout(connect=1, read=5, total=1))
        took, error = elapsed(lambda: api.get(Thing, 1))
    finally:
        trickler.stop()
    assert isinstance(error, RequestTimeout)
    assert took < 3


def test_total_deadline_bounds_header_lines_each_within_read() -> None:
    trickler = TricklingServer(http_answer(b"{}", header_lines=20), pause=0.2)  # 100 s
    try:
        api = connect(trickler.url, timeout=Timeout(connect=1, read=0.5, total=1))
        took, error = elapsed(lambda: api.request("GET", "/x"))
    finally:
        trickler.stop()
    assert isinstance(error, RequestTimeout)
    assert took < 3


class LoginApi(Service):
    auth = PasswordLogin(path="/login")


@LoginApi.resource(one="/things/{id}", many="/things")
class LoginThing(Resource):
    id: int | None = field(read_only=True)


def test_login_runs_within_call_deadline(server: ScriptedServer) -> None:
    slow_login = Reply(json={"access_token": "a2"}, delay=10)
    server.on("POST", "/login", Reply(json={"access_token": "a1"}), slow_login)
    server.on("GET", "/things/1", Reply(json={"id": 1}), Reply(401, json={}), Reply(json={"id": 1}))
    api = LoginApi.connect(server.url, username="u", password="p", retries=0)
    api.get(LoginThing, 1)
    took, error = elapsed(lambda: api.get(LoginThing, 1, timeout=Timeout(total=1)))
    assert isinstance(error, RequestTimeout)
    assert took < 3


def test_first_login_runs_within_call_deadline(server: ScriptedServer) -> None:
    server.on("POST", "/login", Reply(json={"access_token": "a1"}, delay=10))
    server.on("GET", "/things/1", Reply(json={"id": 1}))
    api = LoginApi.connect(server.url, username="u", password="p", retries=0)
    took, error = elapsed(lambda: api.get(LoginThing, 1, timeout=Timeout(total=1)))
    assert isinstance(error, RequestTimeout)
    assert took < 3


def test_renewal_login_shares_a_session_deadline(server: ScriptedServer) -> None:
    server.on(
        "POST", "/login", Reply(json={"access_token": "a1"}), Reply(json={"access_token": "a2"}, delay=10)
    )
    server.on(
        "GET", "/things/1", Reply(json={"id": 1}), Reply(401, json={}, delay=1.8), Reply(json={"id": 1})
    )
    api = LoginApi.connect(server.url, username="u", password="p", retries=0, timeout=Timeout(total=2))
    api.get(LoginThing, 1)
    took, error = elapsed(lambda: api.get(LoginThing, 1))
    assert isinstance(error, RequestTimeout)
    assert took < 3  # the login gets what is left of the call's 2 s, not 2 s of its own


@functools.cache
def gzip_of_zeros(size: int) -> bytes:
    """A gzip body decoding to ``size`` bytes and more: gzip members of 16 MiB each."""
    member = gzip.compress(bytes(16 << 20), compresslevel=1)
    return gzip.compress(b'{"id": 1, "name": "') + member * max(1, size >> 24)


@functools.cache
def single_gzip_of_zeros(size: int) -> bytes:
    """One gzip member decoding to ``size`` zero bytes after a JSON-looking start."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    parts = [packer.compress(b'{"id": 1, "name": "')] + [packer.compress(zeros) for _ in range(size >> 20)]
    return b"".join([*parts, packer.flush()])


def capped(url: str, max_body: int, **kw: Any) -> Any:
    """A session of a service declaring ``max_body``."""

    class Capped(Service):
        auth = TokenAuth()

    Capped.max_body = max_body  # set after the class statement: any size, no literal
    return Capped.connect(url, token="t", retries=0, **kw)


def test_oversized_decoded_body_is_typed_error(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(body=gzip_of_zeros(64 << 20), headers={"Content-Encoding": "gzip"}))
    api = capped(server.url, 1 << 20)
    with pytest.raises(DecodeError, match="max_body"):
        api.request("GET", "/things/1")


@pytest.mark.parametrize("cached", [False, True])
def test_oversized_decoded_body_is_typed_error_by_default(
    server: ScriptedServer, tmp_path: Path, cached: bool
) -> None:
    server.on("GET", "/things/1", Reply(body=gzip_of_zeros(300 << 20), headers={"Content-Encoding": "gzip"}))
    cache = CacheConfig(location=tmp_path / "c.sqlite") if cached else None
    api = connect(server.url, cache=cache)
    with pytest.raises(DecodeError, match="max_body"):
        api.get(Thing, 1)


def test_total_call_on_a_gzip_bomb_ends_in_time(server: ScriptedServer) -> None:
    bomb = single_gzip_of_zeros(1 << 30)  # 4.5 MB on the wire, 1 GiB decoded
    server.on("GET", "/things/1", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    api = connect(server.url, timeout=Timeout(total=2))
    took, error = elapsed(lambda: api.get(Thing, 1))
    assert isinstance(error, DecodeError | RequestTimeout)
    assert took < 3


def test_total_deadline_covers_decompression(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(body=gzip_of_zeros(1 << 30), headers={"Content-Encoding": "gzip"}))
    api = capped(server.url, 1 << 31, timeout=Timeout(total=0.3))
    took, error = elapsed(lambda: api.request("GET", "/things/1"))
    assert isinstance(error, RequestTimeout)
    assert took < 3


# -- paging loops ------------------------------------------------------------------------


def query(rec: Received) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(rec.query).items()}


def walk(server: ScriptedServer, paginator: Paginator, **kw: Any) -> PaginationError:
    api = connect(server.url)
    with pytest.raises(PaginationError) as info:
        list(api.paginate("/rows", paginator, **kw))
    return info.value


def test_next_url_loop_p1_p2_p1_is_pagination_error(server: ScriptedServer) -> None:
    def pages(rec: Received, req: Any) -> Reply:
        page = query(rec).get("page", "1")
        nxt = "/rows?page=2" if page == "1" else "/rows?page=1"
        return Reply(json={"items": [{"id": len(server.received)}], "next": nxt})

    server.on("GET", "/rows", pages)
    error = walk(server, NextUrl(items="items"))
    assert "NextUrl" in str(error) and "again" in str(error)
    assert len(server.received) == 3  # /rows, page 2, page 1; page 2 is not asked twice


def test_cursor_loop_a_b_a_is_pagination_error(server: ScriptedServer) -> None:
    def pages(rec: Received, req: Any) -> Reply:
        cursor = query(rec).get("cursor")
        nxt = "B" if cursor == "A" else "A"
        return Reply(json={"items": [{"id": cursor}], "next": nxt})

    server.on("GET", "/rows", pages)
    error = walk(server, Cursor(items="items", cursor="next"))
    assert "Cursor" in str(error)
    assert [query(r).get("cursor") for r in server.received] == [None, "A", "B"]


def test_link_header_loop_is_pagination_error(server: ScriptedServer) -> None:
    def pages(rec: Received, req: Any) -> Reply:
        page = int(query(rec).get("page", "1"))
        nxt = page % 3 + 1  # 1 -> 2 -> 3 -> 1
        return Reply(json=[{"id": page}], headers={"Link": f'<{server.url}/rows?page={nxt}>; rel="next"'})

    server.on("GET", "/rows", pages)
    error = walk(server, LinkHeader(page="page", send_start=True))
    assert "LinkHeader" in str(error)
    assert len(server.received) == 3


def test_header_next_token_loop_is_pagination_error(server: ScriptedServer) -> None:
    def pages(rec: Received, req: Any) -> Reply:
        token = query(rec).get("token", "t0")
        nxt = {"t0": "t1", "t1": "t2", "t2": "t1"}[token]
        return Reply(json=[{"id": token}], headers={"X-Next": nxt})

    server.on("GET", "/rows", pages)
    walk(server, HeaderNext(header="X-Next", param="token"))
    assert [query(r).get("token") for r in server.received] == [None, "t1", "t2"]


def test_header_next_url_loop_is_pagination_error(server: ScriptedServer) -> None:
    def pages(rec: Received, req: Any) -> Reply:
        page = query(rec).get("p", "a")
        return Reply(json=[{"id": page}], headers={"X-Next": "/rows?p=b" if page == "a" else "/rows?p=a"})

    server.on("GET", "/rows", pages)
    walk(server, HeaderNext(header="X-Next"))
    assert len(server.received) == 3


def cycling(key: str, step: int) -> Callable[[Received, Any], Reply]:
    """Pages whose content wraps around every two pages while the count promises more."""

    def pages(rec: Received, req: Any) -> Reply:
        position = int(query(rec).get(key, "0")) // step
        return Reply(json={"count": 10**6, "data": [{"id": position % 2}]})

    return pages


def test_page_number_content_loop_is_pagination_error(server: ScriptedServer) -> None:
    server.on("GET", "/rows", cycling("page", 1))
    error = walk(server, PageNumber(items="data", total="count", size="size", send_start=True), page_size=1)
    assert "PageNumber" in str(error) and "repeats" in str(error)
    assert len(server.received) == 3


def test_offset_limit_content_loop_is_pagination_error(server: ScriptedServer) -> None:
    server.on("GET", "/rows", cycling("offset", 1))
    error = walk(server, OffsetLimit(items="data", total="count"), page_size=1)
    assert "OffsetLimit" in str(error)
    assert len(server.received) == 3


def test_concurrent_pages_stop_at_real_end_despite_huge_count(server: ScriptedServer) -> None:
    def pages(rec: Received, req: Any) -> Reply:
        if len(server.received) > 50:
            return Reply(500, json={"message": "the client is still asking"})
        offset = int(query(rec).get("offset", "0"))
        return Reply(json={"total": 10**9, "data": ROWS[offset : offset + 5]})

    server.on("GET", "/rows", pages)
    api = connect(server.url)
    pager = api.paginate("/rows", OffsetLimit(items="data", total="total"), page_size=5)
    started = time.monotonic()
    pages_seen = [len(p.items) for p in pager.concurrent_pages(workers=4)]
    assert pages_seen == [5, 5]
    assert time.monotonic() - started < 10
    assert len(server.received) <= 3 + 2 * 4 + 2  # the real pages, about one window more


def test_run_of_empty_pages_is_pagination_error(server: ScriptedServer) -> None:
    def pages(rec: Received, req: Any) -> Reply:
        cursor = int(query(rec).get("cursor", "0"))
        return Reply(json={"items": [], "next": str(cursor + 1)})

    server.on("GET", "/rows", pages)
    error = walk(server, Cursor(items="items", cursor="next"))
    assert "empty pages" in str(error)
    assert len(server.received) == 3


def test_loop_guard_catches_server_ignoring_page_with_changing_fields(server: ScriptedServer) -> None:
    def ignoring_page(rec: Received, req: Any) -> Reply:  # presigned links, signed afresh each time
        signed = [{"id": i, "url": f"https://cdn/x/{i}?sig={len(server.received)}"} for i in range(1, 21)]
        return Reply(json={"results": signed})

    server.on("GET", "/rows", ignoring_page)
    error = walk(server, PageNumber(items="results"), page_size=20, identity="id")
    assert "PageNumber" in str(error) and "same ids" in str(error)
    assert len(server.received) == 2


def test_loop_guard_catches_fresh_cursor_over_the_same_resources(server: ScriptedServer) -> None:
    def stuck(rec: Received, req: Any) -> Reply:
        n = len(server.received)
        return Reply(json={"data": [{"id": 1, "name": f"fetched {n}"}], "next_cursor": f"c{n}"})

    server.on("GET", "/things", stuck)

    class Cursored(Service):
        auth = TokenAuth()
        pagination = Cursor(items="data")

    @Cursored.resource(one="/things/{id}", many="/things")
    class Item(Resource):
        id: int | None = field(read_only=True)
        name: str | None = None

    api = Cursored.connect(server.url, token="t", retries=0)
    with pytest.raises(PaginationError, match="same ids"):
        api.list(Item).to_list()
    assert len(server.received) == 2


def test_pages_with_equal_ends_are_not_a_loop(server: ScriptedServer) -> None:
    levels = ["INFO", "WARN", "INFO", "INFO", "ERROR", "INFO"]

    def offsets(rec: Received, req: Any) -> Reply:
        start = int(query(rec).get("offset", "0"))
        return Reply(json={"data": levels[start : start + 3], "total": len(levels)})

    server.on("GET", "/levels", offsets)
    api = connect(server.url)
    rows = api.paginate("/levels", OffsetLimit(items="data", total="total"), page_size=3).to_list()
    assert rows == levels


def test_next_link_with_bad_port_is_pagination_error(server: ScriptedServer) -> None:
    for link in ("http://127.0.0.1:99999/x", "ftp://127.0.0.1/x"):
        server.set("GET", "/rows", Reply(json={"data": [{"id": 1}], "next": link}))
        with pytest.raises(PaginationError, match="next page link"):
            connect(server.url).paginate("/rows", NextUrl(items="data")).to_list()


# -- last_response -------------------------------------------------------------------------


def test_last_response_after_http_error(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1, "name": "ok"}))
    server.on("GET", "/things/2", Reply(404, json={"message": "gone"}))
    api = connect(server.url)
    api.get(Thing, 1)
    with pytest.raises(NotFoundError):
        api.get(Thing, 2)
    assert api.last_response is not None and api.last_response.status_code == 404


def test_last_response_after_connect_error() -> None:
    doomed = ScriptedServer().start()
    doomed.on("GET", "/things/1", Reply(json={"id": 1, "name": "ok"}))
    api = connect(doomed.url)
    try:
        api.get(Thing, 1)
        assert api.last_response is not None
    finally:
        doomed.stop()
    with pytest.raises(ConnectError):
        api.get(Thing, 1)
    assert api.last_response is None


def test_last_response_after_a_timeout(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1, "name": "ok"}), Reply(json={"id": 1}, delay=1))
    api = connect(server.url, timeout=Timeout(read=0.2))
    api.get(Thing, 1)
    with pytest.raises(RequestTimeout):
        api.get(Thing, 1)
    assert api.last_response is None


def test_last_response_after_a_refused_call(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1, "name": "ok"}))
    api = connect(server.url)
    api.get(Thing, 1)
    with pytest.raises(InvalidRequestError):
        api.get(Thing, 1, nope=2)
    assert api.last_response is None


def test_last_response_after_concurrent_pages(server: ScriptedServer) -> None:
    def page(rec: Received, req: Any) -> Reply:
        number = int(query(rec).get("page", "1"))
        rows = [{"id": (number - 1) * 10 + i} for i in range(10)] if number <= 5 else []
        return Reply(json={"results": rows, "count": 50}, headers={"X-Page": str(number)})

    server.on("GET", "/rows", page)
    api = connect(server.url)
    pager = api.paginate("/rows", PageNumber(items="results", total="count"), page_size=10)
    assert len(list(pager.concurrent_pages(workers=2))) == 5
    assert api.last_response is not None and api.last_response.headers["X-Page"] == "5"


def test_last_response_after_redirected_write(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(302, json={}, headers={"Location": "/elsewhere"}))
    api = connect(server.url)
    with pytest.raises(RedirectError):
        api.create(Thing(name="x"))
    assert api.last_response is not None and api.last_response.status_code == 302


def test_content_loop_not_through_the_first_page_is_caught_on_its_second_round(
    server: ScriptedServer,
) -> None:
    def pages(rec: Received, req: Any) -> Reply:  # page 1, then pages 2 and 3 forever
        page = int(query(rec).get("page", "1"))
        block = 0 if page == 1 else 1 + page % 2
        return Reply(json={"count": 10**6, "data": [f"b{block} r{r}" for r in range(3)]})

    server.on("GET", "/rows", pages)
    error = walk(server, PageNumber(items="data", total="count", size="size"), page_size=3)
    assert "repeats page 4" in str(error)  # pages 4 and 5 are digested whole; page 6 repeats 4
    assert len(server.received) == 6


def test_pages_with_equal_ends_pay_and_pass_for_a_long_walk(server: ScriptedServer) -> None:
    def offsets(rec: Received, req: Any) -> Reply:  # every page INFO, <distinct>, INFO
        start = int(query(rec).get("offset", "0"))
        rows = ["INFO", f"WARN {start}", "INFO"] if start < 300 else []
        return Reply(json={"data": rows})

    server.on("GET", "/levels", offsets)
    api = connect(server.url)
    rows = api.paginate("/levels", OffsetLimit(items="data"), page_size=3).to_list()
    assert len(rows) == 300


def test_loop_guard_catches_a_cycle_back_to_the_first_page_with_changing_fields(
    server: ScriptedServer,
) -> None:
    def cycling(rec: Received, req: Any) -> Reply:  # pages 1, 2, 3, then 1 again, re-signed
        page = int(query(rec).get("page", "1"))
        ids = range(3 * ((page - 1) % 3), 3 * ((page - 1) % 3) + 3)
        rows = [{"id": i, "sig": len(server.received)} for i in ids]
        return Reply(json={"results": rows})

    server.on("GET", "/rows", cycling)
    error = walk(server, PageNumber(items="results"), page_size=3, identity="id")
    assert "same ids" in str(error)
    assert len(server.received) == 4


def chunked_answer(body: bytes, declared: int) -> bytes:
    """An answer in chunked framing that also declares a (false) ``Content-Length``."""
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n"
    pieces = [body[i : i + 512] for i in range(0, len(body), 512)]
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
    return (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + chunks + b"0\r\n\r\n"


@pytest.mark.parametrize("cached", [False, True])
def test_chunked_body_with_false_length_is_held_to_max_body(tmp_path: Path, cached: bool) -> None:
    body = b'{"pad": "' + b"x" * 6000 + b'"}'
    trickler = TricklingServer(chunked_answer(body, declared=10), pause=0)
    try:
        cache = CacheConfig(location=tmp_path / "c.sqlite") if cached else None
        with pytest.raises(DecodeError, match="max_body"):
            capped(trickler.url, 1000, cache=cache).request("GET", "/things/1")
    finally:
        trickler.stop()


def test_head_declaring_a_huge_length_is_not_too_large() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n"
    trickler = TricklingServer(head, pause=0)
    try:
        resp = capped(trickler.url, 1000).request("HEAD", "/things/1")
        assert resp.status_code == 200 and resp.content == b""
    finally:
        trickler.stop()
