"""Expansion: how a level of detail is asked for, and which fields a fetch at a level covers."""

from __future__ import annotations

import pytest

from clientkit import Expansion
from clientkit.errors import DeclarationError, InvalidRequestError


def test_levels_are_checked_and_spelled_in_the_declared_style() -> None:
    numbered = Expansion("extended", style="int", max_level=3, default=0)
    assert numbered.normalize(None) == 0 and numbered.normalize(2) == 2
    assert numbered.params(2, "get") == [("extended", 2)]
    assert numbered.params(2, "delete") == []  # not an operation that carries the level
    with pytest.raises(InvalidRequestError, match="between 0 and 3"):
        numbered.normalize(4)
    with pytest.raises(InvalidRequestError, match="integer level"):
        numbered.normalize("2")
    assert Expansion(style="bool").params(1, "list") == [("extended", True)]


def test_a_list_style_asks_for_fields_by_name() -> None:
    expand = Expansion("expand[]", style="list")
    level = expand.normalize(["customer", "invoice"])
    assert level == ("customer", "invoice")
    assert expand.params(level, "get") == [("expand[]", "customer"), ("expand[]", "invoice")]
    assert expand.covers(level, 1, "customer") and not expand.covers(level, 1, "charges")


def test_covers_compares_the_loaded_level_with_the_field_level() -> None:
    expansion = Expansion(max_level=2)
    assert expansion.covers(None, 0, "id") and not expansion.covers(None, 1, "stock")
    assert expansion.covers(2, 1, "stock") and not expansion.covers(1, 2, "queries")


def test_bad_declarations_fail_at_once() -> None:
    with pytest.raises(DeclarationError, match="exactly two levels"):
        Expansion(style="bool", max_level=2)
    with pytest.raises(DeclarationError, match="unknown operations"):
        Expansion(on={"fetch"})
    with pytest.raises(DeclarationError, match="default"):
        Expansion(max_level=1, default=5)


def test_a_list_level_names_only_fields_that_expand_and_sends_their_wire_names() -> None:
    expand = Expansion("expand", style="list")
    expandable = {"owner": "ownerRef", "ownerRef": "ownerRef"}
    assert expand.normalize(["owner", "ownerRef.team"], expandable) == ("ownerRef", "ownerRef.team")
    assert expand.covers(("ownerRef",), 1, "owner", "ownerRef")
    with pytest.raises(InvalidRequestError, match=r"cannot expand 'name'.*here: ownerRef"):
        expand.normalize(["name"], expandable)


def test_a_list_default_naming_a_field_that_cannot_expand_fails_at_declaration() -> None:
    from clientkit import Resource, Service, field

    class Listed(Service):
        expansion = Expansion("expand", style="list", default=("ownr",))

    with pytest.raises(DeclarationError, match=r"Doc: the expansion's default cannot expand 'ownr'.*'owner'"):

        @Listed.resource(one="/docs/{id}")
        class Doc(Resource):
            id: int | None = None
            owner: int | dict[str, object] | None = field(level=1)
