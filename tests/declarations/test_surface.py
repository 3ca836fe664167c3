"""Surface: an official client's methods declared as a table, dispatched over real HTTP to a
ScriptedServer; the signatures are the official ones, defaults stand in for None."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from enum import Enum
from typing import Any

import pytest

from clientkit import Action, Resource, Service
from clientkit.errors import AnswerCheck, DeclarationError, InvalidRequestError, Outcome
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


@Shop.resource(actions={"find": Action("POST", "/rpc/find")}, singleton=True)
class Rpc(Resource):
    pass


class Level(Enum):
    BRIEF, FULL = range(2)


class Board(Surface):
    roles = {"note": "params"}
    converts = {"level": lambda v: v.value if isinstance(v, Level) else v,
                "archived": lambda flag: "archive" if flag else "live"}  # fmt: skip
    find = Surface.method(Rpc, "find", "item_number, archived=False, level=0, note=''",
                          fields="where=archived, board, number=item_number, level")  # fmt: skip

    def __init__(self, url: str, board: str) -> None:
        self.session, self.board = Shop.connect(url), board


class Found(Surface):
    document = "state"
    title, labels = Surface.item("title"), Surface.item("labels", optional=True)

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state


def test_an_rpc_body_from_parameters_and_the_instance(server: ScriptedServer) -> None:
    server.on("POST", "/rpc/find", Reply(200, json={"ok": 1}))
    board = Board(server.url, "ops")
    assert str(inspect.signature(board.find)) == "(item_number, archived=False, level=0, note='')"
    assert board.find(7, level=Level.FULL) == {"ok": 1}
    assert server.received[-1].body == b'{"where": "live", "board": "ops", "number": 7, "level": 1}'
    board.find(item_number=8, archived=True, note="x")
    assert server.received[-1].json == {"where": "archive", "board": "ops", "number": 8, "level": 0}
    assert server.received[-1].query == "note=x"  # a parameter outside the template keeps its role


def test_accessors_read_the_document() -> None:
    found = Found({"title": "Fix", "labels": ["bug"]})
    assert (found.title(), found.labels()) == ("Fix", ["bug"])
    assert Found({"title": "Fix"}).labels() is None
    with pytest.raises(KeyError):
        Found({}).title()
    assert Found({"title": "Fix", "labels": None}).labels() is None  # present, null


class Traced(Surface):
    document = "state"
    last_step = Surface.item("steps.-1")
    owner = Surface.item(("steps.0.by", "created.by"))  # the first step's author, else the creator


def test_accessors_take_key_paths_and_alternatives() -> None:
    traced = Traced()
    traced.state = {"steps": [{"by": "ann"}, {"by": "bob"}], "created": {"by": "cy"}}
    assert (traced.last_step(), traced.owner()) == ({"by": "bob"}, "ann")
    traced.state = {"steps": [], "created": {"by": "cy"}}
    assert traced.owner() == "cy"
    with pytest.raises(KeyError, match=r"steps\.-1"):
        traced.last_step()



class Typed(Surface):
    document = "data"
    kind = Surface.item("content.type")  # a key with a dot in it, or a key path
    shown = Surface.item(("content.label", "content.type"), optional=True)


def test_a_literal_key_the_document_has_wins_over_a_key_path() -> None:
    typed = Typed()
    typed.data = {"content.type": "text/csv", "content": {"type": "text/plain"}}
    assert typed.kind() == "text/csv" and typed.shown() == "text/csv"
    typed.data = {"content": {"type": "text/plain"}}
    assert typed.kind() == "text/plain" and typed.shown() == "text/plain"
    typed.data = {"content.label": None, "content": {"label": "x"}}  # present, null: literal still wins
    assert typed.shown() is None
    with pytest.raises(KeyError, match=r"content\.type"):
        typed.kind()


def test_defaults_are_empty_literals_only() -> None:
    for bad in ("level=1", "flag=True", "name='x'", "items=[]", "when=now()"):
        with pytest.raises(DeclarationError, match="None, False, 0 or ''"):
            Surface.method(Item, None, bad)


class Raw(Surface):
    roles = {
        "item_id": "id",
        "team_id": "team",
        "body": "json",
        "kind": "q",
        "lang": "header:Accept-Language",
    }
    defaults = {"team_id": "team_id"}
    find = Surface.request("GET", "/teams/{team}/items/{id}", "item_id, kind=None, page=None, team_id=None")
    ping = Surface.request("GET", "/ping", "lang=None", headers={"X-Fixed": "1"})
    put = Surface.request("PUT", "/teams/{team}/items/{id}", "item_id, body=None, team_id=None")
    count = Surface.request("GET", "/count", "", answer=lambda body: body["n"])

    def __init__(self, url: str, team_id: Any) -> None:
        self.session, self.team_id = Shop.connect(url), team_id


def test_a_request_row_fills_its_path_query_headers_and_body(server: ScriptedServer) -> None:
    server.on("GET", "/teams/7/items/a/b", Reply(200, json={"id": "a/b"}))
    server.on("GET", "/ping", Reply(200, json=None, body=b""))
    server.on("PUT", "/teams/7/items/1", Reply(200, json={"ok": True}))
    server.on("GET", "/count", Reply(200, json={"n": 3}))
    client = Raw(server.url, 7)
    assert str(inspect.signature(client.find)) == "(item_id, kind=None, page=None, team_id=None)"
    assert client.find("a/b", "big", 2) == {"id": "a/b"}  # one segment; the rest in the query
    assert (
        server.received[-1].raw_path == "/teams/7/items/a%2Fb" and server.received[-1].query == "q=big&page=2"
    )
    assert client.find("a/b") == {"id": "a/b"} and server.received[-1].query == ""  # None: unsent
    assert client.ping("ro") is None  # an empty answer
    sent = server.received[-1]
    assert (sent.header("Accept-Language"), sent.header("X-Fixed")) == ("ro", "1")
    client.ping()
    assert server.received[-1].header("Accept-Language") is None  # a header left None is not sent
    assert client.put(1, {"name": "x"}) == {"ok": True} and server.received[-1].json == {"name": "x"}
    client.put(1)
    assert (
        server.received[-1].body == b"" and server.received[-1].header("Content-Type") is None
    )  # no body at all
    assert client.count() == 3


def test_a_request_row_takes_a_path_value_from_the_context(server: ScriptedServer) -> None:
    server.on("GET", "/teams/9/items/1", Reply(200, json={"id": 1}))
    client = Raw(server.url, None)
    client.session.set_context(team="9")
    client.roles = {**Raw.roles, "team_id": "team"}
    client.defaults = {}
    assert client.find(1) == {"id": 1} and server.received[-1].path == "/teams/9/items/1"
    with pytest.raises(InvalidRequestError, match=r"needs a value for \{id\}"):
        client.find(None)


def test_a_header_role_and_a_none_body_on_an_action_row(server: ScriptedServer) -> None:
    class Tagged(Official):
        roles = {**Official.roles, "trace": "header:X-Trace"}
        tag = Surface.method(Item, "rename", "item_id, body=None, trace=None, team_id=None")

    client = Tagged(server.url, 8)
    assert client.tag(1, {"name": "y"}, "t-1") == {"ok": True}
    assert server.received[-1].header("X-Trace") == "t-1" and server.received[-1].json == {"name": "y"}
    client.tag(1)
    assert server.received[-1].header("X-Trace") is None and server.received[-1].body == b""


CHECKED = AnswerCheck(code="resultCode", ok=0, message="resultMessage")


class Answered(Outcome, check=CHECKED, payload="payload"):
    http_status: int
    code: Any
    message: str
    payload: Any


class ResultBoard(Board):
    outcome = Answered


def test_rows_answer_an_outcome_when_one_is_declared(server: ScriptedServer) -> None:
    server.on(
        "POST",
        "/rpc/find",
        Reply(200, json={"resultCode": 0, "payload": [3]}),
        Reply(200, json={"resultCode": 2, "resultMessage": "no board"}),
        Reply(404, json={"resultMessage": "gone"}),
    )
    board = ResultBoard(server.url, "ops")
    assert board.find(7) == Answered(200, 0, "", [3])
    assert server.received[-1].json == {"where": "live", "board": "ops", "number": 7, "level": 0}
    assert board.find(7) == Answered(200, 2, "no board", None)  # Shop's AnswerCheck is not the outcome's
    assert board.find(7) == Answered(404, 0, "gone", None)  # an error status: an outcome too
