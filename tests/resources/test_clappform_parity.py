"""Wire parity: the official clappform 4.1.0 and clientkit_services.clappform, against the sandbox.

Each scenario runs once with each client against a fresh sandbox holding the same demo
data, and the requests the sandbox received are compared: method, path, query, body and
the headers that matter. Where the official client has a documented bug, the comparison
normalises exactly that difference (and other tests check the corrected behaviour):

- B8: the official bodies carry ``_id``, ``_app``, ``_slug``, ``_collection`` and the
  client-side ``extended`` flag; ours do not.
- B23: ``export_app`` fetches each referenced action flow and questionnaire once, not once
  per reference.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from clientkit.sandbox import Accounts, Entry
from clientkit_services.clappform.sandbox import DEMO_PASSWORD, DEMO_USER, clappform_sandbox

official = pytest.importorskip("clappform")
official_dc = pytest.importorskip("clappform.dataclasses")

import clientkit_services.clappform as ours  # noqa: E402
import clientkit_services.clappform.dataclasses as ours_dc  # noqa: E402

PRIVATE = {"_id", "_app", "_slug", "_collection", "extended"}


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if k not in PRIVATE}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def wire(entry: Entry) -> tuple[Any, ...]:
    body: Any = entry.body
    if body:
        try:
            body = normalise(json.loads(body))
        except ValueError:
            body = body.decode("utf-8", "replace")
    auth = entry.header("Authorization") or ""
    return (entry.method, entry.path, entry.query, body, entry.header("Content-Type"), auth.split(" ")[0])


JOURNAL_KEY = b"parity" * 6  # one fingerprint key for both clients' sandboxes, so credentials compare
RAW: list[list[Entry]] = []  # the journal of each run, for byte-level checks


def run(
    client_module: ModuleType, dc: ModuleType, scenario: Callable[[Any, ModuleType], Any]
) -> tuple[list[tuple[Any, ...]], Any]:
    accounts = Accounts(
        tokens={}, logins=[{"username": DEMO_USER, "password": DEMO_PASSWORD}], fingerprint_key=JOURNAL_KEY
    )
    box = clappform_sandbox(accounts=accounts)
    with box as url:
        client = client_module.Clappform(url, DEMO_USER, DEMO_PASSWORD)
        result = scenario(client, dc)
        RAW.append(box.journal.entries())
        entries = [wire(e) for e in RAW[-1]]
    return entries, result


def both(scenario: Callable[[Any, ModuleType], Any]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    theirs, _ = run(official, official_dc, scenario)
    mine, _ = run(ours, ours_dc, scenario)
    return theirs, mine


SCENARIOS: dict[str, Callable[[Any, ModuleType], Any]] = {
    "login and verify": lambda c, dc: c.verify_auth(),
    "current user": lambda c, dc: (c.current_user(), c.current_user(extended=True)),
    "list apps": lambda c, dc: c.get(dc.App()),
    "get app extended": lambda c, dc: c.get(dc.App(id="uspresidents", extended=True)),
    "create app": lambda c, dc: c.create(
        dc.App(id="ussenators", name="US Senators", description="All", settings={})
    ),
    "update app": lambda c, dc: c.update(dc.App(id="default", name="Default app")),
    "delete app": lambda c, dc: c.delete(dc.App(id="default")),
    "list collections": lambda c, dc: c.get(dc.Collection()),
    "get collection level 2": lambda c, dc: c.get(
        dc.Collection(app="uspresidents", slug="presidents", extended=2)
    ),
    "create collection": lambda c, dc: c.create(
        dc.Collection(
            app="uspresidents", slug="senators", database="MONGO", name="Senators", description="All senators"
        )
    ),
    "update collection": lambda c, dc: c.update(
        dc.Collection(app="uspresidents", slug="presidents", name="Renamed", is_locked=True, extended=1)
    ),
    "delete collection": lambda c, dc: c.delete(dc.Collection(app="uspresidents", slug="parties")),
    "queries": lambda c, dc: (
        c.get(dc.Query()),
        c.get(dc.Query(slug="all-presidents")),
        c.create(
            dc.Query(
                app="uspresidents",
                collection="presidents",
                data_source="app",
                name="by name",
                query=[],
                slug="by-name",
            )
        ),
        c.delete(dc.Query(slug="by-name")),
    ),
    "actionflows": lambda c, dc: (
        c.get(dc.Actionflow()),
        c.get(dc.Actionflow(id=48)),
        c.create(dc.Actionflow(name="Cleanup", settings={})),
        c.update(dc.Actionflow(id=48, name="X", fast=True)),
        c.delete(dc.Actionflow(id=12)),
    ),
    "questionnaires": lambda c, dc: (
        c.get(dc.Questionnaire()),
        c.get(dc.Questionnaire(id=7)),
        c.create(dc.Questionnaire(name="Survey2")),
        c.update(dc.Questionnaire(id=7, name="Survey3", settings={"a": 1})),
        c.delete(dc.Questionnaire(id=7)),
    ),
    "users": lambda c, dc: (
        c.get(dc.User()),
        c.get(dc.User(email="j.doe@clappform.com", extended=True)),
        c.create(dc.User(email="a.lincoln@clappform.com", first_name="Abraham", password="HonestAbe1809")),
        c.update(dc.User(email="j.doe@clappform.com", first_name="Johnny", extra_information={"k": "v"})),
        c.delete(dc.User(email="g.washington@clappform.com")),
    ),
    "version": lambda c, dc: c.get(dc.Version()),
    "items": lambda c, dc: _items(c, dc),
    "empty dataframe": lambda c, dc: c.empty_dataframe(dc.Collection(app="uspresidents", slug="parties")),
    "import app": lambda c, dc: c.import_app(
        {
            "apps": [],
            "collections": [],
            "form_templates": [],
            "action_flows": [],
            "import_entry": [],
            "config": {"deployable": True},
        }
    ),
}


def _items(c: Any, dc: ModuleType) -> Any:
    col = dc.Collection(app="uspresidents", slug="presidents")
    created = c.create(col, item={"name": "Kamala Harris", "born": 1964})
    oid = created["_id"]
    c.get(col, item={"_id": oid})
    c.update(col, item={"_id": oid, "name": "K. Harris", "born": 1964})
    return c.delete(col, item=[{"_id": oid}])


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_requests_as_the_official_client(name: str) -> None:
    theirs, mine = both(SCENARIOS[name])
    assert mine == theirs


def test_read_dataframe_sends_the_same_pages() -> None:
    def scenario(c: Any, dc: ModuleType) -> list[int]:
        col = dc.Collection(app="uspresidents", slug="presidents")
        return [len(chunk) for chunk in c.read_dataframe(col, limit=10)]

    theirs, their_chunks = run(official, official_dc, scenario)
    mine, my_chunks = run(ours, ours_dc, scenario)
    assert my_chunks == their_chunks == [10, 10, 10, 10, 5]
    assert sorted(map(repr, mine)) == sorted(map(repr, theirs))  # page requests may arrive in any order


def test_aggregate_dataframe_sends_the_same_body() -> None:
    options = {
        "app": "uspresidents",
        "collection": "presidents",
        "type": "aggregate",
        "limit": 20,
        "sorting": {"ASC": ["name"], "DESC": []},
        "search": {"input": "George", "keys": ["name"]},
        "item_id": None,
        "deep_dive": {},
    }

    def scenario(c: Any, dc: ModuleType) -> int:
        return sum(len(chunk) for chunk in c.aggregate_dataframe(dict(options)))

    theirs, their_total = run(official, official_dc, scenario)
    mine, my_total = run(ours, ours_dc, scenario)
    assert my_total == their_total == 45
    assert sorted(map(repr, mine)) == sorted(map(repr, theirs))


def test_write_dataframe_sends_the_same_bytes() -> None:
    pd = pytest.importorskip("pandas")

    def scenario(c: Any, dc: ModuleType) -> None:
        frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x/y é", None, "z"]})
        c.write_dataframe(frame, dc.Collection(app="uspresidents", slug="parties"), size=2)

    theirs, _ = run(official, official_dc, scenario)
    their_bytes = sorted(e.body for e in RAW[-1] if e.method == "POST" and "dataframe" in e.path)
    mine, _ = run(ours, ours_dc, scenario)
    my_bytes = sorted(e.body for e in RAW[-1] if e.method == "POST" and "dataframe" in e.path)
    assert my_bytes == their_bytes and b'"x\\/y \xc3\xa9"' in my_bytes[0]  # pandas' own encoding
    their_posts = [e for e in theirs if e[0] == "POST" and "dataframe" in e[1]]
    my_posts = [e for e in mine if e[0] == "POST" and "dataframe" in e[1]]
    assert sorted(map(repr, my_posts)) == sorted(map(repr, their_posts))  # ours are concurrent
    assert sorted(map(repr, (e[3] for e in my_posts))) == sorted(
        map(repr, ([{"a": 1, "b": "x/y é"}, {"a": 2, "b": None}], [{"a": 3, "b": "z"}]))
    )


def test_export_app_asks_each_reference_once() -> None:
    def scenario(c: Any, dc: ModuleType) -> dict[str, Any]:
        return dict(c.export_app(dc.App(id="uspresidents")))

    theirs, their_export = run(official, official_dc, scenario)
    mine, my_export = run(ours, ours_dc, scenario)
    seen: set[str] = set()
    deduplicated = [e for e in theirs if not (repr(e) in seen or seen.add(repr(e)))]  # B23: repeats

    assert mine == deduplicated and len(theirs) > len(mine)
    assert [f["id"] for f in my_export["action_flows"]] == [48]
    assert len(their_export["action_flows"]) == 2
    # B23: entries of other apps with the same collection slug are not exported
    assert {e["app"] for e in their_export["import_entry"]} == {"uspresidents", "otherapp"}
    assert {e["app"] for e in my_export["import_entry"]} == {"uspresidents"}
    assert my_export["config"]["enviroment"] == their_export["config"]["enviroment"] == "127.0.0.1"
