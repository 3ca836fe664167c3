"""Bounded concurrent work: ordered outcomes, per-item errors, lazy pulling, chunks."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from clientkit._client.bulk import Incomplete, Outcome, chunks, completed, run
from clientkit._declarations.progress import Progress
from clientkit.errors import Cancelled, InvalidRequestError, RequestTimeout
from tests.support.paged import connect
from tests.support.scripted import Reply, ScriptedServer


def test_run_keeps_order_reports_errors_and_bounds_concurrency() -> None:
    active, peak, lock = 0, 0, threading.Lock()

    def work(n: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.01 * (n % 3))
        with lock:
            active -= 1
        if n == 7:
            raise ValueError("seven")
        return n * n

    seen: list[int] = []
    outcomes = list(run(work, range(20), workers=4, progress=lambda p: seen.append(p.detail.index)))
    assert [o.index for o in outcomes] == list(range(20)) == seen
    assert [o.result for o in outcomes if o.ok] == [n * n for n in range(20) if n != 7]
    failed = [o for o in outcomes if not o.ok]
    assert len(failed) == 1 and failed[0].item == 7 and str(failed[0].error) == "seven"
    with pytest.raises(ValueError, match="seven"):
        failed[0].unwrap()
    assert peak <= 4


def test_run_pulls_items_lazily() -> None:
    pulled: list[int] = []

    def source() -> object:
        for i in range(1000):
            pulled.append(i)
            yield i

    iterator = run(lambda n: n, source(), workers=2, window=4)
    assert next(iterator).result == 0
    assert len(pulled) <= 6
    iterator.close()


def test_chunks() -> None:
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    with pytest.raises(InvalidRequestError):
        list(chunks([], 0))


# -- deadline, cancel, progress ---------------------------------------------------------------


def test_progress_counts_outcomes_against_the_total_when_known() -> None:
    reports: list[Progress] = []
    outcomes = list(run(lambda n: n * 2, [5, 6, 7], workers=2, progress=reports.append))
    assert [(p.done, p.total) for p in reports] == [(1, 3), (2, 3), (3, 3)]
    assert [p.detail for p in reports] == outcomes and reports[-1].fraction == 1.0
    reports.clear()
    list(run(lambda n: n, (n for n in range(4)), progress=reports.append))
    assert [(p.done, p.total) for p in reports] == [(1, None), (2, None), (3, None), (4, None)]


def test_a_deadline_stops_a_run_of_slow_requests(server: ScriptedServer) -> None:
    server.on("GET", "/slow", Reply(json={"ok": True}, delay=0.4))
    session = connect(server)
    got: list[Outcome[int, Any]] = []
    start = time.monotonic()
    with pytest.raises(RequestTimeout, match=r"bulk work took longer than 0.6s; \d of 40 items done"):
        got.extend(run(lambda i: session.request("GET", "/slow"), range(40), workers=2, deadline=0.6))
    assert time.monotonic() - start < 3  # the whole run would take 8 s
    assert [o.index for o in got] == list(range(len(got))) and all(o.ok for o in got)
    assert len(server.received) <= 8  # nothing started after the deadline


def test_a_deadline_cuts_the_requests_running_in_the_workers(server: ScriptedServer) -> None:
    server.on("GET", "/slow", Reply(json={"ok": True}, delay=4))
    session = connect(server)
    ended: list[BaseException] = []

    def fetch(i: int) -> Any:
        try:
            return session.request("GET", "/slow")
        except BaseException as exc:
            ended.append(exc)
            raise

    start = time.monotonic()
    with pytest.raises(RequestTimeout):
        list(run(fetch, range(4), workers=2, deadline=0.3))
    while len(ended) < 2 and time.monotonic() - start < 3:
        time.sleep(0.02)
    assert len(ended) == 2 and all(isinstance(e, RequestTimeout) for e in ended)
    assert time.monotonic() - start < 3  # each request would have waited 4 s


def test_cancel_from_another_thread_stops_promptly(server: ScriptedServer) -> None:
    server.on("GET", "/slow", Reply(json={"ok": True}, delay=0.3))
    session = connect(server)
    stop = threading.Event()
    threading.Timer(0.4, stop.set).start()
    start = time.monotonic()
    with pytest.raises(Cancelled, match="bulk work was cancelled"):
        list(run(lambda i: session.request("GET", "/slow"), range(30), workers=2, cancel=stop))
    assert time.monotonic() - start < 2.5  # the whole run would take 4.5 s
    count = len(server.received)
    time.sleep(0.5)
    assert len(server.received) <= count + 2 <= 10  # only what was running finishes


def test_cancel_set_before_the_run_starts_nothing() -> None:
    stop = threading.Event()
    stop.set()
    called: list[int] = []
    with pytest.raises(Cancelled):
        list(run(called.append, range(5), cancel=stop))
    assert called == []


def test_closing_early_starts_nothing_more() -> None:
    called: list[int] = []

    def work(n: int) -> int:
        called.append(n)
        return n

    outcomes = run(work, range(1000), workers=2, window=3)
    assert next(outcomes).result == 0
    outcomes.close()
    settled = len(called)
    time.sleep(0.1)
    assert len(called) == settled <= 5


def test_bad_bounds_are_refused_when_called() -> None:
    with pytest.raises(InvalidRequestError, match="deadline"):
        run(str, [1], deadline=0)
    with pytest.raises(InvalidRequestError, match="window"):
        run(str, [1], window=0)
    with pytest.raises(InvalidRequestError, match="workers"):
        run(str, [1], workers=0)


def test_an_outer_deadline_bounds_a_run_inside_it() -> None:
    from clientkit._client.ambient import ambient

    with ambient(time.monotonic() + 0.2), pytest.raises(RequestTimeout, match="of the work it is part of"):
        list(run(time.sleep, [0.15] * 6, workers=1, deadline=60))


# -- stopping: requests in flight are cut at their next check, nobody waits for them ------------


def _five_requests(session: Any, ended: list[BaseException]) -> Any:
    def work(i: int) -> Any:
        try:
            return [session.request("GET", "/slow") for _ in range(5)]  # 1.5 s each item
        except BaseException as exc:
            ended.append(exc)
            raise

    return work


def _settled(server: ScriptedServer, ended: list[BaseException], workers: int) -> int:
    """The requests the server got once every worker has stopped (a generous wait)."""
    until = time.monotonic() + 3
    while len(ended) < workers and time.monotonic() < until:
        time.sleep(0.02)
    time.sleep(0.4)  # a request started late would have arrived by now
    return len(server.received)


def test_a_cancel_cuts_the_requests_in_flight_at_their_next_check(server: ScriptedServer) -> None:
    server.on("GET", "/slow", Reply(json={"ok": True}, delay=0.3))
    ended: list[BaseException] = []
    stop = threading.Event()
    threading.Timer(0.45, stop.set).start()
    with pytest.raises(Cancelled, match="bulk work was cancelled"):
        list(run(_five_requests(connect(server), ended), range(8), workers=2, cancel=stop))
    assert _settled(server, ended, 2) <= 6  # each worker's request in flight, never the rest
    assert len(ended) == 2 and all(isinstance(e, Cancelled) for e in ended)


def test_closing_the_iterator_returns_at_once_and_cuts_what_is_in_flight(server: ScriptedServer) -> None:
    server.on("GET", "/slow", Reply(json={"ok": True}, delay=0.3))
    ended: list[BaseException] = []
    slow = _five_requests(connect(server), ended)
    outcomes = run(lambda i: i if i == 0 else slow(i), range(8), workers=2)
    assert next(outcomes).result == 0  # items 1 and 2 are running now
    time.sleep(0.45)
    started = time.monotonic()
    outcomes.close()
    assert time.monotonic() - started < 0.25  # not the 1.2 s the items in flight still had
    assert _settled(server, ended, 2) <= 6
    assert len(ended) == 2 and all(isinstance(e, Cancelled) for e in ended)


def test_a_download_in_bulk_work_stops_at_its_cancel(server: ScriptedServer, tmp_path: Any) -> None:
    body = b"x" * 100_000
    server.on("GET", "/f", Reply(body=body, content_type="application/octet-stream", trickle=(1000, 0.02)))
    session = connect(server)
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    ended: list[BaseException] = []

    def fetch(i: int) -> Any:
        try:
            return session.download("/f", to=tmp_path / f"{i}.bin")  # 2 s each
        except BaseException as exc:
            ended.append(exc)
            raise

    with pytest.raises(Cancelled):
        list(run(fetch, range(2), workers=2, cancel=stop))
    until = time.monotonic() + 1
    while len(ended) < 2 and time.monotonic() < until:
        time.sleep(0.02)
    assert len(ended) == 2 and all(isinstance(e, Cancelled) for e in ended)  # within a second, not 2 s
    assert list(tmp_path.iterdir()) == []


def test_completed_gathers_results_or_names_every_failed_item(server: ScriptedServer) -> None:
    for path in ("/rows/0", "/rows/2", "/rows/3"):
        server.on("POST", path, Reply(json={"ok": path}))
    server.on("POST", "/rows/1", Reply(status=500, json={"error": "disk full"}))
    session = connect(server)

    def send(n: int) -> Any:
        return session.json_of(session.request("POST", f"/rows/{n}", json=[n]))

    with pytest.raises(Incomplete, match=r"1 of 4 failed \(rows 1\); the first: 500") as info:
        completed(run(send, range(4), workers=2), name=lambda o: f"rows {o.item}")
    err = info.value
    assert [o.item for o in err.failed] == [1] and err.results == [{"ok": f"/rows/{n}"} for n in (0, 2, 3)]
    assert len(server.received) == 4  # every item ran before the report
    server.set("POST", "/rows/1", Reply(json={"ok": "/rows/1"}))
    assert completed(run(send, range(4))) == [{"ok": f"/rows/{n}"} for n in range(4)]
