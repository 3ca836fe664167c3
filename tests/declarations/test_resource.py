"""Resource declarations: identities, paths, levels, actions, singletons; pickling keeps the snapshot."""

from __future__ import annotations

import pickle
import re
from typing import Annotated

import pytest

from clientkit import (
    Action,
    Resource,
    Service,
    changes,
    extra,
    field,
)
from clientkit.errors import DeclarationError
from clientkit.model import resource
from tests.support.declared import App, Shop, load


@resource(one="/users/{email}")
class User(Resource):
    email: str | None = field(identity=True)
    password: str | None = field(write_only=True, secret=True)


def test_pickle_round_trip_keeps_snapshot_and_hides_secrets() -> None:
    user = User(email="a@b.c", password="hunter2hunter2")
    assert "hunter2" not in repr(user)
    data = pickle.dumps(user)
    assert b"hunter2" not in data
    app = load(App, {"id": "a", "displayName": "x", "z": 1})
    again = pickle.loads(pickle.dumps(app))
    assert again == app and extra(again) == {"z": 1} and changes(again) == {}


class TestDeclarationErrors:
    def test_unknown_placeholder(self) -> None:
        with pytest.raises(DeclarationError, match=r"\{owner\}"):

            @resource(one="/things/{owner}/{id}")
            class Thing(Resource):
                id: int | None = None

    def test_identity_missing_from_one_path(self) -> None:
        with pytest.raises(DeclarationError, match="does not contain identity"):

            @resource(one="/things", parents=())
            class Thing(Resource):
                id: int | None = None

    def test_no_identity(self) -> None:
        with pytest.raises(DeclarationError, match="no identity field"):

            @resource(one="/things/{name}")
            class Thing(Resource):
                name: str | None = None

    def test_query_in_path(self) -> None:
        with pytest.raises(DeclarationError, match="query"):

            @resource(one="/things/{id}?x=1")
            class Thing(Resource):
                id: int | None = None

    def test_level_above_max(self) -> None:
        with pytest.raises(DeclarationError, match="exceeds"):

            @Shop.resource(one="/things/{id}")
            class Thing(Resource):
                id: int | None = None
                deep: int | None = field(level=5)

    def test_level_without_expansion(self) -> None:
        with pytest.raises(DeclarationError, match="no expansion"):

            @resource(one="/things/{id}")
            class Thing(Resource):
                id: int | None = None
                deep: int | None = field(level=1)

    def test_duplicate_wire_names(self) -> None:
        with pytest.raises(DeclarationError, match="share the wire name"):

            class Thing(Resource):
                a: int | None = field(wire="x")
                b: int | None = field(wire="x")

    def test_not_a_resource(self) -> None:
        with pytest.raises(DeclarationError, match="subclass"):
            resource(one="/x/{id}")(dict)  # type: ignore[type-var]

    def test_bad_save_verb(self) -> None:
        with pytest.raises(DeclarationError, match="save must be"):

            @resource(one="/things/{id}", save="POST")
            class Thing(Resource):
                id: int | None = None

    def test_bad_action(self) -> None:
        with pytest.raises(DeclarationError, match="unknown method"):

            @resource(one="/things/{id}", actions={"go": Action("FETCH", "/things/{id}/go")})
            class Thing(Resource):
                id: int | None = None

    def test_bad_delete_method(self) -> None:
        with pytest.raises(DeclarationError, match="delete_method 'ERASE' is not an HTTP method"):

            @resource(one="/things/{id}", delete_method="ERASE")
            class Thing(Resource):
                id: int | None = None

    @pytest.mark.parametrize(
        ("options", "clash"),
        [
            ({"delete_method": "GET"}, "delete and get are both GET /things/{id}"),
            ({"update": "/things", "update_method": "POST"}, "update and create are both POST /things"),
            ({"delete": "/things/{key}/go", "delete_method": "POST"}, "action go and delete are both POST"),
        ],
    )
    def test_two_operations_on_one_route(self, options: dict[str, str], clash: str) -> None:
        with pytest.raises(DeclarationError, match=re.escape(clash)):

            @resource(
                one="/things/{id}",
                many="/things",
                actions={"go": Action("POST", "/things/{id}/go")},
                path_params={"key": "k"},
                **options,  # type: ignore[arg-type]
            )
            class Thing(Resource):
                id: int | None = None


def test_declared_verbs_and_paths_of_every_write() -> None:
    @resource(
        one="/posts/{id}",
        update="/posts/{id}/-/update",
        delete="/posts/{id}/-/delete",
        update_method="post",
        patch_method="POST",
        delete_method="post",
    )
    class Post(Resource):
        id: int | None = None

    spec = Post.__ck_spec__
    assert spec is not None
    assert (spec.update_method, spec.patch_method, spec.delete_method) == ("POST", "POST", "POST")
    assert spec.template("delete").template == "/posts/{id}/-/delete"
    assert spec.template("patch").template == "/posts/{id}/-/update"


def test_singleton_has_no_identity() -> None:
    @resource(one="/version", singleton=True)
    class Version(Resource):
        api: str | None = None

    assert Version.__ck_spec__ is not None and Version.__ck_spec__.identity == ()


class Checked(Service):
    pass


def _slug(name: str, value: object) -> object:
    if isinstance(value, Tag):
        value = value.slug  # a Tag given where its slug is expected
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


@Checked.resource(one="/tags/{slug}", many="/tags", identity="slug")
class Tag(Resource):
    slug: str | None = field(check=_slug)
    parent: str | None = field(check=_slug)


def test_a_check_runs_on_given_values_and_keeps_the_fast_loader() -> None:
    from clientkit._declarations.loaders import needs_init
    from clientkit.sandbox import Sandbox

    assert not needs_init(Tag)
    with pytest.raises(TypeError, match="slug must be a str, not int"):
        Tag(slug=3)  # type: ignore[arg-type]
    child = Tag(slug="b", parent=Tag(slug="a"))
    assert child.parent == "a"
    with pytest.raises(TypeError, match="parent must be a str"):
        child.parent = 1  # type: ignore[assignment]
    with Sandbox(Checked, data={"Tag": [{"slug": "a"}]}) as url, Checked.connect(url) as api:
        api.create(child)
        assert api.get(Tag, "b").parent == "a"
    with pytest.raises(DeclarationError, match="converter or a check"):
        field(check=_slug, converter=str)


@Checked.resource(one="/shelves/{code}", many="/shelves", identity="code")
class Shelf(Resource):
    code: str | None = field(check=True)
    rows: Annotated[int | None, range(1, 10)] = field(check=True)
    depth: int = field(default=0, local=True, check=True)


def test_check_true_checks_given_values_against_the_annotation() -> None:
    from clientkit._declarations.loaders import needs_init
    from clientkit.errors import ArgumentTypeError
    from clientkit.sandbox import Sandbox

    assert not needs_init(Shelf)
    with pytest.raises(ArgumentTypeError, match="code must be a str or None, not int"):
        Shelf(code=3)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="rows must be between 1 and 9"):
        Shelf(code="a", rows=12)
    shelf = Shelf(code="a", rows=3)
    with pytest.raises(TypeError, match="depth must be an int, not bool"):
        shelf.depth = True
    box = Sandbox(Checked, data={"Shelf": [{"code": "b", "rows": 40}]})
    with box as url, Checked.connect(url) as api:
        api.create(shelf)
        assert box.journal.last.json == {"code": "a", "rows": 3}
        assert api.get(Shelf, "b").rows == 40  # loads are not checked: the server's value is kept
    with pytest.raises(DeclarationError, match="a callable or True"):
        field(check="yes")  # type: ignore[arg-type]
