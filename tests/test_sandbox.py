"""The sandbox as a server in its own right (plain requests), and clientkit against it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from clientkit import (
    Envelope,
    ErrorShape,
    Expansion,
    PasswordLogin,
    Resource,
    RetryPolicy,
    Service,
    Timeout,
    TokenAuth,
    field,
    loaded_level,
)
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
    DecodeError,
    PermissionDeniedError,
    RedirectError,
    RequestTimeout,
    ValidationError,
)
from clientkit.sandbox import Accounts, Fault
from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest
from tests.support.processes import ROOT, free_port

AUTH = {"Authorization": "Token sandbox-token"}


class Shop(Service):
    auth = TokenAuth(scheme="Token")
    envelope = Envelope(response="data")
    errors = ErrorShape(message="message", code="code", request_id="request_id", fields="errors")
    pagination = PageNumber(items="data", total="count", next="next")
    expansion = Expansion("extended", style="int", max_level=1, default=0)
    headers = {"x-tenant": "{tenant}"}
    context = {"tenant": None}


@Shop.resource(one="/products/{id}", many="/products")
class Product(Resource):
    id: int | None = field(read_only=True)
    name: str | None = field(required=True)
    price: float | None = None
    tags: list[str] = field(factory=list)
    variants: int | list[dict[str, Any]] | None = field(level=1)


@Shop.resource(
    one="/stores/{store}/items/{sku}", many="/stores/{store}/items", identity="sku", parents=("store",)
)
class Item(Resource):
    sku: str | None = None
    qty: int | None = None


def products(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "name": f"product {i}",
            "price": i * 1.5,
            "tags": ["t"],
            "variants": [{"color": "red"}, {"color": "blue"}],
        }
        for i in range(1, n + 1)
    ]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(Shop, data={"Product": products(45), "Item": [{"store": "s1", "sku": "a", "qty": 1}]})
    box.start()
    try:
        yield box
    finally:
        box.stop()


def shop(box: Sandbox, **kw: Any) -> Any:
    kw.setdefault("retries", RetryPolicy(retries=2, backoff=0.01, sleep=lambda s: None))
    return Shop.connect(box.url, token="sandbox-token", **kw)


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


def test_validation_errors_in_the_service_shape(sandbox: Sandbox) -> None:
    bad = requests.post(
        sandbox.url + "/products", json={"price": "cheap", "tags": [1]}, headers=AUTH, timeout=5
    )
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert errors["name"] == ["This field is required."]
    assert set(errors) == {"name", "price", "tags"}
    not_object = requests.post(sandbox.url + "/products", json=[1], headers=AUTH, timeout=5)
    assert not_object.status_code == 400


def test_auth_and_tenant_checks() -> None:
    box = Sandbox(Shop, accounts=Accounts(tokens={"t-ann": "ann"}, contexts={"tenant": {"acme"}}))
    with box as url:
        assert requests.get(url + "/products", timeout=5).status_code == 401
        assert (
            requests.get(url + "/products", headers={"Authorization": "Token nope"}, timeout=5).status_code
            == 401
        )
        assert (
            requests.get(url + "/products", headers={"Authorization": "Bearer t-ann"}, timeout=5).status_code
            == 401
        )
        ok = {"Authorization": "Token t-ann"}
        assert (
            requests.get(url + "/products", headers={**ok, "x-tenant": "acme"}, timeout=5).status_code == 200
        )
        denied = requests.get(url + "/products", headers={**ok, "x-tenant": "globex"}, timeout=5)
        assert denied.status_code == 403 and "not allowed" in denied.json()["message"]
        with pytest.raises(PermissionDeniedError):
            Shop.connect(url, token="t-ann", tenant="globex", retries=0).get(Product, 1)


class Login(Service):
    auth = PasswordLogin(
        path="/auth/login",
        token="data.access_token",
        refresh_token="data.refresh_token",
        expires_in="data.expires_in",
        refresh_path="/auth/refresh",
        leeway=30,
    )
    envelope = Envelope(response="data")


@Login.resource(one="/notes/{id}", many="/notes")
class Note(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None


def test_login_issues_tokens_with_a_lifetime() -> None:
    box = Sandbox(Login, data={"Note": [{"id": 1, "text": "hi"}]}, accounts=Accounts(token_lifetime=2))
    with box as url:
        bad = requests.post(url + "/auth/login", json={"username": "demo", "password": "x"}, timeout=5)
        assert bad.status_code == 401
        good = requests.post(
            url + "/auth/login", json={"username": "demo", "password": "demo-password"}, timeout=5
        )
        data = good.json()["data"]
        assert data["expires_in"] == 2 and data["access_token"].count(".") == 2
        bearer = {"Authorization": f"Bearer {data['access_token']}"}
        assert requests.get(url + "/notes/1", headers=bearer, timeout=5).status_code == 200
        time.sleep(2.1)
        assert requests.get(url + "/notes/1", headers=bearer, timeout=5).status_code == 401
        refreshed = requests.post(
            url + "/auth/refresh", json={"refresh_token": data["refresh_token"]}, timeout=5
        )
        assert refreshed.status_code == 200
        again = requests.post(url + "/auth/refresh", json={"refresh_token": data["refresh_token"]}, timeout=5)
        assert again.status_code == 401  # a refresh token is spent once


def test_thousands_of_records_page_correctly() -> None:
    box = Sandbox(Shop, data={"Product": products(5000)}, page_size=250)
    with box as url:
        ids = [p.id for p in Shop.connect(url, token="sandbox-token").list(Product)]
        assert ids == list(range(1, 5001))
        assert len(box.journal.entries("GET", "/products")) == 20


def test_state_persists_in_a_sqlite_file(tmp_path: Path) -> None:
    store = tmp_path / "sandbox.sqlite"
    with Sandbox(Shop, store=store) as url:
        Shop.connect(url, token="sandbox-token").create(Product(name="Kept"))
    with Sandbox(Shop, store=store) as url:
        assert [p.name for p in Shop.connect(url, token="sandbox-token").list(Product)] == ["Kept"]


def test_seed_from_a_json_file(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"Product": products(3)}))
    with Sandbox(Shop, data=seed) as url:
        assert Shop.connect(url, token="sandbox-token").list(Product).total == 3
    with pytest.raises(KeyError, match="no resource named"):
        Sandbox(Shop, data={"Nope": []})


def test_journal_records_requests_with_secrets_masked(sandbox: Sandbox) -> None:
    shop(sandbox, tenant="acme").create(Product(name="Lamp", tags=["x"]))
    entry = sandbox.journal.last
    assert entry is not None and entry.method == "POST" and entry.path == "/products"
    assert entry.json == {"name": "Lamp", "tags": ["x"]}
    assert entry.header("x-tenant") == "acme"
    auth = entry.header("Authorization")
    assert auth is not None and auth.startswith("Token ***") and "sandbox-token" not in auth
    other = Shop.connect(sandbox.url, token="sandbox-token")
    other.get(Product, 1)
    assert sandbox.journal.last is not None and sandbox.journal.last.header("Authorization") == auth


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


def test_the_command_serves_in_the_foreground(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"Product": products(2)}))
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clientkit.cli",
            "sandbox",
            "tests.test_sandbox:Shop",
            "--port",
            str(port),
            "--data",
            str(seed),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    try:
        line = proc.stdout.readline().decode() if proc.stdout else ""
        assert f"http://127.0.0.1:{port}" in line
        answer = requests.get(f"http://127.0.0.1:{port}/products", headers=AUTH, timeout=5)
        assert answer.json()["count"] == 2
    finally:
        proc.terminate()
        proc.wait(timeout=5)


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


STYLES: dict[str, Paginator] = {
    "single": Paginator(items="data"),
    "page-number": PageNumber(items="data", total="count", next="next"),
    "page-total-header": PageNumber(page="_page", size="_limit", total_header="X-Total-Count", items="data"),
    "offset": OffsetLimit(items="data", total="total"),
    "cursor": Cursor(items="data", cursor="next_cursor"),
    "cursor-stripe": Cursor(items="data", param="starting_after", cursor="data.-1.id", has_more="has_more"),
    "next-url": NextUrl(items="data"),
    "link": LinkHeader(page="page", size="per_page", items="data"),
    "header-url": HeaderNext(header="X-Next-Page", items="data"),
    "header-token": HeaderNext(header="X-Continuation", param="token", items="data"),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_paging_in_every_declared_style(style: str) -> None:
    class Paged(Service):
        auth = TokenAuth(scheme="Token")
        pagination = STYLES[style]

    @Paged.resource(one="/rows/{id}", many="/rows")
    class Row(Resource):
        id: int | None = None

    with Sandbox(Paged, data={"Row": [{"id": i} for i in range(1, 58)]}, page_size=10) as url:
        api = Paged.connect(url, token="sandbox-token")
        assert [r.id for r in api.list(Row)] == list(range(1, 58))
        assert [r.id for r in api.list(Row, page_size=25)] == list(range(1, 58))


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


def test_auth_with_expiry_and_refresh() -> None:
    box = Sandbox(Login, data={"Note": [{"id": 1, "text": "hi"}]}, accounts=Accounts(token_lifetime=10))
    with box as url:
        api = Login.connect(url, username="demo", password="demo-password")
        api.get(Note, 1)  # a 10 s token inside the 30 s leeway: refreshed before each call
        api.get(Note, 1)
        api.get(Note, 1)
        assert len(box.journal.entries("POST", "/auth/login")) == 1
        assert len(box.journal.entries("POST", "/auth/refresh")) == 2
        box.accounts.revoke_all()  # the server forgets every token
        assert api.get(Note, 1).text == "hi"
        assert len(box.journal.entries("POST", "/auth/login")) == 2


# -- one test per fault kind ----------------------------------------------------------------------


def test_fault_latency(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("latency", delay=0.5, times=1))
    with pytest.raises(RequestTimeout):
        shop(sandbox, timeout=(2, 0.2), retries=0).get(Product, 1)
    sandbox.faults.add(Fault("latency", delay=0.5, times=1))
    assert shop(sandbox, timeout=(2, 0.2)).get(Product, 1).id == 1  # retried


def test_fault_status_burst_is_retried(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("status", status=503, times=2, route="/products/*"))
    assert shop(sandbox).get(Product, 1).id == 1
    assert len(sandbox.journal.entries("GET", "/products/1")) == 3


def test_fault_status_longer_than_the_budget(sandbox: Sandbox) -> None:
    from clientkit.errors import ServerError

    sandbox.faults.add(Fault("status", status=502, times=5))
    with pytest.raises(ServerError) as info:
        shop(sandbox).get(Product, 1)
    assert info.value.status == 502 and info.value.body["message"] == "injected fault"


def test_fault_429_with_retry_after(sandbox: Sandbox) -> None:
    slept: list[float] = []
    sandbox.faults.add(Fault("status", status=429, retry_after="1", times=1))
    shop(sandbox, retries=RetryPolicy(sleep=slept.append)).create(Product(name="x"))
    assert slept == [1.0]


def test_fault_dropped_connection(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("drop", times=1))
    assert shop(sandbox).get(Product, 1).id == 1
    sandbox.faults.add(Fault("drop", times=1))
    with pytest.raises(ConnectError):
        shop(sandbox).create(Product(name="never twice"))
    assert not any(r["name"] == "never twice" for r in sandbox.records("Product"))


def test_fault_dropped_mid_body(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("drop_mid", times=1))
    assert shop(sandbox).get(Product, 1).id == 1
    assert len(sandbox.journal.entries("GET", "/products/1")) == 2


def test_fault_truncated_json(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("truncate", times=1))
    with pytest.raises(DecodeError, match="expected a JSON body") as info:
        shop(sandbox).get(Product, 1)
    assert info.value.excerpt.startswith('{"data"')


def test_fault_html_error_page(sandbox: Sandbox) -> None:
    from clientkit.errors import ServerError

    sandbox.faults.add(Fault("html", times=3))
    with pytest.raises(ServerError) as info:
        shop(sandbox).get(Product, 1)
    assert info.value.status == 502 and "Bad Gateway" in str(info.value)


def test_fault_trickle_hits_the_total_deadline(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("trickle", chunk=8, delay=0.05))
    with pytest.raises(RequestTimeout, match="in total"):
        shop(sandbox, timeout=Timeout(connect=2, read=1, total=0.5), retries=0).get(Product, 1)
    sandbox.faults.clear()
    sandbox.faults.add(Fault("trickle", chunk=64, delay=0.01, times=1))
    assert shop(sandbox).get(Product, 1).id == 1  # slow but within every limit


def test_fault_redirect_to_another_host(sandbox: Sandbox) -> None:
    other = Sandbox(Shop)

    @other.route("/mirror/{id}", public=True)
    def mirror(req: SandboxRequest) -> Any:
        return {"data": {"id": int(req.params["id"]), "name": "mirrored"}}

    with other as other_url:
        target = other_url.replace("127.0.0.1", "localhost") + "/mirror/1"
        sandbox.faults.add(Fault("redirect", location=target, times=1))
        assert shop(sandbox).get(Product, 1).name == "mirrored"
        followed = other.journal.last
        assert followed is not None and followed.header("Authorization") is None
        sandbox.faults.add(Fault("redirect", location=target, times=1))
        with pytest.raises(RedirectError):
            shop(sandbox).create(Product(name="x"))


def test_faults_are_reproducible_with_a_seed() -> None:
    def draws(seed: int) -> list[bool]:
        box = Sandbox(Shop, seed=seed)
        box.faults.add(Fault("status", rate=0.3))
        return [bool(box.faults.draw("GET", "/products")) for _ in range(50)]

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_validation_error_reaches_the_client_typed(sandbox: Sandbox) -> None:
    with pytest.raises(ValidationError) as info:
        shop(sandbox).create(Product(price=3.0))
    assert info.value.field_errors == {"name": ["This field is required."]}
    assert info.value.request_id and len(info.value.request_id) == 24
