"""Argument checks derived from a function's annotations (``check_arguments``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypedDict

import pytest

from clientkit import Resource, Service, TokenAuth
from clientkit.errors import ArgumentTypeError, DeclarationError, InvalidRequestError
from clientkit.model import check_arguments
from tests.support.scripted import Reply, ScriptedServer


class Api(Service):
    auth = TokenAuth()


@Api.resource(one="/apps/{id}", many="/apps")
class App(Resource):
    id: str | None = None


class Search(TypedDict):
    keys: list[str]
    limit: Annotated[int, range(10, 501)]
    after: str | None


class Reports:
    def __init__(self, url: str) -> None:
        self.session = Api.connect(url, token="t", retries=0)

    @check_arguments(descriptions={"app": "an App or its id"})
    def export(self, app: App | str, deep: bool = False, depth: float = 1.0) -> Any:
        ident = app if isinstance(app, str) else app.id
        return self.session.request("GET", f"/apps/{ident}", params={"deep": deep}).json()

    @check_arguments
    def search(self, options: Search, progress: Callable[[int], Any] | None = None) -> Any:
        return self.session.request("POST", "/search", json=dict(options)).json()


def test_right_arguments_reach_the_server(server: ScriptedServer) -> None:
    server.on("GET", "/apps/a", Reply(json={"id": "a"}))
    server.on("POST", "/search", Reply(json=[]))
    reports = Reports(server.url)
    assert reports.export(App(id="a")) == {"id": "a"} and reports.export("a", deep=True, depth=2) == {
        "id": "a"
    }
    assert reports.search({"keys": ["name"], "limit": 10, "after": None}, progress=print) == []
    assert [r.query for r in server.requests_to("/apps/a")] == ["deep=false", "deep=true"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.export(3), "app must be an App or its id, not int"),
        (lambda r: r.export("a", deep=1), "deep must be a bool, not int"),
        (lambda r: r.export("a", depth="deep"), "depth must be a float, not str"),
        (lambda r: r.search(["keys"]), "options must be a mapping, not list"),
        (lambda r: r.search({"keys": ["a"], "limit": 5, "after": None}), "limit: must be between 10 and 500"),
        (
            lambda r: r.search({"keys": "a", "limit": True}),
            "options is not valid: after: required; keys: must",
        ),
        (
            lambda r: r.search({"keys": [], "limit": 10, "after": None}, progress=1),
            "progress must be a Callable",
        ),
    ],
)
def test_wrong_arguments_are_refused_before_sending(
    server: ScriptedServer, call: Callable[[Reports], Any], message: str
) -> None:
    with pytest.raises(ArgumentTypeError, match=message) as info:
        call(Reports(server.url))
    assert isinstance(info.value, TypeError) and isinstance(info.value, InvalidRequestError)
    assert server.requests_to("/apps/a") == [] and server.requests_to("/search") == []


def test_a_bool_is_no_int_and_unchecked_annotations_pass() -> None:
    @check_arguments
    def pick(count: int, anything: Any, limit: Annotated[int | None, range(1, 4)] = None) -> int:
        return count

    assert pick(3, object()) == 3 and pick(1, None, limit=3) == 1
    with pytest.raises(ArgumentTypeError, match="count must be an int, not bool"):
        pick(True, 1)
    with pytest.raises(ArgumentTypeError, match="limit must be between 1 and 3"):
        pick(1, 1, limit=4)


def test_a_description_for_no_parameter_is_a_declaration_error() -> None:
    with pytest.raises(DeclarationError, match="has no parameter slug"):

        @check_arguments(descriptions={"slug": "a slug"})
        def get(app: str) -> None: ...
