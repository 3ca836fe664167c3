"""Hostile input, one named scenario per root cause: each ends in a typed clientkit error
(nothing sent for a bad request), never in an untyped exception. Over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from clientkit import (
    ClientKitError,
    DecodeError,
    Envelope,
    InvalidRequestError,
    NotFoundError,
    PaginationError,
    RedirectError,
    Resource,
    ServerError,
    Service,
    field,
)
from clientkit.pagination import NextUrl, PageNumber
from clientkit.wire import MAX_DEPTH, JsonCodec
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
    refused(server, lambda: session.create(Thing(name="x", data=nested_list(100_000))), "nests")
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
    "body",
    [
        {"data": "not a list"},
        {"data": {"id": 1}},
        {"data": [1, "x", None]},
        {"data": [{"id": 1}], "count": "1" * 5000, "next": "x"},
        {"data": [{"id": 1}], "count": "²", "next": True},
        {"data": [{"id": 1}], "count": {"n": 1}, "next": [1]},
        [{"id": 1}],
    ],
)
def test_hostile_page_is_decode_error_or_walked(server: ScriptedServer, body: Any) -> None:
    server.on("GET", "/things", Reply(json=body))
    outcome = attempt(lambda: list(Wrapped.connect(server.url).list(WrappedThing, max_pages=3)))
    if isinstance(outcome, ClientKitError):
        assert str(outcome)
    else:
        assert all(isinstance(item, WrappedThing) for item in outcome)


def attempt(call: Any) -> Any:
    """The result of ``call``, or the clientkit error it raised (any other exception escapes)."""
    try:
        return call()
    except ClientKitError as exc:
        return exc


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
