"""Dotted key paths: dig finds, put_path wraps, set_path builds the objects on the way."""

from __future__ import annotations

from typing import Any

from clientkit._declarations.keypaths import dig, has_path, put_path, set_path


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
    assert has_path(body, "$") and not has_path([1], "0")


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
