"""Bytes on the wire: JSON written and read exactly, queries spelled as declared, headers checked."""

from __future__ import annotations

from typing import Any

import pytest

from clientkit._declarations.wire import (
    JsonCodec,
    QueryStyle,
    check_header_value,
    loads,
    nesting_exceeds,
)
from clientkit.errors import InvalidRequestError


def test_the_codec_writes_requests_bytes_or_compact_utf8() -> None:
    assert JsonCodec().dumps({"a": [1, "é"]}) == b'{"a": [1, "\\u00e9"]}'
    assert JsonCodec(compact=True, ensure_ascii=False).dumps({"a": [1, "é"]}) == '{"a":[1,"é"]}'.encode()
    with pytest.raises(InvalidRequestError, match="NaN and infinities"):
        JsonCodec().dumps({"x": float("nan")})


def test_loads_keeps_every_digit_and_refuses_deep_nesting() -> None:
    assert loads(b'{"n": 123456789012345678901234567890}') == {"n": 123456789012345678901234567890}
    with pytest.raises(ValueError, match="nesting deeper than 256"):
        loads("[" * 300 + "]" * 300)


def test_the_nesting_scan_ignores_brackets_inside_strings() -> None:
    assert nesting_exceeds("[" * 10 + "]" * 10, 5)
    assert not nesting_exceeds('"' + "[" * 10 + '"', 5)
    assert not nesting_exceeds("[[[]]]", 5)


def test_query_styles_spell_booleans_and_arrays() -> None:
    assert QueryStyle().encode({"a": [1, 2], "b": True, "c": None}) == [("a", "1"), ("a", "2"), ("b", "true")]
    python = QueryStyle(booleans=("True", "False"), arrays="comma")
    assert python.encode({"a": [1, 2], "b": False}) == [("a", "1,2"), ("b", "False")]
    brackets = QueryStyle(arrays="brackets")
    assert brackets.encode({"a": [1, 2], "f": {"x": 1}}) == [("a[]", "1"), ("a[]", "2"), ("f[x]", "1")]


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("X-A", "v\r\nInjected: 1", "line break"),
        ("X A", "v", "invalid header name"),
        ("X-A", "€", "outside Latin-1"),
        ("X-A", 1, "must be text"),
    ],
)
def test_header_values_that_could_split_a_request_are_refused(name: str, value: Any, problem: str) -> None:
    with pytest.raises(InvalidRequestError, match=problem):
        check_header_value(name, value)
    check_header_value("X-A", "é")  # Latin-1 is what HTTP carries
