"""Fields that are also parents, in the client: the path fills from the field, the field from the path."""

from __future__ import annotations

import pytest

from clientkit import Resource, Service, changes, field
from clientkit._declarations.parents import fill_parents, with_parents
from clientkit.errors import InvalidRequestError
from clientkit.model import spec_of
from clientkit.sandbox import Sandbox
from tests.support.scripted import Reply, ScriptedServer


class Tracker(Service):
    pass


@Tracker.resource(one="/projects/{project_id}/tasks/{id}", many="/projects/{project_id}/tasks")
class Task(Resource):
    id: int | None = field(read_only=True)
    project_id: int | None = None
    title: str | None = None


@Tracker.resource(one="/boards/{board}/cards/{id}", many="/boards/{board}/cards", parents=("board",))
class Card(Resource):
    id: int | None = field(read_only=True)
    board: str | None = None
    text: str | None = None


def test_a_field_in_a_path_or_named_a_parent_is_a_parent_field() -> None:
    assert spec_of(Task).parent_fields == ("project_id",)
    assert spec_of(Card).parent_fields == ("board",)


def test_with_parents_adds_what_the_body_lacks_in_the_field_type() -> None:
    spec = spec_of(Task)
    assert with_parents(Task, spec, {"id": 1}, {"project_id": 5}) == {"id": 1, "project_id": 5}
    assert with_parents(Task, spec, {"id": 1, "project_id": 6}, {"project_id": 5}) == {
        "id": 1,
        "project_id": 6,
    }
    assert with_parents(Task, spec, {"id": 1}, {"project_id": "5"}) == {"id": 1}  # not an int: left out
    assert with_parents(Task, spec, [1], {"project_id": 5}) == [1]


def test_fill_parents_sets_an_empty_field_and_refuses_a_contradiction() -> None:
    task = Task(title="a")
    fill_parents(task, spec_of(Task), {"project_id": 5})
    assert task.project_id == 5
    fill_parents(task, spec_of(Task), {"project_id": 5})
    with pytest.raises(InvalidRequestError, match="project_id is 5 but the path was given project_id=6"):
        fill_parents(task, spec_of(Task), {"project_id": 6})


def test_over_http_the_field_fills_the_path_and_the_path_fills_the_field(server: ScriptedServer) -> None:
    server.on("GET", "/projects/5/tasks", Reply(json=[{"id": 1, "title": "a"}]))
    server.on("POST", "/projects/5/tasks", Reply(201, json={"id": 2, "title": "b", "project_id": 5}))
    server.on("PATCH", "/projects/5/tasks/1", Reply(json={"id": 1, "title": "a2", "project_id": 5}))
    with Tracker.connect(server.url, retries=0) as tracker:
        (task,) = tracker.list(Task, project_id=5)
        assert task.project_id == 5 and changes(task) == {}
        task.title = "a2"
        tracker.save(task)  # the path from the field
        created = tracker.create(Task(title="b"), project_id=5)
        assert created.project_id == 5
    assert server.requests_to("/projects/5/tasks/1")[0].json == {"title": "a2"}
    assert server.requests_to("/projects/5/tasks", "POST")[0].json == {"project_id": 5, "title": "b"}


def test_against_the_sandbox_seeded_records_sit_under_their_parent() -> None:
    data = {
        "Task": [{"id": 1, "project_id": 5, "title": "a"}, {"id": 2, "project_id": 6, "title": "b"}],
        "Card": [{"id": 1, "board": "x", "text": "c"}],
    }
    with Sandbox(Tracker, data=data) as url, Tracker.connect(url) as tracker:
        assert [t.title for t in tracker.list(Task, project_id=5)] == ["a"]
        assert tracker.get(Task, 2, project_id=6).project_id == 6
        (card,) = tracker.list(Card, board="x")
        assert card.board == "x"
        card.text = "d"
        tracker.save(card)
        made = tracker.create(Task(title="c"), project_id=6)
        assert made.project_id == 6 and made.id == 3
        assert [t.title for t in tracker.list(Task, project_id=6)] == ["b", "c"]
        assert tracker.get(Card, 1, board="x").text == "d"


def test_a_changed_parent_or_identity_field_is_refused_not_sent_to_another_record() -> None:
    mine, other = {"id": 1, "project_id": 5, "title": "mine"}, {"id": 1, "project_id": 6, "title": "other"}
    data = {"Task": [mine, other]}
    sandbox = Sandbox(Tracker, data=data)
    with sandbox as url, Tracker.connect(url) as tracker:
        task = tracker.get(Task, 1, project_id=5)
        task.project_id, task.title = 6, "renamed"
        for call in (tracker.save, tracker.refresh, tracker.delete):
            with pytest.raises(InvalidRequestError, match="moving a record between parents"):
                call(task)
        task.project_id = 5
        tracker.save(task)  # set back: saved where it was loaded
        task.id, task.title = 2, "again"
        with pytest.raises(InvalidRequestError, match=r"Task.id was 1 when loaded and is now 2"):
            tracker.save(task)
        assert sandbox.records("Task", project_id=6) == [{"id": 1, "project_id": 6, "title": "other"}]
        assert sandbox.records("Task", project_id=5) == [{"id": 1, "project_id": 5, "title": "renamed"}]
    assert [e.method for e in sandbox.journal.entries()] == ["GET", "PATCH"]


def test_a_card_reached_through_its_board_keeps_that_board_for_its_writes(server: ScriptedServer) -> None:
    server.on("GET", "/boards/x/cards/1", Reply(json={"id": 1, "text": "a"}))
    server.on("PATCH", "/boards/x/cards/1", Reply(json={"id": 1, "text": "b"}))
    with Tracker.connect(server.url, retries=0) as tracker:
        card = tracker.get(Card, 1, board="x")
        card.board = "y"
        with pytest.raises(InvalidRequestError, match=r"Card\.board was 'x' when loaded and is now 'y'"):
            tracker.save(card)
    assert server.requests_to("/boards/y/cards/1") == [] and len(server.requests_to("/boards/x/cards/1")) == 1


def test_a_refresh_or_a_refetch_keeps_the_parent_it_was_reached_through(server: ScriptedServer) -> None:
    class Refetching(Service):
        write_answers = {"patch": "refetch"}

    @Refetching.resource(one="/projects/{project_id}/tasks/{id}", many="/projects/{project_id}/tasks")
    class Job(Resource):
        id: int | None = field(read_only=True)
        project_id: int | None = None
        title: str | None = None

    server.on("GET", "/projects/5/tasks/1", Reply(json={"id": 1, "title": "x"}))
    server.on("PATCH", "/projects/5/tasks/1", Reply(json={"ok": True}))
    with Refetching.connect(server.url, retries=0) as tracker:
        job = tracker.get(Job, 1, project_id=5)
        tracker.refresh(job)
        assert job.project_id == 5 and changes(job) == {}
        job.title = "y"
        tracker.save(job)
        assert job.project_id == 5
        job.title = "z"
        tracker.save(job)
    patches = server.requests_to("/projects/5/tasks/1", "PATCH")
    assert [r.json for r in patches] == [{"title": "y"}, {"title": "z"}]
