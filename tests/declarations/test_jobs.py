"""A Job declaration is checked when built, and reads start and status answers as declared."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from clientkit.errors import DeclarationError, DecodeError
from clientkit.jobs import Flag, Job, JobStatus

EXPORT = Job(
    start="/ws/{workspace}/reports/{report}/export",
    status="/ws/{workspace}/exports/{id}/status",
    id_at="temporaryFileId",
    state="status",
    done=("Completed",),
    failed="Failed",
    message="errorMessage",
    result="name",
)
TASK = Job(
    start="/tasks/{code}",
    status="/content-type/bapp_framework.taskdata/",
    id_in="query",
    narrow="results.0",
    done=Flag("finished"),
    failed=Flag("failed"),
    message="message",
    progress="progress",
    result="file",
    check_id="id",
    immediate=True,
)


def page(*results: dict[str, Any]) -> dict[str, Any]:
    return {"count": len(results), "next": None, "previous": None, "results": list(results)}


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"status": "/exports/{ref}/status"}, r"has no \{id\}"),
        ({"status": "/exports/{id}", "id_in": "query"}, r"id_in='query', yet"),
        ({"id_in": "body"}, "'path' or 'query'"),
        ({"id_name": "a-b"}, "id_name must be a name"),
        ({"start": "/runs/{id}"}, "start path cannot hold"),
        ({"start": "runs"}, "must start with '/'"),
        ({"status": "/x/{id}?a=1"}, "query or fragment"),
        ({"done": ("Completed",), "state": None}, "declare where they are"),
        ({"done": ()}, "names no state value"),
        ({"done": {"a": 1}}, "a Flag or state values"),
        ({"done": [["x"]]}, "a Flag or state values"),
        ({"failed": ("Completed", "Failed")}, "both done and failed"),
        ({"interval": 0}, "interval must be"),
        ({"interval": float("nan")}, "interval must be"),
        ({"backoff": 0.5}, "backoff must be"),
        ({"max_interval": 0.5}, "not be below"),
        ({"hint": "Retry After"}, "hint must be a header name"),
        ({"hint_ms": ""}, "hint_ms must be a header name"),
        ({"method": "post"}, "upper-case HTTP method"),
        ({"method": "PO ST"}, "upper-case HTTP method"),
        ({"start": None, "immediate": True}, "immediate Job needs a start"),
        ({"message": ""}, "dotted key path"),
        ({"narrow": "results."}, "dotted key path"),
        ({"min_interval": 0}, "min_interval must be"),
        (
            {"status": "/runs/", "id_in": "query", "narrow": "results.0", "name": "task"},
            r"Job 'task' narrows its status to 'results.0' and sends the id as \?id=\.\.\.: declare check_id",
        ),
    ],
)
def test_mistakes_are_refused_when_declared(kwargs: dict[str, Any], complaint: str) -> None:
    base: dict[str, Any] = {
        "start": "/runs",
        "status": "/runs/{id}",
        "state": "status",
        "done": ("Completed",),
        "failed": ("Failed",),
    }
    with pytest.raises(DeclarationError, match=complaint):
        Job(**{**base, **kwargs})


def test_a_flag_needs_a_key_path() -> None:
    with pytest.raises(DeclarationError, match="dotted key path"):
        Flag("")


def test_a_declaration_is_a_frozen_value_that_knows_its_placeholders() -> None:
    assert EXPORT.failed == ("Failed",)
    assert EXPORT.names == {"workspace", "report"}
    assert TASK.names == {"code"}
    assert hash(EXPORT) == hash(attrs.evolve(EXPORT)) and attrs.evolve(EXPORT) == EXPORT
    with pytest.raises(AttributeError):
        EXPORT.interval = 2  # type: ignore[misc]


def test_the_start_answer_gives_the_id() -> None:
    started = EXPORT.started({"temporaryFileId": 9001})
    assert started == JobStatus(id=9001, raw={"temporaryFileId": 9001})
    assert not started.done and started.polls == 0


@pytest.mark.parametrize("answer", [{}, {"temporaryFileId": None}, None, [9001], "9001"])
def test_a_start_answer_without_an_id_is_a_decode_error(answer: Any) -> None:
    with pytest.raises(DecodeError, match="has no id at 'temporaryFileId'"):
        EXPORT.started(answer)


@pytest.mark.parametrize("bad", [True, {"a": 1}, [1], "", 1.5])
def test_an_id_that_cannot_be_sent_is_a_decode_error(bad: Any) -> None:
    with pytest.raises(DecodeError, match="not a string or an integer"):
        EXPORT.started({"temporaryFileId": bad})


def test_an_immediate_job_answered_without_an_id_is_finished_with_that_answer() -> None:
    answer = {"status": "ok", "result": {"rows": 12}}
    done = TASK.started(answer)
    assert done.done and not done.failed and done.id is None
    assert done.result == answer and done.raw == answer
    assert TASK.started({"id": "5f0c", "status": "queued"}).id == "5f0c"


def test_state_values_are_read_at_the_state_path() -> None:
    running = EXPORT.read({"id": 9001, "status": "InProgress", "isReady": False}, 9001, 1)
    assert (running.state, running.done, running.failed, running.polls) == ("InProgress", False, False, 1)
    done = EXPORT.read({"id": 9001, "status": "Completed", "name": "report.pdf"}, 9001, 2)
    assert done.done and done.result == "report.pdf" and done.message is None
    failed = EXPORT.read({"status": "Failed", "errorMessage": "Data source timeout."}, 9001, 3)
    assert failed.failed and not failed.done and failed.message == "Data source timeout."


def test_flags_are_json_booleans_and_failed_is_checked_first() -> None:
    body = {"id": "t1", "finished": True, "failed": True, "message": "Invalid format", "file": None}
    failed = TASK.read(page(body), "t1", 4)
    assert failed.failed and not failed.done and failed.message == "Invalid format"
    assert failed.raw == body and failed.state is None
    running = TASK.read(page({"id": "t1", "finished": False, "failed": False, "progress": 40}), "t1", 1)
    assert not running.done and running.progress == 40
    done = TASK.read(page({"id": "t1", "finished": True, "file": "https://x/r.csv"}), "t1", 2)
    assert done.done and done.result == "https://x/r.csv"
    unset = TASK.read(page({"id": "t1", "finished": None}), "t1", 3)  # null or absent: not set
    assert not unset.done and not unset.failed


@pytest.mark.parametrize("value", ["false", "true", 1, 0, [], {"a": True}])
def test_a_flag_that_is_not_a_boolean_is_a_decode_error_naming_its_path(value: Any) -> None:
    complaint = "the flag at 'finished' in the status of task is not true or false"
    with pytest.raises(DecodeError, match=complaint):
        attrs.evolve(TASK, name="task").read(page({"id": "t1", "finished": value}), "t1", 1)


def test_a_narrowed_status_polled_by_its_path_needs_no_check_id() -> None:
    job = Job(status="/runs/{id}", narrow="data", done=Flag("finished"))
    assert job.read({"data": {"finished": True}}, 1, 1).done


def test_an_absent_narrowed_status_is_not_yet_visible() -> None:
    for answer in (page(), {}, None):
        status = TASK.read(answer, "t1", 3)
        assert status == JobStatus(id="t1", polls=3)
        assert status.raw is None and not status.done and not status.failed


def test_the_whole_status_is_the_result_when_no_result_path_is_declared() -> None:
    job = Job(status="/runs/{id}", done=Flag("finished"))
    body = {"finished": True, "entries": 10}
    assert job.read(body, 1, 1).result == body


@pytest.mark.parametrize("answer", [None, [1, 2], "done", 3])
def test_a_status_that_is_not_an_object_is_a_decode_error(answer: Any) -> None:
    with pytest.raises(DecodeError, match="is not an object"):
        EXPORT.read(answer, 9001, 1)


def test_a_status_about_another_job_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="about another job"):
        TASK.read(page({"id": "other", "finished": True}), "t1", 1)
    assert TASK.read(page({"id": 7, "finished": True}), "7", 1).done  # compared as text


def test_the_server_hint_in_seconds_or_milliseconds() -> None:
    job = Job(status="/runs/{id}", done=Flag("finished"), hint_ms="Poll-After-Ms")
    assert job.hint_of({}) is None
    assert job.hint_of({"retry-after": "2"}) == 2.0
    assert job.hint_of({"Retry-After": "0.25"}) == 0.25
    assert job.hint_of({"Poll-After-Ms": "1500", "Retry-After": "9"}) == 1.5
    assert job.hint_of({"poll-after-ms": "-5", "Retry-After": "3"}) == 3.0  # a bad value is no hint
    assert job.hint_of({"Retry-After": "soon"}) is None
    assert Job(status="/r/{id}", done=Flag("f"), hint=None).hint_of({"Retry-After": "2"}) is None


def test_the_interval_grows_by_the_backoff_up_to_its_maximum() -> None:
    job = Job(status="/runs/{id}", done=Flag("finished"), interval=0.5, backoff=2, max_interval=3)
    intervals = [job.interval]
    for _ in range(4):
        intervals.append(job.next_interval(intervals[-1]))
    assert intervals == [0.5, 1.0, 2.0, 3, 3]
    assert EXPORT.next_interval(1.0) == 1.0


def test_a_backoff_without_a_maximum_stops_growing_at_thirty_seconds() -> None:
    job = Job(status="/runs/{id}", done=Flag("finished"), interval=1, backoff=2)
    interval = job.interval
    for _ in range(20):
        interval = job.next_interval(interval)
    assert interval == 30.0
    slow = Job(status="/runs/{id}", done=Flag("finished"), interval=60, backoff=2)
    assert slow.next_interval(60) == 60  # an interval above the default cap is kept


def test_a_server_hint_is_honoured_above_a_floor() -> None:
    job = Job(status="/runs/{id}", done=Flag("finished"), interval=1.0)
    assert job.delay(1.0, None) == 1.0
    assert job.delay(1.0, 5.0) == 5.0 and job.delay(1.0, 0.3) == 0.3
    assert job.delay(1.0, 0.0) == 0.1 and job.delay(1.0, 0.001) == 0.1  # never a busy loop
    assert attrs.evolve(job, interval=0.05).delay(0.05, 0.0) == 0.05  # a shorter interval is the floor
    assert attrs.evolve(job, min_interval=0.5).delay(1.0, 0.0) == 0.5
