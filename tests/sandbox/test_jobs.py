"""The sandbox serves a declared Job in the declaration's own shape: ids at the id's key path,
state values or flags, messages, progress, results, invisibility and poll hints."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from clientkit import Service, TokenAuth
from clientkit.jobs import Flag, Job
from clientkit.sandbox.app import Sandbox
from clientkit.sandbox.jobs import ServedJob

AUTH = {"Authorization": "Bearer sandbox-token"}


class Api(Service):
    auth = TokenAuth()


VALUES = Job(
    start="/reports/{report}/export",
    status="/exports/{id}/status",
    id_at="temporaryFileId",
    state="status",
    done=("Completed",),
    failed=("Failed",),
    message="errorMessage",
    progress="progress",
    hint_ms="Poll-After-Ms",
)
FLAGS = Job(
    start="/tasks/{code}",
    method="GET",
    status="/taskdata/",
    id_in="query",
    narrow="results.0",
    check_id="id",
    done=Flag("finished"),
    failed=Flag("failed"),
    message="message",
    result="file",
)


@pytest.fixture
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(Api)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def get(box: Sandbox, path: str, **params: Any) -> requests.Response:
    return requests.get(box.url + path, params=params, headers=AUTH, timeout=5)


def test_a_job_starts_with_its_id_at_the_declared_key_path_and_runs_for_its_duration(box: Sandbox) -> None:
    box.serve_job(VALUES, duration=0.3, result={"name": "report.pdf"})
    started = requests.post(box.url + "/reports/160/export", json={}, headers=AUTH, timeout=5)
    assert started.status_code == 202 and set(started.json()) == {"temporaryFileId"}
    job_id = started.json()["temporaryFileId"]
    running = get(box, f"/exports/{job_id}/status").json()
    assert running["status"] == "running" and running["errorMessage"] is None and running["id"] == job_id
    assert 0 <= running["progress"] < 100 and "name" not in running
    time.sleep(0.35)
    done = get(box, f"/exports/{job_id}/status").json()
    assert done == {
        "id": job_id,
        "status": "Completed",
        "errorMessage": None,
        "progress": 100,
        "name": "report.pdf",
    }


def test_a_failing_job_ends_in_the_declared_failed_state_with_its_message(box: Sandbox) -> None:
    served = box.serve_job(VALUES, duration=0, fail="Data source timeout.")
    body = get(box, f"/exports/{served.begin()}/status").json()
    assert body["status"] == "Failed" and body["errorMessage"] == "Data source timeout."


def test_only_a_job_that_succeeded_reports_full_progress() -> None:
    running = ServedJob(Sandbox(Api), VALUES, duration=1.0)
    assert running.status_of("j1", 0.999)["progress"] == 99  # not rounded up to 100
    assert running.status_of("j1", 1.0)["progress"] == 100
    failing = ServedJob(Sandbox(Api), VALUES, duration=1.0, fail="boom")
    assert failing.status_of("j2", 0.5)["progress"] == 50
    failed = failing.status_of("j2", 5.0)
    assert failed == {"id": "j2", "status": "Failed", "errorMessage": "boom", "progress": 99}


def test_flags_narrowed_into_a_page_with_the_result_at_its_path(box: Sandbox) -> None:
    served = box.serve_job(FLAGS, duration=0, result="https://files.example/r.csv")
    started = get(box, "/tasks/myapp.export")
    assert started.status_code == 202
    job_id = started.json()["id"]
    assert get(box, "/taskdata/", id=job_id).json() == {
        "results": [
            {
                "id": job_id,
                "finished": True,
                "failed": False,
                "message": None,
                "file": "https://files.example/r.csv",
            }
        ]
    }
    served.fail = "Invalid format"
    failed = get(box, "/taskdata/", id=served.begin()).json()["results"][0]
    assert failed["finished"] is True and failed["failed"] is True and failed["file"] is None  # as BAPP


def test_a_hidden_job_has_no_narrowed_status_yet(box: Sandbox) -> None:
    served = box.serve_job(FLAGS, duration=0, hidden_for=0.3)
    job_id = served.begin()
    assert get(box, "/taskdata/", id=job_id).json() == {"results": []}
    time.sleep(0.35)
    assert get(box, "/taskdata/", id=job_id).json()["results"][0]["finished"] is True


def test_the_hint_rides_on_the_start_and_on_running_statuses(box: Sandbox) -> None:
    box.serve_job(VALUES, duration=0.3, hint=0.25)
    started = requests.post(box.url + "/reports/1/export", headers=AUTH, timeout=5)
    assert started.headers["Poll-After-Ms"] == "250"
    path = f"/exports/{started.json()['temporaryFileId']}/status"
    assert get(box, path).headers["Poll-After-Ms"] == "250"
    time.sleep(0.35)
    assert "Poll-After-Ms" not in get(box, path).headers


def test_a_seconds_hint_in_retry_after(box: Sandbox) -> None:
    served = box.serve_job(FLAGS, duration=5, hint=2)
    assert get(box, "/taskdata/", id=served.begin()).headers["Retry-After"] == "2"


def test_a_synchronous_start_answers_its_result_without_an_id(box: Sandbox) -> None:
    box.serve_job(FLAGS, synchronous=True, result={"status": "ok", "result": {"rows": 12}})
    answer = get(box, "/tasks/myapp.count")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "result": {"rows": 12}}


def test_unknown_jobs_and_callers_without_credentials_are_refused(box: Sandbox) -> None:
    box.serve_job(VALUES)
    assert get(box, "/exports/nope/status").status_code == 404
    assert requests.get(box.url + "/exports/nope/status", timeout=5).status_code == 401
    assert requests.post(box.url + "/reports/1/export", timeout=5).status_code == 401


def test_a_job_without_a_start_path_serves_its_status_only(box: Sandbox) -> None:
    served = box.serve_job(Job(status="/runs/{run}", id_name="run", done=Flag("finished")), duration=0)
    assert [method for _, method, _ in served.routes()] == ["GET"]
    assert get(box, f"/runs/{served.begin()}").json()["finished"] is True


def test_the_status_object_of_a_job_at_any_moment() -> None:
    served = ServedJob(Sandbox(Api), VALUES, duration=2.0)
    assert served.status_of("j1", 0.5) == {
        "id": "j1",
        "status": "running",
        "errorMessage": None,
        "progress": 25,
    }
    assert served.status_of("j1", 3.0)["status"] == "Completed"
    mixed = Job(status="/e/{id}", state="status", done=Flag("isReady"), failed=("Failed",))
    failed = ServedJob(Sandbox(Api), mixed, duration=0, fail="boom").status_of("j2", 0)
    assert failed == {"id": "j2", "status": "Failed", "isReady": False}


@pytest.mark.parametrize(
    ("job", "behaviour", "complaint"),
    [
        (Job(status="/e/{id}", done=Flag("f"), hint=None), {"hint": 1}, "hint needs a declared hint header"),
        (VALUES, {"hidden_for": 1}, "hidden_for needs a Job that narrows"),
        (VALUES, {"duration": -1}, "duration must not be negative"),
    ],
)
def test_serving_a_job_it_cannot_answer_is_refused(
    job: Job, behaviour: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        Sandbox(Api).serve_job(job, **behaviour)
