"""The sandbox as a server in its own right (plain requests) and clientkit against it: CRUD, levels, ETags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from clientkit import Resource, Service, field, loaded_level
from clientkit._declarations.options import CacheConfig
from clientkit.errors import InvalidRequestError, ValidationError
from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest
from tests.support.sandboxed import AUTH, Item, Product, Shop, shop

# -- as a server, with plain requests --------------------------------------------------------


def test_crud_in_the_declared_dialect(sandbox: Sandbox) -> None:
    url = sandbox.url
    created = requests.post(
        url + "/products", json={"name": "Desk", "price": 99.5, "color": "oak"}, headers=AUTH, timeout=5
    )
    assert created.status_code == 201
    body = created.json()["data"]
    assert body["id"] == 46 and body["color"] == "oak"  # unknown fields are kept
    got = requests.get(url + "/products/46", headers=AUTH, timeout=5)
    assert got.json()["data"]["name"] == "Desk" and got.headers["ETag"]
    put = requests.put(url + "/products/46", json={"name": "Desk 2"}, headers=AUTH, timeout=5)
    assert put.json()["data"] == {"id": 46, "name": "Desk 2"}  # a replace drops what was not sent
    patched = requests.patch(url + "/products/46", json={"price": 10}, headers=AUTH, timeout=5)
    assert patched.json()["data"] == {"id": 46, "name": "Desk 2", "price": 10}
    assert requests.delete(url + "/products/46", headers=AUTH, timeout=5).status_code == 204
    missing = requests.get(url + "/products/46", headers=AUTH, timeout=5)
    assert missing.status_code == 404
    assert missing.json()["message"] == "Product 46 not found"
    assert missing.json()["code"] == 404 and len(missing.json()["request_id"]) == 24


def test_levels_count_then_objects(sandbox: Sandbox) -> None:
    low = requests.get(sandbox.url + "/products/1", headers=AUTH, timeout=5).json()["data"]
    high = requests.get(sandbox.url + "/products/1?extended=1", headers=AUTH, timeout=5).json()["data"]
    assert low["variants"] == 2 and high["variants"] == [{"color": "red"}, {"color": "blue"}]


def test_conditional_requests(sandbox: Sandbox) -> None:
    url = sandbox.url + "/products/2"
    first = requests.get(url, headers=AUTH, timeout=5)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert requests.get(url, headers={**AUTH, "If-None-Match": etag}, timeout=5).status_code == 304
    assert requests.get(url, headers={**AUTH, "If-None-Match": "W/" + etag}, timeout=5).status_code == 304
    assert requests.get(url, headers={**AUTH, "If-Modified-Since": modified}, timeout=5).status_code == 304
    stale = requests.patch(url, json={"price": 1}, headers={**AUTH, "If-Match": '"nope"'}, timeout=5)
    assert stale.status_code == 412
    fresh = requests.patch(url, json={"price": 1}, headers={**AUTH, "If-Match": etag}, timeout=5)
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    listing = requests.get(sandbox.url + "/products", headers=AUTH, timeout=5)
    again = requests.get(
        sandbox.url + "/products", headers={**AUTH, "If-None-Match": listing.headers["ETag"]}, timeout=5
    )
    assert again.status_code == 304


def test_extra_routes_share_state_and_auth(sandbox: Sandbox) -> None:
    @sandbox.route("/products/{id}/publish", methods=["POST"])
    def publish(req: SandboxRequest) -> Reply:
        rows = [r for r in sandbox.records("Product") if str(r["id"]) == req.params["id"]]
        if not rows:
            return req.error(404, "no such product")
        return Reply(202, {"data": {"published": rows[0]["name"], "by": req.principal}})

    answer = requests.post(sandbox.url + "/products/3/publish", headers=AUTH, timeout=5)
    assert answer.status_code == 202 and answer.json() == {"data": {"published": "product 3", "by": "demo"}}
    assert requests.post(sandbox.url + "/products/3/publish", timeout=5).status_code == 401
    assert requests.post(sandbox.url + "/products/999/publish", headers=AUTH, timeout=5).status_code == 404


# -- clientkit against the sandbox ----------------------------------------------------------------


def test_full_crud_round_with_the_session(sandbox: Sandbox) -> None:
    api = shop(sandbox)
    p = api.create(Product(name="Chair", price=20.0))
    p.tags.append("wood")
    api.save(p)
    assert sandbox.journal.last is not None and sandbox.journal.last.json == {"tags": ["wood"]}
    api.patch(p, price=25.0)
    api.expand(p, 1)
    assert loaded_level(p) == 1 and p.variants is None  # created without variants
    assert p.price == 25.0
    p.name = "Armchair"
    api.update(p)  # the level-1 answer left variants out: the server holds none, so none is sent
    assert sandbox.journal.last is not None and "variants" not in sandbox.journal.last.json
    assert api.get(Product, p.id).name == "Armchair"
    items = list(api.list(Item, store="s1"))
    items[0].qty = 5
    api.save(items[0])
    assert sandbox.records("Item", store="s1") == [{"sku": "a", "qty": 5}]
    api.delete(p)
    assert all(r["id"] != p.id for r in sandbox.records("Product"))


def test_caching_with_304s(sandbox: Sandbox, tmp_path: Path) -> None:
    api = shop(sandbox, cache=CacheConfig(location=tmp_path / "c.sqlite"))
    api.get(Product, 4)
    api.get(Product, 4)
    assert api.cache_stats.revalidations == 1
    api.list(Product).to_list()
    api.list(Product).to_list()
    assert api.cache_stats.revalidations >= 2
    assert sandbox.journal.last is not None and sandbox.journal.last.header("If-None-Match")


def test_optimistic_concurrency(sandbox: Sandbox) -> None:
    from clientkit.errors import PreconditionFailedError

    api = shop(sandbox)
    mine, theirs = api.get(Product, 5), api.get(Product, 5)
    theirs.price = 1.0
    api.save(theirs, if_match=True)
    mine.price = 2.0
    with pytest.raises(PreconditionFailedError):
        api.save(mine, if_match=True)


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents


class Bank(Service):
    @classmethod
    def configure_converter(cls, converter: Any) -> None:
        converter.cattrs.register_structure_hook(Money, lambda v, _: Money(round(v * 100)))
        converter.cattrs.register_unstructure_hook(Money, lambda m: m.cents / 100)


@Bank.resource(one="/accounts/{id}", many="/accounts")
class Account(Resource):
    id: int | None = field(read_only=True)
    balance: Money | None = None


def test_values_the_services_own_hooks_read_are_valid() -> None:
    with Sandbox(Bank) as url:
        bank = Bank.connect(url, retries=0)
        account = bank.create(Account(balance=Money(1250)))
        assert account.balance is not None and account.balance.cents == 1250
        with pytest.raises(ValidationError):
            bank.request("POST", "/accounts", json={"balance": "lots"})


def test_serves_writes_through_declared_verbs_and_paths() -> None:
    from tests.client.test_session import Forum, Post

    sandbox = Sandbox(Forum, data={"Post": [{"id": 1, "title": "Hi", "body": "text"}]})
    with sandbox as url:
        forum = Forum.connect(url, retries=0)
        post = forum.get(Post, 1)
        forum.patch(post, title="Hello")
        assert sandbox.records(Post) == [{"id": 1, "title": "Hello", "body": "text"}]
        unwrapped = requests.post(url + "/posts/1/-/update", json={"title": "Bare"}, timeout=5)
        assert sandbox.records(Post)[0]["title"] == "Hello"  # the body sits under "post" or is absent
        assert unwrapped.status_code == 400
        assert requests.delete(url + "/posts/1", timeout=5).status_code == 405
        assert requests.patch(url + "/posts/1", json={"post": {}}, timeout=5).status_code == 405
        forum.delete(post)
        assert sandbox.records(Post) == []
    assert [(e.method, e.path) for e in sandbox.journal if e.method == "POST"] == [
        ("POST", "/posts/1/-/update"),
        ("POST", "/posts/1/-/update"),
        ("POST", "/posts/1/-/delete"),
    ]


def test_etags_change_when_a_custom_route_changes_a_record(sandbox: Sandbox) -> None:
    @sandbox.route("/products/{id}/rename", methods=["POST"])
    def rename(req: SandboxRequest) -> Reply:
        row = next(r for r in sandbox.records("Product") if str(r["id"]) == req.params["id"])
        row["name"] = req.json["name"]  # edited in place, as custom routes do
        return Reply(204)

    @sandbox.route("/products/{id}/reprice", methods=["POST"])
    def reprice(req: SandboxRequest) -> Reply:
        record = sandbox.store.get("Product", req.params["id"])
        assert record is not None
        sandbox.store.put("Product", req.params["id"], {**record.body, "price": req.json["price"]})
        return Reply(204)

    url = sandbox.url + "/products/5"
    etags = [requests.get(url, headers=AUTH, timeout=5).headers["ETag"]]
    for action, body in (("rename", {"name": "Renamed"}), ("reprice", {"price": 2.5})):
        assert requests.post(f"{url}/{action}", json=body, headers=AUTH, timeout=5).status_code == 204
        fresh = requests.get(url, headers={**AUTH, "If-None-Match": etags[-1]}, timeout=5)
        assert fresh.status_code == 200 and fresh.headers["ETag"] not in etags
        etags.append(fresh.headers["ETag"])
        stale = requests.patch(url, json={"price": 1}, headers={**AUTH, "If-Match": etags[-2]}, timeout=5)
        assert stale.status_code == 412
    assert requests.get(url, headers=AUTH, timeout=5).json()["data"]["name"] == "Renamed"


def test_a_record_created_again_does_not_repeat_the_old_etag(sandbox: Sandbox) -> None:
    api = shop(sandbox)
    first = api.create(Product(name="Once"))
    old = requests.get(f"{sandbox.url}/products/{first.id}", headers=AUTH, timeout=5).headers["ETag"]
    api.delete(first)
    sandbox.seed({"Product": [{"id": first.id, "name": "Twice"}]})  # version 1 again
    url = f"{sandbox.url}/products/{first.id}"
    again = requests.get(url, headers={**AUTH, "If-None-Match": old}, timeout=5)
    assert again.status_code == 200 and again.json()["data"]["name"] == "Twice"


def test_a_route_may_live_outside_the_prefix() -> None:
    box = Sandbox(Shop, prefix="/v1")

    @box.route("/assets/{name}", public=True, prefixed=False)
    def asset(req: SandboxRequest) -> Reply:
        return Reply(200, f"asset {req.params['name']}", content_type="text/plain", raw=True)

    with box as url:
        assert requests.get(url + "/assets/app.js", timeout=5).text == "asset app.js"
        assert requests.get(url + "/v1/assets/app.js", timeout=5).status_code == 404
    assert [e.path for e in box.journal.entries()] == ["/assets/app.js", "/v1/assets/app.js"]


def test_scopes_name_the_path_values_records_are_kept_under() -> None:
    box = Sandbox(Shop, data={"Product": [{"id": 1, "name": "Lamp"}]})
    assert box.scopes(Product) == [{}]
    assert box.scopes("Item") == []
    box.seed({"Item": [{"store": "s1", "sku": "a"}, {"store": "s2", "sku": "b"}]})
    assert sorted(box.scopes(Item), key=str) == [{"store": "s1"}, {"store": "s2"}]
    for ask in (box.scopes, box.records):
        with pytest.raises(
            InvalidRequestError, match=r"no resource named 'Nope' in Shop \(known: \['Item', "
        ):
            ask("Nope")
