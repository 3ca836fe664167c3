"""Declarations: fields, wire names, identity, paths, expansion, change tracking, extras."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pytest

from clientkit import (
    Action,
    Envelope,
    Expansion,
    Resource,
    Service,
    changes,
    extra,
    field,
    fields_of,
    identity_of,
    is_new,
)
from clientkit._declarations.convert import Converter
from clientkit.errors import DeclarationError
from clientkit.model import resource


class Shop(Service):
    context = {"tenant": None}
    expansion = Expansion("extended", style="int", max_level=2, default=0)


@Shop.resource(one="/collection/{app}/{slug}", many="/collections", create="/collection/{app}")
class Collection(Resource):
    app: str | None = field(identity=True)
    slug: str | None = field(identity=True)
    name: str | None = None
    id: int | None = field(read_only=True, level=1)
    queries: list[dict[str, Any]] | None = field(level=2)


@Shop.resource(one="/apps/{id}", many="/apps")
class App(Resource):
    id: str | None = None
    title: str | None = field(wire="displayName")
    collections: int | list[Collection] | None = field(level=1)
    settings: dict[str, Any] = field(factory=dict)
    created: dt.datetime | None = field(read_only=True)


def load(cls: type[Resource], raw: dict[str, Any], level: int | None = 0) -> Any:
    return Shop.converter.load(raw, cls, level)


def test_collection_identity_is_composite_and_placeholders_are_fields() -> None:
    spec = Collection.__ck_spec__
    assert spec is not None
    assert spec.identity == ("app", "slug")
    assert identity_of(Collection(app="shop", slug="orders")) == ("shop", "orders")


def test_wire_names_on_load_and_dump() -> None:
    app = load(App, {"id": "a", "displayName": "Shop", "settings": {}})
    assert app.title == "Shop"
    assert Shop.converter.dump(app)["displayName"] == "Shop"
    assert [f.wire for f in fields_of(App)] == ["id", "displayName", "collections", "settings", "created"]


def test_count_at_level_zero_and_objects_at_level_one() -> None:
    low = load(App, {"id": "a", "collections": 3}, level=0)
    assert low.collections == 3
    high = load(App, {"id": "a", "collections": [{"app": "a", "slug": "s", "id": 7}]}, level=1)
    assert isinstance(high.collections, list)
    assert isinstance(high.collections[0], Collection)
    assert high.collections[0].id == 7


def test_datetimes_parse_zulu_and_epoch() -> None:
    a = load(App, {"id": "a", "created": "2024-05-01T12:00:00Z"})
    assert a.created == dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc)
    b = load(App, {"id": "b", "created": 1714564800})
    assert b.created == a.created


def test_unknown_fields_are_kept_and_sent_back_on_full_update() -> None:
    app = load(App, {"id": "a", "displayName": "Shop", "theme": {"dark": True}, "owner": 5})
    assert extra(app) == {"theme": {"dark": True}, "owner": 5}
    payload = Shop.converter.full_payload(app)
    assert payload["theme"] == {"dark": True}
    assert payload["owner"] == 5
    assert "created" not in payload  # read-only


def test_changes_track_assignment_and_in_place_mutation() -> None:
    app = load(App, {"id": "a", "displayName": "Shop", "settings": {"x": [1]}, "tags": ["k"]})
    assert changes(app) == {}
    app.settings["x"].append(2)
    assert changes(app) == {"settings": {"x": [1, 2]}}
    app.title = "New"
    assert changes(app) == {"settings": {"x": [1, 2]}, "displayName": "New"}
    extra(app)["tags"].append("m")
    assert changes(app)["tags"] == ["k", "m"]


def test_explicit_null_is_a_change() -> None:
    app = load(App, {"id": "a", "displayName": "Shop"})
    app.title = None
    assert changes(app) == {"displayName": None}


def test_unchanged_datetime_spelled_differently_is_not_a_change() -> None:
    col = load(Collection, {"app": "a", "slug": "s", "name": "n"})
    assert changes(col) == {}
    app = load(App, {"id": "a", "created": "2024-05-01T12:00:00.000+00:00"})
    assert changes(app) == {}


def test_new_resource_is_new_and_payload_holds_set_fields() -> None:
    app = App(id="x", title="T")
    assert is_new(app)
    assert changes(app) == {"id": "x", "displayName": "T", "settings": {}}


def test_loaded_snapshot_is_not_shared_with_the_resource() -> None:
    raw = {"id": "a", "settings": {"deep": {"k": [1]}}}
    app = load(App, raw)
    app.settings["deep"]["k"].append(2)
    assert raw["settings"]["deep"]["k"] == [1]
    assert changes(app) == {"settings": {"deep": {"k": [1, 2]}}}


def test_fields_not_returned_at_a_level_are_not_changes() -> None:
    col = load(Collection, {"app": "a", "slug": "s", "name": "n"}, level=0)
    assert col.queries is None
    assert changes(col) == {}


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


class Account(Resource):
    id: int | None = None
    balance: Money | None = None


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

    def test_service_typo_is_caught(self) -> None:
        with pytest.raises(DeclarationError, match="did you mean 'envelope'"):

            class Bad(Service):
                envelop = Envelope(response="data")

    def test_service_wrong_type(self) -> None:
        with pytest.raises(DeclarationError, match="must be Envelope"):

            class Bad(Service):
                envelope = "data"  # type: ignore[assignment]

    def test_service_bad_base_url(self) -> None:
        with pytest.raises(DeclarationError, match="absolute http"):

            class Bad(Service):
                base_url = "ftp://example.com"

    def test_header_template_needs_context(self) -> None:
        with pytest.raises(DeclarationError, match="not in context"):

            class Bad(Service):
                headers = {"x-tenant": "{tenant}"}

    def test_header_with_newline(self) -> None:
        with pytest.raises(DeclarationError, match="line break"):

            class Bad(Service):
                headers = {"x-a": "a\r\nb"}


def test_singleton_has_no_identity() -> None:
    @resource(one="/version", singleton=True)
    class Version(Resource):
        api: str | None = None

    assert Version.__ck_spec__ is not None and Version.__ck_spec__.identity == ()


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and other.cents == self.cents

    def __hash__(self) -> int:
        return hash(self.cents)


def test_converter_hooks_per_service() -> None:
    class Bank(Service):
        @classmethod
        def configure_converter(cls, converter: Converter) -> None:
            converter.cattrs.register_structure_hook(Money, lambda v, _: Money(round(v * 100)))
            converter.cattrs.register_unstructure_hook(Money, lambda m: m.cents / 100)

    Bank.resource(one="/accounts/{id}")(Account)
    acct = Bank.converter.load({"id": 1, "balance": 12.5}, Account)
    assert acct.balance == Money(1250)
    acct.balance = Money(1300)
    assert Bank.converter.changes(acct) == {"balance": 13.0}
    assert Account in Bank.resources.values()


@pytest.mark.parametrize(
    ("raw", "renamed"), [({"id": 1, "name": "a", "tags": ["x"]}, False), ({"id": 1, "Title": "b"}, True)]
)
def test_loading_is_not_an_assignment_but_the_callers_assignments_are_recorded(
    raw: dict[str, Any], renamed: bool
) -> None:
    from clientkit._declarations.resource import assigned

    tracked: list[str] = []

    class Plain(Resource):
        id: int | None = field(read_only=True)
        name: str | None = None
        tags: list[str] = field(factory=list)

    class Renamed(Resource):
        id: int | None = field(read_only=True)
        title: str | None = field(default=None, wire="Title")

    cls: type[Resource] = Renamed if renamed else Plain
    load = Converter().loader(cls)
    original = cls.__setattr__

    def spy(self: Any, name: str, value: Any) -> None:
        tracked.append(name)
        original(self, name, value)

    cls.__setattr__ = spy  # type: ignore[method-assign,assignment]
    try:
        obj: Any = load(raw, None)
    finally:
        cls.__setattr__ = original  # type: ignore[method-assign]
    assert tracked == []  # built straight into its instance dict
    assert type(obj) is cls and obj.id == 1 and "_ck_assigned" not in obj.__dict__
    assert not assigned(obj, "id")
    obj.id = 7
    assert assigned(obj, "id") and obj.id == 7
