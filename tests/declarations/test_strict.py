"""Strict structuring: a value that does not fit its declared JSON shape is refused, never coerced."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import cattrs
import pytest

from clientkit._declarations.strict import json_kind, register_strict_hooks


@pytest.fixture
def converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    register_strict_hooks(conv)
    return conv


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        ("false", bool, "expected a boolean, got string"),
        (1.9, int, "expected an integer, got number"),
        ("abc", list[str], "expected an array, got string"),
        ({}, str, "expected a string, got object"),
    ],
)
def test_coercions_are_refused(converter: cattrs.Converter, value: Any, target: Any, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        converter.structure(value, target)


def test_values_in_their_own_shape_pass_and_a_float_takes_an_integer(converter: cattrs.Converter) -> None:
    assert converter.structure([1, 2], list[int]) == [1, 2]
    assert converter.structure({"a": 1}, dict[str, int]) == {"a": 1}
    assert converter.structure([1], tuple[int, ...]) == (1,)
    kept = converter.structure(1, float)
    assert kept == 1 and type(kept) is int  # exact: the integer stays an integer


def test_kinds_are_named_as_json_names_them() -> None:
    assert [json_kind(v) for v in (None, True, 1, 1.5, "a", [], {})] == [
        "null",
        "boolean",
        "integer",
        "number",
        "string",
        "array",
        "object",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", "12.50"),
        ("-0.001", "-0.001"),
        ("+1e3", "1E+3"),
        (12.5, "12.5"),
        (0.1, "0.1"),
        (7, "7"),
        (10**30, "1000000000000000000000000000000"),
        (1.2345678901234e20, "1.2345678901234E+20"),
    ],
)
def test_decimals_load_digit_for_digit(converter: cattrs.Converter, value: Any, expected: str) -> None:
    assert str(converter.structure(value, Decimal)) == expected


@pytest.mark.parametrize("value", ["abc", "1_000", " 1", "1,5", "NaN", "Infinity", "", True, None, [1], {}])
def test_anything_else_is_no_decimal(converter: cattrs.Converter, value: Any) -> None:
    with pytest.raises(ValueError, match="expected a decimal number"):
        converter.structure(value, Decimal)
