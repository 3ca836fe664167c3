"""Reference fields: a nested resource loaded as its id or whole, always written as its id."""

from __future__ import annotations

from typing import Any

import pytest

from clientkit import Expansion, Resource, Service, changes, field, loaded_level
from clientkit._declarations.references import nested_resource, reference_key, reference_of
from clientkit.errors import DeclarationError, InvalidRequestError
from clientkit.model import fields_of
from clientkit.sandbox import Sandbox


class Atlas(Service):
    expansion = Expansion("expand", style="list", on={"get", "list", "update", "patch"})


@Atlas.resource(one="/countries/{id}", many="/countries")
class Country(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


@Atlas.resource(one="/tags/{slug}", many="/tags", identity="slug")
class Tag(Resource):
    slug: str | None = None


@Atlas.resource(one="/cities/{id}", many="/cities")
class City(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    country: int | Country | None = field(reference=True, level=1)
    tags: list[str] | list[Tag] = field(factory=list, reference=True, level=1)
    owner: int | dict[str, Any] | None = field(reference="uid")


def info(name: str) -> Any:
    return next(f for f in fields_of(City) if f.name == name)


def test_the_id_key_comes_from_the_nested_declaration() -> None:
    assert nested_resource(int | Country | None) is Country
    assert reference_key(info("country"), int | Country | None) == ("id", "id")
    assert reference_key(info("tags"), list[str] | list[Tag]) == ("slug", "slug")
    assert reference_key(info("owner"), int | dict[str, Any] | None) == ("uid", "uid")
    key = ("id", "id")
    assert reference_of(Country(id=3), key) == 3 and reference_of({"id": 3}, key) == 3
    assert reference_of([Country(id=1), {"id": 2}, 3], key) == [1, 2, 3] and reference_of(3, key) == 3


def test_bad_reference_declarations() -> None:
    with pytest.raises(DeclarationError, match="reference="):
        field(reference=1)

    class Odd(Resource):
        a: str | None = None

    class Holder(Resource):
        odd: int | Odd | None = field(reference=True)

    with pytest.raises(DeclarationError, match="name the field holding its id"):
        reference_key(fields_of(Holder)[0], int | Odd | None)


def test_loaded_whole_or_as_an_id_it_is_sent_as_its_id_and_never_a_spurious_change() -> None:
    conv = Atlas.converter
    city = conv.load(
        {
            "id": 1,
            "name": "Oslo",
            "country": {"id": 3, "name": "Norway"},
            "tags": [{"slug": "n"}],
            "owner": {"uid": 9},
        },
        City,
        ("country", "tags"),
    )
    assert isinstance(city.country, Country) and city.country.name == "Norway"
    assert changes(city) == {}
    city.country = 3  # the same reference
    city.tags = ["n"]
    assert changes(city) == {}
    city.country = Country(id=4)
    city.owner = {"uid": 10}
    assert changes(city) == {"country": 4, "owner": 10}
    assert conv.full_payload(city) == {"name": "Oslo", "country": 4, "tags": ["n"], "owner": 10}
    assert conv.create_payload(City(name="x", country=Country(id=2, name="y"))) == {
        "name": "x",
        "country": 2,
        "tags": [],
    }


def test_against_the_sandbox_expanded_objects_survive_a_save() -> None:
    data = {
        "Country": [{"id": 3, "name": "Norway"}, {"id": 4, "name": "Sweden"}],
        "Tag": [{"slug": "n"}],
        "City": [{"id": 1, "name": "Oslo", "country": 3, "tags": ["n"]}],
    }
    with Sandbox(Atlas, data=data) as url, Atlas.connect(url) as atlas:
        plain = atlas.get(City, 1)
        assert plain.country == 3 and plain.tags == ["n"]
        plain.name = "Kristiania"
        atlas.update(plain)  # the id is all a replace needs: no erase guard at the base level
        city = atlas.get(City, 1, level=["country", "tags"])
        assert city.country == Country(id=3, name="Norway") and city.tags == [Tag(slug="n")]
        city.name = "Oslo"
        atlas.save(city)
        assert isinstance(city.country, Country) and loaded_level(city) == ("country", "tags")
        assert changes(city) == {}
        city.country = 4
        atlas.save(city)
        assert atlas.get(City, 1).country == 4
        assert atlas.get(City, 1, level=["country"]).country == Country(id=4, name="Sweden")
        made = atlas.create(City(name="Malmö", country=Country(id=4, name="Sweden")))
        assert made.country == 4


def test_a_reference_to_a_resource_never_created_is_refused_not_sent_as_null() -> None:
    data = {"Country": [{"id": 3, "name": "Norway"}], "City": [{"id": 1, "name": "Oslo", "country": 3}]}
    sandbox = Sandbox(Atlas, data=data)
    with sandbox as url, Atlas.connect(url) as atlas:
        city = atlas.get(City, 1, level=["country"])
        city.country = Country(name="Sweden")
        with pytest.raises(InvalidRequestError, match=r"City\.country refers to Country .* no 'id'"):
            atlas.save(city)
        with pytest.raises(InvalidRequestError, match="never created"):
            atlas.create(City(name="Bergen", country=Country(name="x")))
        with pytest.raises(InvalidRequestError, match=r"City\.tags refers to Tag"):
            atlas.create(City(name="Bergen", tags=[Tag(slug="n"), Tag()]))
        with pytest.raises(InvalidRequestError, match=r"City\.owner refers to dict"):
            atlas.create(City(name="Bergen", owner={"name": "ann"}))
        assert sandbox.records("City") == [{"id": 1, "name": "Oslo", "country": 3}]
    assert [e.method for e in sandbox.journal.entries()] == ["GET"]
