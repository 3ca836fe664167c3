"""Lost or altered data: every scenario over real HTTP, asserting on what the server received."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientkit import (
    APIError,
    Envelope,
    ErrorShape,
    Expansion,
    JsonCodec,
    Resource,
    Service,
    TokenAuth,
    changes,
    extra,
    field,
    loaded_level,
)
from clientkit._declarations.wire import loads
from clientkit.errors import DecodeError, IncompleteResourceError, InvalidRequestError
from clientkit.sandbox.app import Sandbox
from tests.support.scripted import Reply, ScriptedServer

BIG = 10**29 + 7


class Store(Service):
    auth = TokenAuth(scheme="Token")
    envelope = Envelope(response="data")
    errors = ErrorShape(message="message", code="code", fields="errors")
    expansion = Expansion("extended", style="int", max_level=1, default=0)


@Store.resource(one="/products/{id}", many="/products")
class Product(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    price: float | None = None
    tags: list[str] = field(factory=list)
    active: bool | None = None
    note: str | None = None
    variants: int | list[dict[str, Any]] | None = field(level=1)


def _text(inst: Any, attribute: Any, value: Any) -> None:
    """A validator: makes the class load through cattrs and ``__init__``, not the generated loader."""


@Store.resource(one="/checked/{id}")
class Checked(Resource):
    id: int | None = field(validator=_text)
    active: bool | None = None
    tags: list[str] = field(factory=list)
    count: int | None = None
    name: str | None = None


@Store.resource(one="/members/{id}", many="/members", save="PUT")
class Member(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    email: str | None = None
    role: str | None = None


@Store.resource(one="/accounts/{id}", many="/accounts")
class Account(Resource):
    id: int | None = field(read_only=True)
    email: str | None = None
    password: str | None = field(write_only=True, secret=True)


class Compact(Store):
    json = JsonCodec(compact=True, ensure_ascii=False)


VARIANTS = [{"color": "red"}, {"color": "blue"}]
FULL = {
    "id": 1,
    "name": "Lamp",
    "price": 9.5,
    "tags": ["a"],
    "active": True,
    "note": "n",
    "variants": VARIANTS,
}


def connect(url: str, service: type[Service] = Store) -> Any:
    return service.connect(url, token="sandbox-token", retries=0)


@pytest.fixture
def box() -> Iterator[tuple[Sandbox, Any]]:
    seed = {
        "Product": [FULL],
        "Account": [{"id": 1, "email": "a@example.com", "password": "s3cret-pass"}],
    }
    sandbox = Sandbox(Store, data=seed)
    with sandbox as url:
        yield sandbox, connect(url)


def test_integer_above_2_64_round_trips_exactly(server: ScriptedServer) -> None:
    body = {"id": BIG, "name": "Lamp", "tags": [], "big": -(2**80), "nested": {"n": [2**64, 2**70]}}
    server.on("GET", f"/products/{BIG}", Reply(json={"data": body}))
    server.on("PATCH", f"/products/{BIG}", Reply(json={"data": {**body, "name": "Desk"}}))
    server.on("PUT", f"/products/{BIG}", Reply(json={"data": body}))
    server.on("POST", "/echo", Reply(400, json={"message": "too big", "code": 2**65}))
    shop = connect(server.url)
    p = shop.get(Product, BIG, level=1)
    assert p.id == BIG and extra(p) == {"big": -(2**80), "nested": {"n": [2**64, 2**70]}}
    p.name = "Desk"
    shop.save(p)
    patch = server.received[-1]
    assert patch.path == f"/products/{BIG}" and patch.json == {"name": "Desk"}  # the same resource
    shop.update(p, only_set=True)
    assert json.loads(server.received[-1].body)["nested"] == {"n": [2**64, 2**70]}
    with pytest.raises(APIError) as failed:
        connect(server.url, Compact).request("POST", "/echo", json={"n": 2**70})
    assert server.received[-1].body == b'{"n":1180591620717411303424}'  # orjson refuses; stdlib writes it
    assert failed.value.code == 2**65 and failed.value.body["code"] == 2**65


def test_partial_patch_answer_is_merged(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json={"data": {**FULL, "color": "red"}}))
    server.on("PATCH", "/products/1", Reply(json={"data": {"id": 1, "name": "Desk", "note": None}}))
    server.on("PUT", "/products/1", Reply(status=204))
    shop = connect(server.url)
    p = shop.get(Product, 1, level=1)
    p.name = "Desk"
    shop.save(p)
    assert (p.price, p.tags, p.variants, extra(p)) == (9.5, ["a"], VARIANTS, {"color": "red"})
    assert p.note is None  # an explicit null in the answer is the server's value
    assert changes(p) == {} and loaded_level(p) == 1
    shop.update(p)
    assert server.received[-1].json == {
        "name": "Desk",
        "price": 9.5,
        "tags": ["a"],
        "active": True,
        "note": None,
        "variants": VARIANTS,
        "color": "red",
    }


def test_save_at_level_1_keeps_expanded_list(box: tuple[Sandbox, Any]) -> None:
    sandbox, shop = box
    p = shop.get(Product, 1, level=1)
    p.name = "Desk"
    shop.save(p)  # a PATCH is answered at the default level 0: variants as a count
    assert sandbox.journal.last is not None and sandbox.journal.last.json == {"name": "Desk"}
    assert p.variants == VARIANTS and loaded_level(p) == 1 and changes(p) == {}
    shop.update(p)
    assert sandbox.journal.last.json["variants"] == VARIANTS
    assert sandbox.records("Product")[0]["variants"] == VARIANTS


def test_put_never_sends_lower_level_value(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json={"data": FULL}))
    shop = connect(server.url)
    with pytest.raises(IncompleteResourceError, match="count") as refused:
        shop.update(Product(id=1, name="Lamp", variants=2))
    assert refused.value.fields == ("variants",)
    p = shop.get(Product, 1, level=1)
    p.variants = 2
    with pytest.raises(IncompleteResourceError, match="variants"):
        shop.update(p)
    assert [r.method for r in server.received] == ["GET"]


def test_sandbox_refuses_count_in_place_of_list(box: tuple[Sandbox, Any]) -> None:
    sandbox, shop = box
    answer = shop.request(
        "PUT",
        "/products/1",
        params={"extended": 1},
        json={"name": "x", "variants": 2},
        raise_for_status=False,
    )
    assert answer.status_code == 422 and "variants" in answer.json()["errors"]
    answer = shop.request(
        "PATCH", "/products/1", params={"extended": 1}, json={"variants": 2}, raise_for_status=False
    )
    assert answer.status_code == 422
    shop.request("PATCH", "/products/1", json={"variants": 2})  # level 0 shows the count: it changes nothing
    assert sandbox.records("Product")[0]["variants"] == VARIANTS


def test_put_from_summary_listing_is_refused(server: ScriptedServer) -> None:
    server.on("GET", "/members", Reply(json={"data": [{"id": 1, "name": "Ann"}]}))
    server.on(
        "GET", "/members/1", Reply(json={"data": {"id": 1, "name": "Ann", "email": "a@x", "role": "admin"}})
    )
    server.on("PUT", "/members/1", Reply(status=204))
    shop = connect(server.url)
    (member,) = shop.list(Member)
    member.name = "Anna"
    with pytest.raises(IncompleteResourceError, match=r"lacked \['email', 'role'\].*refresh\(\)") as refused:
        shop.save(member)  # save="PUT": a replace
    assert refused.value.fields == ("email", "role")
    assert [r.method for r in server.received] == ["GET"]
    shop.refresh(member)
    member.name = "Anna"
    shop.save(member)
    assert server.received[-1].json == {"name": "Anna", "email": "a@x", "role": "admin"}


def test_update_refuses_to_erase_write_only_fields(box: tuple[Sandbox, Any]) -> None:
    sandbox, shop = box
    account = shop.get(Account, 1)
    account.email = "b@example.com"
    with pytest.raises(IncompleteResourceError, match=r"write-only \['password'\]"):
        shop.update(account)
    assert sandbox.journal.last is not None and sandbox.journal.last.method == "GET"
    shop.patch(account, email="b@example.com")
    assert sandbox.records("Account")[0] == {"id": 1, "email": "b@example.com", "password": "s3cret-pass"}
    account.password = "n3w-pass"
    shop.update(account)
    assert sandbox.records("Account")[0]["password"] == "n3w-pass"


def test_update_works_with_server_that_omits_nulls_after_get(server: ScriptedServer) -> None:
    server.on("GET", "/members/1", Reply(json={"data": {"id": 1, "name": "Ann", "email": "a@x"}}))
    server.on("PUT", "/members/1", Reply(json={"data": {"id": 1, "name": "Anna", "email": "a@x"}}))
    shop = connect(server.url)
    member = shop.get(Member, 1)  # role is null, so the server leaves it out
    member.name = "Anna"
    shop.update(member)
    assert server.received[-1].json == {"name": "Anna", "email": "a@x"}  # nothing erased
    member.email = "b@x"
    shop.save(member)  # save="PUT", after a write answer that also leaves role out
    assert server.received[-1].json == {"name": "Anna", "email": "b@x"}
    shop.refresh(member)
    member.name = "Ann"
    shop.update(member)
    assert [r.method for r in server.received] == ["GET", "PUT", "PUT", "GET", "PUT"]


def test_explicit_none_assignment_counts_as_known(server: ScriptedServer) -> None:
    server.on("GET", "/members", Reply(json={"data": [{"id": 1, "name": "Ann"}]}))
    server.on("PUT", "/members/1", Reply(status=204))
    server.on("GET", "/accounts/1", Reply(json={"data": {"id": 1, "email": "a@x"}}))
    server.on("PUT", "/accounts/1", Reply(status=204))
    server.on("GET", "/checked/1", Reply(json={"data": {"id": 1, "name": "c"}}))
    server.on("PUT", "/checked/1", Reply(status=204))
    shop = connect(server.url)
    (member,) = shop.list(Member)
    member.name, member.email, member.role = "Anna", None, None  # the caller states them: empty
    shop.update(member)
    assert server.received[-1].json == {"name": "Anna"}
    account = shop.get(Account, 1)
    account.password = None  # write-only: set, even to None, it is known
    shop.update(account)
    assert server.received[-1].json == {"email": "a@x"}
    checked = shop.get(Checked, 1, params={"fields": "id,name"})  # a sparse get: not whole
    with pytest.raises(IncompleteResourceError, match=r"lacked \['active', 'tags', 'count'\]"):
        shop.update(checked)
    checked.active, checked.tags, checked.count = None, [], None  # defaults, through attrs' own __setattr__
    shop.update(checked)
    assert server.received[-1].json == {"id": 1, "tags": [], "name": "c"}


def test_summary_listing_put_still_refused(server: ScriptedServer) -> None:
    server.on("GET", "/members", Reply(json={"data": [{"id": 1, "name": "Ann"}]}))
    server.on("PATCH", "/members/1", Reply(json={"data": {"id": 1, "name": "Anna"}}))
    server.on("GET", "/members/1", Reply(json={"data": {"id": 1, "name": "Anna", "email": "a@x"}}))
    server.on("PUT", "/members/1", Reply(status=204))
    shop = connect(server.url)
    (member,) = shop.list(Member)
    member.name = "Anna"
    with pytest.raises(IncompleteResourceError, match=r"lacked \['email', 'role'\].*refresh\(\)"):
        shop.update(member)
    shop.patch(member, name="Anna")  # a write's answer does not make the listing whole
    with pytest.raises(IncompleteResourceError, match=r"lacked \['email', 'role'\]"):
        shop.update(member)
    assert [r.method for r in server.received] == ["GET", "PATCH"]
    shop.refresh(member)  # the advice works, though the server leaves the null role out
    shop.update(member)
    assert server.received[-1].json == {"name": "Anna", "email": "a@x"}


def test_kept_list_dropped_when_count_disagrees(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json={"data": FULL}))
    server.on("PATCH", "/products/1", Reply(json={"data": {**FULL, "name": "Desk", "variants": 3}}))
    shop = connect(server.url)
    p = shop.get(Product, 1, level=1)
    p.name = "Desk"
    shop.save(p)  # answered at level 0: someone else added a variant
    assert p.variants == 3 and loaded_level(p) == 0 and changes(p) == {}
    server.set("PATCH", "/products/1", Reply(json={"data": {"id": 1, "variants": None}}))
    p = shop.get(Product, 1, level=1)
    shop.patch(p, name="Desk")
    assert p.variants is None and loaded_level(p) == 0  # not a count of the kept list either


def test_put_after_disagreeing_count_is_refused(server: ScriptedServer) -> None:
    three = [*VARIANTS, {"color": "green"}]
    expanded = Reply(json={"data": {**FULL, "variants": three}})
    server.on("GET", "/products/1", Reply(json={"data": FULL}), expanded)
    server.on("PATCH", "/products/1", Reply(json={"data": {**FULL, "name": "Desk", "variants": 3}}))
    server.on("PUT", "/products/1", Reply(status=204))
    shop = connect(server.url)
    p = shop.get(Product, 1, level=1)
    shop.patch(p, name="Desk")
    with pytest.raises(IncompleteResourceError, match=r"level 0.*\['variants'\].*expand\(\)"):
        shop.update(p)
    assert [r.method for r in server.received] == ["GET", "PATCH"]  # the third variant is safe
    shop.expand(p, 1)
    shop.update(p)
    assert server.received[-1].method == "PUT" and server.received[-1].json["variants"] == three


def _load_both(server: ScriptedServer, values: dict[str, Any]) -> list[str]:
    """Load ``values`` through the generated loader and the cattrs path; the messages of their errors."""
    shop = connect(server.url)
    messages = []
    for cls, path in ((Product, "/products/1"), (Checked, "/checked/1")):
        server.set("GET", path, Reply(json={"data": {"id": 1, **values}}))
        with pytest.raises(DecodeError) as failed:
            shop.get(cls, 1)
        messages.append(f"{cls.__name__}: {failed.value}")
    return messages


def test_bool_field_refuses_string(server: ScriptedServer) -> None:
    for text in ("abc", "false"):
        for message in _load_both(server, {"active": text}):
            assert ".active" in message and "expected a boolean, got string" in message


def test_list_field_refuses_string(server: ScriptedServer) -> None:
    for message in _load_both(server, {"tags": "abc"}):
        assert ".tags" in message and "expected an array, got string 'abc'" in message


def test_int_field_refuses_fraction(server: ScriptedServer) -> None:
    server.set("GET", "/products/1", Reply(json={"data": {"id": 1.9}}))
    server.set("GET", "/checked/1", Reply(json={"data": {"id": 1, "count": 1.9}}))
    shop = connect(server.url)
    with pytest.raises(DecodeError, match=r"Product\.id.*expected an integer, got number 1.9"):
        shop.get(Product, 1)
    with pytest.raises(DecodeError, match=r"Checked\.count.*expected an integer, got number 1.9"):
        shop.get(Checked, 1)
    server.set("GET", "/checked/1", Reply(json={"data": {"id": 1, "count": True}}))
    with pytest.raises(DecodeError, match="got boolean"):
        shop.get(Checked, 1)


def test_str_field_refuses_object(server: ScriptedServer) -> None:
    for message in _load_both(server, {"name": {}}):
        assert ".name" in message and "expected a string, got object" in message


def test_nan_from_server_can_still_be_saved(server: ScriptedServer) -> None:
    text = json.dumps({"data": {**FULL, "price": math.nan, "ratio": math.inf}})
    server.on("GET", "/products/1", Reply(body=text))
    server.on("PATCH", "/products/1", Reply(status=204))
    server.on("PUT", "/products/1", Reply(status=204))
    shop = connect(server.url)
    p = shop.get(Product, 1, level=1)
    assert p.price is not None and math.isnan(p.price) and changes(p) == {}
    shop.save(p)
    assert [r.method for r in server.received] == ["GET"]  # nothing changed, nothing sent
    p.name = "Desk"
    shop.save(p)
    assert server.received[-1].json == {"name": "Desk"}
    shop.update(p)  # the server's own NaN goes back as it was spelled
    put = server.received[-1]
    assert b'"price": NaN' in put.body and b'"ratio": Infinity' in put.body
    p.note = "x"
    extra(p)["ratio"] = 2.0
    p.tags = [math.inf]  # type: ignore[list-item]
    with pytest.raises(InvalidRequestError, match="JSON"):
        shop.update(p)  # a NaN or infinity the server never sent is still refused


def test_compact_body_never_writes_nan_as_null(server: ScriptedServer) -> None:
    server.on("POST", "/echo", Reply(json={}))
    compact = connect(server.url, Compact)
    with pytest.raises(InvalidRequestError, match="JSON"):
        compact.request("POST", "/echo", json={"ratio": math.nan, "note": None})  # orjson writes null
    assert server.received == []
    compact.request("POST", "/echo", json={"note": None, "n": 2**64})
    assert server.received[-1].body == b'{"note":null,"n":18446744073709551616}'


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


def _identical(a: Any, b: Any) -> bool:
    """Equal and of the same JSON kinds all the way down (``1`` is not ``1.0``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_identical(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_value_round_trips_through_both_codecs(value: Any) -> None:
    for codec in (JsonCodec(), JsonCodec(compact=True, ensure_ascii=False)):
        assert _identical(loads(codec.dumps(value)), value)


# -- round 3 (the third stranger's review) ------------------------------------------------


class Plain(Service):
    envelope = Envelope(response="data")


@Plain.resource(one="/docs/{id}", many="/docs", save="PUT")
class Doc(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
    tags: list[str] | None = None


def _sparse_docs(server: ScriptedServer) -> None:
    def get(rec: Any, _: Any) -> Reply:
        full = {"id": 1, "title": "t", "tags": ["keep-me"]}
        if "fields=" in rec.query:
            full = {"id": 1, "title": "t"}
        return Reply(json={"data": full})

    server.on("GET", "/docs/1", get)
    server.on("PUT", "/docs/1", lambda rec, _: Reply(json={"data": rec.json}))


def test_session_params_make_object_not_whole(server: ScriptedServer) -> None:
    _sparse_docs(server)
    sparse = Plain.connect(server.url, retries=0).with_options(params={"fields": "id,title"})
    for doc in (sparse.get(Doc, 1), sparse.refresh(sparse.get(Doc, 1))):
        doc.title = "new"
        with pytest.raises(IncompleteResourceError, match="tags"):
            sparse.update(doc)  # the answer may have been sparse: tags would be erased
    assert server.requests_to("/docs/1", "PUT") == []
    plain = Plain.connect(server.url, retries=0)
    doc = plain.get(Doc, 1)
    doc.title = "new"
    plain.update(doc)  # a whole answer: the PUT is safe and keeps the tags
    assert server.requests_to("/docs/1", "PUT")[-1].json == {"title": "new", "tags": ["keep-me"]}


def test_level_params_alone_keep_object_whole(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json={"data": FULL}))
    server.on("PUT", "/products/1", lambda rec, _: Reply(json={"data": rec.json}))
    shop = connect(server.url).with_options(params={"extended": 1})
    p = shop.get(Product, 1, level=1)
    p.name = "Desk"
    shop.update(p)
    assert server.received[-1].method == "PUT"


@Plain.resource(one="/d/{id}", many="/d", save="PUT")
class Measured(Resource):
    id: int | None = field(read_only=True)
    x: float | None = None
    big: float | None = None
    meta: dict[str, Any] | None = None
    t: str | None = None


_ODD = (
    '{"data": {"id": 1, "x": NaN, "big": 1e400, "meta": {"v": NaN, "w": [-1E+999]}, "t": "a", "extra": NaN}}'
)


def test_server_overflow_float_not_sent_as_infinity(server: ScriptedServer) -> None:
    server.on("GET", "/d/1", Reply(body=_ODD))
    server.on("PUT", "/d/1", Reply(status=204))
    api = Plain.connect(server.url, retries=0)
    m = api.get(Measured, 1)
    assert m.big == math.inf
    m.t = "b"
    api.update(m)
    body = server.received[-1].body
    assert b"Infinity" not in body  # not valid JSON, and not what the server wrote
    assert b'"big": 1e400' in body and b'"w": [-1E+999]' in body and b'"x": NaN' in body
    api.update(m)  # the echo survives a save: still the server's spelling
    assert b'"big": 1e400' in server.received[-1].body


def test_caller_nan_in_echoed_field_refused(server: ScriptedServer) -> None:
    server.on("GET", "/d/1", Reply(body=_ODD))
    server.on("PUT", "/d/1", Reply(status=204))
    api = Plain.connect(server.url, retries=0)
    edits = [
        lambda m: m.meta.__setitem__("u", math.nan),  # added beside the server's NaN
        lambda m: m.meta["w"].append(math.inf),  # appended after the server's infinity
        lambda m: setattr(m, "t", m.meta["v"]),  # the server's NaN moved to another field
        lambda m: setattr(m, "big", -math.inf),  # changed
    ]
    for edit in edits:
        m = api.get(Measured, 1)
        edit(m)
        with pytest.raises(InvalidRequestError, match="JSON"):
            api.update(m)
    assert [r.method for r in server.received] == ["GET"] * len(edits)


class Tagged(Service):
    pass


@Tagged.resource(one="/d/{id}", many="/d", save="PUT")
class Labelled(Resource):
    id: int | None = field(read_only=True)
    fs: frozenset[int] | None = None
    st: set[str] | None = None


def test_set_field_is_saved_as_array(server: ScriptedServer) -> None:
    server.on("GET", "/d/1", Reply(json={"id": 1, "fs": [2, 1], "st": ["x"]}))
    server.on("PUT", "/d/1", lambda rec, _: Reply(json=rec.json))
    api = Tagged.connect(server.url, retries=0)
    d = api.get(Labelled, 1)
    assert d.fs == frozenset({1, 2})
    api.save(d)
    assert server.received[-1].method == "GET"  # unchanged: nothing sent
    assert d.st is not None
    d.st.update({"b", "y"})
    api.save(d)
    assert server.received[-1].json == {"fs": [1, 2], "st": ["b", "x", "y"]}
    assert d.st == {"b", "x", "y"}


def test_assignment_record_is_per_object(server: ScriptedServer) -> None:
    import copy

    server.on("GET", "/docs/1", Reply(json={"data": {"id": 1, "title": "t"}}))
    server.on("PUT", "/docs/1", lambda rec, _: Reply(json={"data": rec.json}))
    api = Plain.connect(server.url, retries=0).with_options(params={"fields": "id,title"})
    doc = api.get(Doc, 1)
    doc.title = "a"
    twin = copy.copy(doc)
    twin.tags = []  # known on the twin only
    api.update(twin)
    assert server.received[-1].json == {"title": "a", "tags": []}
    with pytest.raises(IncompleteResourceError, match="tags"):
        api.update(doc)
