"""Path helpers derived from the declared paths (``path_of``, ``ResourcePath``): the paths
they give are the ones the session requests."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from clientkit import Action, Expansion, Resource, Service, field
from clientkit.errors import ArgumentTypeError, InvalidRequestError
from clientkit.model import ResourcePath, path_of
from clientkit.sandbox import Sandbox


class Shop(Service):
    base_url = "https://shop.example.com/api"


class Helpers(Resource):
    one_path = ResourcePath("get", level="detail")
    all_path = ResourcePath("list", level="detail")
    one_or_all_path = ResourcePath("get", level="detail", fallback="list")
    create_path = ResourcePath("create", level="detail")


@Shop.resource(
    one="/shelves/{hall}/{code}",
    many="/shelves",
    create="/shelves/{hall}",
    expansion=Expansion("detail", style="int", max_level=2, default=0),
    actions={"restock": Action("POST", "/restock/{hall}/{code}")},
)
class Shelf(Helpers):
    hall: str | None = field(identity=True)
    code: str | None = field(identity=True)
    name: str | None = None
    detail: int = field(default=0, local=True)
    restock_path = ResourcePath("restock")


@Shop.resource(
    one="/shelves/{hall}/{code}/books/{id}", create="/shelves/{hall}/{code}/books", parents=("hall", "code")
)
class Book(Resource):
    id: str | None = None


@Shop.resource(one="/tags/{id}", many="/tags", expansion=Expansion("full", style="bool", default=False))
class Tag(Helpers):
    id: str | None = None
    detail: bool = field(default=False, local=True)


SEED = {"Shelf": [{"hall": "north", "code": "a 1", "name": "Poetry"}], "Tag": [{"id": "new"}]}


def asked(box: Sandbox) -> str:
    """The path and query of the last request the sandbox received, as sent."""
    return f"{quote(box.journal.last.path)}?{box.journal.last.query}"


def test_the_helpers_give_the_paths_the_session_requests() -> None:
    box = Sandbox(Shop, data=SEED)
    with box as url, Shop.connect(url) as shop:
        shelf = Shelf(hall="north", code="a 1", detail=2)
        shop.get(Shelf, ("north", "a 1"), level=2)
        assert asked(box) == shelf.one_path() == shelf.one_or_all_path()
        list(shop.list(Shelf, level=1))
        assert asked(box) == Shelf(detail=1).all_path() == "/shelves?detail=1"
        assert Shelf().one_or_all_path() == "/shelves?detail=0"
        shop.get(Tag, "new", level=True)
        assert asked(box) == Tag(id="new", detail=True).one_path()
    assert shelf.one_path() == "/shelves/north/a%201?detail=2"
    assert (
        Tag(id="new").one_path() == "/tags/new?full=false" and Tag().one_or_all_path() == "/tags?full=false"
    )
    assert shelf.create_path() == "/shelves/north" and shelf.restock_path() == "/restock/north/a%201"


def test_another_resources_path_from_an_objects_fields() -> None:
    shelf = Shelf(hall="north", code="a1")
    assert path_of(shelf, "get", of=Book, id="b/2") == "/shelves/north/a1/books/b%2F2"
    assert path_of(shelf, "create", of=Book) == "/shelves/north/a1/books"
    assert path_of(Tag(id="x"), "get", level=True) == "/tags/x?full=true"


def test_a_missing_value_or_level_is_refused() -> None:
    with pytest.raises(
        ArgumentTypeError, match=r"the restock path of Shelf needs both hall and code \(code"
    ):
        Shelf(hall="north").restock_path()
    with pytest.raises(TypeError, match="needs hall, code, id"):  # as official clients raise
        path_of(Shelf(), "get", of=Book)
    with pytest.raises(InvalidRequestError, match="between 0 and 2"):
        Shelf(hall="n", code="c", detail=5).one_path()
    assert isinstance(Shelf.one_path, ResourcePath)


class Workspaces(Service):
    context = {"workspace": None}


@Workspaces.resource(
    one="/{version}/{workspace}/apps/{id}",
    many="/{version}/{workspace}/apps",
    path_params={"version": "v2"},
    expansion=Expansion("extended", style="bool", default=False),
)
class App(Resource):
    id: str | None = None
    one_path = ResourcePath("get", level="lvl")
    lvl: bool | None = field(default=None, local=True)


@Workspaces.resource(
    one="/projects/{project}/tasks/{id}", many="/projects/{project}/tasks", parents=["project"]
)
class Task(Resource):
    id: int | None = None
    one_path = ResourcePath("get")


WORKSPACE_SEED = {"App": [{"workspace": "w1", "id": "a1"}], "Task": [{"project": "p1", "id": 1}]}


def test_path_params_parents_and_context_fill_the_path_as_the_session_does() -> None:
    box = Sandbox(Workspaces, data=WORKSPACE_SEED)
    with box as url, Workspaces.connect(url, workspace="w1") as api:
        app = api.get(App, "a1")
        assert asked(box) == "/v2/w1/apps/a1?extended=false"
        assert path_of(app, "get", session=api) == path_of(app, "get", workspace="w1") == asked(box)
        assert path_of(App(id="a1"), "get", session=api) == asked(box)  # a new object too
        task = next(iter(api.list(Task, project="p1")))  # loaded under its parent
        api.refresh(task)
        assert asked(box).rstrip("?") == path_of(task, "get") == task.one_path() == "/projects/p1/tasks/1"
    with pytest.raises(ArgumentTypeError, match=r"needs version, workspace, id \(workspace not set"):
        App(id="a1").one_path()  # the context is the session's: give it, or the session
    assert path_of(App(id="a1"), "get", workspace="w 2", level=True) == "/v2/w%202/apps/a1?extended=true"
