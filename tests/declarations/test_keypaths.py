"""Dotted key paths: dig finds, put_path wraps, set_path builds the objects on the way."""

from __future__ import annotations

from typing import Any

import pytest

from clientkit._declarations.keypaths import ABSENT, dig, has_path, locate, put_path, set_path


def test_dig_follows_keys_and_list_indexes() -> None:
    body = {"data": {"items": [1, 2, 3]}, "meta": None}
    assert dig(body, "data.items.1") == 2
    assert dig(body, "data.items.-1") == 3
    assert dig(body, "data.items.7") is None and dig(body, "data.nope") is None
    assert dig(body, "meta.total") is None
    assert dig(body, None) is body and dig(body, "$") is body and dig(body, "") is body


def test_has_path_tells_a_null_value_from_a_missing_key() -> None:
    body = {"data": {"next": None}}
    assert has_path(body, "data.next") and not has_path(body, "data.previous")
    assert has_path(body, "$") and has_path([1], "0") and not has_path([1], "1")


def test_put_path_is_the_inverse_of_dig() -> None:
    payload = {"id": 1}
    wrapped = put_path(payload, "item.body")
    assert wrapped == {"item": {"body": {"id": 1}}} and dig(wrapped, "item.body") is payload
    assert put_path(payload, None) is payload


def test_set_path_creates_the_objects_on_the_way() -> None:
    body: dict[str, Any] = {"page": {"size": 5}}
    set_path(body, "page.cursor.after", "abc")
    set_path(body, "limit", 10)
    assert body == {"page": {"size": 5, "cursor": {"after": "abc"}}, "limit": 10}


def test_every_operation_reads_an_index_step_in_an_array() -> None:
    body = {"rows": [{"id": 1}, {"id": 2}], "meta": {"0": "key"}}
    assert has_path(body, "rows.0") and has_path(body, "rows.-1.id") and not has_path(body, "rows.2")
    assert has_path(body, "meta.0") and dig(body, "meta.0") == "key"  # an object keeps its "0" key
    assert not has_path(body, "rows.x") and not has_path(body, "rows.+1") and not has_path(body, "rows.²")
    assert locate(body, "rows.1") == {"id": 2} and locate(body, ("rows.5", "rows.0.id")) == 1
    assert locate(body, "rows.5") is ABSENT


def test_put_path_builds_arrays_for_index_steps() -> None:
    assert put_path({"id": 1}, "rows.0") == {"rows": [{"id": 1}]}
    assert put_path("x", "a.2") == {"a": [None, None, "x"]} and dig(put_path("x", "a.2"), "a.2") == "x"
    assert put_path("x", "a.-1") == {"a": ["x"]}
    assert put_path("x", "0") == ["x"]


def test_set_path_creates_arrays_and_fills_existing_ones() -> None:
    body: dict[str, Any] = {}
    set_path(body, "errors.0.message", "bad")
    set_path(body, "errors.0.code", 7)
    set_path(body, "errors.1.message", "worse")
    set_path(body, "rows.0", {"id": 1})
    assert body == {"errors": [{"message": "bad", "code": 7}, {"message": "worse"}], "rows": [{"id": 1}]}
    set_path(body, "errors.-1.message", "last")
    assert body["errors"][1] == {"message": "last"}
    with pytest.raises(ValueError, match="before the start"):
        set_path(body, "rows.-3", 1)
