"""Bounded concurrent work and concurrent page fetching."""

from __future__ import annotations

import threading
import time

import pytest

from clientkit import Resource, Service, TokenAuth, field
from clientkit._client.bulk import chunks, run
from clientkit._declarations.paging import OffsetLimit, PageNumber
from clientkit.errors import InvalidRequestError
from clientkit.sandbox import Fault
from clientkit.sandbox.app import Sandbox


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
    outcomes = list(run(work, range(20), workers=4, progress=lambda o: seen.append(o.index)))
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


class Capped(Service):
    auth = TokenAuth()
    pagination = OffsetLimit(items="data", total="total")


@Capped.resource(many="/rows", one="/rows/{id}")
class Row(Resource):
    id: int | None = field(read_only=True)


def test_concurrent_pages_in_order_with_a_capping_server() -> None:
    sandbox = Sandbox(Capped, data={"Row": [{"id": i} for i in range(1, 101)]}, max_page_size=7)
    with sandbox as url:
        api = Capped.connect(url, token="sandbox-token")
        pages = list(api.list(Row, page_size=50).concurrent_pages(workers=4))
        ids = [r.id for page in pages for r in page.items]
        assert ids == list(range(1, 101))  # the server capped 50 to its 7: no gaps
        assert len(sandbox.journal.entries("GET", "/rows")) == 15


def test_concurrent_pages_with_a_failing_page() -> None:
    from clientkit.errors import ServerError

    sandbox = Sandbox(Capped, data={"Row": [{"id": i} for i in range(1, 31)]}, page_size=10)
    with sandbox as url:
        api = Capped.connect(url, token="sandbox-token", retries=0)
        sandbox.faults.add(Fault("status", status=500, times=1, route="/rows"))
        with pytest.raises(ServerError):
            list(api.list(Row).concurrent_pages(workers=2))


def test_concurrent_pages_fall_back_to_a_walk_without_a_total() -> None:
    class NoTotal(Service):
        auth = TokenAuth()
        pagination = PageNumber(items="data")

    NoTotal.resource(many="/rows", one="/rows/{id}")(Row.__class__("NRow", (Row,), {}))
    NRow = NoTotal.resources["NRow"]
    with Sandbox(NoTotal, data={"NRow": [{"id": i} for i in range(1, 26)]}, page_size=10) as url:
        api = NoTotal.connect(url, token="sandbox-token")
        ids = [r.id for page in api.list(NRow).concurrent_pages(workers=3) for r in page.items]
        assert ids == list(range(1, 26))


def test_concurrent_pages_with_max_pages_one_and_link_without_page_param() -> None:
    from clientkit._declarations.paging import LinkHeader

    sandbox = Sandbox(Capped, data={"Row": [{"id": i} for i in range(1, 31)]}, page_size=10)
    with sandbox as url:
        api = Capped.connect(url, token="sandbox-token")
        assert len(list(api.list(Row, max_pages=1).concurrent_pages(workers=2))) == 1

    class Linked(Service):
        auth = TokenAuth()
        pagination = LinkHeader(items=None, total_header="X-Total")

    Linked.resource(many="/rows", one="/rows/{id}")(Row.__class__("LRow", (Row,), {}))
    LRow = Linked.resources["LRow"]
    with Sandbox(Linked, data={"LRow": [{"id": i} for i in range(1, 26)]}, page_size=10) as url:
        api = Linked.connect(url, token="sandbox-token")
        ids = [r.id for page in api.list(LRow).concurrent_pages(workers=2) for r in page.items]
        assert ids == list(range(1, 26))
