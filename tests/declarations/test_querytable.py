"""QueryTable: a declared query's order, types, conversions and encodings, as the server
receives them (ScriptedServer) and as the server half reads them back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clientkit import Action, Resource, Service
from clientkit.errors import DeclarationError, InvalidRequestError
from clientkit.model import Param, QueryTable, from_json_base64url, json_base64url
from tests.support.scripted import Reply, ScriptedServer

TABLE = QueryTable({
    "id": Param(int, converts=(str,)), "code": Param(str, converts=(int,)), "all": bool, "q": str,
    "filter": Param(dict, encode=json_base64url, decode=from_json_base64url),
})  # fmt: skip


class Shop(Service):
    base_url = "http://127.0.0.1"


@Shop.resource(many="/items", actions={"search": Action("GET", "/items/search")})
class Item(Resource):
    id: int | None = None


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    server = ScriptedServer().start()
    server.on("GET", "/items/search", Reply(200, json={}))
    yield server
    server.stop()


def test_the_declared_order_types_and_encodings_reach_the_server(server: ScriptedServer) -> None:
    session = Shop.connect(server.url)
    given = {"q": "a b&c", "all": False, "code": 7, "filter": {"k": ">>>???"}, "id": "12"}
    session.action(Item, "search", params=TABLE.encode(given))
    assert server.received[-1].query == "id=12&code=7&all=false&q=a+b%26c&filter=eyJrIjogIj4-Pj8_PyJ9"


def test_values_are_sent_or_refused_never_dropped() -> None:
    assert TABLE.encode({"id": None, "q": ""}) == [("q", "")]
    for wrong in ({"page": 1}, {"id": "012"}, {"id": "x"}, {"code": True}, {"all": "true"}, {"filter": "x"}):
        with pytest.raises(InvalidRequestError):
            TABLE.encode(wrong)
    with pytest.raises(DeclarationError):
        QueryTable({})


def test_the_server_half_reads_what_was_sent() -> None:
    sent = {"id": "5", "filter": json_base64url({"ü": [1]}), "all": "True", "code": "x"}
    assert TABLE.decode(sent) == {"id": 5, "filter": {"ü": [1]}, "all": True, "code": "x"}
    for wrong in ({"all": "yes"}, {"id": "one"}, {"filter": "%%"}):
        with pytest.raises(InvalidRequestError):
            TABLE.decode(wrong)
