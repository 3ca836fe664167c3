"""Hostile input, one named scenario per root cause: each ends in a typed clientkit error
(nothing sent for a bad request), never in an untyped exception. Over real HTTP."""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

import pytest
from requests.auth import AuthBase

from clientkit import (
    APIError,
    ClientKitError,
    Envelope,
    Resource,
    RetryPolicy,
    Service,
    Timeout,
    TokenAuth,
    field,
)
from clientkit._declarations.paging import NextUrl, PageNumber
from clientkit._declarations.wire import MAX_DEPTH, JsonCodec
from clientkit.errors import (
    DecodeError,
    InvalidRequestError,
    NotFoundError,
    PaginationError,
    RedirectError,
    ServerError,
)
from tests.support.scripted import Reply, ScriptedServer


class Api(Service):
    pass


class CompactApi(Service):
    json = JsonCodec(compact=True, ensure_ascii=False)


class Wrapped(Service):
    envelope = Envelope(response="data")
    pagination = PageNumber(items="data", total="count", next="next")


@Api.resource(one="/things/{id}", many="/things")
class Thing(Resource):
    id: int | str | None = field(read_only=True)
    name: str | None = None
    data: Any = None


@CompactApi.resource(one="/things/{id}", many="/things")
class CompactThing(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    data: Any = None


@Wrapped.resource(one="/things/{id}", many="/things")
class WrappedThing(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def refused(server: ScriptedServer, call: Any, *words: str) -> InvalidRequestError:
    """``call`` raises InvalidRequestError mentioning ``words``, and nothing reached the server."""
    with pytest.raises(InvalidRequestError) as info:
        call()
    for word in words:
        assert word in str(info.value)
    assert server.received == []
    return info.value


def test_deeply_nested_answer_is_decode_error(server: ScriptedServer) -> None:
    session = Api.connect(server.url)
    server.on("GET", "/things/1", Reply(body=b'{"id": 1, "data": ' + nested(100_000) + b"}"))
    with pytest.raises(DecodeError, match=f"nesting deeper than {MAX_DEPTH}"):
        session.get(Thing, 1)
    server.set("GET", "/things", Reply(body=nested(100_000)))
    with pytest.raises(DecodeError, match="nesting deeper"):
        list(session.list(Thing))
    server.set("GET", "/things/1", Reply(body=b"[" * 100_000))  # truncated as well
    with pytest.raises(DecodeError):
        session.get(Thing, 1)
    inner = nested(MAX_DEPTH - 1)  # up to the limit, an answer is loaded, copied and compared
    server.set("GET", "/things/1", Reply(body=b'{"id": 1, "data": ' + inner + b', "more": ' + inner + b"}"))
    thing = session.get(Thing, 1)
    server.on("PATCH", "/things/1", Reply(body=b""))
    thing.name = "x"
    session.save(thing)
    assert server.received[-1].json == {"name": "x"}


def test_deeply_nested_error_body_still_gives_the_status_error(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(404, body=b'{"message": ' + nested(100_000) + b"}"))
    with pytest.raises(NotFoundError):
        Api.connect(server.url).get(Thing, 1)


def test_deeply_nested_request_body_is_invalid_request(server: ScriptedServer) -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    for service in (Api, CompactApi):
        session = service.connect(server.url)
        refused(server, lambda s=session: s.request("POST", "/things", json=deep), "nesting deeper")
        refused(server, lambda s=session: s.request("POST", "/things", json=[nested_list(MAX_DEPTH + 1)]))
    thing = Thing(name="x", data=nested_list(MAX_DEPTH + 5))
    refused(server, lambda: Api.connect(server.url).create(thing), "nesting deeper")


def nested_list(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_lone_surrogate_in_id(server: ScriptedServer) -> None:
    session = Api.connect(server.url)
    refused(server, lambda: session.get(Thing, "a\ud800b"), "id", "surrogate")
    refused(server, lambda: session.delete(Thing, "\udfff"), "id")
    refused(server, lambda: session.request("GET", "/things/\ud800"), "path")


def test_lone_surrogate_in_query_value(server: ScriptedServer) -> None:
    session = Api.connect(server.url)
    refused(server, lambda: session.get(Thing, 1, params={"q": "x\ud800"}), "query parameter 'q'")
    refused(server, lambda: session.get(Thing, 1, params={"\ud800": "x"}), "query parameter")
    refused(server, lambda: list(session.list(Thing, params={"tags": ["a", "\udc00"]})), "'tags'")
    refused(server, lambda: session.request("GET", "/things", params=[("q", "\ud800")]), "'q'")


def test_lone_surrogate_in_compact_body(server: ScriptedServer) -> None:
    session = CompactApi.connect(server.url)
    refused(server, lambda: session.request("POST", "/things", json={"name": "a\ud800"}), "body")
    refused(server, lambda: CompactApi.connect(server.url).create(CompactThing(name="\udbff")), "body")


def test_non_latin1_header_value(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1}))
    session = Api.connect(server.url)
    for value in ("€", "😀", "a\ud800"):
        refused(server, lambda v=value: session.get(Thing, 1, headers={"X-Note": v}), "'X-Note'", "Latin-1")
    refused(server, lambda: Api.connect(server.url, headers={"X-Note": "€"}).get(Thing, 1), "'X-Note'")
    session.get(Thing, 1, headers={"X-Note": "é"})  # Latin-1 is what HTTP carries
    assert server.received[-1].header("X-Note") == "é"


def test_int_over_4300_digits_in_id_and_query(server: ScriptedServer) -> None:
    huge = 10**5000
    session = Api.connect(server.url)
    refused(server, lambda: session.get(Thing, huge), "id", "4300")
    refused(server, lambda: session.get(Thing, 1, params={"n": huge}), "query parameter 'n'", "4300")
    refused(server, lambda: session.get(Thing, 1, params={huge: 1}), "query parameter")
    refused(server, lambda: session.request("POST", "/things", json={"n": huge}), "body", "4300")
    refused(server, lambda: session.get(Thing, (huge,)), "id")


class Tenanted(Service):
    headers = {"X-Tenant": "{tenant}"}
    context = {"tenant": None}


@Tenanted.resource(one="/things/{id}", many="/things")
class TenantThing(Resource):
    id: int | None = None


@pytest.mark.parametrize(
    "tenant", [10**5000, "\ud800", "€", "a\r\nb"], ids=["huge", "surrogate", "euro", "crlf"]
)
def test_unsendable_context_value_in_a_header(server: ScriptedServer, tenant: Any) -> None:
    session = Tenanted.connect(server.url, tenant=tenant)
    refused(server, lambda: session.get(TenantThing, 1), "tenant" if isinstance(tenant, int) else "X-Tenant")


def test_non_string_header_name_and_value(server: ScriptedServer) -> None:
    session = Api.connect(server.url)
    for headers in ({1: "x"}, {None: "x"}, {b"X-A": "x"}, {"X-A": 1}, {"X-A": b"x"}, {"X-A": object()}):
        refused(server, lambda h=headers: session.get(Thing, 1, headers=h), "header")
        refused(server, lambda h=headers: session.request("GET", "/things/1", headers=h), "header")
    refused(server, lambda: Api.connect(server.url, headers={"X-A": 1}), "header")
    refused(server, lambda: session.get(Thing, 1, headers={"Bad Name": "x"}), "header name")


def test_unencodable_body_value(server: ScriptedServer) -> None:
    for service in (Api, CompactApi):
        session = service.connect(server.url)
        for value in (object(), {1, 2}, b"bytes", {(1, 2): "tuple key"}, 10**5000):
            refused(server, lambda s=session, v=value: s.request("POST", "/things", json={"v": v}), "body")
    session = Api.connect(server.url)
    refused(server, lambda: session.create(Thing(name="x", data={(1, 2): "tuple key"})), "Thing")
    refused(server, lambda: session.create(Thing(name="x", data=nested_list(100_000))), "nesting deeper")
    for raw in (1, 1.5, object(), complex(1, 2)):
        refused(server, lambda r=raw: session.request("POST", "/things", data=r), "data=")


def test_compact_codec_refuses_nan_and_infinity(server: ScriptedServer) -> None:
    for service in (CompactApi, Api):
        session = service.connect(server.url)
        for value in (float("nan"), float("inf"), -float("inf"), [1.0, {"x": float("nan")}]):
            refused(server, lambda s=session, v=value: s.request("POST", "/things", json={"v": v}), "body")
    refused(server, lambda: CompactApi.connect(server.url).create(CompactThing(data=float("nan"))), "NaN")
    server.on("POST", "/things", Reply(body=b""))
    CompactApi.connect(server.url).request("POST", "/things", json={"v": None, "w": 1.5})
    assert server.received[-1].body == b'{"v":null,"w":1.5}'


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00garbage",
        b'{"id": 1, "name": "\xc3\x28"}',
        b'{"id": 1, "name": "tru',
        b'"a string"',
        b"42",
        b"1" * 5000,
        b'{"id": ' + b"9" * 5000 + b"}",
        b"[1, 2]",
        b"null",
        b"[" * 100_000,
        b'{"id": 1, "name": "x", "data": ' + nested(5_000) + b"}",
    ],
    ids=lambda body: repr(body[:20]),
)
def test_malformed_answer_is_decode_error(server: ScriptedServer, body: bytes) -> None:
    server.on("GET", "/things/1", Reply(body=body))
    with pytest.raises(DecodeError):
        Api.connect(server.url).get(Thing, 1)


@pytest.mark.parametrize(
    "body",
    [
        b'{"nodata": 1}',
        b'{"data": "text"}',
        b'{"data": [1, 2]}',
        b'{"data": null}',
        b'{"data": {"id": "not an int"}}',
        b"[1]",
        b'"data"',
        b'{"data": ' + nested(100_000) + b"}",
    ],
    ids=lambda body: repr(body[:20]),
)
def test_missing_or_mistyped_envelope_payload_is_decode_error(server: ScriptedServer, body: bytes) -> None:
    server.on("GET", "/things/1", Reply(body=body))
    with pytest.raises(DecodeError):
        Wrapped.connect(server.url).get(WrappedThing, 1)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"data": "not a list"}, DecodeError),
        ({"data": {"id": 1}}, DecodeError),
        ({"data": [1, "x", None]}, DecodeError),
        ({"data": [{"id": 1}], "count": "1" * 5000, "next": "x"}, PaginationError),
        ({"data": [{"id": 1}], "count": "²", "next": True}, PaginationError),
        ({"data": [{"id": 1}], "count": {"n": 1}, "next": [1]}, PaginationError),
        ([{"id": 1}], DecodeError),
    ],
)
def test_hostile_page_is_decode_error_or_walked(
    server: ScriptedServer, body: Any, expected: type[ClientKitError]
) -> None:
    """A page of the wrong shape is a DecodeError; one that claims more pages but serves the
    same again is a PaginationError (never an endless walk or an untyped crash)."""
    server.on("GET", "/things", Reply(json=body))
    with pytest.raises(ClientKitError) as info:
        list(Wrapped.connect(server.url).list(WrappedThing, max_pages=3))
    assert type(info.value) is expected


@pytest.mark.parametrize(
    "body",
    [
        b'{"message": ' + b"9" * 5000 + b"}",
        b'{"message": {"deep": [1]}, "errors": [{"field": ["a", {"b": 1}], "message": null}]}',
        b'{"errors": {"name": [1, 2]}, "code": [1], "request_id": {"x": 1}}',
        b'{"errors": "text", "detail": [null]}',
        b"\xff\xfe not json",
        b"[1, 2, 3]",
        b'"only a string"',
        b'{"message": "x", "errors": ' + nested(100_000) + b"}",
    ],
    ids=lambda body: repr(body[:20]),
)
def test_hostile_error_body_still_gives_the_status_error(server: ScriptedServer, body: bytes) -> None:
    server.on("GET", "/things/1", Reply(503, body=body))
    with pytest.raises(ServerError) as info:
        Api.connect(server.url, retries=0).get(Thing, 1)
    assert info.value.status == 503 and str(info.value)


@pytest.mark.parametrize("location", ["http://[::1", "//[", "http://x:abc/", "\xe9"])
def test_redirect_to_a_location_that_is_not_a_url(server: ScriptedServer, location: str) -> None:
    server.on("GET", "/things/1", Reply(302, headers={"Location": location}, raw=True))
    with pytest.raises(RedirectError, match="not a URL"):
        Api.connect(server.url, retries=0).get(Thing, 1)


def test_next_page_link_that_is_not_a_url(server: ScriptedServer) -> None:
    server.on("GET", "/things", Reply(json={"data": [{"id": 1}], "next": "http://[::1"}))

    class Linked(Service):
        envelope = Envelope(response="data")
        pagination = NextUrl(items="data", next="next")

    @Linked.resource(one="/things/{id}", many="/things")
    class Row(Resource):
        id: int | None = None

    with pytest.raises(PaginationError, match="not a URL"):
        list(Linked.connect(server.url).list(Row))


def test_text_body_outside_latin1(server: ScriptedServer) -> None:
    session = Api.connect(server.url)
    for text in ("€", "a\ud800"):
        refused(server, lambda t=text: session.request("POST", "/things", data=t), "Latin-1")


# -- hostile freshness and retry headers ------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "retry_after", [f"Mon, 01 Jan {HUGE} 00:00:00 GMT", f"Mon, 01 Jan 2020 00:00:00 +{HUGE}"]
)
@pytest.mark.parametrize("status", [429, 503])
def test_hostile_retry_after_date_is_not_a_crash(
    server: ScriptedServer, retry_after: str, status: int
) -> None:
    """A Retry-After no calendar holds counts as absent: the status error, after the usual retries."""
    server.on("GET", "/things/1", Reply(status, json={}, headers={"Retry-After": retry_after}, raw=True))
    with pytest.raises(APIError) as info:
        Api.connect(server.url, retries=0).get(Thing, 1)
    assert info.value.status == status
    server.received.clear()
    retried = Api.connect(server.url, retries=RetryPolicy(retries=1, backoff=0.01))
    with pytest.raises(APIError):
        retried.get(Thing, 1)
    assert len(server.requests_to("/things/1")) == 2


def cached_twice(server: ScriptedServer, tmp_path: Path, header: str, value: str) -> None:
    """Two GETs through a cached session of an answer carrying ``header: value``."""
    server.on("GET", "/things/1", Reply(json={"id": 1, "name": "a"}, headers={header: value}, raw=True))
    session = Api.connect(server.url, cache=tmp_path / "cache.sqlite", retries=0)
    assert session.get(Thing, 1).name == "a"
    assert session.get(Thing, 1).name == "a"


def test_hostile_cache_control_max_age_on_cached_session(server: ScriptedServer, tmp_path: Path) -> None:
    """A max-age beyond 2**31 seconds is capped (RFC 9111): served, then served from the cache."""
    cached_twice(server, tmp_path, "Cache-Control", f"public, max-age={HUGE}999, stale-if-error={HUGE}")
    assert len(server.requests_to("/things/1")) == 1


def test_hostile_cache_control_in_a_request_on_cached_session(server: ScriptedServer, tmp_path: Path) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1, "name": "a"}))
    session = Api.connect(server.url, cache=tmp_path / "cache.sqlite", retries=0)
    asked = {"Cache-Control": f"max-age={HUGE}"}
    assert session.get(Thing, 1, headers=asked).name == "a"


def test_hostile_expires_year_on_cached_session(server: ScriptedServer, tmp_path: Path) -> None:
    """An Expires of a year no calendar holds reads as already expired: each GET asks again."""
    cached_twice(server, tmp_path, "Expires", f"Mon, 01 Jan {HUGE} 00:00:00 GMT")
    assert len(server.requests_to("/things/1")) == 2


# -- hostile caller input -----------------------------------------------------------------


def circular() -> list[Any]:
    """Bodies that contain themselves, directly or through another container."""
    loop: list[Any] = []
    loop.append(loop)
    inner: dict[str, Any] = {}
    outer = {"a": [inner]}
    inner["back"] = outer
    return [loop, outer]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("body", circular(), ids=["list", "dict"])
@pytest.mark.parametrize("service", [Api, CompactApi])
def test_circular_body_is_invalid_request(server: ScriptedServer, body: Any, service: type[Service]) -> None:
    session = service.connect(server.url)
    refused(server, lambda: session.request("POST", "/things", json=body), "Circular reference")
    refused(server, lambda: session.create(Thing(name="x", data=body)), "Thing", "circular reference")
    refused(server, lambda: session.request("GET", "/things", params={"q": body}), "circular reference")
    paged = session.paginate("/things", PageNumber(where="body"), method="POST", json={"q": body})
    refused(server, paged.to_list, "Circular reference")


class TokenApi(Service):
    auth = TokenAuth()


class SignedAuth(AuthBase):
    def __call__(self, r: Any) -> Any:
        r.headers["X-Sig"] = "\u20ac"
        return r


def test_non_latin1_token_is_invalid_request_not_redirect_error(server: ScriptedServer) -> None:
    """A credential HTTP headers cannot carry is refused at connect(); one added by a custom
    auth or a cookie, when sending: InvalidRequestError either way, and nothing sent."""
    server.on("GET", "/things/1", Reply(json={"id": 1}))
    refused(server, lambda: TokenApi.connect(server.url, token="\u20ac"), "Latin-1")
    custom = Api.connect(server.url, auth=SignedAuth())
    refused(server, lambda: custom.get(Thing, 1), "Latin-1")
    cookied = Api.connect(server.url)
    cookied.transport.http.cookies.set("c", "\u20ac", domain="127.0.0.1")
    refused(server, lambda: cookied.get(Thing, 1), "Latin-1")


@pytest.mark.parametrize("timeout", [float("inf"), float("nan"), 1e300, (1.0, float("inf")), -1, 0])
def test_infinite_timeout(server: ScriptedServer, timeout: Any) -> None:
    """Non-finite and absurd timeouts are refused (None means no limit), whole or per phase."""
    session = Api.connect(server.url)
    refused(server, lambda: session.get(Thing, 1, timeout=timeout), "Timeout")
    refused(server, lambda: Api.connect(server.url, timeout=timeout), "Timeout")
    refused(server, lambda: Timeout.of(timeout), "Timeout")


def test_deep_params_and_data(server: ScriptedServer) -> None:
    session = Api.connect(server.url)
    deep = nested_list(100_000)
    refused(server, lambda: session.request("GET", "/things", params={"a": deep}), "'a'")
    refused(server, lambda: session.request("GET", "/things", params={"a": {"b": deep}}), "'a'")
    refused(server, lambda: session.request("POST", "/things", data={"a": deep}), "'a'", "flat")
    refused(server, lambda: session.request("POST", "/things", data=[1, 2]), "pairs")
    refused(server, lambda: session.request("GET", "/things", params=[("a",)]), "pairs")
    refused(server, lambda: session.request("GET", "/things", params=5), "mapping")
    refused(server, lambda: session.list(Thing, params=5).to_list(), "mapping")


def test_closed_file_and_non_bytes_chunks_as_raw_body(server: ScriptedServer) -> None:
    session = Api.connect(server.url, retries=0)
    closed = io.BytesIO(b"x")
    closed.close()
    refused(server, lambda: session.request("POST", "/things", data=closed), "closed file")
    chunks = (c for c in [b"a", 1])
    with pytest.raises(InvalidRequestError, match="yields bytes or text, not int"):
        session.request("POST", "/things", data=chunks)


def test_paginate_with_bad_arguments(server: ScriptedServer) -> None:
    session = Api.connect(server.url)
    body_paged = PageNumber(where="body")
    refused(server, lambda: session.paginate("/things", PageNumber(), method=None).to_list(), "method")
    for body in ([1, 2], "abc", {1, 2}):
        pager = functools.partial(session.paginate, "/things", body_paged, method="POST", json=body)
        refused(server, lambda p=pager: p().to_list(), "JSON object")
    refused(server, lambda: session.paginate("/things", PageNumber(), params=[("a",)]).to_list(), "pairs")


def test_header_pairs_list(server: ScriptedServer) -> None:
    """Headers may be name-value pairs, as requests takes them; a string or a number is refused."""
    server.on("GET", "/things/1", Reply(json={"id": 1}))
    session = Api.connect(server.url)
    session.get(Thing, 1, headers=[("X-A", "b")])
    session.request("GET", "/things/1", headers=[("X-A", "c")])
    assert [r.header("X-A") for r in server.requests_to("/things/1")] == ["b", "c"]
    server.received.clear()
    refused(server, lambda: session.request("GET", "/things/1", headers="X-A: 1"), "mapping")
    refused(server, lambda: session.request("GET", "/things/1", headers=[("X-A",)]), "pairs")


@pytest.mark.parametrize(
    "base", ["http://[::1/", "http://127.0.0.1:99999/", "http://\ud800/", b"http://x/", "ftp://x/"]
)
def test_malformed_base_url(base: Any) -> None:
    with pytest.raises(InvalidRequestError):
        Api.connect(base)


@pytest.mark.parametrize("value", ["inf", "Infinity", "1e999", "1_0", "nan", "-3", "99999999999999"])
def test_retry_after_that_is_no_number_of_seconds_is_ignored(server: ScriptedServer, value: str) -> None:
    server.on("GET", "/busy", Reply(status=503, json={"error": "busy"}, headers={"Retry-After": value}))
    api = Api.connect(server.url, retries=0)
    with pytest.raises(APIError) as info:
        api.request("GET", "/busy")
    assert info.value.retry_after is None
