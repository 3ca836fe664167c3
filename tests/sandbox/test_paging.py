"""Pages served in every declared style, and thousands of records."""

from __future__ import annotations

import attrs
import pytest

from clientkit import (
    Resource,
    Service,
    TokenAuth,
)
from clientkit._declarations.paging import (
    CountRequest,
    Cursor,
    HeaderNext,
    LinkHeader,
    NextUrl,
    OffsetLimit,
    PageNumber,
    Paginator,
)
from clientkit.sandbox.app import Sandbox
from tests.support.sandboxed import Product, Shop, products


def test_thousands_of_records_page_correctly() -> None:
    box = Sandbox(Shop, data={"Product": products(5000)}, page_size=250)
    with box as url:
        ids = [p.id for p in Shop.connect(url, token="sandbox-token").list(Product)]
        assert ids == list(range(1, 5001))
        assert len(box.journal.entries("GET", "/products")) == 20


STYLES: dict[str, Paginator] = {
    "single": Paginator(items="data"),
    "page-number": PageNumber(items="data", total="count", next="next"),
    "page-total-header": PageNumber(page="_page", size="_limit", total_header="X-Total-Count", items="data"),
    "offset": OffsetLimit(items="data", total="total"),
    "cursor": Cursor(items="data", cursor="next_cursor"),
    "cursor-stripe": Cursor(items="data", param="starting_after", cursor="data.-1.id", has_more="has_more"),
    "next-url": NextUrl(items="data"),
    "link": LinkHeader(page="page", size="per_page", items="data"),
    "header-url": HeaderNext(header="X-Next-Page", items="data"),
    "header-token": HeaderNext(header="X-Continuation", param="token", items="data"),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_paging_in_every_declared_style(style: str) -> None:
    class Paged(Service):
        auth = TokenAuth(scheme="Token")
        pagination = STYLES[style]

    @Paged.resource(one="/rows/{id}", many="/rows")
    class Row(Resource):
        id: int | None = None

    with Sandbox(Paged, data={"Row": [{"id": i} for i in range(1, 58)]}, page_size=10) as url:
        api = Paged.connect(url, token="sandbox-token")
        assert [r.id for r in api.list(Row)] == list(range(1, 58))
        assert [r.id for r in api.list(Row, page_size=25)] == list(range(1, 58))


STARTS: dict[str, dict[str, int]] = {
    "page-number": {"page": 3},
    "page-total-header": {"_page": 3},
    "offset": {"offset": 20},
    "link": {"page": 3},
}


@pytest.mark.parametrize("style", sorted(STARTS))
def test_the_walk_starts_where_the_caller_says_and_page_one_is_never_sent_unasked(style: str) -> None:
    class Paged(Service):
        auth = TokenAuth(scheme="Token")
        pagination = STYLES[style]

    @Paged.resource(one="/rows/{id}", many="/rows")
    class Row(Resource):
        id: int | None = None

    box = Sandbox(Paged, data={"Row": [{"id": i} for i in range(1, 58)]}, page_size=10)
    with box as url:
        api = Paged.connect(url, token="sandbox-token")
        assert [r.id for r in api.list(Row, params=STARTS[style])] == list(range(21, 58))
        first, *rest = box.journal.entries("GET", "/rows")
        assert dict(first.params) == {k: str(v) for k, v in STARTS[style].items()}
        assert len(rest) == 3 + (
            STYLES[style].total_header is not None or style == "offset"
        )  # an empty page ends these
        box.journal.clear()
        assert len(api.list(Row).to_list()) == 57
        assert box.journal.entries()[0].query == ""  # the first page: no page, offset or size unasked


@pytest.mark.parametrize("style", sorted(STARTS))
def test_send_start_names_the_start_position_on_the_first_request(style: str) -> None:
    class Paged(Service):
        auth = TokenAuth(scheme="Token")
        pagination = attrs.evolve(STYLES[style], send_start=True)

    @Paged.resource(one="/rows/{id}", many="/rows")
    class Row(Resource):
        id: int | None = None

    box = Sandbox(Paged, data={"Row": [{"id": i} for i in range(1, 58)]}, page_size=10)
    with box as url:
        api = Paged.connect(url, token="sandbox-token")
        assert [r.id for r in api.list(Row)] == list(range(1, 58))
        (name,) = STARTS[style]
        start = 0 if style == "offset" else 1
        assert dict(box.journal.entries()[0].params) == {name: str(start)}
        box.journal.clear()
        assert [r.id for r in api.list(Row, params=STARTS[style])][0] == 21  # the caller's start is kept
        assert dict(box.journal.entries()[0].params) == {k: str(v) for k, v in STARTS[style].items()}


@pytest.mark.parametrize("style", ["page-number", "next-url", "link", "header-url"])
def test_next_links_keep_repeated_query_parameters(style: str) -> None:
    class Paged(Service):
        auth = TokenAuth(scheme="Token")
        pagination = STYLES[style]

    @Paged.resource(one="/rows/{id}", many="/rows")
    class Row(Resource):
        id: int | None = None

    box = Sandbox(Paged, data={"Row": [{"id": i} for i in range(1, 26)]}, page_size=10)
    with box as url:
        api = Paged.connect(url, token="sandbox-token")
        pager = api.list(Row, params={"label": ["a", "b"], "q": ""})
        assert [r.id for r in pager] == list(range(1, 26))
    entries = box.journal.entries("GET", "/rows")
    assert len(entries) == 3
    for entry in entries:
        assert [v for k, v in entry.params if k == "label"] == ["a", "b"] and ("q", "") in entry.params


# -- counts from another request -----------------------------------------------------------


class Counted(Service):
    pass


@Counted.resource(
    one="/rows/{id}",
    many="/rows",
    pagination=PageNumber(count=CountRequest(method="HEAD", header="X-Total-Count")),
)
class Row(Resource):
    id: int | None = None
    kind: str | None = None


@Counted.resource(
    one="/stores/{store}/stock/{id}",
    many="/stores/{store}/stock",
    parents=("store",),
    pagination=Cursor(count=CountRequest(suffix="/count", at="meta.count")),
)
class Stock(Resource):
    id: int | None = None
    kind: str | None = None


def test_the_sandbox_serves_declared_counts() -> None:
    rows = [{"id": i, "kind": "a" if i % 3 else "b"} for i in range(1, 31)]
    stock = [{"store": "s1", "id": i, "kind": "a" if i % 2 else "b"} for i in range(1, 8)]
    box = Sandbox(Counted, data={"Row": rows, "Stock": stock}, page_size=4)
    with box as url, Counted.connect(url) as api:
        assert api.list(Row).total == 30
        assert api.list(Row, params={"kind": "b"}).total == 10  # the list's filters apply
        assert api.list(Stock, store="s1", params={"kind": "a"}).total == 4
        assert api.list(Stock, store="s2").total == 0
        assert len(api.list(Row).to_list()) == 30
        page = api.list(Row).first_page()
    assert page.total is None and "X-Total-Count" not in page.response.headers  # on HEAD only
    assert [e.method for e in box.journal.entries(path="/rows")][:2] == ["HEAD", "HEAD"]
    assert box.journal.entries(path="/stores/s1/stock/count")[0].params == [("kind", "a")]
