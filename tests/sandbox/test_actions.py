"""Declared actions served by the sandbox: found in their parents' scope, given behaviour
by a handler, replaced by a route of the user's; over real HTTP with a session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from clientkit import Action, Envelope, ErrorShape, Resource, Service, TokenAuth, field
from clientkit.errors import NotFoundError
from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest


class Tracker(Service):
    auth = TokenAuth(scheme="Token")
    envelope = Envelope(response="data")
    errors = ErrorShape(message="message", code="code")


@Tracker.resource(
    one="/projects/{project_id}/tasks/{id}",
    many="/projects/{project_id}/tasks",
    parents=("project_id",),
    actions={
        "close": Action("POST", "/projects/{project_id}/tasks/{id}/close"),
        "touch": Action("POST", "/projects/{project_id}/tasks/{id}/touch"),
        "search": Action("GET", "/projects/{project_id}/tasks/search"),
        "archive": Action("POST", "/projects/{project_id}/tasks/archive"),
        "report": Action("GET", "/projects/{project_id}/tasks/{id}/report", answer="text"),
    },
)
class Task(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
    done: bool = False


SEED = {
    "Task": [
        {"project_id": "p1", "id": 1, "title": "write"},
        {"project_id": "p1", "id": 2, "title": "test", "done": True},
        {"project_id": "p2", "id": 3, "title": "ship"},
    ]
}
AUTH = {"Authorization": "Token sandbox-token"}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    served = Sandbox(Tracker, data=SEED)
    served.start()
    try:
        yield served
    finally:
        served.stop()


def connect(box: Sandbox) -> Any:
    return Tracker.connect(box.url, token="sandbox-token")


def test_a_record_action_answers_the_record_found_in_its_scope(sandbox: Sandbox) -> None:
    api = connect(sandbox)
    assert api.action(Task, "touch", project_id="p1", id=1) == {"id": 1, "title": "write"}
    entry = sandbox.journal.last
    assert (entry.method, entry.path) == ("POST", "/projects/p1/tasks/1/touch")


def test_a_record_outside_the_scope_is_a_404_in_the_service_shape(sandbox: Sandbox) -> None:
    api = connect(sandbox)
    with pytest.raises(NotFoundError):
        api.action(Task, "touch", project_id="p1", id=3)  # task 3 lives in p2
    resp = requests.post(sandbox.url + "/projects/p1/tasks/3/touch", headers=AUTH, timeout=5)
    assert resp.status_code == 404 and "not found" in resp.json()["message"]
    assert api.action(Task, "touch", project_id="p2", id=3)["title"] == "ship"


def test_collection_actions_answer_the_list_or_an_empty_object(sandbox: Sandbox) -> None:
    api = connect(sandbox)
    found = api.action(Task, "search", project_id="p1", params={"done": "true"})
    assert found == [{"id": 2, "title": "test", "done": True}]  # not taken for task "search"
    assert api.action(Task, "archive", project_id="p1") == {}


def test_a_handler_changes_the_record_and_a_later_get_shows_it_with_a_new_etag(sandbox: Sandbox) -> None:
    seen: list[tuple[dict[str, Any], dict[str, str]]] = []

    @sandbox.action(Task, "close")
    def close(task: dict[str, Any], req: SandboxRequest) -> None:
        seen.append((dict(task), dict(req.params)))
        task["done"] = True

    before = requests.get(sandbox.url + "/projects/p1/tasks/1", headers=AUTH, timeout=5)
    answer = requests.post(sandbox.url + "/projects/p1/tasks/1/close", headers=AUTH, timeout=5)
    assert answer.json() == {"data": {"id": 1, "title": "write", "done": True}}
    assert seen == [({"id": 1, "title": "write"}, {"project_id": "p1", "id": "1"})]
    after = requests.get(sandbox.url + "/projects/p1/tasks/1", headers=AUTH, timeout=5)
    assert after.json()["data"]["done"] is True
    assert (
        after.headers["ETag"] not in (before.headers["ETag"], "")
        and answer.headers["ETag"] == after.headers["ETag"]
    )
    assert connect(sandbox).get(Task, 1, project_id="p1").done is True


def test_a_handler_answering_an_error_changes_nothing(sandbox: Sandbox) -> None:
    @sandbox.action(Task, "close")
    def close(task: dict[str, Any], req: SandboxRequest) -> Reply:
        if task.get("done"):
            return req.error(409, "already closed")
        task["done"] = True
        task["title"] = "spoiled"
        return req.error(409, "refused after all")

    resp = requests.post(sandbox.url + "/projects/p1/tasks/2/close", headers=AUTH, timeout=5)
    assert (resp.status_code, resp.json()["message"]) == (409, "already closed")
    assert (
        requests.post(sandbox.url + "/projects/p1/tasks/1/close", headers=AUTH, timeout=5).status_code == 409
    )
    assert sandbox.records(Task, project_id="p1")[0]["title"] == "write"


def test_a_collection_handler_gets_the_scope_and_may_answer(sandbox: Sandbox) -> None:
    @sandbox.action(Task, "archive")
    def archive(tasks: list[dict[str, Any]], req: SandboxRequest) -> dict[str, int]:
        for task in tasks:
            task["done"] = True
        return {"archived": len(tasks)}

    resp = requests.post(sandbox.url + "/projects/p2/tasks/archive", headers=AUTH, timeout=5)
    assert resp.json() == {"archived": 1}
    assert [t["done"] for t in sandbox.records(Task, project_id="p2")] == [True]


def test_a_route_of_the_users_replaces_the_served_action(sandbox: Sandbox) -> None:
    @sandbox.action(Task, "close")
    def close(task: dict[str, Any], req: SandboxRequest) -> None:
        task["done"] = True

    @sandbox.route("/projects/{project}/tasks/{task}/close", methods=["POST"])
    def mine(req: SandboxRequest) -> dict[str, str]:
        return {"data": {"mine": req.params["task"]}}

    assert connect(sandbox).action(Task, "close", project_id="p1", id=1) == {"mine": "1"}
    assert "done" not in sandbox.records(Task, project_id="p1")[0]


def test_text_actions_keep_their_placeholder_and_a_handler_may_answer(sandbox: Sandbox) -> None:
    api = connect(sandbox)
    assert isinstance(api.action(Task, "report", project_id="p1", id=9), str)  # no lookup: as before

    @sandbox.action(Task, "report")
    def report(task: dict[str, Any], req: SandboxRequest) -> Reply:
        return Reply(200, task["title"].encode(), content_type="text/plain", raw=True)

    assert api.action(Task, "report", project_id="p1", id=1) == "write"
    with pytest.raises(NotFoundError):
        api.action(Task, "report", project_id="p1", id=9)


def test_an_unknown_action_is_refused_clearly(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match=r"Task has no served action 'open' \(has \['archive', 'close'"):
        sandbox.action(Task, "open")


class Flat(Service):
    pass


@Flat.resource(
    one="/projects/{project_id}/tasks/{id}",
    many="/projects/{project_id}/tasks",
    actions={"close": Action("POST", "/tasks/{id}/close")},
)
class FlatTask(Resource):
    id: int | None = field(read_only=True)
    project_id: str | None = None
    title: str | None = None


def test_a_flat_action_path_finds_the_record_in_any_scope_by_its_identity() -> None:
    seed = {"FlatTask": [{"id": 1, "project_id": "p5", "title": "Plan"}, {"id": 2, "project_id": "p6"}]}
    with Sandbox(Flat, data=seed) as url, Flat.connect(url) as api:
        task = api.get(FlatTask, 1, project_id="p5")
        assert api.action(task, "close") == {"id": 1, "project_id": "p5", "title": "Plan"}
        with pytest.raises(NotFoundError):
            api.action(FlatTask, "close", id=9)
    twice = {"FlatTask": [{"id": 1, "project_id": "p5"}, {"id": 1, "project_id": "p6"}]}
    with Sandbox(Flat, data=twice) as url:
        resp = requests.post(url + "/tasks/1/close", timeout=5)
        assert resp.status_code == 409 and "several scopes" in resp.text
