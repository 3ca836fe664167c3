"""Generated load functions: built straight into the instance, no assignment recorded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clientkit import (
    Resource,
    extra,
    field,
)
from clientkit._declarations.convert import Converter
from clientkit._declarations.loaders import copy_json
from clientkit.errors import DecodeError
from tests.support.declared import App, Shop


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


def test_exact_records_and_odd_ones_load_alike() -> None:
    """The fast path (every field present and of its declared type) and the general path
    (missing, extra, renamed or convertible values) give the same objects."""
    load = Shop.converter.loader(App)
    created = "2025-01-01T00:00:00Z"
    exact = load({"id": "a", "displayName": "A", "collections": 2, "settings": {}, "created": created}, 0)
    odd = load({"id": "a", "displayName": "A", "collections": 2, "created": 1735689600, "extra": [1]}, 0)
    assert (exact.id, exact.title, exact.collections, exact.created) == ("a", "A", 2, odd.created)
    assert odd.settings == {} and extra(odd) == {"extra": [1]} and extra(exact) == {}


def test_a_value_of_the_wrong_shape_names_its_field() -> None:
    with pytest.raises(DecodeError, match=r"displayName|title"):
        Shop.converter.loader(App)({"id": "a", "displayName": ["not", "text"]}, 0)


def test_copies_of_json_share_no_containers() -> None:
    value = {"a": [1, {"b": 2}]}
    copied = copy_json(value)
    assert copied == value and copied["a"] is not value["a"] and copied["a"][1] is not value["a"][1]


def test_decimal_fields_load_on_the_fast_path_and_keep_the_wire_text() -> None:
    class Priced(Resource):
        id: int | None = None
        price: Decimal | None = None
        total: Decimal = Decimal(0)

    conv = Converter()
    raw = {"id": 1, "price": "12.50", "total": 25}
    obj = conv.load(raw, Priced)
    assert obj.price == Decimal("12.50") and str(obj.price) == "12.50" and obj.total == Decimal(25)
    assert obj._ck_raw == {"id": 1, "price": "12.50", "total": 25}  # the snapshot keeps the wire text
    assert conv.load({"id": 2}, Priced).price is None and conv.load({"price": None}, Priced).price is None
    with pytest.raises(DecodeError, match=r"field 'price' \(Priced.price\).*decimal"):
        conv.load({"id": 3, "price": "12,50", "total": 1}, Priced)
    with pytest.raises(DecodeError, match=r"field 'total'"):
        conv.load({"id": 3, "price": "1", "total": None}, Priced)
