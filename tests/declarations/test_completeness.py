"""What a loaded object knows: fields a level does not return are neither known nor changed."""

from __future__ import annotations

import pytest

from clientkit import changes
from clientkit._declarations.completeness import level_type, refuse_erasing
from clientkit.errors import IncompleteResourceError
from clientkit.model import spec_of
from tests.support.declared import App, Collection, Shop, load


def test_fields_not_returned_at_a_level_are_not_changes() -> None:
    col = load(Collection, {"app": "a", "slug": "s", "name": "n"}, level=0)
    assert col.queries is None
    assert changes(col) == {}


def test_a_full_replace_is_refused_when_the_object_does_not_know_what_it_would_erase() -> None:
    partial = load(Collection, {"app": "a", "slug": "s", "name": "n"}, level=0)
    with pytest.raises(IncompleteResourceError) as info:
        refuse_erasing(spec_of(Collection), partial, Shop.converter)
    assert info.value.fields == ("queries",)  # id is read-only: a PUT never sends it
    whole = load(Collection, {"app": "a", "slug": "s", "name": "n", "id": 1, "queries": []}, level=2)
    refuse_erasing(spec_of(Collection), whole, Shop.converter)  # knows every field
    refuse_erasing(spec_of(Collection), Collection(app="a", slug="s"), Shop.converter)  # a new one


def test_a_count_shown_below_a_level_is_not_the_value() -> None:
    assert level_type(int | list[str] | None, 1) == list[str] | None
    assert level_type(int | list[str] | None, 0) == int | list[str] | None
    counted = load(App, {"id": "x", "displayName": "t", "collections": 3, "settings": {}}, level=0)
    assert counted.collections == 3
    with pytest.raises(IncompleteResourceError, match=r"level 0, which leaves out \['collections'\]"):
        refuse_erasing(spec_of(App), counted, Shop.converter)
