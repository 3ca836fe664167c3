"""Resource classes made at run time and written back as source, used over real HTTP."""

from __future__ import annotations

import re
import sys
import types
from decimal import Decimal
from typing import Any

import pytest

from clientkit import Action, Resource, Service, TokenAuth, changes, field
from clientkit.errors import DeclarationError
from clientkit.model import MadeResource, fields_of, make_resource, resource, resource_source, spec_of
from clientkit.sandbox import Sandbox


class Shop(Service):
    auth = TokenAuth()


@Shop.resource(one="/records/{kind}/{id}", many="/records/{kind}", parents=("kind",))
class Record(Resource):  # what the sandbox serves: any kind's records, their fields kept whole
    id: int | None = field(read_only=True)


FIELDS: list[Any] = [
    ("id", int | None, {"read_only": True}),
    ("name", str | None, {"required": True}),
    ("price", Decimal | None, {"wire": "unitPrice"}),
    ("tags", list[str], {"factory": list}),
    ("active", bool, {"default": True}),
]


def product() -> type[MadeResource]:
    return make_resource("Product", FIELDS, one="/records/{kind}/{id}", many="/records/{kind}",
                         path_params={"kind": "product"})  # fmt: skip


def test_a_made_class_has_the_fields_and_declaration_given() -> None:
    cls = product()
    assert [(f.name, f.wire, f.read_only, f.required) for f in fields_of(cls)] == [
        ("id", "id", True, False), ("name", "name", False, True), ("price", "unitPrice", False, False),
        ("tags", "tags", False, False), ("active", "active", False, False),
    ]  # fmt: skip
    assert spec_of(cls).path_params == {"kind": "product"} and spec_of(cls).service is None
    assert cls(name="lamp").tags == [] and cls(name="lamp").active is True
    assert "Product" not in Shop.resources  # registered nowhere


def test_a_made_class_is_used_with_the_session_like_a_declared_one() -> None:
    cls = product()
    seed = {"Record": [{"kind": "product", "id": 1, "name": "Lamp", "unitPrice": "12.50", "tags": ["a"]}]}
    box = Sandbox(Shop, data=seed)
    with box as url, Shop.connect(url, token="sandbox-token") as shop:
        lamp = shop.get(cls, 1)
        assert (lamp.name, lamp.price, lamp.tags) == ("Lamp", Decimal("12.50"), ["a"])
        lamp.price += Decimal("0.50")
        assert changes(lamp) == {"unitPrice": "13.00"}
        shop.save(lamp)
        assert (box.journal.last.method, box.journal.last.path) == ("PATCH", "/records/product/1")
        assert box.journal.last.json == {"unitPrice": "13.00"}
        made = shop.create(cls(name="Desk", price=Decimal("99")))
        assert [p.name for p in shop.list(cls)] == ["Lamp", "Desk"]
        shop.delete(made)
        assert (box.journal.last.method, box.journal.last.path) == ("DELETE", f"/records/product/{made.id}")
        assert shop.get(cls, 1).price == Decimal("13.00")


def test_a_made_class_is_a_made_resource_whose_unknown_names_still_fail() -> None:
    """Checkers take any keyword and attribute of a :class:`MadeResource`; at run time an
    unknown one still fails as on any class."""
    cls = product()
    assert issubclass(cls, MadeResource) and fields_of(MadeResource) == ()
    with pytest.raises(AttributeError, match="nope"):
        _ = cls(name="Lamp").nope
    with pytest.raises(TypeError, match="nope"):
        cls(nope=1)


def test_the_source_declares_the_same_class() -> None:
    source = resource_source(product())
    assert "from decimal import Decimal" in source
    assert "    price: Decimal | None = field(wire='unitPrice')" in source
    assert "    tags: list[str] = field(factory=list)" in source
    assert "    active: bool = field(default=True)" in source
    module = types.ModuleType("generated_product")
    sys.modules[module.__name__] = module  # as an imported module is
    try:
        exec(compile(source, "generated_product.py", "exec"), module.__dict__)
        again = module.Product
        assert resource_source(again) == source
    finally:
        del sys.modules[module.__name__]
    assert fields_of(again) == fields_of(product())
    assert spec_of(again).one == spec_of(product()).one and spec_of(again).path_params == {"kind": "product"}


def test_a_declared_class_is_written_as_source_too() -> None:
    source = resource_source(Record)
    declared = "@resource(one='/records/{kind}/{id}', many='/records/{kind}', identity=('id',), parents=('kind',))"  # noqa: E501
    assert declared in source.splitlines()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([("class", str)], "'class' is not a Python identifier"),
        ([("a b", str)], "'a b' is not a Python identifier"),
        ([("a", str), ("a", int)], "field 'a' is given twice"),
        ([("a",)], "a field is (name, annotation[, options])"),
        ([("a", str, {"colour": 1})], "colour"),
    ],
)
def test_bad_fields_are_refused(fields: list[Any], message: str) -> None:
    with pytest.raises(DeclarationError, match=re.escape(message)):
        make_resource("Thing", fields, one="/things/{a}", identity="a")


def test_what_cannot_be_written_as_source_is_refused_not_left_out() -> None:
    @resource(one="/docs/{id}", actions={"pdf": Action("GET", "/docs/{id}/pdf")})
    class Doc(Resource):
        id: int | None = None

    with pytest.raises(DeclarationError, match=r"\['actions'\] cannot be written as source"):
        resource_source(Doc)

    def positive(inst: Any, attribute: Any, value: Any) -> None: ...

    @resource(one="/items/{id}")
    class Item(Resource):
        id: int | None = field(validator=positive)

    with pytest.raises(DeclarationError, match="converter or validator, not writable"):
        resource_source(Item)
