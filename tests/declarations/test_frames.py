"""forgets_locals: a clientkit error leaves an operation (a session call, a Surface row, a
service package's own method) with the local variables of its frames cleared, over real HTTP."""

from __future__ import annotations

import traceback
from typing import Any

import pytest

from clientkit import Resource, Service
from clientkit.auth import ApiKeyAuth
from clientkit.errors import ClientKitError, InvalidRequestError, NotFoundError
from clientkit.model import Surface
from clientkit.redaction import forgets_locals
from tests.support.scripted import Reply, ScriptedServer

KEY = "key-FRAMES-51c7a9e3"


class Keyed(Service):
    auth = ApiKeyAuth(query="key")


@Keyed.resource(one="/items/{id}", many="/items")
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
