"""Property-based trust tests: hostile ids, headers, query parameters, request bodies and
server answers, against a scripted server and the sandbox over real HTTP.

Every call either succeeds with the right result (an id arrives as exactly one quoted
segment, a body as the same JSON) or raises a clientkit error with a message; nothing
else may escape. Profiles live in ``tests/conftest.py`` (``HYPOTHESIS_PROFILE=long``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientkit import (
    APIError,
    CacheConfig,
    ClientKitError,
    Envelope,
    Resource,
    RetryPolicy,
    Service,
    Session,
    TokenAuth,
    field,
)
from clientkit._declarations.errors import error_class_for
from clientkit._declarations.options import MAX_TIMEOUT
from clientkit._declarations.paging import LinkHeader, NextUrl, PageNumber
from clientkit._declarations.wire import MAX_DEPTH, JsonCodec, QueryStyle, nesting_exceeds
from clientkit.errors import (
    DeclarationError,
    DecodeError,
    InvalidRequestError,
    NotFoundError,
    PaginationError,
    RedirectError,
    TransportError,
)
from clientkit.sandbox.app import Sandbox
from tests.support.scripted import Reply, ScriptedServer

# -- declarations ------------------------------------------------------------------------


class Api(Service):
    pass


class CompactApi(Service):
    json = JsonCodec(compact=True, ensure_ascii=False)


class Paged(Service):
    envelope = Envelope(response="data")
    pagination = NextUrl(items="data", next="next")


class Linked(Service):
    pagination = LinkHeader(total_header="X-Total-Count")


class Shop(Service):
    auth = TokenAuth(scheme="Token")
    envelope = Envelope(response="data")
    pagination = PageNumber(items="data", total="count", next="next")


@Api.resource(one="/things/{id}", many="/things")
class Thing(Resource):
    id: int | str | None = field(read_only=True)
    name: str | None = None
    count: int | None = None
    tags: list[str] = field(factory=list)
    when: dt.datetime | None = None
    data: Any = None
    kids: int | list[dict[str, Any]] | None = None


@Paged.resource(one="/items/{id}", many="/items")
class Item(Resource):
    id: int | None = None
    name: str | None = None


@Linked.resource(one="/rows/{id}", many="/rows")
class Row(Resource):
    id: int | None = None


@Shop.resource(one="/products/{id}", many="/products")
class Product(Resource):
    id: int | None = field(read_only=True)
    name: str | None = field(required=True)
    tags: list[str] = field(factory=list)


# -- servers, started once per module ------------------------------------------------------


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer().start()
    server.on("GET", "/echo", Reply(json={}))
    server.on("POST", "/echo", Reply(status=204, body=b""))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    box = Sandbox(Shop, data={"Product": [{"id": 1, "name": "Lamp", "tags": ["a"]}]})
    box.start()
    try:
        yield box.url
    finally:
        box.stop()


def attempt(call: Callable[[], Any]) -> Any:
    """The result of ``call``, or the clientkit error it raised; any other exception fails the test."""
    try:
        return call()
    except ClientKitError as exc:
        error = exc
    assert str(error).strip(), f"{type(error).__name__} without a message"
    return error


def fresh(server: ScriptedServer) -> ScriptedServer:
    server.received.clear()
    return server


# -- strategies ------------------------------------------------------------------------------

SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
HUGE_INT = st.integers(min_value=4300, max_value=4400).map(lambda n: 10**n + 7)  # over 4,300 digits
ODD_TEXT = st.sampled_from(
    ["", ".", "..", "a/b", "?x=1#f", "%2F", "é", "€", "😀", " ", "\r\nX: y", "\x00", "\\"]
)
HOSTILE_TEXT = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=8),  # surrogates included
    st.tuples(st.text(max_size=4), SURROGATE, st.text(max_size=4)).map("".join),
    ODD_TEXT,
)
INTS = st.one_of(st.integers(), st.integers(min_value=2**63, max_value=2**70), HUGE_INT)
IDS = st.one_of(
    HOSTILE_TEXT,
    INTS,
    st.booleans(),
    st.floats(),
    st.none(),
    st.binary(max_size=4),
    st.uuids(),
    st.builds(object),
    st.tuples(st.integers()),
)


def containers(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=5), kids, max_size=4))


QUERY_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), HOSTILE_TEXT, INTS, st.floats(), st.binary(max_size=4), st.uuids()),
    containers,
    max_leaves=6,
)
QUERY = st.dictionaries(st.one_of(HOSTILE_TEXT, INTS), QUERY_VALUES, max_size=4)
HEADER_NAMES = st.one_of(
    st.from_regex(r"X-[A-Za-z0-9]{1,8}", fullmatch=True),
    HOSTILE_TEXT,
    st.integers(),
    st.binary(max_size=4),
    st.none(),
)
HEADER_VALUES = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=12),
    HOSTILE_TEXT,
    st.integers(),
    st.binary(max_size=4),
    st.none(),
    st.builds(object),
)
HEADERS = st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=3)

JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**64, max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
BAD_LEAVES = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.tuples(st.text(max_size=3), SURROGATE).map("".join),
    HUGE_INT,
    st.binary(max_size=3),
    st.sets(st.integers(), max_size=2),
    st.builds(object),
    st.just({(1, 2): "tuple key"}),
)


def nested(depth: int, leaf: Any = None) -> Any:
    value: Any = [] if leaf is None else leaf
    for i in range(depth - (leaf is None)):
        value = [value] if i % 2 else {"k": value}
    return value


def looped(outer: list[Any], inner: dict[str, Any], direct: bool) -> Any:
    """A body that contains itself: directly, or through a container inside it."""
    if direct:
        outer.append(outer)
    else:
        inner["back"] = outer
        outer.append(inner)
    return outer


DEPTHS = st.one_of(st.integers(MAX_DEPTH - 3, MAX_DEPTH + 3), st.sampled_from([1_000, 100_000]))
VALID_JSON = st.recursive(JSON_LEAVES, containers, max_leaves=16)
LOOPS = st.builds(
    looped,
    st.lists(VALID_JSON, max_size=3),
    st.dictionaries(st.text(max_size=3), VALID_JSON, max_size=2),
    st.booleans(),
)
CIRCULAR = st.one_of(LOOPS, LOOPS.map(lambda body: {"data": [body]}))
BODIES = st.one_of(
    VALID_JSON,
    st.recursive(st.one_of(JSON_LEAVES, BAD_LEAVES), containers, max_leaves=12),
    DEPTHS.map(nested),
    CIRCULAR,
)


def depth_of(value: Any) -> int:
    """Levels of arrays and objects in ``value`` (iteratively: it may be very deep)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list | tuple):
            level += 1
            deepest = max(deepest, level)
            stack.extend((kid, level) for kid in (item.values() if isinstance(item, dict) else item))
    return deepest


def stdlib_json(value: Any, codec: JsonCodec) -> bytes | None:
    """The reference: what the stdlib makes of ``value``; ``None`` when it must be refused."""
    try:
        text = json.dumps(value, ensure_ascii=codec.ensure_ascii, allow_nan=False).encode("utf-8")
    except (ValueError, TypeError, RecursionError):
        return None
    return None if depth_of(value) > MAX_DEPTH else text


# -- the nesting scan ----------------------------------------------------------------------------

TRICKY_TEXT = st.text(alphabet=st.sampled_from('[]{}"\\/u a\n'), max_size=6)
TRICKY_JSON = st.recursive(st.one_of(JSON_LEAVES, TRICKY_TEXT), containers, max_leaves=24)


@given(value=TRICKY_JSON, limit=st.integers(0, 6), ascii_only=st.booleans())
def test_the_nesting_scan_measures_what_the_parser_sees(value: Any, limit: int, ascii_only: bool) -> None:
    document = json.dumps(value, ensure_ascii=ascii_only)
    assert nesting_exceeds(document.encode("utf-8", "surrogatepass"), limit) == (depth_of(value) > limit)
    assert nesting_exceeds(document, limit) == (depth_of(value) > limit)


# -- requests ----------------------------------------------------------------------------------


@given(id=IDS)
def test_an_id_arrives_as_exactly_one_segment_or_is_refused(scripted: ScriptedServer, id: Any) -> None:
    server = fresh(scripted)
    outcome = attempt(lambda: Api.connect(server.url, retries=0).get(Thing, id))
    if isinstance(outcome, InvalidRequestError):
        assert server.received == []
        return
    assert isinstance(outcome, NotFoundError)  # nothing is scripted there: the request went out
    (sent,) = server.received
    segment = sent.raw_path.removeprefix("/things/")
    assert not set(segment) & set("/?#")
    assert unquote(segment, errors="strict") == str(id)


@given(params=QUERY)
def test_query_parameters_arrive_exactly_or_are_refused(scripted: ScriptedServer, params: Any) -> None:
    server = fresh(scripted)
    outcome = attempt(lambda: Api.connect(server.url, retries=0).request("GET", "/echo", params=params))
    if isinstance(outcome, ClientKitError):
        assert isinstance(outcome, InvalidRequestError) and server.received == []
        return
    (sent,) = server.received
    assert parse_qsl(sent.query, keep_blank_values=True, errors="strict") == QueryStyle().encode(params)


@given(headers=HEADERS)
def test_headers_arrive_exactly_or_are_refused(scripted: ScriptedServer, headers: Any) -> None:
    server = fresh(scripted)
    outcome = attempt(lambda: Api.connect(server.url, retries=0).request("GET", "/echo", headers=headers))
    if isinstance(outcome, ClientKitError):
        assert isinstance(outcome, InvalidRequestError) and server.received == []
        return
    (sent,) = server.received
    expected: dict[str, str] = {}
    for name, value in headers.items():
        expected = {k: v for k, v in expected.items() if k.lower() != name.lower()}
        if value is not None:
            expected[name] = value
    for name, value in expected.items():
        if "_" not in name:  # the WSGI server drops names with "_" (they would alias "-")
            assert (sent.header(name) or "").strip() == value.strip()


@given(body=BODIES, compact=st.booleans())
def test_a_body_arrives_as_the_same_json_or_is_refused(
    scripted: ScriptedServer, body: Any, compact: bool
) -> None:
    server = fresh(scripted)
    service = CompactApi if compact else Api
    reference = stdlib_json(body, service.json)
    outcome = attempt(lambda: service.connect(server.url, retries=0).request("POST", "/echo", json=body))
    if reference is None:
        assert isinstance(outcome, InvalidRequestError) and server.received == []
        return
    assert not isinstance(outcome, ClientKitError), outcome
    (sent,) = server.received
    assert json.loads(sent.body) == json.loads(reference)


# -- answers -----------------------------------------------------------------------------------

ANY_JSON = st.recursive(st.one_of(JSON_LEAVES, HUGE_INT), containers, max_leaves=8)
THING_LIKE = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(("id", "name", "count", "tags", "when", "data", "kids", "extra"), ANY_JSON),
)


def _dumped(value: Any) -> bytes:
    try:
        return json.dumps(value).encode()
    except ValueError:  # an int too long for str(): send its digits by hand
        return b"9" * 4400


ANSWERS = st.one_of(
    THING_LIKE.map(_dumped),
    ANY_JSON.map(_dumped),
    st.binary(max_size=40),
    st.tuples(THING_LIKE.map(_dumped), st.integers(0, 40)).map(lambda t: t[0][: t[1]]),  # truncated
    DEPTHS.map(lambda d: b'{"id": 1, "data": ' + b"[" * d + b"]" * d + b"}"),
    DEPTHS.map(lambda d: b"{" * d),
    st.integers(4290, 4400).map(lambda n: b'{"id": ' + b"9" * n + b"}"),
    st.sampled_from(
        [
            b'{"id": 1e999, "count": -1e999}',
            b'{"id": 1, "name": "\\ud800", "tags": ["\\udfff"]}',
            b'{"id": 1, "name": "\xff\xfe"}',
            '{"name": "caf\xe9"}'.encode("latin-1"),
            b'\xef\xbb\xbf{"id": 1}',
            b'{"id": 1, "when": "9999-99-99T99:99"}',
            b'{"id": 1, "when": 1e300}',
            b'{"id": 1, "kids": "many"}',
            b"NaN",
            b"[]",
        ]
    ),
)
STATUSES = st.sampled_from([200, 201, 400, 401, 403, 404, 409, 412, 418, 422, 429, 500, 503])


@given(answer=ANSWERS, status=STATUSES, operation=st.sampled_from(["get", "create", "save", "list"]))
def test_any_answer_loads_or_raises_a_typed_error(
    scripted: ScriptedServer, answer: bytes, status: int, operation: str
) -> None:
    server = fresh(scripted)
    reply = Reply(status=status, body=answer)
    server.set("GET", "/things/1", reply)
    server.set("POST", "/things", reply)
    server.set("PATCH", "/things/1", reply)
    server.set("GET", "/things", reply)
    session = Api.connect(server.url, retries=0)
    calls: dict[str, Callable[[], Any]] = {
        "get": lambda: session.get(Thing, 1),
        "create": lambda: session.create(Thing(name="x")),
        "save": lambda: session.save(_loaded(Thing, id=1, name="x"), timeout=5),
        "list": lambda: list(session.list(Thing, max_pages=3)),
    }
    outcome = attempt(calls[operation])
    if status >= 400:
        assert isinstance(outcome, APIError) and outcome.status == status
        assert isinstance(outcome, error_class_for(status))
    elif isinstance(outcome, ClientKitError):
        assert isinstance(outcome, DecodeError | PaginationError)
    elif operation == "list":
        assert all(isinstance(item, Thing) for item in outcome)
    else:
        assert isinstance(outcome, Thing)


def _loaded(cls: type[Thing], **raw: Any) -> Thing:
    obj = Api.converter.load(dict(raw), cls)
    obj.name = "changed"
    return obj


NEXT_LINKS = st.one_of(
    st.sampled_from(["/items?page=2", "/items", "", "http://evil.example/items", "//evil.example/x"]),
    st.sampled_from(["http://[::1", "javascript:alert(1)", "http://127.0.0.1:1/items", "ftp://x/items"]),
    HOSTILE_TEXT,
    st.integers(),
    st.none(),
    st.just({"href": "/items"}),
    st.just("ALIAS"),  # the same server under another host name: another origin
)
PAGE_ITEMS = st.one_of(
    st.lists(st.fixed_dictionaries({"id": st.integers(0, 3), "name": st.text(max_size=3)}), max_size=3),
    ANY_JSON,
)


@given(pages=st.lists(st.tuples(PAGE_ITEMS, NEXT_LINKS), min_size=1, max_size=4))
def test_page_links_are_followed_only_on_the_service_origin(scripted: ScriptedServer, pages: Any) -> None:
    server = fresh(scripted)
    alias = server.host_alias_url + "/items"
    replies = [
        Reply(body=_dumped({"data": items, "next": alias if link == "ALIAS" else link}))
        for items, link in pages
    ]
    server.set("GET", "/items", *replies)
    outcome = attempt(lambda: list(Paged.connect(server.url, retries=0).list(Item, max_pages=6)))
    assert not isinstance(outcome, TransportError)  # no page was fetched from another host
    assert all(not (r.header("Host") or "").startswith("localhost") for r in server.received)
    if isinstance(outcome, ClientKitError):
        assert isinstance(outcome, DecodeError | PaginationError | InvalidRequestError | APIError)
    else:
        assert all(isinstance(item, Item) for item in outcome)


HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30)
LOCATIONS = st.one_of(
    st.sampled_from(["http://[::1", "//[", "http://x:abc/", "http://u:p@x:99999999/", "\xe9", "", "?a=1#b"]),
    HEADER_TEXT.map(lambda text: "/things/" + text),
    HEADER_TEXT.map(lambda text: "http://[" + text),
)
HUGE_DIGITS = st.integers(10, 30).map(lambda n: "9" * n)
HTTP_DATES = st.builds(  # mostly well-formed, so that the year and zone are what is hostile
    "{}, {:02d} {} {} {:02d}:{:02d}:{:02d} {}".format,
    st.sampled_from(["Mon", "Xyz"]),
    st.one_of(st.integers(1, 28), st.integers(0, 40)),
    st.sampled_from(["Jan", "Dec", "Foo"]),
    st.one_of(
        st.integers(1970, 2100),
        st.integers(10**4, 10**30),
        st.sampled_from([9999, 10**19, 10**20 - 1, "-1", "1e9", ""]),
    ),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 61),
    st.one_of(
        st.sampled_from(["GMT", "+0000", "-2359", "+9999", "EST", "Z"]),
        HUGE_DIGITS.map("+{}".format),
        HUGE_DIGITS.map("-{}".format),
    ),
)
DELTAS = st.one_of(
    st.integers(-(10**30), 10**30).map(str), HUGE_DIGITS, st.sampled_from(["1_000", " 5 ", '"60"'])
)
CACHE_CONTROL = st.lists(
    st.one_of(
        st.builds(
            "{}={}".format,
            st.sampled_from(
                ["max-age", "s-maxage", "stale-if-error", "max-stale", "min-fresh", "stale-while-revalidate"]
            ),
            DELTAS,
        ),
        st.sampled_from(["public", "private", "no-cache", "no-store", "must-revalidate", "immutable", "="]),
    ),
    max_size=4,
).map(", ".join)
FRESHNESS_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Cache-Control": CACHE_CONTROL,
        "Expires": st.one_of(HTTP_DATES, DELTAS, HEADER_TEXT),
        "Last-Modified": st.one_of(HTTP_DATES, HEADER_TEXT),
        "Date": HTTP_DATES,
        "Age": DELTAS,
        "ETag": st.one_of(HEADER_TEXT, HEADER_TEXT.map('W/"{}"'.format)),
        "Vary": st.one_of(st.sampled_from(["*", "Accept", "X-Nope, Authorization", ", ,"]), HEADER_TEXT),
    },
)
RESPONSE_HEADERS = st.dictionaries(
    st.sampled_from(["Retry-After", "ETag", "X-Total-Count", "Link", "Content-Type", "X-Request-Id"]),
    st.one_of(
        HEADER_TEXT,
        HTTP_DATES,
        DELTAS,
        st.sampled_from(["9" * 5000, "-1e999", "nan", '<http://[::1>; rel="next"']),
    ),
)


@given(location=LOCATIONS, status=st.sampled_from([301, 302, 303, 307, 308]), write=st.booleans())
def test_a_redirect_anywhere_is_followed_on_the_origin_or_a_typed_error(
    scripted: ScriptedServer, location: str, status: int, write: bool
) -> None:
    server = fresh(scripted)
    server.set("GET", "/things/1", Reply(status, headers={"Location": location}, raw=True))
    server.set("POST", "/things", Reply(status, headers={"Location": location}, raw=True))
    session = Api.connect(server.url, retries=0, timeout=5)
    outcome = attempt((lambda: session.create(Thing(name="x"))) if write else (lambda: session.get(Thing, 1)))
    assert isinstance(outcome, ClientKitError)  # nothing answers 2xx behind these redirects
    assert not isinstance(outcome, TransportError) or isinstance(outcome, RedirectError)
    if write:
        assert isinstance(outcome, RedirectError) and len(server.received) == 1


@given(
    headers=RESPONSE_HEADERS,
    retry_after=st.one_of(st.none(), HTTP_DATES, DELTAS),
    status=st.sampled_from([200, 429, 503]),
    retries=st.integers(0, 1),
)
def test_hostile_response_headers_never_escape_untyped(
    scripted: ScriptedServer, headers: dict[str, str], retry_after: str | None, status: int, retries: int
) -> None:
    """Whatever the headers say, a status error is that status's error, and a retry waits a
    finite, non-negative time no longer than ``max_retry_after`` (a hostile Retry-After is ignored)."""
    server = fresh(scripted)
    if retry_after is not None:
        headers = {**headers, "Retry-After": retry_after}
    server.set("GET", "/rows", Reply(status, json=[{"id": 1}], headers=headers, raw=True))
    waits: list[float] = []
    policy = RetryPolicy(retries=retries, sleep=waits.append)
    outcome = attempt(lambda: list(Linked.connect(server.url, retries=policy).list(Row, max_pages=3)))
    if status >= 400:
        assert isinstance(outcome, APIError) and outcome.status == status
    elif isinstance(outcome, ClientKitError):
        assert isinstance(outcome, DecodeError | PaginationError | InvalidRequestError | APIError)
    assert all(0 <= wait <= policy.max_retry_after for wait in waits)


@given(headers=FRESHNESS_HEADERS, etag_back=st.booleans())
def test_hostile_freshness_headers_on_a_cached_session(
    scripted: ScriptedServer, headers: dict[str, str], etag_back: bool
) -> None:
    """A cached session serves what the server sent, whatever its freshness headers say,
    on the first GET and on the next (from the cache, revalidated or fetched again)."""
    server = fresh(scripted)
    full = Reply(json={"id": 1, "name": "a"}, headers=headers, raw=True)
    unchanged = Reply(304, headers=headers, raw=True)

    def answer(sent: Any, _: Any) -> Reply:
        conditional = sent.header("If-None-Match") or sent.header("If-Modified-Since")
        return unchanged if etag_back and conditional else full

    server.set("GET", "/things/1", answer)
    session = Api.connect(server.url, retries=0, cache=CacheConfig(backend="memory", cache_control=True))
    assert attempt(lambda: session.get(Thing, 1).name) == "a"
    assert attempt(lambda: session.get(Thing, 1).name) == "a"
    assert 1 <= len(server.received) <= 2


# -- caller input ----------------------------------------------------------------------------

SECONDS = st.one_of(
    st.floats().filter(lambda f: not 0 < f < 1),  # NaN, infinities, 1e300, negatives, zero; no
    # short limit: one that expires would leave the request to reach the server later
    st.integers(-5, 10**12),
    st.sampled_from([MAX_TIMEOUT, MAX_TIMEOUT * 1.5, 1.0]),
    st.sampled_from(["5", True, b"1"]),
)
TIMEOUTS = st.one_of(
    st.none(),
    SECONDS,
    st.tuples(st.one_of(st.none(), SECONDS), st.one_of(st.none(), SECONDS)),
)


def a_limit(value: Any) -> bool:
    """The reference: ``None`` or a number of seconds above 0 and at most a year."""
    if value is None:
        return True
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return numeric and 0 < value <= MAX_TIMEOUT


@given(timeout=TIMEOUTS)
def test_a_timeout_is_used_or_refused(scripted: ScriptedServer, timeout: Any) -> None:
    server = fresh(scripted)
    sendable = timeout is not None and (
        all(a_limit(t) for t in timeout) if isinstance(timeout, tuple) else a_limit(timeout)
    )
    outcome = attempt(lambda: Api.connect(server.url, retries=0).request("GET", "/echo", timeout=timeout))
    if sendable or timeout is None:
        assert not isinstance(outcome, ClientKitError), outcome
        assert len(server.received) == 1
    else:
        assert isinstance(outcome, InvalidRequestError) and server.received == []


def deep_list(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


PAIRS = st.lists(st.tuples(st.from_regex(r"[a-z]{1,4}", fullmatch=True), st.text(max_size=4)), max_size=3)
FORM_VALUES = st.one_of(st.text(max_size=4), st.integers(), st.lists(st.text(max_size=3), max_size=2))
SHAPES = st.one_of(
    st.none(),
    PAIRS,
    st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), FORM_VALUES, max_size=3),
    st.integers(),
    st.text(max_size=6),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.lists(st.tuples(st.text(max_size=2)), min_size=1, max_size=2),
    st.integers(300, 50_000).map(lambda n: {"a": deep_list(n)}),
    st.integers(1, 3).map(lambda n: {"a": nested(n)}),
    CIRCULAR.map(lambda loop: {"a": loop}),
)
HEADER_CONTAINERS = st.one_of(
    st.none(),
    st.dictionaries(st.from_regex(r"X-[a-z]{1,4}", fullmatch=True), st.text("abc", max_size=3), max_size=2),
    st.lists(
        st.tuples(st.from_regex(r"X-[a-z]{1,4}", fullmatch=True), st.text("abc", max_size=3)), max_size=2
    ),
    st.sampled_from(["X-A: 1", 5, [("X-A",)], [["X-A", "b", "c"]], b"X"]),
)


@given(params=SHAPES, data=SHAPES, headers=HEADER_CONTAINERS)
def test_any_request_shape_is_sent_or_refused(
    scripted: ScriptedServer, params: Any, data: Any, headers: Any
) -> None:
    """params, a form body and headers of any shape (pairs, deep, circular, scalars) are
    sent or refused with InvalidRequestError before anything reaches the server."""
    server = fresh(scripted)
    session = Api.connect(server.url, retries=0)
    outcome = attempt(lambda: session.request("POST", "/echo", params=params, data=data, headers=headers))
    if isinstance(outcome, ClientKitError):
        assert isinstance(outcome, InvalidRequestError) and server.received == []
    else:
        assert outcome.status_code == 204 and len(server.received) == 1


@given(
    method=st.one_of(st.sampled_from(["GET", "post", "GE T", ""]), st.none(), st.integers()),
    body=st.one_of(st.none(), VALID_JSON, CIRCULAR, DEPTHS.map(nested)),
    params=SHAPES,
    where=st.sampled_from(["query", "body"]),
)
def test_paginate_arguments_walk_or_are_refused(
    scripted: ScriptedServer, method: Any, body: Any, params: Any, where: str
) -> None:
    server = fresh(scripted)
    server.set("*", "/pages", Reply(json=[]))
    session = Api.connect(server.url, retries=0)
    paginator = PageNumber(where=where)  # type: ignore[arg-type]
    pager = functools.partial(session.paginate, "/pages", paginator, method=method, json=body, params=params)
    outcome = attempt(lambda: pager().to_list())
    if isinstance(outcome, ClientKitError):
        assert isinstance(outcome, InvalidRequestError) and server.received == []
    else:
        assert outcome == [] and len(server.received) == 1


BASE_URLS = st.one_of(
    st.sampled_from(
        ["http://[::1/", "http://[::1]:99999/", "http://\ud800/", "ftp://x/", "http://", "", "http:///x"]
    ),
    st.builds("http://{}/".format, HOSTILE_TEXT),
    HEADER_TEXT.map("http://127.0.0.1:{}/".format),
    st.binary(max_size=8),
    st.integers(),
    st.none(),
)


@given(base=BASE_URLS)
def test_any_base_url_connects_or_is_refused(base: Any) -> None:
    outcome = attempt(lambda: Api.connect(base, retries=0))
    assert isinstance(outcome, Session | InvalidRequestError | DeclarationError), outcome
    if isinstance(outcome, Session):
        assert isinstance(base, str) and outcome.transport.base_url == base.rstrip("/")


# -- the sandbox ------------------------------------------------------------------------------


@given(name=HOSTILE_TEXT, tags=st.lists(HOSTILE_TEXT, max_size=3), extra=QUERY_VALUES)
def test_sandbox_round_trips_what_it_accepts(sandbox: str, name: str, tags: list[str], extra: Any) -> None:
    shop = Shop.connect(sandbox, token="sandbox-token", retries=0)
    product = Product(name=name, tags=tags)
    outcome = attempt(lambda: shop.create(product))
    if isinstance(outcome, ClientKitError):
        assert isinstance(outcome, InvalidRequestError | APIError) and not isinstance(outcome, TransportError)
        return
    again = shop.get(Product, outcome.id)
    assert (again.name, again.tags) == (name, tags)


@given(id=IDS)
def test_sandbox_answers_any_id_with_a_typed_outcome(sandbox: str, id: Any) -> None:
    shop = Shop.connect(sandbox, token="sandbox-token", retries=0)
    outcome = attempt(lambda: shop.get(Product, id))
    if isinstance(outcome, Product):
        assert str(outcome.id) == str(id)
    else:
        assert isinstance(outcome, InvalidRequestError | NotFoundError)
