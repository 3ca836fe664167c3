"""A declared shop: composite identities, wire names and levels, shared by the declaration tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clientkit import (
    Expansion,
    Resource,
    Service,
    field,
)


class Shop(Service):
    context = {"tenant": None}
    expansion = Expansion("extended", style="int", max_level=2, default=0)


@Shop.resource(one="/collection/{app}/{slug}", many="/collections", create="/collection/{app}")
class Collection(Resource):
    app: str | None = field(identity=True)
    slug: str | None = field(identity=True)
    name: str | None = None
    id: int | None = field(read_only=True, level=1)
    queries: list[dict[str, Any]] | None = field(level=2)


@Shop.resource(one="/apps/{id}", many="/apps")
class App(Resource):
    id: str | None = None
    title: str | None = field(wire="displayName")
    collections: int | list[Collection] | None = field(level=1)
    settings: dict[str, Any] = field(factory=dict)
    created: dt.datetime | None = field(read_only=True)


def load(cls: type[Resource], raw: dict[str, Any], level: int | None = 0) -> Any:
    return Shop.converter.load(raw, cls, level)
