"""A shop and a login service declared for the sandbox tests, their seed records and a client."""

from __future__ import annotations

from typing import Any

from clientkit import (
    Envelope,
    ErrorShape,
    Expansion,
    PasswordLogin,
    Resource,
    RetryPolicy,
    Service,
    TokenAuth,
    field,
)
from clientkit._declarations.paging import (
    PageNumber,
)
from clientkit.sandbox.app import Sandbox

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


def shop(box: Sandbox, **kw: Any) -> Any:
    kw.setdefault("retries", RetryPolicy(retries=2, backoff=0.01, sleep=lambda s: None))
    return Shop.connect(box.url, token="sandbox-token", **kw)


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
