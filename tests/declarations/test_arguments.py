"""Argument checks derived from a function's annotations (``check_arguments``)."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from typing import Annotated, Any, NotRequired, Protocol, Required, TypedDict, runtime_checkable

import pytest

from clientkit import Resource, Service, TokenAuth, field
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


Level = Annotated[int, range(0, 4)]


class Options(TypedDict, total=False):
    query: Required[str]
    limit: Level
    fields: NotRequired[list[str]]


class Sized(Protocol):
    def size(self) -> int: ...


@runtime_checkable
class Named(Protocol):
    name: str


def test_a_range_bounds_its_own_member_of_a_union() -> None:
    @check_arguments
    def page(level: Level | None = None, size: Annotated[int, range(1, 11)] | str = 5) -> Any:
        return level, size

    assert page(3, "all") == (3, "all") and page(None) == (None, 5)
    with pytest.raises(ArgumentTypeError, match="level must be between 0 and 3"):
        page(99)
    with pytest.raises(ArgumentTypeError, match="size must be between 1 and 10"):
        page(size=11)
    with pytest.raises(ArgumentTypeError, match="level must be an int or None, not str"):
        page("1")


def test_a_checked_field_bounds_a_range_in_a_union() -> None:
    class Ranked(Resource):
        id: str | None = None
        level: Level | None = field(default=None, check=True)

    assert Ranked(level=2).level == 2 and Ranked().level is None
    with pytest.raises(ArgumentTypeError, match="level must be between 0 and 3"):
        Ranked(level=99)


def test_required_and_not_required_keys_are_checked() -> None:
    @check_arguments
    def search(options: Options | None = None) -> Any:
        return options

    assert search({"query": "q", "fields": ["a"]}) == {"query": "q", "fields": ["a"]}
    with pytest.raises(ArgumentTypeError, match="options is not valid: query: required"):
        search({"limit": 1})
    with pytest.raises(ArgumentTypeError, match="query: must be a str, not int; limit: must be between"):
        search({"query": 5, "limit": 9})
    with pytest.raises(ArgumentTypeError, match="fields: must be a list, not str"):
        search({"query": "q", "fields": "a"})
    with pytest.raises(ArgumentTypeError, match="options must be a mapping or None, not list"):
        search([])


def test_only_runtime_checkable_protocols_are_checked() -> None:
    class Box:
        name = "box"

        def size(self) -> int:
            return 1

    @check_arguments
    def measure(thing: Sized, label: Named) -> int:
        return thing.size()

    assert measure(Box(), Box()) == 1  # Sized is not runtime checkable: not checked
    with pytest.raises(ArgumentTypeError, match="label must be a Named, not int"):
        measure(Box(), 3)


def test_an_undefined_name_is_a_declaration_error_until_it_is_defined() -> None:
    @check_arguments
    def later(x: Undefined) -> Any:  # type: ignore[name-defined]  # noqa: F821
        return x

    for _ in range(2):
        with pytest.raises(DeclarationError, match="later: an annotation names 'Undefined'"):
            later(1)
    globals()["Undefined"] = int
    try:
        assert later(1) == 1
        with pytest.raises(ArgumentTypeError, match="x must be an int, not str"):
            later("1")
    finally:
        del globals()["Undefined"]


def test_a_description_rewords_only_a_wrong_type() -> None:
    @check_arguments(descriptions={"limit": "a page size"})
    def page(limit: Annotated[int, range(10, 501)]) -> int:
        return limit

    with pytest.raises(ArgumentTypeError, match="limit must be a page size, not str"):
        page("10")
    with pytest.raises(ArgumentTypeError, match="limit must be between 10 and 500"):
        page(5)


def test_a_generator_function_is_checked_when_it_starts(server: ScriptedServer) -> None:
    """As Python runs a generator's body lazily, and official clients fail there."""
    server.on("GET", "/apps", Reply(json=[{"id": "a"}]))
    session = Api.connect(server.url, token="t", retries=0)

    @check_arguments
    def transfer(app: str, limit: int = 10) -> Iterator[Any]:
        yield from session.request("GET", "/apps", params={"app": app, "limit": limit}).json()

    started = transfer(3)  # nothing checked, nothing sent yet
    with pytest.raises(ArgumentTypeError, match="app must be a str, not int"):
        next(started)
    assert server.requests_to("/apps") == []
    assert list(transfer("a", limit=2)) == [{"id": "a"}]
    assert server.requests_to("/apps")[0].query == "app=a&limit=2"


def test_a_refusal_keeps_no_argument_in_its_frames() -> None:
    secret = "hunter2-ARGS-77aa"

    @check_arguments
    def create_user(kind: str, item: dict[str, Any] | None = None) -> None: ...

    with pytest.raises(ArgumentTypeError) as info:
        create_user(3, {"email": "a@b.c", "password": secret})
    assert info.value.__traceback__ is not None
    frames = traceback.walk_tb(info.value.__traceback__.tb_next)  # below the test's own frame
    shown = "".join(traceback.StackSummary.extract(frames, capture_locals=True).format())
    assert secret not in shown and "raise error" in shown
