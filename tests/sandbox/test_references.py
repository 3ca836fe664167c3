"""Reference fields in the sandbox: ids stored, objects shown where a level expands them."""

from __future__ import annotations

import requests

from clientkit import Expansion, Resource, Service, field
from clientkit.sandbox import Sandbox
from clientkit.sandbox.references import is_id, store_ids


class Geo(Service):
    expansion = Expansion("expand", style="list")


@Geo.resource(one="/countries/{id}", many="/countries")
class Country(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


@Geo.resource(one="/cities/{id}", many="/cities")
class City(Resource):
    id: int | None = field(read_only=True)
    country: int | Country | None = field(reference=True, level=1)
    capital_of: Country | None = field(reference=True)  # always an object in answers


def test_ids_and_stored_bodies() -> None:
    assert is_id(3) and is_id("a") and is_id([1, "b"]) and not is_id(True) and not is_id({"id": 1})
    assert store_ids(City, {"country": {"id": 3, "name": "x"}, "capital_of": 3}) == {
        "country": 3,
        "capital_of": 3,
    }


def test_over_http_the_object_is_shown_only_where_expanded_or_required() -> None:
    data = {
        "Country": [{"id": 3, "name": "Norway"}],
        "City": [{"id": 1, "country": {"id": 3}, "capital_of": 3}],
    }
    with Sandbox(Geo, data=data) as url:
        assert requests.get(url + "/cities/1", timeout=5).json() == {
            "id": 1,
            "country": 3,
            "capital_of": {"id": 3, "name": "Norway"},
        }
        assert requests.get(url + "/cities/1?expand=country", timeout=5).json()["country"] == {
            "id": 3,
            "name": "Norway",
        }
        sent_whole = requests.patch(url + "/cities/1", json={"country": {"id": 9, "name": "?"}}, timeout=5)
        assert sent_whole.json()["country"] == 9  # stored as the id
        assert (
            requests.get(url + "/cities/1?expand=country", timeout=5).json()["country"] == 9
        )  # no such record
        refused = requests.patch(url + "/cities/1", json={"country": True}, timeout=5)
        assert refused.status_code == 422
