"""Generated load functions: built straight into the instance, no assignment recorded."""

from __future__ import annotations

from typing import Any

import pytest

from clientkit import (
    Resource,
    field,
)
from clientkit._declarations.convert import Converter


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
