"""What a loaded object knows: fields a level does not return are neither known nor changed."""

from __future__ import annotations

from clientkit import (
    changes,
)
from tests.support.declared import Collection, load


def test_fields_not_returned_at_a_level_are_not_changes() -> None:
    col = load(Collection, {"app": "a", "slug": "s", "name": "n"}, level=0)
    assert col.queries is None
    assert changes(col) == {}
