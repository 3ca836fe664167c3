"""Nested records placed by their parents, parents that are fields included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from clientkit import Action, Resource, Service, field
from clientkit.errors import InvalidRequestError
from clientkit.model import spec_of
from clientkit.sandbox import Sandbox
from clientkit.sandbox.scopes import place, read_table, seed_scope, typed


class Tracker(Service):
    pass


@Tracker.resource(one="/projects/{project_id}/tasks/{id}", many="/projects/{project_id}/tasks")
class Task(Resource):
    id: int | None = field(read_only=True)
    project_id: int | None = None
    title: str | None = None


@Tracker.resource(
    one="/stores/{store}/items/{sku}", many="/stores/{store}/items", identity="sku", parents=("store",)
)
class Item(Resource):
    sku: str | None = None
    qty: int | None = None


def test_seed_scope_keeps_a_field_and_takes_out_a_placement_key() -> None:
    task = {"id": 1, "project_id": 5}
    assert seed_scope(Task, spec_of(Task), task) == {"project_id": "5"} and task == {"id": 1, "project_id": 5}
    item = {"sku": "a", "store": "s1"}
    assert seed_scope(Item, spec_of(Item), item) == {"store": "s1"} and item == {"sku": "a"}



def test_path_params_and_context_place_a_seeded_record_too() -> None:
    """The sandbox serves a path with fixed values and context values: a record takes the
    declared ones, or gives its own (placement only)."""

    class Tenanted(Service):
        context = {"tenant": "t0"}

    @Tenanted.resource(one="/{version}/{tenant}/notes/{id}", path_params={"version": "v2"})
    class Note(Resource):
        id: int | None = None

    own = {"id": 1, "tenant": "t1"}
    assert seed_scope(Note, spec_of(Note), own, {"tenant": "t0", "version": "v2"}) == {
        "tenant": "t1",
        "version": "v2",
    }
    assert own == {"id": 1}
    seed = {"Note": [{"id": 1}, {"id": 2, "tenant": "t1"}]}
    with Sandbox(Tenanted, data=seed) as url, Tenanted.connect(url) as api:
        assert api.get(Note, 1).id == 1 and api.last_response is not None
        assert api.last_response.request.path_url == "/v2/t0/notes/1"
        api.set_context(tenant="t1")
        assert api.get(Note, 2).id == 2


def test_path_params_only_an_action_uses_do_not_place_a_seeded_record() -> None:
    """``api`` is in an action's path only: the records' own paths do not hold it, so the
    records are kept where listing and fetching find them."""

    class Versioned(Service):
        pass

    @Versioned.resource(
        one="/things/{id}",
        many="/things",
        path_params={"api": "v1"},
        actions={"publish": Action("POST", "/{api}/things/{id}/publish")},
    )
    class Thing(Resource):
        id: int | None = field(read_only=True)
        title: str | None = None

    box = Sandbox(Versioned, data={"Thing": [{"id": 1, "title": "a"}]})
    assert box.scopes(Thing) == [{}]
    with box as url, Versioned.connect(url) as api:
        assert [t.title for t in api.list(Thing)] == ["a"]
        assert api.get(Thing, 1).title == "a"


def test_place_fills_from_the_path_and_refuses_another_parent() -> None:
    body: dict[str, object] = {"title": "a"}
    assert place(Task, spec_of(Task), body, {"project_id": "5"}) == {} and body["project_id"] == 5
    assert place(Task, spec_of(Task), {"project_id": 5}, {"project_id": "5"}) == {}
    assert place(Task, spec_of(Task), {"project_id": 6}, {"project_id": "5"}) == {
        "project_id": ["Must be 5, as in the path."]
    }
    assert typed("7", int | None) == 7 and typed("x", int | None) == "x" and typed("7", str) == "7"


def test_over_http_a_write_cannot_move_a_record_and_a_put_keeps_its_parent() -> None:
    with Sandbox(Tracker, data={"Task": [{"id": 1, "project_id": 5, "title": "a"}]}) as url:
        assert requests.get(url + "/projects/5/tasks", timeout=5).json() == [
            {"id": 1, "project_id": 5, "title": "a"}
        ]
        assert requests.get(url + "/projects/6/tasks", timeout=5).json() == []
        moved = requests.patch(url + "/projects/5/tasks/1", json={"project_id": 6}, timeout=5)
        assert moved.status_code == 422 and "project_id" in moved.text
        put = requests.put(url + "/projects/5/tasks/1", json={"title": "b"}, timeout=5)
        assert put.json() == {"id": 1, "project_id": 5, "title": "b"}
        made = requests.post(url + "/projects/6/tasks", json={"title": "c"}, timeout=5)
        assert made.status_code == 201 and made.json() == {"id": 1, "project_id": 6, "title": "c"}
        wrong = requests.post(url + "/projects/6/tasks", json={"title": "c", "project_id": 5}, timeout=5)
        assert wrong.status_code == 422


def test_a_table_name_read_back_as_its_path_values() -> None:
    assert read_table("Item", "Item", {"store"}) == {}
    assert read_table("Item|store=a|b=c", "Item", {"store"}) == {"store": "a|b=c"}
    assert read_table("Items|store=a", "Item", {"store"}) is None
    assert read_table("Item|other=a", "Item", {"store"}) is None


@pytest.mark.parametrize(
    ("seed", "says"),
    [
        ({"tasks": []}, r"seed file .*seed.json: no resource named 'tasks' in Tracker \(known: \['Item'"),
        ({"Task": {"id": 1}}, r"'Task' must hold a list of records"),
        ([1, 2], r"give an object \{ResourceName: \[records...\]\}, not list"),
    ],
)
def test_seed_files_of_another_shape_are_refused_by_name(tmp_path: Path, seed: object, says: str) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    with pytest.raises(InvalidRequestError, match=says):
        Sandbox(Tracker, data=path)
    path.write_text("{nope")
    with pytest.raises(InvalidRequestError, match="cannot read it as JSON"):
        Sandbox(Tracker, data=str(path))


def test_seed_records_may_be_any_iterable_of_objects() -> None:
    task = {"id": 1, "project_id": 5, "title": "a"}
    as_tuple = Sandbox(Tracker, data={"Task": (task,)})
    as_generator = Sandbox(Tracker, data={"Task": ({**task, "id": i} for i in (1, 2))})
    assert as_tuple.records("Task", project_id=5) == [task]
    assert [r["id"] for r in as_generator.records("Task", project_id=5)] == [1, 2]
    for shape in ("ab", b"ab", {"id": 1}, [task, "x"], 3):
        with pytest.raises(InvalidRequestError, match="'Task' must hold a list of records"):
            Sandbox(Tracker, data={"Task": shape})
