"""The table of server halves, and the check a sandbox runs when it is built."""

from __future__ import annotations

import attrs
import pytest

from clientkit import Envelope, Expansion, Resource, Service, TokenAuth
from clientkit.paging import PageRequest, Paginator, RawPage
from clientkit.sandbox import Sandbox
from clientkit.sandbox.envelopes import wrap_response
from clientkit.sandbox.halves import NoServerHalf
from clientkit.sandbox.levels import read_level
from clientkit.sandbox.registry import check, has_half


@attrs.frozen
class Levelled(Expansion):
    """An expansion kind of a user's: inherits the half of ``Expansion``."""


class Lettered:
    """Not a declaration type: no half."""


def test_a_subclass_inherits_its_base_half_and_an_unknown_type_has_none() -> None:
    assert has_half(read_level, Levelled)
    assert has_half(wrap_response, Envelope)
    assert not has_half(read_level, Lettered)


@attrs.frozen
class Keyset(Paginator):
    """A walk of its own (``?after=<last id>``) that no server half knows."""

    def next_request(self, page: RawPage) -> PageRequest | None:
        return page.request.set("after", page.items[-1]["id"]) if page.items else None


def test_every_declaration_a_service_uses_is_checked_when_the_sandbox_is_built() -> None:
    class Shop(Service):
        auth = TokenAuth()
        expansion = Levelled("extended")

    @Shop.resource(one="/items/{id}", many="/items")
    class Item(Resource):
        id: int | None = None

    @Shop.resource(one="/rows/{id}", many="/rows", pagination=Keyset())
    class Row(Resource):
        id: int | None = None

    check(Shop, [Item])  # shipped and inherited halves serve
    with pytest.raises(NoServerHalf, match="Keyset"):
        check(Shop, [Item, Row])  # the resource's own style is checked too
    with pytest.raises(NoServerHalf, match="Keyset"):
        Sandbox(Shop)
