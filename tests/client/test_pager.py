"""The pager over HTTP: guard rails (loops, foreign links, empty pages), page access, concurrent pages."""

from __future__ import annotations

from typing import Any

import pytest

from clientkit import Resource, Service, TokenAuth, field
from clientkit._client.pager import CountedList
from clientkit._declarations.paging import (
    CountRequest,
    Cursor,
    LinkHeader,
    NextUrl,
    OffsetLimit,
    PageNumber,
    Paginator,
)
from clientkit.errors import DecodeError, InvalidRequestError, PaginationError
from clientkit.sandbox import Fault
from clientkit.sandbox.app import Sandbox
from tests.support.paged import ITEMS, args, connect, declare, numbered
from tests.support.scripted import Received, Reply, ScriptedServer


def test_pages_page_access_and_caps(server: ScriptedServer) -> None:
    Item = declare(PageNumber(items="results", total="count", next="next"))
    server.on("GET", "/items", numbered)
    session = connect(server)
    pages = list(session.list(Item, page_size=10).pages())
    assert [len(p) for p in pages] == [10, 10, 3]
    assert [p.number for p in pages] == [0, 1, 2] and pages[-1].has_next is False
    third = session.list(Item, page_size=10).page(2)
    assert [i.id for i in third] == [21, 22, 23]
    server.clear()
    server.on("GET", "/items", numbered)
    assert len(list(session.list(Item, page_size=5, max_items=7))) == 7
    assert len(server.received) == 2  # never more pages than needed
    assert len(list(session.list(Item, page_size=5, max_pages=2))) == 10
    counted = session.list(Item, page_size=5).first_page().counted()
    assert isinstance(counted, CountedList) and counted.count == 23 and len(counted) == 5
    assert counted.next == "http://x/items?page=2" and counted.previous is None
    assert repr(counted) == "CountedList(count=23, len=5)"


# -- guard rails -------------------------------------------------------------------------


def test_a_pager_says_what_it_lists_and_that_it_is_lazy(server: ScriptedServer) -> None:
    Item = declare(PageNumber(items="results", total="count", next="next"))
    server.on("GET", "/items", numbered)
    pager = connect(server).list(Item, params={"q": "x"})
    assert repr(pager) == "<Pager GET /items (PageNumber, lazy: iterate, or list() it, to fetch the pages)>"
    assert server.received == []  # the repr fetched nothing


def test_next_link_to_another_host_is_refused(server: ScriptedServer) -> None:
    server.on(
        "GET",
        "/items",
        Reply(json=ITEMS[:5], headers={"Link": f'<{server.host_alias_url}/items?page=2>; rel="next"'}),
    )
    Item = declare(LinkHeader())
    with pytest.raises(PaginationError, match="another host"):
        list(connect(server).list(Item))
    assert len(server.received) == 1


def test_next_link_to_another_scheme_is_refused(server: ScriptedServer) -> None:
    https = server.url.replace("http://", "https://")
    server.on("GET", "/items", Reply(json={"results": ITEMS[:5], "next": https + "/items?page=2"}))
    with pytest.raises(PaginationError, match="another host"):
        list(connect(server).list(declare(NextUrl(items="results"))))


def test_cursor_that_does_not_advance(server: ScriptedServer) -> None:
    server.on("GET", "/items", Reply(json={"items": ITEMS[:5], "next": "same"}))
    with pytest.raises(PaginationError, match="did not advance"):
        list(connect(server).list(declare(Cursor(items="items", cursor="next"))))
    assert len(server.received) == 2


def test_next_url_pointing_at_the_same_page(server: ScriptedServer) -> None:
    server.on("GET", "/items", Reply(json={"results": ITEMS[:5], "next": "/items"}))
    with pytest.raises(PaginationError, match="again"):
        list(connect(server).list(declare(NextUrl(items="results"))))
    assert len(server.received) == 1


def test_server_ignoring_the_page_parameter(server: ScriptedServer) -> None:
    server.on("GET", "/items", Reply(json={"count": 100, "next": "x", "results": ITEMS[:5]}))
    Item = declare(PageNumber(items="results", total="count", next="next"))
    with pytest.raises(PaginationError, match="repeats page"):
        list(connect(server).list(Item, page_size=5))
    assert len(server.received) == 2


def test_empty_page_that_claims_more_ends_numbered_walks(server: ScriptedServer) -> None:
    server.on("GET", "/items", Reply(json={"count": 50, "next": "/items?page=2", "results": []}))
    Item = declare(PageNumber(items="results", total="count", next="next"))
    assert list(connect(server).list(Item)) == []
    assert len(server.received) == 1


def test_empty_pages_are_followed_a_few_times_for_cursors(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        n = int(args(req).get("cursor", "0"))
        if n < 2:
            return Reply(json={"items": [], "next": str(n + 1)})  # a filtered scan
        if n == 2:
            return Reply(json={"items": ITEMS[:3], "next": None})
        raise AssertionError

    server.on("GET", "/items", handler)
    assert len(list(connect(server).list(declare(Cursor(items="items", cursor="next"))))) == 3
    server.clear()
    server.on(
        "GET",
        "/items",
        lambda rec, req: Reply(json={"items": [], "next": str(int(args(req).get("cursor", "0")) + 1)}),
    )
    with pytest.raises(PaginationError, match="empty pages in a row"):
        list(connect(server).list(declare(Cursor(items="items", cursor="next"))))
    assert len(server.received) == 3


def test_jumping_to_a_page_where_the_style_cannot(server: ScriptedServer) -> None:
    pager = connect(server).list(declare(Cursor(items="items")))
    with pytest.raises(InvalidRequestError, match="cannot jump"):
        pager.page(3)
    with pytest.raises(InvalidRequestError, match="positive"):
        connect(server).list(declare(Cursor(items="items")), page_size=0)


def test_iteration_holds_one_page_at_a_time(server: ScriptedServer) -> None:
    import gc
    import weakref

    Item = declare(PageNumber(items="results", total="count", next="next"))
    server.on("GET", "/items", numbered)
    refs: list[weakref.ref[Any]] = []
    for item in connect(server).list(Item, page_size=5):
        refs.append(weakref.ref(item))
        gc.collect()
        alive = sum(1 for r in refs if r() is not None)
        assert alive <= 10  # the current page, and at most the previous one being released


def test_page_identities_compare_exactly_whatever_their_form() -> None:
    from clientkit._client.pager import _page_ids, _within

    def ids(*values: Any) -> Any:
        return _page_ids([{"id": v} for v in values], lambda item: item["id"])

    first = ids(5, 3, 9, 7)
    assert _within(ids(9, 3), first) and _within(ids(7, 5, 3, 9), first)
    assert not _within(ids(3, 4), first) and not _within(ids(9, 10), first)
    assert not _within(ids(3, 9, 8), first)  # both ends known, a middle one new
    assert _within(ids(3, None), first) and not _within(ids(None), first)  # no identity: not counted
    assert not _within(ids("3", 9), first) and not _within(ids(3.0), first) and not _within(ids(True), first)
    huge = ids(2**70, 3)
    assert _within(ids(3), huge) and _within(ids(2**70), huge) and not _within(ids(2**71), huge)
    text = ids("a", "b")
    assert _within(ids("b"), text) and not _within(ids("c"), text) and not _within(ids(1), text)


# -- concurrent pages, against the sandbox --------------------------------------------------


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


def test_concurrent_pages_report_progress_in_pages() -> None:
    from clientkit._declarations.progress import Progress

    reports: list[Progress] = []
    with Sandbox(Capped, data={"Row": [{"id": i} for i in range(1, 101)]}, max_page_size=7) as url:
        api = Capped.connect(url, token="sandbox-token")
        pages = list(api.list(Row, page_size=50).concurrent_pages(workers=4, progress=reports.append))
    assert [(p.done, p.total) for p in reports] == [(n, 15) for n in range(1, 16)]
    assert [p.detail for p in reports] == pages


def test_concurrent_pages_walked_in_turn_report_no_total() -> None:
    from clientkit._declarations.progress import Progress

    class Walked(Service):
        auth = TokenAuth()
        pagination = Cursor(items="data", cursor="next")

    Walked.resource(many="/rows", one="/rows/{id}")(Row.__class__("WRow", (Row,), {}))
    reports: list[Progress] = []
    with Sandbox(Walked, data={"WRow": [{"id": i} for i in range(1, 26)]}, page_size=10) as url:
        api = Walked.connect(url, token="sandbox-token")
        pages = list(api.list(Walked.resources["WRow"]).concurrent_pages(workers=2, progress=reports.append))
    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert [(p.done, p.total) for p in reports] == [(1, None), (2, None), (3, None)]


@pytest.mark.parametrize("size", [10, None])  # pages by position; walked (no offsets without a size)
def test_concurrent_pages_stop_at_the_deadline(size: int | None) -> None:
    import time

    from clientkit.errors import RequestTimeout

    sandbox = Sandbox(Capped, data={"Row": [{"id": i} for i in range(1, 201)]}, page_size=10)
    with sandbox as url:
        api = Capped.connect(url, token="sandbox-token", retries=0)
        sandbox.faults.add(Fault("latency", delay=0.3, route="/rows"))
        seen: list[int] = []
        start = time.monotonic()
        pages = api.list(Row, page_size=size).concurrent_pages(workers=2, deadline=1)
        with pytest.raises(RequestTimeout, match=r"took longer than 1s; \d+( of 20)? pages done"):
            seen.extend(page.number for page in pages)
        assert time.monotonic() - start < 4  # the whole walk would take about 3 s
        assert seen == list(range(len(seen))) and 1 <= len(seen) < 20
        assert len(sandbox.journal.entries("GET", "/rows")) < 12


def test_concurrent_pages_stop_when_cancelled() -> None:
    import threading
    import time

    from clientkit.errors import Cancelled

    sandbox = Sandbox(Capped, data={"Row": [{"id": i} for i in range(1, 201)]}, page_size=10)
    with sandbox as url:
        api = Capped.connect(url, token="sandbox-token", retries=0)
        sandbox.faults.add(Fault("latency", delay=0.3, route="/rows"))
        stop = threading.Event()
        threading.Timer(0.8, stop.set).start()
        start = time.monotonic()
        with pytest.raises(Cancelled, match="fetching pages was cancelled"):
            list(api.list(Row).concurrent_pages(workers=2, cancel=stop))
        assert time.monotonic() - start < 3
        assert len(sandbox.journal.entries("GET", "/rows")) < 12


# -- counts from another request -----------------------------------------------------------


def _plain_pages(rec: Received, req: Any) -> Reply:
    """Pages that carry no total: ``?page=&page_size=`` over the 23 items (filtered by name)."""
    a = args(req)
    page, size = int(a.get("page", 1)), int(a.get("page_size", 5))
    return Reply(json=ITEMS[(page - 1) * size : page * size])


def test_a_head_count_is_sent_only_when_the_total_is_asked_for(server: ScriptedServer) -> None:
    Item = declare(PageNumber(size="page_size", count=CountRequest(method="HEAD", header="X-Total-Count")))
    server.on("GET", "/items", _plain_pages)
    server.on("HEAD", "/items", Reply(headers={"X-Total-Count": "23"}))
    pager = connect(server).list(Item, page_size=5, params={"name": "x"})
    assert server.received == []  # lazy: nothing sent yet
    assert pager.total == 23 and pager.total == 23  # asked once
    (head,) = server.received
    assert head.method == "HEAD" and head.query == "name=x"  # the filters, no paging
    assert len(list(pager)) == 23
    assert [r.method for r in server.received].count("HEAD") == 1


def test_a_count_endpoint_with_its_own_parameters(server: ScriptedServer) -> None:
    count = CountRequest(suffix="/count", at="data.count", params={"exact": "1", "name": "ignored"})
    Item = declare(Cursor(count=count), many="/stores/s1/items/")
    server.on("GET", "/stores/s1/items/count", Reply(json={"data": {"count": 42}}))
    pager = connect(server).list(Item, params={"name": "lamp", "tag": "a"})
    assert pager.total == 42
    (sent,) = server.received
    assert sent.path == "/stores/s1/items/count" and sent.query == "tag=a&exact=1&name=ignored"


def test_a_bare_number_and_a_missing_count(server: ScriptedServer) -> None:
    Item = declare(OffsetLimit(count=CountRequest(suffix="/$count")))
    server.on("GET", "/items/$count", Reply(body="17", content_type="text/plain"))
    assert connect(server).list(Item).total == 17
    server.set("GET", "/items/$count", Reply(json={"total": 3}))
    with pytest.raises(DecodeError, match="no count in the answer"):
        connect(server).list(Item).total  # noqa: B018
    Header = declare(PageNumber(count=CountRequest(method="HEAD", header="X-Count")), many="/other")
    server.on("HEAD", "/other", Reply())
    with pytest.raises(DecodeError, match="no count in the X-Count header"):
        connect(server).list(Header).total  # noqa: B018


def test_a_total_the_pages_carry_needs_no_count_request(server: ScriptedServer) -> None:
    style = PageNumber(items="results", total="count", next="next", count=CountRequest(suffix="/count"))
    server.on("GET", "/items", numbered)
    pager = connect(server).list(declare(style), page_size=5)
    pager.first_page()
    assert pager.total == 23
    assert [r.path for r in server.received] == ["/items"]


def test_concurrent_pages_use_the_count(server: ScriptedServer) -> None:
    Item = declare(PageNumber(count=CountRequest(suffix="/count", at="count")))
    server.on("GET", "/items", _plain_pages)
    server.on("GET", "/items/count", Reply(json={"count": 23}))
    pages = list(connect(server).list(Item, page_size=5).concurrent_pages(workers=3))
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    asked = sorted(r.query for r in server.received if r.path == "/items")
    assert asked == ["page_size=5", *(f"page_size=5&page={n}" for n in range(2, 6))]
    assert len(server.requests_to("/items/count")) == 1


@pytest.mark.parametrize(
    ("style", "paging"),
    [
        (PageNumber(count=CountRequest(suffix="/count", at="count")), {"page": 2, "page_size": 5}),
        (OffsetLimit(count=CountRequest(suffix="/count", at="count")), {"offset": 5, "limit": 5}),
        (Cursor(count=CountRequest(suffix="/count", at="count")), {"cursor": "abc", "limit": 5}),
    ],
)
def test_a_count_request_leaves_out_the_paging_parameters_the_caller_passed(
    style: Paginator, paging: dict[str, Any]
) -> None:
    class Feed(Service):
        pagination = style

    @Feed.resource(one="/posts/{id}", many="/posts")
    class Post(Resource):
        id: int | None = field(read_only=True)
        kind: str | None = None

    posts = [{"id": i, "kind": "a" if i % 2 else "b"} for i in range(1, 24)]
    box = Sandbox(Feed, data={"Post": posts})
    with box as url, Feed.connect(url) as feed:
        assert feed.list(Post, params={"kind": "b", **paging}).total == 11
    assert box.journal.entries(path="/posts/count")[0].params == [("kind", "b")]


def test_a_page_prints_short_whatever_its_size(server: ScriptedServer) -> None:
    Item = declare(PageNumber(items="results", total="count", next="next"))
    server.on("GET", "/items", numbered)
    pages = list(connect(server).list(Item, page_size=10).pages())
    assert repr(pages[0]) == "<Page number=0: 10 items of 23, more to fetch>"
    assert repr(pages[-1]) == "<Page number=2: 3 items of 23, the last page>"
    assert "item 1" not in repr(pages[0])  # never the items themselves
