"""Surface: an official client's methods declared as a table, dispatched over real HTTP to a
ScriptedServer; the signatures are the official ones, defaults stand in for None."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from clientkit import Action, Resource, Service
from clientkit.errors import DeclarationError, InvalidRequestError
from clientkit.model import Param, QueryTable, Surface
from tests.support.scripted import Reply, ScriptedServer


class Shop(Service):
    base_url = "http://127.0.0.1"
    context = {"team": None}


@Shop.resource(
    many="/teams/{team}/items", actions={"rename": Action("POST", "/teams/{team}/items/{id}/name")}
)
class Item(Resource):
    id: int | None = None


class Official(Surface):
    roles = {"item_id": "id", "team_id": "team", "body": "json", "kind": "params", "page": "params"}
    defaults = {"team_id": "team_id"}
    get_items = Surface.method(Item, None, "kind=None, page=None, team_id=None", query=QueryTable({
        "page": Param(int, converts=(str,)), "kind": str}))  # fmt: skip
    rename = Surface.method(Item, "rename", "item_id, body=None, team_id=None", body=lambda b: {**(b or {})})
    forget = Surface.method(Item, "rename", "item_id, team_id=None", answer=lambda _: None)

    def __init__(self, url: str, team_id: Any) -> None:
        self.session, self.team_id = Shop.connect(url), team_id


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    server = ScriptedServer().start()
    server.on("GET", "/teams/7/items", Reply(200, json=[{"id": 1}]))
    server.on("POST", "/teams/8/items/1/name", Reply(200, json={"ok": True}))
    yield server
    server.stop()


def test_each_row_is_a_method_with_the_official_signature(server: ScriptedServer) -> None:
    client = Official(server.url, 7)
    assert str(inspect.signature(client.rename)) == "(item_id, body=None, team_id=None)"
    assert [i.id for i in client.get_items("big", "2")] == [1]
    assert server.received[-1].query == "page=2&kind=big"  # the table's order, "2" converted
    assert client.rename(1, {"name": "x"}, team_id=8) == {"ok": True}
    assert server.received[-1].json == {"name": "x"} and server.received[-1].path == "/teams/8/items/1/name"
    assert client.forget(item_id=1, team_id=8) is None
    with pytest.raises(TypeError):
        client.rename()


def test_a_missing_default_is_refused_before_sending(server: ScriptedServer) -> None:
    with pytest.raises(InvalidRequestError, match="no team_id given"):
        Official(server.url, None).get_items()
    with pytest.raises(InvalidRequestError, match="kind"):
        Official(server.url, 7).get_items(kind=3)
    assert server.received == []


def test_a_signature_holds_names_and_none_defaults_only() -> None:
    with pytest.raises(DeclarationError):
        Surface.method(Item, None, "team_id=7")
    with pytest.raises(DeclarationError):
        Surface.method(Item, None, "not a name")
