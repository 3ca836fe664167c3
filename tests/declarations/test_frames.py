"""forgets_locals: a clientkit error leaves an operation (a session call, a Surface row, a
service package's own method) with the local variables of its frames cleared, over real HTTP."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from clientkit import Resource, Service
from clientkit.auth import ApiKeyAuth
from clientkit.errors import ClientKitError, InvalidRequestError, NotFoundError, ServerError
from clientkit.model import Surface
from clientkit.paging import PageNumber
from clientkit.redaction import forgets_locals
from tests.support.scripted import Reply, ScriptedServer

KEY = "key-FRAMES-51c7a9e3"


class Keyed(Service):
    auth = ApiKeyAuth(query="key")


@Keyed.resource(
    one="/items/{id}", many="/items", pagination=PageNumber(page_size=2, items="results", total="count")
)
class Item(Resource):
    id: int | None = None


class Official(Surface):
    def __init__(self, session: Any) -> None:
        self.session = session

    fetch = Surface.request("GET", "/lookup/{code}", "code")


def shown(error: BaseException) -> str:
    """The traceback under the test's own frame as ``pytest -l`` and error trackers show it:
    with every frame's locals."""
    assert error.__traceback__ is not None
    frames = traceback.walk_tb(error.__traceback__.tb_next)
    return "".join(traceback.StackSummary.extract(frames, capture_locals=True).format())


def test_a_session_call_leaves_no_secret_in_its_frames(server: ScriptedServer) -> None:
    server.on("GET", f"/echo/{KEY}", Reply(404, json={"message": "no such thing"}))
    api = Keyed.connect(server.url, key=KEY, retries=0)
    with pytest.raises(NotFoundError) as info:
        api.request("GET", "/echo/" + KEY)  # a path the caller built with the key in it
    assert server.received[-1].path == f"/echo/{KEY}"
    text = shown(info.value)
    assert KEY not in text and "_send(method, path" in text  # the lines stay
    with pytest.raises(InvalidRequestError) as refused:
        api.request("GET", f"http://elsewhere.example/{KEY}")
    assert KEY not in shown(refused.value)


def test_a_surface_row_clears_its_arguments(server: ScriptedServer) -> None:
    server.on("GET", f"/lookup/{KEY}", Reply(404, json={}))
    with pytest.raises(NotFoundError) as info:
        Official(Keyed.connect(server.url, key=KEY, retries=0)).fetch(KEY)
    assert KEY not in shown(info.value)


def test_only_clientkit_errors_lose_their_locals() -> None:
    @forgets_locals
    def failing(secret: str, error: Exception) -> None:
        hidden = secret.upper()
        raise error from None if hidden else error

    with pytest.raises(ClientKitError) as cleared:
        failing(KEY, InvalidRequestError("bad"))
    assert KEY not in shown(cleared.value) and KEY.upper() not in shown(cleared.value)
    with pytest.raises(KeyError) as kept:  # a bug keeps what debugging it needs
        failing(KEY, KeyError("bug"))
    assert KEY.upper() in shown(kept.value)
    assert failing.__name__ == "failing"


PAGER_CALLS: dict[str, Any] = {
    "iterated": lambda api: list(api.list(Item, params={"token": KEY})),
    "pages": lambda api: list(api.list(Item, params={"token": KEY}).pages()),
    "concurrent pages": lambda api: list(api.list(Item, params={"token": KEY}).concurrent_pages(2)),
    "first page": lambda api: api.list(Item, params={"token": KEY}).first_page(),
    "page": lambda api: api.list(Item, params={"token": KEY}).page(0),
    "total": lambda api: api.list(Item, params={"token": KEY}).total,
    "to_list": lambda api: api.list(Item, params={"token": KEY}).to_list(),
    "paginate": lambda api: list(api.paginate("/echo/" + KEY, PageNumber())),
    "list's own refusal": lambda api: api.list(Item, nosuch=KEY),
}


@pytest.mark.parametrize("call", PAGER_CALLS, ids=list(PAGER_CALLS))
def test_a_pager_clears_its_frames_as_it_fails(server: ScriptedServer, call: str) -> None:
    """A pager fails as it is used, after ``list()`` returned: its own paths clear too."""
    server.on("GET", "/items", Reply(500, json={"message": "down"}))
    server.on("GET", f"/echo/{KEY}", Reply(500, json={"message": "down"}))
    api = Keyed.connect(server.url, key=KEY, retries=0)
    with pytest.raises(InvalidRequestError if "refusal" in call else ServerError) as info:
        PAGER_CALLS[call](api)
    assert "refusal" in call or KEY in server.received[-1].query + server.received[-1].path
    text = shown(info.value)
    assert KEY not in text and "File" in text  # the lines stay


@pytest.mark.parametrize("workers", [0, 2])
def test_a_later_page_failing_clears_the_frames(server: ScriptedServer, workers: int) -> None:
    """The second page fails: in the walk, or in a worker fetching pages concurrently."""
    first = Reply(json={"results": [{"id": 1}, {"id": 2}], "count": 6})
    server.on("GET", "/items", first, Reply(500, json={"message": "down"}))
    pager = Keyed.connect(server.url, key=KEY, retries=0).list(Item, params={"token": KEY})
    with pytest.raises(ServerError) as info:
        list(pager.concurrent_pages(workers) if workers else pager)
    assert len(server.requests_to("/items")) >= 2 and KEY in server.received[-1].query
    assert KEY not in shown(info.value)


def test_a_generator_clears_its_frames_when_it_fails() -> None:
    @forgets_locals
    def walk(secret: str) -> Iterator[int]:
        hidden = secret.upper()
        yield len(hidden)
        raise InvalidRequestError("bad")

    steps = walk(KEY)
    assert next(steps) == len(KEY)
    with pytest.raises(InvalidRequestError) as info:
        next(steps)
    assert KEY.upper() not in shown(info.value) and "raise InvalidRequestError" in shown(info.value)
