"""Every paging style over real HTTP: how a page is asked for, where items, totals and links sit."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from clientkit._declarations.paging import (
    CountRequest,
    Cursor,
    HeaderNext,
    LinkHeader,
    NextUrl,
    OffsetLimit,
    PageNumber,
    PageRequest,
)
from clientkit.errors import InvalidRequestError
from tests.support.paged import ITEMS, args, connect, declare, numbered
from tests.support.scripted import Received, Reply, ScriptedServer


def test_page_number_with_count_next_previous(server: ScriptedServer) -> None:
    Item = declare(PageNumber(items="results", total="count", next="next"))
    server.on("GET", "/items", numbered)
    pager = connect(server).list(Item, page_size=5, params={"q": "x"})
    assert pager.total == 23
    assert [i.id for i in pager] == list(range(1, 24))
    queries = [r.query for r in server.received]
    assert queries == ["q=x&page_size=5"] + [f"q=x&page_size=5&page={p}" for p in range(2, 6)]
    assert all(r.header("Authorization") == "Bearer pager-token" for r in server.received)


def test_page_number_sends_the_first_page_only_when_declared(server: ScriptedServer) -> None:
    server.on("GET", "/items", numbered)
    asked = declare(PageNumber(items="results", next="next", send_start=True))
    assert len(connect(server).list(asked, page_size=10).to_list()) == 23
    assert [r.query for r in server.received] == [f"page={p}&page_size=10" for p in (1, 2, 3)]


@pytest.mark.parametrize("send_start", [False, True])
def test_a_page_the_caller_passes_is_where_the_walk_starts(server: ScriptedServer, send_start: bool) -> None:
    server.on("GET", "/items", numbered)
    item = declare(PageNumber(items="results", next="next", send_start=send_start))
    pager = connect(server).list(item, page_size=5, params={"page": 3, "q": "x"})
    assert [i.id for i in pager] == list(range(11, 24))
    assert [r.query for r in server.received] == [f"page={p}&q=x&page_size=5" for p in (3, 4, 5)]
    server.received.clear()
    assert [i.id for i in pager.page(1)] == list(range(16, 21))  # page 1 of the walk from page 3
    assert server.received[0].query == "page=4&q=x&page_size=5"


def test_a_page_size_the_caller_passes_is_kept_and_expected(server: ScriptedServer) -> None:
    server.on("GET", "/items", numbered)
    item = declare(PageNumber(items="results", page_size=100))  # no next link: ends at a short page
    assert len(connect(server).list(item, params={"page_size": 5}).to_list()) == 23
    assert [r.query for r in server.received] == ["page_size=5"] + [
        f"page_size=5&page={p}" for p in range(2, 6)
    ]
    with pytest.raises(InvalidRequestError, match="page_size=10 disagrees"):
        connect(server).list(item, page_size=10, params={"page_size": 5})


def test_an_offset_the_caller_passes_is_where_the_walk_starts(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        a = args(req)
        offset, limit = int(a.get("offset", 0)), int(a["limit"])
        return Reply(json={"data": ITEMS[offset : offset + limit], "total": len(ITEMS)})

    server.on("GET", "/items", handler)
    for style in (
        OffsetLimit(items="data", total="total"),
        OffsetLimit(items="data", send_start=True),
    ):
        server.received.clear()
        pager = connect(server).list(declare(style), page_size=5, params={"offset": 12})
        assert [i.id for i in pager] == list(range(13, 24))
        assert [r.query for r in server.received][:2] == ["offset=12&limit=5", "offset=17&limit=5"]
        assert pager.page(1).items[0].id == 18


def test_a_cursor_the_caller_passes_is_where_the_walk_starts(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        start = int(args(req).get("cursor", "0"))
        nxt = str(start + 8) if start + 8 < len(ITEMS) else None
        return Reply(json={"items": ITEMS[start : start + 8], "meta": {"next": nxt}})

    server.on("GET", "/items", handler)
    pager = connect(server).list(
        declare(Cursor(items="items", cursor="meta.next")), params={"cursor": "16", "limit": 8}
    )
    assert [i.id for i in pager] == list(range(17, 24))
    assert [r.query for r in server.received] == ["cursor=16&limit=8"]


def test_page_number_with_total_in_a_header(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        a = args(req)
        page, size = int(a.get("p", 1)), int(a["per"])
        return Reply(json=ITEMS[(page - 1) * size : page * size], headers={"X-Total": "23"})

    Item = declare(PageNumber(page="p", size="per", total_header="X-Total"))
    server.on("GET", "/items", handler)
    pager = connect(server).list(Item, page_size=10)
    assert [i.id for i in pager] == list(range(1, 24))
    assert pager.total == 23 and len(server.received) == 3


def test_page_number_without_total_stops_at_a_short_page(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        page = int(args(req).get("page", 1))
        return Reply(json=ITEMS[(page - 1) * 10 : page * 10])

    Item = declare(PageNumber())
    server.on("GET", "/items", handler)
    assert len(list(connect(server).list(Item, page_size=10))) == 23
    assert len(server.received) == 3


def test_offset_limit_counts_what_was_returned(server: ScriptedServer) -> None:
    def capped(rec: Received, req: Any) -> Reply:  # caps the limit at 4, like many servers
        a = args(req)
        offset, limit = int(a.get("offset", 0)), min(int(a["limit"]), 4)
        return Reply(json={"data": ITEMS[offset : offset + limit], "total": len(ITEMS)})

    Item = declare(OffsetLimit(items="data", total="total"))
    server.on("GET", "/items", capped)
    assert [i.id for i in connect(server).list(Item, page_size=10)] == list(range(1, 24))
    offsets = [dict(parse_qsl(r.query)).get("offset") for r in server.received]
    assert offsets == [None, "4", "8", "12", "16", "20"]  # no offset unasked on page one


def test_offset_in_query_limit_in_post_body(server: ScriptedServer) -> None:
    def search(rec: Received, req: Any) -> Reply:
        offset = int(args(req).get("next_page", 0))
        limit = rec.json["limit"]
        return Reply(json={"data": ITEMS[offset : offset + limit], "total": len(ITEMS)})

    Item = declare(
        OffsetLimit(
            items="data",
            total="total",
            offset="next_page",
            limit_where="body",
            method="POST",
        ),
        many="/search",
    )
    server.on("POST", "/search", search)
    assert len(list(connect(server).list(Item, page_size=10))) == 23
    assert [r.query for r in server.received] == ["", "next_page=10", "next_page=20"]
    assert all(r.json == {"limit": 10} for r in server.received)


def test_cursor_in_body(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        start = int(args(req).get("cursor", "0"))
        chunk = ITEMS[start : start + 8]
        nxt = str(start + 8) if start + 8 < len(ITEMS) else None
        return Reply(json={"items": chunk, "meta": {"next": nxt}})

    Item = declare(Cursor(items="items", cursor="meta.next"))
    server.on("GET", "/items", handler)
    assert [i.id for i in connect(server).list(Item, page_size=8)] == list(range(1, 24))
    assert [r.query for r in server.received] == ["limit=8", "limit=8&cursor=8", "limit=8&cursor=16"]


def test_stripe_style_cursor_from_the_last_item(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        after = int(args(req).get("starting_after", "0"))
        chunk = [i for i in ITEMS if i["id"] > after][:10]
        return Reply(json={"data": chunk, "has_more": chunk[-1]["id"] < 23 if chunk else False})

    Item = declare(Cursor(items="data", param="starting_after", cursor="data.-1.id", has_more="has_more"))
    server.on("GET", "/items", handler)
    assert len(list(connect(server).list(Item, page_size=10))) == 23


def test_next_url_in_body_keeps_filters(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        a = args(req)
        page = int(a.get("page", 1))
        nxt = f"/items?{urlencode({'q': a['q'], 'page': page + 1})}" if page < 3 else None
        return Reply(json={"results": ITEMS[(page - 1) * 8 : page * 8], "next": nxt})

    Item = declare(NextUrl(items="results"))
    server.on("GET", "/items", handler)
    assert len(list(connect(server).list(Item, params={"q": "lamp"}))) == 23
    assert [r.query for r in server.received] == ["q=lamp", "q=lamp&page=2", "q=lamp&page=3"]
    assert all(r.header("Authorization") for r in server.received)


def test_link_header(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        page = int(args(req).get("page", 1))
        links = [f'<{server.url}/items?page={page + 1}&per_page=10>; rel="next"'] if page < 3 else []
        links.append(f'<{server.url}/items?page=1&per_page=10>; rel="first"')
        return Reply(json=ITEMS[(page - 1) * 10 : page * 10], headers={"Link": ", ".join(links)})

    Item = declare(LinkHeader(page="page", size="per_page"))
    server.on("GET", "/items", handler)
    pager = connect(server).list(Item, page_size=10)
    assert len(list(pager)) == 23 and len(server.received) == 3


def test_next_page_url_in_a_custom_header(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        page = int(args(req).get("pg", 1))
        headers = {"X-Next": f"/items?pg={page + 1}"} if page < 3 else {}
        return Reply(json=ITEMS[(page - 1) * 10 : page * 10], headers=headers)

    Item = declare(HeaderNext(header="X-Next"))
    server.on("GET", "/items", handler)
    assert len(list(connect(server).list(Item))) == 23


def test_next_token_in_a_custom_header(server: ScriptedServer) -> None:
    def handler(rec: Received, req: Any) -> Reply:
        token = args(req).get("token", "a")
        following = {"a": "b", "b": "c"}.get(token)
        chunk = {"a": ITEMS[:10], "b": ITEMS[10:20], "c": ITEMS[20:]}[token]
        return Reply(json=chunk, headers={"X-Continuation": following} if following else {})

    Item = declare(HeaderNext(header="X-Continuation", param="token"))
    server.on("GET", "/items", handler)
    assert len(list(connect(server).list(Item))) == 23


def test_json_server_link_and_total_count(json_server: str) -> None:
    from tests.test_third_party_servers import JsonServer, Post

    @JsonServer.resource(
        many="/posts",
        pagination=LinkHeader(page="_page", size="_limit", total_header="X-Total-Count", send_start=True),
    )
    class PagedPost(Post):
        pass

    with JsonServer.connect(json_server) as api:
        pager = api.list(PagedPost, page_size=5, params={"author": "bob"})
        ids = [p.id for p in pager]
        assert ids == list(range(2, 24, 2))
        assert pager.total == 11
        assert api.list(PagedPost, page_size=4).page(2).items[0].id == 9


def test_json_server_pages_from_no_page_or_the_callers_page(json_server: str) -> None:
    from tests.test_third_party_servers import JsonServer, Post

    @JsonServer.resource(
        many="/posts", pagination=PageNumber(page="_page", size="_limit", total_header="X-Total-Count")
    )
    class NumberedPost(Post):
        pass

    @JsonServer.resource(
        many="/posts", pagination=OffsetLimit(offset="_start", limit="_limit", total_header="X-Total-Count")
    )
    class OffsetPost(Post):
        pass

    with JsonServer.connect(json_server) as api:
        pager = api.list(NumberedPost, page_size=5)
        assert [p.id for p in pager] == list(range(1, 24)) and pager.total == 23
        assert pager.pages().__next__().request.params == (("_limit", 5),)  # no _page=1 unasked
        assert [p.id for p in api.list(NumberedPost, params={"_page": 4, "_limit": 5})] == list(range(16, 24))
        assert [p.id for p in api.list(OffsetPost, params={"_start": 20}, page_size=2)] == [21, 22, 23]


def test_drf_count_next_previous(drf_server: str) -> None:
    from tests.test_third_party_servers import ALICE, Article, Drf

    @Drf.resource(
        many="/api/articles/", pagination=PageNumber(items="results", total="count", next="next", size=None)
    )
    class PagedArticle(Article):
        pass

    with Drf.connect(drf_server, token=ALICE) as api:
        pager = api.list(PagedArticle)
        titles = [a.title for a in pager]
        assert pager.total == len(titles) >= 12
        assert [t for t in titles if t.startswith("Alice")][:12] == [f"Alice {i}" for i in range(12)]
        published = list(api.list(PagedArticle, params={"published": "true"}))
        assert published and all(a.published for a in published)


# -- counts from another request -----------------------------------------------------------


def test_a_count_request_is_checked_when_declared() -> None:
    from clientkit._declarations.errors import DeclarationError

    for bad, message in [
        ({"method": "PUT"}, "GET, HEAD or POST"),
        ({"method": "HEAD"}, "name the count's header"),
        ({"method": "HEAD", "header": "X-Total-Count", "at": "count"}, "not at="),
        ({"suffix": "count"}, "a path like '/count'"),
        ({"suffix": "/count?exact=1"}, "a path like"),
    ]:
        with pytest.raises(DeclarationError, match=message):
            CountRequest(**bad)


def test_a_count_request_carries_the_lists_filters_and_its_own_parameters() -> None:
    listing = PageRequest(method="POST", target="/items/", params=(("q", "x"), ("limit", 1)), body={"f": 1})
    asked = CountRequest(method="POST", suffix="/count", params={"limit": 0}).request(listing)
    assert asked == PageRequest(
        method="POST", target="/items/count", params=(("q", "x"), ("limit", 0)), body={"f": 1}
    )
    head = CountRequest(method="HEAD", header="X-Total").request(listing)
    assert (head.method, head.target, head.body) == ("HEAD", "/items/", None)
    absolute = CountRequest(suffix="/$count").request(PageRequest(target="http://h/api/items?a=1"))
    assert absolute.target == "http://h/api/items/$count?a=1"
    assert CountRequest(at="meta.total").read({"meta": {"total": "12"}}, {}) == 12
    assert CountRequest().read(7, {}) == 7
    assert PageNumber(count=CountRequest()).count == CountRequest()  # keyword only: positions unchanged
