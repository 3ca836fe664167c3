"""The generic session over real HTTP, asserting on what the server received."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from clientkit import (
    Action,
    Envelope,
    Expansion,
    Resource,
    Service,
    TokenAuth,
    changes,
    extra,
    field,
    is_new,
    loaded_level,
)
from clientkit.errors import (
    AnswerCheck,
    DeclarationError,
    DecodeError,
    ErrorShape,
    InvalidRequestError,
    Outcome,
    PaginationError,
    RedirectError,
    RequestTimeout,
    ServerError,
    TransportError,
)
from clientkit.files import File
from tests.faults.test_flow_faults import Thing as FlowThing
from tests.faults.test_flow_faults import connect as connect_to
from tests.support.retried import Api, Thing
from tests.support.scripted import Reply, ScriptedServer


class Shop(Service):
    auth = TokenAuth(scheme="Token")
    envelope = Envelope(response="data", operations={"create": Envelope(response="data", request="data")})
    headers = {"x-tenant-id": "{tenant}", "x-app": "{app}"}
    context = {"tenant": None, "app": "store"}
    expansion = Expansion("extended", style="bool", default=False, on={"get", "list", "update"})


@Shop.resource(
    one="/products/{id}", many="/products", actions={"publish": Action("POST", "/products/{id}/publish")}
)
class Product(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    tags: list[str] = field(factory=list)
    stock: int | list[dict[str, Any]] | None = field(level=1)


@Shop.resource(
    one="/stores/{store}/items/{sku}",
    many="/stores/{store}/items",
    save="PUT",
    identity="sku",
    parents=("store",),
)
class Item(Resource):
    sku: str | None = None
    qty: int | None = None


@Shop.resource(one="/version", singleton=True)
class Version(Resource):
    api: str | None = None


def connect(server: ScriptedServer, **kw: Any) -> Any:
    return Shop.connect(server.url, token="tok-123456", tenant="t1", retries=0, **kw)


def product(**kw: Any) -> dict[str, Any]:
    return {"data": {"id": 1, "name": "Lamp", "tags": ["a"], "stock": 3, **kw}}


def test_get_sends_auth_context_headers_and_level(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json=product()))
    with connect(server) as shop:
        p = shop.get(Product, 1)
    assert p == Product(id=1, name="Lamp", tags=["a"], stock=3)
    got = server.received[0]
    assert got.query == "extended=false"
    assert got.header("Authorization") == "Token tok-123456"
    assert got.header("x-tenant-id") == "t1"
    assert got.header("x-app") == "store"
    assert got.header("Accept") == "application/json"


def test_context_header_left_out_while_none_and_changeable(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json=product()))
    shop = Shop.connect(server.url, token="tok-123456")
    shop.get(Product, 1)
    assert server.received[-1].header("x-tenant-id") is None
    shop.set_context(tenant="t9")
    shop.get(Product, 1)
    assert server.received[-1].header("x-tenant-id") == "t9"
    with pytest.raises(InvalidRequestError, match="not context names"):
        shop.set_context(workspace="w")


def test_save_of_new_resource_creates_with_request_envelope(server: ScriptedServer) -> None:
    server.on("POST", "/products", Reply(201, json={"data": {"id": 7, "name": "Chair", "tags": []}}))
    shop = connect(server)
    p = Product(name="Chair")
    assert is_new(p)
    shop.save(p)
    sent = server.received[0]
    assert sent.method == "POST" and sent.json == {"data": {"name": "Chair", "tags": []}}
    assert p.id == 7 and not is_new(p)


def test_patch_sets_fields_and_explicit_null(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json=product()))
    server.on("PATCH", "/products/1", Reply(204))
    shop = connect(server)
    p = shop.get(Product, 1)
    shop.patch(p, name=None)
    assert server.received[-1].json == {"name": None}
    assert changes(p) == {}
    with pytest.raises(InvalidRequestError, match="no field"):
        shop.patch(p, nme="x")


def test_delete_by_instance_and_by_class(server: ScriptedServer) -> None:
    server.on("DELETE", "/products/1", Reply(204))
    shop = connect(server)
    shop.delete(Product, 1)
    shop.delete(Product(id=1))
    assert [(r.method, r.path) for r in server.received] == [("DELETE", "/products/1")] * 2


class Forum(Service):
    """Writes through other verbs and paths: ``POST /posts/{id}/-/update`` with the body
    under ``"post"``, ``POST /posts/{id}/-/delete``."""

    envelope = Envelope(operations={"update": Envelope(request="post"), "patch": Envelope(request="post")})


@Forum.resource(
    one="/posts/{id}",
    many="/posts",
    update="/posts/{id}/-/update",
    delete="/posts/{id}/-/delete",
    update_method="POST",
    patch_method="POST",
    delete_method="POST",
)
class Post(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
    body: str | None = None


def test_update_and_delete_through_declared_verbs_and_paths(server: ScriptedServer) -> None:
    post = {"id": 1, "title": "Hi", "body": "text"}
    server.on("GET", "/posts/1", Reply(json=post))
    server.on("POST", "/posts/1/-/update", Reply(json={**post, "title": "Hello"}))
    server.on("POST", "/posts/1/-/delete", Reply(204))
    forum = Forum.connect(server.url, retries=0)
    p = forum.get(Post, 1)
    p.title = "Hello"
    forum.save(p)
    forum.update(p)
    forum.delete(p)
    forum.delete(Post, 1)
    sent = [(r.method, r.path, r.json) for r in server.received[1:]]
    assert sent == [
        ("POST", "/posts/1/-/update", {"post": {"title": "Hello"}}),
        ("POST", "/posts/1/-/update", {"post": {"title": "Hello", "body": "text"}}),
        ("POST", "/posts/1/-/delete", None),
        ("POST", "/posts/1/-/delete", None),
    ]
    assert p.title == "Hello"


def test_refresh_and_expand_to_a_higher_level(server: ScriptedServer) -> None:
    def answer(rec: Any, req: Any) -> Reply:
        if req.args.get("extended") == "true":
            return Reply(json=product(stock=[{"warehouse": "A", "qty": 3}]))
        return Reply(json=product())

    server.on("GET", "/products/1", answer)
    shop = connect(server)
    p = shop.get(Product, 1)
    assert p.stock == 3 and loaded_level(p) == 0
    p.name = "Unsaved"
    shop.expand(p, True)
    assert p.stock == [{"warehouse": "A", "qty": 3}] and loaded_level(p) == 1
    assert p.name == "Unsaved" and changes(p) == {"name": "Unsaved"}
    shop.refresh(p)
    assert p.name == "Lamp" and changes(p) == {}


def test_singleton_and_action(server: ScriptedServer) -> None:
    server.on("GET", "/version", Reply(json={"data": {"api": "6.2"}}))
    server.on("POST", "/products/1/publish", Reply(json={"data": {"published": True}}))
    shop = connect(server)
    assert shop.get(Version).api == "6.2"
    assert shop.action(Product(id=1), "publish", json={"when": "now"}) == {"published": True}
    assert server.received[-1].json == {"when": "now"}
    raw = b'{"when":"now","path":"a\\/b"}'  # a library's own encoding, sent as it is
    shop.action(Product(id=1), "publish", data=raw, headers={"Content-Type": "application/json"})
    sent = server.received[-1]
    assert sent.body == raw and sent.headers["Content-Type"] == "application/json"
    with pytest.raises(InvalidRequestError, match="data= goes as it is"):
        shop.action(Product(id=1), "publish", data=raw, json={})


def test_list_is_lazy(server: ScriptedServer) -> None:
    server.on("GET", "/products", Reply(json={"data": [product()["data"]]}))
    shop = connect(server)
    pager = shop.list(Product, params={"q": "lamp"})
    assert server.received == []
    assert [p.name for p in pager] == ["Lamp"]
    assert server.received[0].query == "extended=false&q=lamp"


@pytest.mark.parametrize("bad", ["a/b", "../admin", "x?y=1", "x#frag", "50%", "a\r\nX-Evil: 1", "a b"])
def test_ids_are_quoted_into_one_segment(server: ScriptedServer, bad: str) -> None:
    server.on("*", "/products/" + bad, Reply(json=product()))
    shop = connect(server)
    shop.get(Product, bad)  # type: ignore[arg-type]
    got = server.received[-1]
    assert got.path == "/products/" + bad  # the server decodes exactly one segment back
    assert got.query == "extended=false"
    assert got.header("X-Evil") is None


@pytest.mark.parametrize("bad", ["", ".", "..", True, None, 1.5, ["x"]])
def test_unusable_ids_are_refused(server: ScriptedServer, bad: Any) -> None:
    shop = connect(server)
    with pytest.raises(InvalidRequestError):
        shop.get(Product, bad) if bad is not None else shop.get(Product)
    assert server.received == []


def test_header_values_with_line_breaks_are_refused(server: ScriptedServer) -> None:
    shop = connect(server)
    with pytest.raises(InvalidRequestError, match="line break"):
        shop.get(Product, 1, headers={"X-A": "v\r\nInjected: 1"})
    with pytest.raises(InvalidRequestError, match="line break"):
        Shop.connect(server.url, token="tok-123456", tenant="a\nb").get(Product, 1)
    assert server.received == []


def test_per_call_overrides_and_with_options_share_the_pool(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json=product()))
    shop = connect(server)
    shop.get(Product, 1, headers={"X-Trace": "1", "x-app": None}, params={"debug": "yes"})
    got = server.received[-1]
    assert got.header("X-Trace") == "1" and got.header("x-app") is None
    assert got.query == "extended=false&debug=yes"
    derived = shop.with_options(headers={"X-Derived": "d"}, context={"tenant": "t2"})
    derived.get(Product, 1)
    assert server.received[-1].header("X-Derived") == "d"
    assert server.received[-1].header("x-tenant-id") == "t2"
    assert derived.transport is shop.transport
    shop.get(Product, 1)
    assert server.received[-1].header("X-Derived") is None
    assert server.received[-1].header("x-tenant-id") == "t1"


def test_per_call_timeout(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json=product(), delay=0.5))
    shop = connect(server)
    with pytest.raises(RequestTimeout):
        shop.get(Product, 1, timeout=0.1)
    assert shop.get(Product, 1, timeout=5).name == "Lamp"


def test_low_level_request_and_raw_response(server: ScriptedServer) -> None:
    server.on("POST", "/custom/op", Reply(202, json={"queued": True}, headers={"X-Job": "9"}))
    shop = connect(server)
    resp = shop.request("POST", "/custom/op", json={"a": 1}, params={"dry": True})
    assert resp.status_code == 202 and shop.json_of(resp) == {"queued": True}
    assert server.received[-1].query == "dry=true"
    assert server.received[-1].header("Authorization") == "Token tok-123456"
    server.on("GET", "/products/1", Reply(json=product(), headers={"X-Request-Id": "r1"}))
    shop.get(Product, 1)
    assert shop.last_response is not None and shop.last_response.headers["X-Request-Id"] == "r1"


def test_redirected_write_raises(server: ScriptedServer) -> None:
    server.on("POST", "/products", Reply(302, headers={"Location": "/elsewhere"}))
    shop = connect(server)
    with pytest.raises(RedirectError, match="writes are not re-sent"):
        shop.create(Product(name="x"))
    assert [r.path for r in server.received] == ["/products"]


def test_redirect_to_another_host_drops_credentials(server: ScriptedServer) -> None:
    other = server.host_alias_url  # same process, different origin (localhost vs 127.0.0.1)
    server.on("GET", "/products/1", Reply(301, headers={"Location": other + "/moved/1"}))
    server.on("GET", "/moved/1", Reply(json=product()))
    shop = connect(server)
    assert shop.get(Product, 1).name == "Lamp"
    moved = server.received[-1]
    assert moved.path == "/moved/1"
    assert moved.header("Authorization") is None and moved.header("x-tenant-id") is None


def test_same_host_redirect_keeps_credentials(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(308, headers={"Location": "/v2/products/1"}))
    server.on("GET", "/v2/products/1", Reply(json=product()))
    connect(server).get(Product, 1)
    assert server.received[-1].header("Authorization") == "Token tok-123456"


def test_redirect_loop_is_bounded(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(302, headers={"Location": "/products/1"}))
    with pytest.raises(RedirectError, match="more than"):
        connect(server).get(Product, 1)


def test_requests_to_other_hosts_are_refused(server: ScriptedServer) -> None:
    shop = connect(server)
    with pytest.raises(InvalidRequestError, match="not the service's origin"):
        shop.request("GET", server.host_alias_url + "/products/1")
    assert server.received == []


def test_next_page_url_on_another_host_is_refused(server: ScriptedServer) -> None:
    from clientkit._declarations.paging import NextUrl

    @Shop.resource(many="/feed", pagination=NextUrl(items="data"))
    class Entry(Resource):
        id: int | None = None

    server.on("GET", "/feed", Reply(json={"data": [{"id": 1}], "next": server.host_alias_url + "/feed?p=2"}))
    pager = connect(server).list(Entry)
    with pytest.raises(PaginationError, match="another host"):
        list(pager)
    assert len(server.received) == 1


class Filed(Service):
    auth = TokenAuth(scheme="Token")
    write_answers = {"create": "refetch"}


@Filed.resource(one="/memos/{id}", many="/memos")
class Memo(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None


def test_refetch_never_follows_a_location_on_another_origin(
    server: ScriptedServer, other_server: ScriptedServer
) -> None:
    server.on(
        "POST", "/memos", Reply(201, json={"ok": True}, headers={"Location": other_server.url + "/memos/1"})
    )
    other_server.on("GET", "/memos/1", Reply(json={"id": 1, "text": "stolen"}))
    with Filed.connect(server.url, token="tok-123456", retries=0) as api:
        with pytest.raises(RedirectError, match=r"Location of Memo's POST answer is on another host"):
            api.create(Memo(text="a"))
        assert api.last_response is None
    assert [r.method for r in server.received] == ["POST"] and other_server.received == []


def test_links_on_a_declared_origin_that_receives_credentials_are_followed(
    server: ScriptedServer, other_server: ScriptedServer
) -> None:
    from clientkit._declarations.paging import NextUrl
    from clientkit.model import Origin

    class Trusting(Filed):
        origins = {"mirror": Origin(other_server.url, credentials=True), "cdn": server.host_alias_url}

    @Trusting.resource(one="/memos/{id}", many="/memos", pagination=NextUrl(items="data"))
    class Note(Resource):
        id: int | None = field(read_only=True)
        text: str | None = None

    server.on(
        "POST", "/memos", Reply(201, json={"ok": True}, headers={"Location": other_server.url + "/memos/1"})
    )
    server.on("GET", "/memos", Reply(json={"data": [{"id": 1}], "next": other_server.url + "/memos?p=2"}))
    other_server.on("GET", "/memos/1", Reply(json={"id": 1, "text": "a"}))
    other_server.on("GET", "/memos", Reply(json={"data": [{"id": 2}], "next": server.host_alias_url + "/m"}))
    with Trusting.connect(server.url, token="tok-123456", retries=0) as api:
        assert api.create(Note(text="a")) == Note(id=1, text="a")
        with pytest.raises(PaginationError, match="the next page is on another host"):
            list(api.list(Note))  # the cdn is declared, but receives no credentials
    fetched, page = other_server.received
    assert fetched.header("Authorization") == page.header("Authorization") == "Token tok-123456"
    assert [r.path for r in server.received] == ["/memos", "/memos"]


class Strict(Service):
    pass


@Strict.resource(
    one="/cards/{id}",
    actions={
        "card": Action("GET", "/cards/{id}/card", status=200),
        "queue": Action("POST", "/cards/{id}/queue", status=202),
        "raw": Action("GET", "/cards/{id}/raw", status=200, answer="bytes"),
    },
)
class Card(Resource):
    id: int | None = None


def test_an_action_declared_with_a_status_refuses_another_success_status(
    server: ScriptedServer, tmp_path: Path
) -> None:
    from clientkit.errors import UnexpectedStatus

    server.on("GET", "/cards/1/card", Reply(json={"a": 1}), Reply(204))
    server.on("POST", "/cards/1/queue", Reply(202, json={"id": 9}), Reply(200, json={"id": 9}))
    server.on("GET", "/cards/1/raw", Reply(201, body=b"x", content_type="application/octet-stream"))
    with Strict.connect(server.url, retries=0) as api:
        assert api.action(Card, "card", id=1) == {"a": 1}
        with pytest.raises(UnexpectedStatus, match=r"Card\.card answers 200, not 204") as caught:
            api.action(Card, "card", id=1)
        assert (caught.value.status, caught.value.expected) == (204, 200)
        assert api.action(Card, "queue", id=1) == {"id": 9}
        with pytest.raises(UnexpectedStatus, match="answers 202, not 200"):
            api.action(Card, "queue", id=1)
        with pytest.raises(UnexpectedStatus, match="answers 200, not 201"):
            api.action(Card, "raw", id=1)
        server.on("GET", "/cards/1/raw", Reply(201, body=b"x", content_type="application/octet-stream"))
        with pytest.raises(UnexpectedStatus, match="answers 200, not 201"):
            api.download(Card(id=1), "raw", to=tmp_path / "raw.bin")  # a download is the action too
        assert not list(tmp_path.iterdir())  # and nothing was written
    with pytest.raises(DeclarationError, match="status must be a 2xx int"):

        @Strict.resource(one="/x/{id}", actions={"go": Action("POST", "/x/{id}/go", status=404)})
        class Bad(Resource):
            id: int | None = None


def test_the_sandbox_answers_an_action_with_its_declared_status() -> None:
    from clientkit.sandbox import Sandbox

    box = Sandbox(Strict, data={"Card": [{"id": 1}]})
    with box as url, Strict.connect(url) as api:
        assert api.action(Card, "queue", id=1) == {"id": 1}  # UnexpectedStatus unless 202
        assert api.last_response is not None and api.last_response.status_code == 202
        assert api.action(Card, "card", id=1) == {"id": 1}
        assert api.last_response is not None and api.last_response.status_code == 200


def test_session_repr_and_pickle_hide_the_token(server: ScriptedServer) -> None:
    import pickle

    shop = connect(server)
    assert "tok-123456" not in repr(shop)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(shop)


def test_close_and_context_manager(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json=product()))
    with connect(server) as shop:
        shop.get(Product, 1)
        adapter = shop.transport.http.get_adapter(server.url)
        assert isinstance(adapter, requests.adapters.HTTPAdapter)
        assert adapter.poolmanager.pools  # a pooled connection is open
    assert not adapter.poolmanager.pools


def test_none_removes_default_headers(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json=product()))
    connect(server).get(Product, 1, headers={"Accept": None, "X-App": None})
    got = server.received[-1]
    assert got.header("Accept") is None and got.header("X-App") is None


def test_with_options_headers_override_context_headers(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json=product()))
    shop = connect(server).with_options(headers={"x-tenant-id": "forced", "x-app": None})
    shop.get(Product, 1)
    assert server.received[-1].header("x-tenant-id") == "forced"
    assert server.received[-1].header("x-app") is None


def test_static_header_with_braces_is_sent_verbatim(server: ScriptedServer) -> None:
    class Meta(Service):
        headers = {"X-Meta": '{"a": 1}', "X-Who": "{who}"}
        context = {"who": "me"}

    server.on("GET", "/x", Reply(json={}))
    Meta.connect(server.url).request("GET", "/x")
    assert server.received[-1].header("X-Meta") == '{"a": 1}'
    assert server.received[-1].header("X-Who") == "me"


# -- stateful round trips, against the sandbox -------------------------------------------------


@pytest.fixture
def box() -> Any:
    from clientkit.sandbox.app import Sandbox

    seed = {
        "Product": [product()["data"] | {"color": "red", "stock": [{"n": 1}, {"n": 2}, {"n": 3}]}],
        "Item": [{"store": "s1", "sku": "a", "qty": 1}, {"store": "s1", "sku": "b"}],
    }
    sandbox = Sandbox(Shop, data=seed)
    with sandbox as url:
        yield sandbox, Shop.connect(url, token="sandbox-token", tenant="t1", retries=0)


def test_save_sends_only_changes_and_nothing_when_unchanged(box: Any) -> None:
    sandbox, shop = box
    sandbox_journal = sandbox.journal.entries
    p = shop.get(Product, 1)
    shop.save(p)
    assert [e.method for e in sandbox_journal()] == ["GET"]
    p.tags.append("b")
    p.name = "Desk lamp"
    shop.save(p)
    patch = sandbox_journal()[-1]
    assert patch.method == "PATCH" and patch.json == {"name": "Desk lamp", "tags": ["a", "b"]}
    assert changes(p) == {}
    shop.save(p)
    assert len(sandbox_journal()) == 2
    assert shop.get(Product, 1).tags == ["a", "b"]


def test_update_puts_everything_including_unknown_fields(box: Any) -> None:
    sandbox, shop = box
    p = shop.get(Product, 1)
    assert extra(p) == {"color": "red"}
    p.name = "X"
    with pytest.raises(InvalidRequestError, match="would erase"):
        shop.update(p)  # stock was not loaded at level 0
    shop.expand(p, True)
    shop.update(p)
    put = sandbox.journal.last
    assert put.method == "PUT" and put.query == "extended=true"  # the level it was loaded at
    assert put.json == {"name": "X", "tags": ["a"], "stock": [{"n": 1}, {"n": 2}, {"n": 3}], "color": "red"}
    assert extra(shop.get(Product, 1)) == {"color": "red"}  # nothing the model ignores was lost


def test_nested_paths_with_parents_and_put_save(box: Any) -> None:
    sandbox, shop = box
    items = list(shop.list(Item, store="s1"))
    assert [i.sku for i in items] == ["a", "b"]
    items[0].qty = 2
    shop.save(items[0])  # the parent "store" is remembered from the list call
    last = sandbox.journal.last
    assert last.method == "PUT" and last.path == "/stores/s1/items/a" and last.json == {"sku": "a", "qty": 2}
    with pytest.raises(InvalidRequestError, match="store"):
        shop.update(Item(sku="z", qty=1))  # a parent that is not a field must be supplied
    shop.update(Item(sku="a", qty=5), store="s1")
    assert shop.get(Item, "a", store="s1").qty == 5


class Stripe(Service):
    expansion = Expansion("expand", style="list")


@Stripe.resource(one="/charges/{id}", many="/charges")
class Charge(Resource):
    id: str | None = None
    amount: int | None = None
    customer: str | dict[str, Any] | None = field(level=1)
    refunds: list[dict[str, Any]] | None = field(wire="refundList", level=1)
    receipt: str | None = None


def test_list_style_expansion_by_field_name(server: ScriptedServer) -> None:
    def answer(rec: Any, req: Any) -> Reply:
        wanted = req.args.getlist("expand")
        customer = {"id": "cus_1", "name": "Ann"} if "customer" in wanted else "cus_1"
        return Reply(json={"id": "ch_1", "amount": 5, "customer": customer})

    server.on("GET", "/charges/ch_1", answer)
    api = Stripe.connect(server.url)
    plain = api.get(Charge, "ch_1")
    assert plain.customer == "cus_1" and server.received[-1].query == ""
    rich = api.get(Charge, "ch_1", level=["customer", "refunds", "customer.address"])
    assert rich.customer == {"id": "cus_1", "name": "Ann"}
    assert server.received[-1].query == "expand=customer&expand=refundList&expand=customer.address"
    sent = len(server.received)
    with pytest.raises(InvalidRequestError, match="list of field names"):
        api.get(Charge, "ch_1", level=1)
    with pytest.raises(InvalidRequestError, match=r"cannot expand 'receipt'.*customer, refundList"):
        api.get(Charge, "ch_1", level=["receipt"])  # declared without a level: it never expands
    with pytest.raises(InvalidRequestError, match="did you mean 'customer'"):
        api.get(Charge, "ch_1", level=["custommer"])
    assert len(server.received) == sent  # refused before anything was sent


def test_expand_keeps_unsaved_edits_of_unknown_fields(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json=product(color="red")))
    shop = connect(server)
    p = shop.get(Product, 1)
    extra(p)["color"] = "blue"
    shop.expand(p, True)
    assert extra(p)["color"] == "blue" and changes(p) == {"color": "blue"}


def test_with_options_header_case_does_not_matter(server: ScriptedServer) -> None:
    server.on("GET", "/products/1", Reply(json=product()))
    connect(server).with_options(headers={"X-TENANT-ID": "upper"}).get(Product, 1)
    assert server.received[-1].header("x-tenant-id") == "upper"


def test_last_response_after_an_undecodable_answer(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1, "name": "ok"}))
    server.on("GET", "/things/2", Reply(body=b"<html>", content_type="text/html"))
    api = connect_to(server.url)
    api.get(FlowThing, 1)
    with pytest.raises(DecodeError):
        api.get(FlowThing, 2)
    assert api.last_response is not None and api.last_response.url.endswith("/things/2")


class Queue(Service):
    auth = TokenAuth()


@Queue.resource(one="/caches/{cache}/jobs/{id}", many="/caches/{cache}/jobs", parents=("cache",))
class QueuedJob(Resource):
    id: int | None = field(read_only=True)
    idempotent: bool | None = None
    timeout: int | None = None


def test_names_the_resource_declares_are_never_taken_as_call_options(server: ScriptedServer) -> None:
    """``cache``, ``idempotent``, ``timeout``... are call options, unless the resource itself
    has a placeholder or (for patch) a field of that name."""
    server.on("GET", "/caches/c1/jobs/5", Reply(json={"id": 5, "idempotent": False, "timeout": 3}))
    server.on("PATCH", "/caches/c1/jobs/5", Reply(503))
    server.on("DELETE", "/caches/c1/jobs/5", Reply(204))
    queue = Queue.connect(server.url, token="t", retries=2)
    job = queue.get(QueuedJob, 5, cache="c1")
    with pytest.raises(ServerError):
        queue.patch(job, idempotent=True, timeout=9)  # fields, so no retry of a PATCH
    queue.delete(QueuedJob, 5, cache="c1", timeout=4)  # the placeholder, and the call option
    sent = [(r.method, r.path, r.json) for r in server.received]
    assert sent == [
        ("GET", "/caches/c1/jobs/5", None),
        ("PATCH", "/caches/c1/jobs/5", {"idempotent": True, "timeout": 9}),
        ("DELETE", "/caches/c1/jobs/5", None),
    ]
    with pytest.raises(InvalidRequestError, match="always revalidates"):
        queue.refresh(job, cache="bypass")


# -- context values in queries and bodies -------------------------------------------------

_TICKS = iter(range(1000))


class Tracked(Service):
    envelope = Envelope(operations={"update": Envelope(request="note")})
    context = {"stage": "prod", "user": None, "team": None}
    context_query = {"env": "{stage}", "scope": "team-{team}", "tick": lambda: next(_TICKS)}
    context_body = {
        "userId": "{user}",
        "by": lambda ctx: ctx["user"] and f"{ctx['user']}@{ctx['stage']}",
    }


@Tracked.resource(one="/notes/{id}", many="/notes", actions={"ping": Action("POST", "/notes/{id}/ping")})
class Note(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None


def _query(received: Any) -> dict[str, list[str]]:
    from urllib.parse import parse_qs

    return parse_qs(received.query)


def test_context_values_go_in_every_query_and_json_body(server: ScriptedServer) -> None:
    server.on("POST", "/notes", Reply(201, json={"id": 1, "text": "a"}))
    server.on("GET", "/notes/1", Reply(json={"id": 1, "text": "a"}))
    server.on("PUT", "/notes/1", Reply(json={"id": 1, "text": "b"}))
    server.on("POST", "/notes/1/ping", Reply(json={}))
    server.on("GET", "/raw", Reply(json={}))
    with Tracked.connect(server.url, user=42, retries=0) as api:
        note = api.create(Note(text="a"))
        api.get(Note, 1)
        note.text = "b"
        api.update(note)
        api.action(note, "ping")  # no body: none is made up
        api.request("GET", "/raw", params={"q": "x"})
    create, get, update, ping, raw = server.received
    assert create.json == {"text": "a", "userId": 42, "by": "42@prod"}  # the value's own type
    assert update.json == {"note": {"text": "b"}, "userId": 42, "by": "42@prod"}  # beside the envelope
    assert ping.body == b""
    assert get.method == "GET" and get.body == b""
    for received in (create, get, update, ping):
        assert _query(received)["env"] == ["prod"]
        assert "scope" not in _query(received)  # its context is unset: left out, never "None"
    assert _query(raw) == {"q": ["x"], "env": ["prod"], "tick": [_query(raw)["tick"][0]]}
    ticks = [int(_query(r)["tick"][0]) for r in server.received]
    assert ticks == sorted(set(ticks))  # computed again for every request
    assert note.text == "b" and extra(note) == {}  # the context is not the object's


class Leading(Service):
    context = {"user": None, "env": "draft"}
    context_body = {"userId": "{user}", "environment": "{env}"}
    context_body_first = True


@Leading.resource(one="/rows/{id}", actions={"find": Action("POST", "/rows/find")})
class Row(Resource):
    id: int | None = None


def test_context_body_first_puts_its_keys_before_the_body_own(server: ScriptedServer) -> None:
    server.on("POST", "/rows/find", Reply(json={}))
    with Leading.connect(server.url, user="ann@x.io", retries=0) as api:
        api.action(Row, "find", json={"table": "t", "filter": None})
        api.action(Row, "find", json={"environment": "draft", "table": "t"})  # the same value: kept
    first, same = server.received
    assert first.body == b'{"userId": "ann@x.io", "environment": "draft", "table": "t", "filter": null}'
    assert same.body == b'{"userId": "ann@x.io", "environment": "draft", "table": "t"}'


def test_context_values_follow_the_context_and_never_overwrite(server: ScriptedServer) -> None:
    server.on("POST", "/notes", Reply(201, json={"id": 1}))
    server.on("GET", "/notes", Reply(json=[]))
    with Tracked.connect(server.url, retries=0) as api:
        api.create(Note(text="a"))
        api.set_context(user="u7", team="red", stage=None)
        api.request("POST", "/notes", json={"userId": "u7", "text": "mine"})  # the same value
        api.request("GET", "/notes?env=mine", params={"scope": "team-red"})  # env is unset now
        list(api.with_options(params={"scope": "team-red"}).list(Note))
        api.request("POST", "/notes", json=[1, 2])  # not an object: left as it is
        sent = len(server.received)
        with pytest.raises(
            InvalidRequestError, match=r"body key 'userId' differs .*context_body\['userId'\]"
        ):
            api.request("POST", "/notes", json={"userId": None, "text": "mine"})
        with pytest.raises(
            InvalidRequestError, match=r"parameter 'scope' differs .*context_query\['scope'\]"
        ):
            api.request("GET", "/notes", params={"scope": "blue"})
        with pytest.raises(InvalidRequestError, match="parameter 'scope' differs"):
            api.request("GET", "/notes?scope=blue")
        with pytest.raises(InvalidRequestError, match="parameter 'scope' differs"):
            list(api.with_options(params={"scope": "blue"}).list(Note))
        assert len(server.received) == sent  # nothing was sent
    first, own, query, listed, listing = server.received
    assert first.json == {"text": "a"}  # no user: both left out
    assert "env" in _query(first) and "env" not in _query(own)  # unset since
    assert own.json == {"userId": "u7", "text": "mine", "by": "u7@None"}
    assert _query(own)["scope"] == ["team-red"]
    assert _query(query)["env"] == ["mine"] and _query(query)["scope"] == ["team-red"]
    assert _query(listed)["scope"] == ["team-red"]  # once, not twice
    assert listing.json == [1, 2]


class Hosted(Service):
    context = {"tenant": "acme-7"}
    headers = {"X-Tenant": "{tenant}"}
    context_query = {"tenant": "{tenant}"}
    context_body = {"tenantId": "{tenant}"}


def test_context_values_go_only_where_the_service_headers_go(
    server: ScriptedServer, other_server: ScriptedServer
) -> None:
    from clientkit.model import Origin

    class Spread(Hosted):
        origins = {"cdn": other_server.url, "api2": Origin(other_server.host_alias_url, credentials=True)}

    for answering in (server, other_server):
        answering.on("POST", "/logo", Reply(json={}))
    with Spread.connect(server.url, retries=0) as api:
        for origin in (None, "cdn", "api2"):
            api.request("POST", "/logo", json={"a": 1}, origin=origin)
    own, cdn, api2 = server.received + other_server.received
    for trusted in (own, api2):
        assert trusted.json == {"a": 1, "tenantId": "acme-7"} and _query(trusted) == {"tenant": ["acme-7"]}
        assert trusted.header("X-Tenant") == "acme-7"
    assert cdn.json == {"a": 1} and cdn.query == "" and cdn.header("X-Tenant") is None


def test_context_values_go_in_multipart_bodies_as_form_fields(server: ScriptedServer) -> None:
    from tests.support.multipart import Part, parts_of

    server.on("POST", "/notes/1/ping", Reply(json={}))
    with Tracked.connect(server.url, user=42, retries=0) as api:
        api.action(Note, "ping", id=1, json={"text": "hi", "doc": File(b"abc", filename="a.txt")})
        with pytest.raises(InvalidRequestError, match="body key 'userId' differs"):
            api.action(Note, "ping", id=1, json={"userId": 7, "doc": File(b"abc")})
        api.action(Note, "ping", id=1, json={"userId": "42", "doc": File(b"abc")})  # the same text
    ping, same = server.received
    assert Part("userId", b"42") in parts_of(same.body, same.header("Content-Type") or "")
    parts = parts_of(ping.body, ping.header("Content-Type") or "")
    assert parts == [  # fields first (the payload's, then the context's), then the files
        Part("text", b"hi"),
        Part("userId", b"42"),
        Part("by", b"42@prod"),
        Part("doc", b"abc", "a.txt"),
    ]


@Tracked.resource(one="/docs/{id}", many="/docs")
class Doc(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
    file: File | Path | str | None = None


def test_the_sandbox_accepts_context_fields_in_an_upload_and_stores_none() -> None:
    from clientkit.sandbox import Sandbox

    box = Sandbox(Tracked)
    with box as url, Tracked.connect(url, user=7) as api:
        made = api.create(Doc(title="t", file=File(b"abc", filename="a.txt")))
        assert api.get(Doc, made.id).title == "t" and extra(api.get(Doc, made.id)) == {}
    (entry,) = box.journal.entries("POST", "/docs")
    assert entry.json["parts"][:3] == [{"title": "t"}, {"userId": "7"}, {"by": "7@prod"}]


class Scoped(Service):
    context = {"user": None, "project": None}
    context_query = {"env": "prod", "user": "{user}"}
    context_body = {"userId": "{user}"}


@Scoped.resource(
    one="/tasks/{id}",
    many="/tasks",
    actions={"export": Action("GET", "/tasks/{id}/export", answer="bytes")},
    context_query={"project": "{project}", "env": None},  # adds one, leaves the service's env out
    context_body={"userId": lambda ctx: f"u{ctx['user']}"},  # overrides the service's
)
class Task(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None


@Scoped.resource(one="/labels/{id}", many="/labels", context_query=False, context_body=False)
class Label(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


def test_a_resource_declares_its_own_context_values(server: ScriptedServer) -> None:
    server.on("POST", "/tasks", Reply(201, json={"id": 1, "title": "a"}))
    server.on("GET", "/tasks", Reply(json=[{"id": 1, "title": "a"}]))
    server.on("POST", "/labels", Reply(201, json={"id": 2, "name": "l"}))
    server.on("GET", "/other", Reply(json={}))
    with Scoped.connect(server.url, user=7, project=3, retries=0) as api:
        api.create(Task(title="a"))
        list(api.list(Task))
        api.create(Label(name="l"))
        api.request("GET", "/other")
    task, listed, label, other = server.received
    assert task.json == {"title": "a", "userId": "u7"}
    assert _query(task) == _query(listed) == {"user": ["7"], "project": ["3"]}
    assert label.json == {"name": "l"} and label.query == ""  # none of the service's
    assert _query(other) == {"env": ["prod"], "user": ["7"]}  # a call of no resource: the service's


def test_a_download_of_a_resources_action_carries_the_resources_values(
    server: ScriptedServer, tmp_path: Path
) -> None:
    server.on("GET", "/tasks/1/export", Reply(body=b"data", content_type="application/octet-stream"))
    with Scoped.connect(server.url, user=7, project=3, retries=0) as api:
        api.download(Task, "export", id=1, to=tmp_path / "export.bin")
        api.download("/tasks/1/export", to=tmp_path / "plain.bin")
    own, plain = server.received
    assert _query(own) == {"user": ["7"], "project": ["3"]}
    assert _query(plain) == {"env": ["prod"], "user": ["7"]}
    assert (tmp_path / "export.bin").read_bytes() == b"data"


def test_per_resource_context_values_in_the_sandbox() -> None:
    from clientkit.sandbox import Sandbox

    sandbox = Sandbox(Scoped)
    with sandbox as url, Scoped.connect(url, user=7, project=3) as api:
        made = api.create(Task(title="a"))
        assert api.get(Task, made.id) == Task(id=made.id, title="a")  # userId is not stored
        assert api.create(Label(name="l")).name == "l"
    entry = sandbox.journal.entries("POST", "/tasks")[0]
    assert entry.json == {"title": "a", "userId": "u7"} and ("project", "3") in entry.params


def test_context_keys_that_are_fields_or_parameters_are_refused_when_declared() -> None:
    with pytest.raises(DeclarationError, match=r"Doc: context_body keys \['userId'\] are also a field"):

        @Scoped.resource(one="/docs/{id}")
        class Doc(Resource):
            id: int | None = None
            user_id: int | None = field(wire="userId")

    @Scoped.resource(one="/docs2/{id}", context_body={"userId": None})  # left out: allowed
    class Doc2(Resource):
        id: int | None = None
        user_id: int | None = field(wire="userId")

    @Scoped.resource(one="/docs3/{id}")  # a read-only field is never sent: no clash
    class Doc3(Resource):
        id: int | None = None
        user_id: int | None = field(wire="userId", read_only=True)

    with pytest.raises(DeclarationError, match=r"context_query keys \['user'\] are also a parameter"):

        @Scoped.resource(one="/docs4/{id}", expansion=Expansion("user", style="list"))
        class Doc4(Resource):
            id: int | None = None

    with pytest.raises(DeclarationError, match="context_body must be a mapping or False"):

        @Scoped.resource(one="/docs5/{id}", context_body="{user}")  # type: ignore[arg-type]
        class Doc5(Resource):
            id: int | None = None

    with pytest.raises(DeclarationError, match=r"uses \['nope'\], which are not in context"):

        @Scoped.resource(one="/docs6/{id}", context_query={"x": "{nope}"})
        class Doc6(Resource):
            id: int | None = None


def test_context_values_are_part_of_the_cache_key(server: ScriptedServer) -> None:
    class Cached(Service):
        context = {"stage": "prod"}
        context_query = {"env": "{stage}"}

    server.on("GET", "/notes/1", Reply(json={"id": 1}, headers={"Cache-Control": "max-age=60"}))
    with Cached.connect(server.url, cache=True, retries=0) as api:
        api.request("GET", "/notes/1")
        api.request("GET", "/notes/1")
        api.set_context(stage="test")
        api.request("GET", "/notes/1")
    assert [r.query for r in server.received] == ["env=prod", "env=test"]


def test_context_values_in_the_sandbox_are_accepted_and_journaled() -> None:
    from clientkit.sandbox import Sandbox

    sandbox = Sandbox(Tracked)
    with sandbox as url, Tracked.connect(url, user=5) as api:
        note = api.create(Note(text="hi"))
        fetched = api.get(Note, note.id)
    assert fetched == Note(id=note.id, text="hi") and extra(fetched) == {}  # userId is not stored
    created = sandbox.journal.entries("POST", "/notes")[0]
    assert created.json == {"text": "hi", "userId": 5, "by": "5@prod"}
    assert ("env", "prod") in created.params


class Merging(Service):
    expansion = Expansion("extended", style="int", max_level=1, default=0)


@Merging.resource(one="/boards/{id}", many="/boards", patch_method="PUT")  # the PUT merges
class Board(Resource):
    id: str | None = None
    title: str | None = None
    pages: int | list[dict[str, Any]] | None = field(level=1)


def test_a_count_shown_in_place_of_a_list_is_never_sent() -> None:
    """``update(only_set=True)`` of an object loaded below a list field's level leaves out
    the count it shows; the server keeps its list."""
    from clientkit.sandbox.app import Sandbox

    seed = {"Board": [{"id": "a", "title": "A", "pages": [{"n": 1}, {"n": 2}]}]}
    with Sandbox(Merging, data=seed) as url, Merging.connect(url) as api:
        board = api.get(Board, "a")
        assert board.pages == 2
        board.title = "B"
        api.update(board, only_set=True)
        assert api.last_response is not None
        assert api.last_response.request.body == b'{"id": "a", "title": "B"}'
        assert api.get(Board, "a", level=1).pages == [{"n": 1}, {"n": 2}]


class Levelled(Service):
    expansion = Expansion("extended", style="int", max_level=2, default=0, on={"get", "delete"})


@Levelled.resource(one="/pages/{id}", many="/pages")
class Page(Resource):
    id: int | None = None


def test_a_delete_sends_the_level_asked_for() -> None:
    """``delete(..., level=)``, for APIs whose delete takes the expansion parameter."""
    from clientkit.sandbox.app import Sandbox

    box = Sandbox(Levelled, data={"Page": [{"id": 1}, {"id": 2}]})
    with box as url, Levelled.connect(url) as api:
        api.delete(Page, 1, level=2)
        assert box.journal.last is not None and box.journal.last.query == "extended=2"
        api.delete(Page(id=2))
        assert box.journal.last.query == ""  # none asked, none loaded: none sent
        assert [d.id for d in api.list(Page)] == []


def test_a_filter_passed_as_a_keyword_points_to_params(server: ScriptedServer) -> None:
    with pytest.raises(InvalidRequestError, match=r"unexpected arguments \['status'\]") as info:
        Api.connect(server.url).list(Thing, status="open")
    assert "params={'status': ...}" in str(info.value)
    assert server.received == []
    server.on("GET", "/things", Reply(json=[{"id": 1, "name": "x"}]))
    assert [t.id for t in Api.connect(server.url).list(Thing, params={"status": "open"})] == [1]
    assert server.received[0].query == "status=open"


def test_a_write_whose_answer_fails_to_load_says_it_went_through(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(201, body="<html>created</html>", content_type="text/html"))
    with pytest.raises(DecodeError, match=r"the POST went through \(status 201\)") as info:
        Api.connect(server.url).create(Thing(name="x"))
    assert info.value.write_succeeded and info.value.write_status == 201
    assert len(server.received) == 1 and server.received[0].json == {"name": "x"}
    server.on("GET", "/things/1", Reply(200, body="<html>a page</html>", content_type="text/html"))
    with pytest.raises(DecodeError) as read:
        Api.connect(server.url).get(Thing, 1)
    assert not read.value.write_succeeded and "went through" not in str(read.value)


# -- answers as outcomes (Session.outcome) ---------------------------------------------------


class Official(RuntimeError):
    """An RPC service's official exception."""


class Rpc(Service):
    auth = TokenAuth()
    answer_check = AnswerCheck(code="resultCode", ok=0, message="resultMessage", required=True)
    errors = ErrorShape(mixin=Official)


@Rpc.resource(actions={"run": Action("POST", "/run/{job}/")}, parents=("job",), singleton=True)
class Runner(Resource):
    pass


class RpcResult(Outcome, check=Rpc.answer_check, payload="payload"):
    status: int
    code: Any
    message: str
    payload: Any


def test_an_outcome_is_every_answer_of_an_action_or_a_request(server: ScriptedServer) -> None:
    server.on(
        "POST",
        "/run/a/",
        Reply(json={"resultCode": 0, "resultMessage": "OK", "payload": [1]}),
        Reply(json={"resultCode": 7, "resultMessage": "busy"}),
        Reply(409, json={"resultCode": 3, "resultMessage": "locked"}),
    )
    server.on(
        "POST",
        "/raw/",
        Reply(json={"resultCode": 5}),
        Reply(502, body="<p>down</p>", content_type="text/html"),
    )
    rpc = Rpc.connect(server.url, token="t", retries=0)
    run = lambda: rpc.action(Runner, "run", json={"n": 1}, job="a")  # noqa: E731
    assert rpc.outcome(RpcResult, run) == RpcResult(200, 0, "OK", [1])
    assert server.received[-1].json == {"n": 1} and server.received[-1].header("Authorization") == "Bearer t"
    assert rpc.outcome(RpcResult, run) == RpcResult(200, 7, "busy", None)  # not an AnswerError
    assert rpc.outcome(RpcResult, run) == RpcResult(409, 3, "locked", None)  # not a ConflictError
    raw = lambda: rpc.request("POST", "/raw/", json={})  # noqa: E731
    assert not rpc.outcome(RpcResult, raw).is_ok()  # a raw request is read by the check too
    down = rpc.outcome(RpcResult, raw)
    assert (down.status, down.message.lower(), down.payload) == (502, "bad gateway", "<p>down</p>")


def test_a_malformed_answer_or_a_lost_connection_still_raises(server: ScriptedServer) -> None:
    server.on(
        "POST",
        "/raw/",
        Reply(json={"payload": 1}),
        Reply(body="<html/>", content_type="text/html"),
        Reply(drop=True),
    )
    rpc = Rpc.connect(server.url, token="t", retries=0)
    raw = lambda: rpc.request("POST", "/raw/", json={})  # noqa: E731
    for expected in ("no 'resultCode'", "expected a JSON body"):
        with pytest.raises(DecodeError, match=expected) as info:
            rpc.outcome(RpcResult, raw)
        assert isinstance(info.value, Official)  # the service's official error too
    with pytest.raises(TransportError):
        rpc.outcome(RpcResult, raw)
    with pytest.raises(InvalidRequestError, match="made no call"):
        rpc.outcome(RpcResult, lambda: None)


def test_an_outcome_is_never_an_earlier_calls_answer(server: ScriptedServer) -> None:
    server.on("POST", "/run/a/", Reply(json={"resultCode": 0, "resultMessage": None, "payload": 1}))
    rpc = Rpc.connect(server.url, token="t", retries=0)
    found = rpc.outcome(RpcResult, lambda: rpc.action(Runner, "run", job="a"))
    assert found == RpcResult(200, 0, None, 1)  # type: ignore[arg-type]  # null kept, as sent
    with pytest.raises(InvalidRequestError, match="made no call"):
        rpc.outcome(RpcResult, lambda: None)
