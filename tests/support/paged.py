"""A service whose items are declared per paging style, and a scripted numbered listing of 23 items."""

from __future__ import annotations

from typing import Any

from clientkit import Envelope, Resource, Service, TokenAuth, field
from clientkit._declarations.paging import (
    Paginator,
)
from tests.support.scripted import Received, Reply, ScriptedServer

ITEMS = [{"id": i, "name": f"item {i}"} for i in range(1, 24)]  # 23 items


class Api(Service):
    auth = TokenAuth()


def declare(pagination: Paginator, many: str = "/items", envelope: Envelope | None = None) -> type[Resource]:
    @Api.resource(many=many, pagination=pagination, envelope=envelope)
    class Item(Resource):
        id: int | None = field(read_only=True)
        name: str | None = None

    return Item


def args(req: Any) -> dict[str, str]:
    return dict(req.args.items())


def connect(server: ScriptedServer) -> Any:
    return Api.connect(server.url, token="pager-token", retries=0)


def numbered(rec: Received, req: Any) -> Reply:
    a = args(req)
    page, size = int(a.get("page", 1)), int(a.get("page_size", 5))
    chunk = ITEMS[(page - 1) * size : page * size]
    more = page * size < len(ITEMS)
    nxt = f"http://x/items?page={page + 1}" if more else None
    return Reply(json={"count": len(ITEMS), "next": nxt, "previous": None, "results": chunk})
