"""The sandbox reads the level a request asks for as the client spelled it."""

from __future__ import annotations

from clientkit import Expansion, QueryStyle, Resource, Service, field
from clientkit.sandbox import Sandbox
from clientkit.sandbox.levels import read_level


class Spelled(Service):
    """A service whose booleans are spelled ``yes``/``no`` in query strings."""

    query = QueryStyle(booleans=("yes", "no"))
    expansion = Expansion("extended", style="bool")


@Spelled.resource(one="/items/{id}", many="/items")
class Item(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    more: str | None = field(level=1)


def test_a_boolean_level_spelled_by_the_service_is_understood() -> None:
    sandbox = Sandbox(Spelled, data={"Item": [{"id": 1, "name": "a", "more": "details"}]})
    with sandbox as url:
        item = Spelled.connect(url, retries=0).get(Item, 1, level=True)
    last = sandbox.journal.last
    assert last is not None and last.params == [("extended", "yes")]
    assert item.more == "details"


def test_levels_from_plain_values() -> None:
    spelled, ints = Expansion("extended", style="bool"), Expansion("depth", max_level=3)
    query = QueryStyle(booleans=("yes", "no"))
    assert read_level(spelled, {"extended": ["yes"]}, query) == 1
    assert read_level(spelled, {"extended": ["false"]}, query) == 0
    assert read_level(ints, {"depth": ["9"]}, QueryStyle()) == 3
    assert read_level(Expansion("expand", style="list"), {"expand": ["a", "b"]}, query) == ("a", "b")
