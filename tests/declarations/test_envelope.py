"""Envelopes: where the payload sits in answers and requests, per operation."""

from __future__ import annotations

import pytest

from clientkit import Envelope
from clientkit.errors import DeclarationError, DecodeError


def test_the_payload_is_unwrapped_and_wrapped_per_operation() -> None:
    envelope = Envelope(response="data", operations={"create": Envelope(response="data", request="data")})
    assert envelope.unwrap({"data": {"id": 1}}, "get") == {"id": 1}
    assert envelope.wrap({"name": "x"}, "update") == {"name": "x"}
    assert envelope.wrap({"name": "x"}, "create") == {"data": {"name": "x"}}


def test_alternatives_are_tried_in_order_and_none_is_the_whole_body() -> None:
    envelope = Envelope(response=("user", None))
    assert envelope.unwrap({"user": {"id": 1}}, "get") == {"id": 1}
    assert envelope.unwrap({"id": 2}, "get") == {"id": 2}


def test_a_missing_payload_key_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="no 'data' key"):
        Envelope(response="data").unwrap({"items": []}, "list")
    with pytest.raises(DecodeError, match="none of the keys"):
        Envelope(response=("a", "b")).unwrap({"c": 1}, "get")


def test_operation_overrides_must_be_envelopes() -> None:
    with pytest.raises(DeclarationError, match="must be an Envelope"):
        Envelope(operations={"create": "data"})  # type: ignore[dict-item]
