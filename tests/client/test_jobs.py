"""Running declared jobs over real HTTP against the sandbox: BAPP-shaped tasks and
CxReports-shaped exports, success, failure, deadlines, hints, the cache, cancellation."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from clientkit import CacheConfig, Service, TokenAuth, bulk
from clientkit._client.ambient import ambient
from clientkit._client.session import Session
from clientkit.errors import (
    Cancelled,
    DecodeError,
    InvalidRequestError,
    JobFailed,
    JobTimeout,
    NotFoundError,
    RequestTimeout,
)
from clientkit.files import File
from clientkit.jobs import Flag, Job, JobStatus, Progress
from clientkit.sandbox.app import Sandbox


class Bapp(Service):
    auth = TokenAuth(scheme="Token")
    headers = {"x-tenant-id": "{tenant}"}
    context = {"tenant": None}


class Cx(Service):
    auth = TokenAuth()
    context = {"workspace": None}


# BAPP (contract section 6.1): a kick-off {"id": ..., "status": "queued"}, or a synchronous
# answer without an id; the status is a DRF page whose results[0] has finished/failed flags
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
    interval=0.05,
    name="task",
)
# CxReports (contract sections 6.4 and 6.8)
EXPORT = Job(
    start="/api/v1/ws/{workspace}/reports/{report_id}/export",
    status="/api/v1/ws/{workspace}/exports/{id}/status",
    id_at="temporaryFileId",
    state="status",
    done=("Completed",),
    failed=("Failed",),
    message="errorMessage",
    interval=0.05,
    name="export",
)
RUN = Job(
    start="/api/v1/ws/{workspace}/jobs/{job_id}/runs",
    status="/api/v1/ws/{workspace}/jobs/{job_id}/runs/{run_id}/status",
    id_at="jobRunId",
    id_name="run_id",
    done=Flag("finished"),
    interval=0.05,
)
STATUS = "/content-type/bapp_framework.taskdata/"


@pytest.fixture
def bapp() -> Iterator[tuple[Sandbox, Session]]:
    box = Sandbox(Bapp)
    url = box.start()
    try:
        with Bapp.connect(url, token="sandbox-token", tenant="1") as session:
            yield box, session
    finally:
        box.stop()


@pytest.fixture
def cx() -> Iterator[tuple[Sandbox, Session]]:
    box = Sandbox(Cx)
    url = box.start()
    try:
        with Cx.connect(url, token="sandbox-token", workspace=5) as session:
            yield box, session
    finally:
        box.stop()


def polls_of(box: Sandbox, path: str | None = None) -> list[Any]:
    return [e for e in box.journal.entries("GET") if path is None or e.path == path]


def test_a_bapp_task_runs_until_finished_with_its_file_and_progress(bapp: tuple[Sandbox, Session]) -> None:
    box, session = bapp
    box.serve_job(TASK, duration=0.3, result="https://panel.example/media/report.csv")
    seen: list[Progress] = []
    done = session.run_job(TASK, code="myapp.export_report", json={"format": "csv"}, progress=seen.append)
    assert done.done and not done.failed and done.result == "https://panel.example/media/report.csv"
    assert done.raw["finished"] is True and done.progress == 100
    start, *polls = box.journal.entries()
    assert (start.method, start.path, start.json) == ("POST", "/tasks/myapp.export_report", {"format": "csv"})
    assert start.header("x-tenant-id") == "1" and all(p.header("x-tenant-id") == "1" for p in polls)
    assert all(p.path == STATUS and p.params == [("id", done.id)] for p in polls)
    assert len(polls) == done.polls >= 2
    assert [p.done for p in seen] == list(range(1, done.polls + 1))
    assert all(p.total is None and isinstance(p.detail, JobStatus) for p in seen)
    assert seen[-1].detail == done and not seen[0].detail.done
    assert any(0 < p.detail.progress < 100 for p in seen[:-1] if p.detail.raw is not None)


def test_a_task_not_yet_visible_is_polled_until_it_is(bapp: tuple[Sandbox, Session]) -> None:
    box, session = bapp
    box.serve_job(TASK, duration=0.3, hidden_for=0.2)
    seen: list[Progress] = []
    done = session.run_job(TASK, code="myapp.export_report", progress=seen.append)
    assert done.done and seen[0].detail.raw is None and not seen[0].detail.done
    assert box.journal.entries()[0].method == "POST"  # json=UNSET still sends the declared method


def test_a_synchronous_answer_is_the_result_of_an_immediate_job(bapp: tuple[Sandbox, Session]) -> None:
    box, session = bapp
    box.serve_job(TASK, synchronous=True, result={"status": "ok", "result": {"rows": 12}})
    done = session.run_job(TASK, code="myapp.count")
    assert done == JobStatus(
        id=None, done=True, result={"status": "ok", "result": {"rows": 12}}, raw=done.raw, polls=0
    )
    assert polls_of(box) == [] and len(box.journal) == 1


def test_a_synchronous_answer_to_a_job_that_is_not_immediate_is_a_decode_error(
    cx: tuple[Sandbox, Session],
) -> None:
    box, session = cx
    box.serve_job(EXPORT, synchronous=True, result={"done": True})
    with pytest.raises(DecodeError, match="start answer of export has no id at 'temporaryFileId'"):
        session.run_job(EXPORT, report_id=160)
    assert polls_of(box) == []


def test_a_failed_task_raises_job_failed_with_its_message_and_last_status(
    bapp: tuple[Sandbox, Session],
) -> None:
    box, session = bapp
    box.serve_job(TASK, duration=0.1, fail="Invalid format")
    with pytest.raises(JobFailed, match=r"task \w+ failed: Invalid format") as caught:
        session.run_job(TASK, code="myapp.export_report", json={"format": "pdf"})
    last = caught.value.status
    assert isinstance(last, JobStatus) and last.failed and not last.done
    assert last.message == "Invalid format" and last.raw["finished"] is True  # BAPP: both flags set
    assert last.polls == len(polls_of(box))


def test_a_cxreports_export_completes_and_a_failed_one_names_its_error(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    result = {"name": "report.pdf", "contentType": "application/pdf"}
    served = box.serve_job(EXPORT, duration=0.2, result=result)
    done = session.run_job(EXPORT, report_id=160, json={"format": "pdf"})
    assert done.state == "Completed" and done.result["name"] == "report.pdf"
    assert box.journal.entries("POST")[0].path == "/api/v1/ws/5/reports/160/export"
    assert polls_of(box)[-1].path == f"/api/v1/ws/5/exports/{done.id}/status"
    served.fail = "Data source timeout."
    with pytest.raises(JobFailed, match=r"failed: Data source timeout\.") as caught:
        session.run_job(EXPORT, report_id=160, workspace=8)  # a keyword wins over the context
    assert caught.value.status.state == "Failed"
    assert box.journal.entries("POST")[-1].path == "/api/v1/ws/8/reports/160/export"


def test_a_cxreports_job_run_is_polled_by_its_run_id(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(RUN, duration=0.1, result={"entries": 10})
    done = session.run_job(RUN, job_id=42, json={"params": {}, "data": {}})
    assert done.done and done.result["entries"] == 10
    assert polls_of(box)[-1].path == f"/api/v1/ws/5/jobs/42/runs/{done.id}/status"


def test_a_job_past_its_deadline_raises_job_timeout_and_polls_no_more(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT, duration=30)
    slow = attrs.evolve(EXPORT, interval=0.4)
    began = time.time()
    with pytest.raises(JobTimeout, match="still running after") as caught:
        session.run_job(slow, report_id=160, deadline=1.0)
    took = time.time() - began
    polls = polls_of(box)
    assert 1 <= len(polls) <= 2 and caught.value.status.polls == len(polls)
    assert all(p.at < began + 1.0 for p in polls)  # BAPP's bug B4 polls once more, at ~1.2 s
    assert 0.9 < took < 3.0
    assert caught.value.status.state == "running" and isinstance(caught.value, TimeoutError)


def test_the_deadline_cuts_a_poll_that_hangs(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    served = box.serve_job(EXPORT, duration=30)
    job_id = served.begin()
    box.faults.inject("latency", route=f"/api/v1/ws/5/exports/{job_id}/status", delay=2.0)
    began = time.monotonic()
    with pytest.raises(JobTimeout, match="not polled before the deadline") as caught:
        session.wait_job(EXPORT, job_id, deadline=0.5)
    assert caught.value.status is None and time.monotonic() - began < 3.0


def test_a_start_that_hangs_past_the_deadline_is_a_job_timeout(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT)
    box.faults.inject("latency", method="POST", delay=2.0)
    began = time.monotonic()
    with pytest.raises(JobTimeout, match="export did not start before the deadline") as caught:
        session.run_job(EXPORT, report_id=160, deadline=0.4)
    assert caught.value.status is None and time.monotonic() - began < 1.5


def test_the_server_hint_spaces_the_polls(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT, duration=1.0, hint=0.3)  # declared interval: 0.05 s
    done = session.run_job(EXPORT, report_id=160)
    times = [p.at for p in polls_of(box)]
    assert done.done and 2 <= len(times) <= 6  # 20 polls if the hint were ignored
    assert min(b - a for a, b in itertools.pairwise(times)) > 0.2
    assert times[0] - box.journal.entries("POST")[0].at > 0.2  # the start's hint, too


def test_a_millisecond_hint_header_is_honoured(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    hinted = attrs.evolve(EXPORT, hint_ms="Poll-After-Ms")
    box.serve_job(hinted, duration=0.8, hint=0.25)
    session.run_job(hinted, report_id=160)
    times = [p.at for p in polls_of(box)]
    assert 2 <= len(times) <= 6 and min(b - a for a, b in itertools.pairwise(times)) > 0.15


def test_a_hint_never_outlasts_the_deadline(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT, duration=30, hint=60)
    began = time.monotonic()
    with pytest.raises(JobTimeout):
        session.run_job(EXPORT, report_id=160, deadline=0.5)
    assert time.monotonic() - began < 3.0 and polls_of(box) == []


def test_polls_are_never_served_from_the_cache(tmp_path: Any) -> None:
    box = Sandbox(Cx)
    box.serve_job(EXPORT, duration=0.3)
    with box as url:
        cache = CacheConfig(backend="memory", expire_after=300)
        with Cx.connect(url, token="sandbox-token", workspace=5, cache=cache) as session:
            done = session.run_job(EXPORT, report_id=160)
            assert done.done and done.polls == len(polls_of(box)) >= 2
            again = session.wait_job(EXPORT, done.id)  # would be a fresh hit if cached
            assert again.polls == 1 and len(polls_of(box)) == done.polls + 1
            assert all(p.header("If-None-Match") is None for p in polls_of(box))


def test_cancel_from_another_thread_stops_the_wait_at_once(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT, duration=60)
    slow = attrs.evolve(EXPORT, interval=30)
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    began = time.monotonic()
    with pytest.raises(Cancelled, match="waiting for export"):
        session.run_job(slow, report_id=160, cancel=cancel)
    assert time.monotonic() - began < 2.0 and polls_of(box) == []


def test_a_cancel_without_wait_is_watched_too(cx: tuple[Sandbox, Session]) -> None:
    class Flagged:
        def __init__(self) -> None:
            self.at = time.monotonic() + 0.3

        def is_set(self) -> bool:
            return time.monotonic() >= self.at

    box, session = cx
    box.serve_job(EXPORT, duration=60)
    began = time.monotonic()
    with pytest.raises(Cancelled):
        session.run_job(attrs.evolve(EXPORT, interval=30), report_id=160, cancel=Flagged())
    assert time.monotonic() - began < 2.0


def test_wait_job_polls_an_already_started_job(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT, duration=0.3)
    started = session.start_job(EXPORT, report_id=160)
    assert started.id is not None and not started.done and started.raw == {"temporaryFileId": started.id}
    assert polls_of(box) == []
    done = session.wait_job(EXPORT, started.id, deadline=10)
    assert done.done and done.id == started.id
    assert polls_of(box)[0].at - box.journal.entries("POST")[0].at < 0.3  # its first poll at once


def test_wait_job_without_a_start_path(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    status_only = attrs.evolve(EXPORT, start=None)
    served = box.serve_job(status_only, duration=0.1)
    assert session.wait_job(status_only, served.begin()).done
    with pytest.raises(InvalidRequestError, match="declares no start path"):
        session.run_job(status_only)


def test_http_errors_while_polling_propagate(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT)
    with pytest.raises(NotFoundError):
        session.wait_job(EXPORT, "no-such-export")


def test_arguments_are_path_values_or_call_options(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT, duration=0)
    session.run_job(EXPORT, report_id=160, params={"a": 1}, headers={"X-Trace": "t1"})
    start, poll = box.journal.entries()
    assert start.query == "a=1" and poll.query == ""
    assert start.header("X-Trace") == poll.header("X-Trace") == "t1"
    with pytest.raises(InvalidRequestError, match=r"unexpected arguments \['report'\]"):
        session.run_job(EXPORT, report=160)
    with pytest.raises(InvalidRequestError, match=r"unexpected arguments \['id'\]"):
        session.wait_job(EXPORT, 1, id=2)
    with pytest.raises(InvalidRequestError, match="a positive number of seconds"):
        session.run_job(EXPORT, report_id=160, deadline=0)
    with pytest.raises(InvalidRequestError, match="expected a Job"):
        session.run_job("EXPORT", report_id=160)  # type: ignore[arg-type]


def test_a_retry_after_of_zero_does_not_make_polling_a_busy_loop(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT, duration=0.5, hint=0)  # Retry-After: 0 on the start and every poll
    done = session.run_job(attrs.evolve(EXPORT, interval=1.0), report_id=160, deadline=10)
    polls = polls_of(box)
    assert done.done and len(polls) == done.polls <= 8  # 0.1 s apart at least: 5 or 6; a busy loop made 200+
    assert min(b.at - a.at for a, b in itertools.pairwise(polls)) > 0.08


def test_a_job_waited_on_in_bulk_work_ends_at_the_bulk_deadline(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT, duration=60)
    slow = attrs.evolve(EXPORT, interval=3.0)
    ended: list[float] = []

    def wait(_: int) -> JobStatus:
        try:
            return session.run_job(slow, report_id=160)  # no deadline of its own: the bulk one
        finally:
            ended.append(time.monotonic())

    began = time.monotonic()
    with pytest.raises(RequestTimeout, match=r"bulk work took longer than 0\.5s; 0 of 1 items done"):
        list(bulk.run(wait, [1], deadline=0.5))
    for _ in range(100):  # the worker ends at the bulk deadline, not 3 s later
        if ended:
            break
        time.sleep(0.05)
    assert ended and ended[0] - began < 2.0
    assert polls_of(box) == []  # its first poll was due after the deadline


def test_a_job_in_bulk_work_raises_job_timeout_naming_the_outer_deadline(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    served = box.serve_job(EXPORT, duration=60)
    job_id = served.begin()
    with ambient(time.monotonic() + 0.3), pytest.raises(JobTimeout, match="of the work it is part of"):
        session.wait_job(EXPORT, job_id, deadline=30)  # the outer deadline is the earlier
    own = pytest.raises(JobTimeout, match=r"running after \d+ polls, at the deadline$")
    with ambient(time.monotonic() + 30), own:
        session.wait_job(EXPORT, job_id, deadline=0.3)  # its own is the earlier


def test_a_job_starts_with_an_upload_as_multipart(cx: tuple[Sandbox, Session], tmp_path: Path) -> None:
    box, session = cx
    box.serve_job(EXPORT, duration=0.1)
    rows = tmp_path / "rows.csv"
    rows.write_bytes(b"a,b\n1,2\n")
    done = session.run_job(EXPORT, report_id=160, json={"kind": "csv", "file": File(rows)}, deadline=10)
    start = box.journal.entries("POST")[0]
    assert done.done and (start.header("Content-Type") or "").startswith("multipart/form-data; boundary=")
    kind, upload = start.json["parts"]  # the sandbox journals a multipart body's parts
    assert kind == {"kind": "csv"} and upload["file"]["filename"] == "rows.csv"
    assert upload["file"]["sha256"] == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    started = session.start_job(EXPORT, report_id=160, json={"file": File(rows)})
    assert started.id is not None and box.journal.entries("POST")[-1].json["parts"][0]["file"]["size"] == 8


def test_start_job_takes_a_deadline_for_its_start(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    box.serve_job(EXPORT)
    box.faults.inject("latency", method="POST", delay=2.0)
    began = time.monotonic()
    with pytest.raises(JobTimeout, match="export did not start before the deadline"):
        session.start_job(EXPORT, report_id=160, deadline=0.3)
    assert time.monotonic() - began < 1.5
    with pytest.raises(InvalidRequestError, match="a positive number of seconds"):
        session.start_job(EXPORT, report_id=160, deadline=-1)


def test_a_flag_that_is_not_a_boolean_is_a_decode_error(cx: tuple[Sandbox, Session]) -> None:
    box, session = cx
    flagged = Job(status="/api/v1/runs/{id}", done=Flag("finished"), interval=0.05, name="run")
    box.route("/api/v1/runs/{id}")(lambda req: {"id": req.params["id"], "finished": "false"})
    with pytest.raises(DecodeError, match="the flag at 'finished' in the status of run is not true or false"):
        session.wait_job(flagged, "r1", deadline=5)
