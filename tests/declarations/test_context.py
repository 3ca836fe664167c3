"""Context values declared for queries and bodies: templates, computed values, checks."""

from __future__ import annotations

import time
from typing import Any

import pytest

from clientkit import Service
from clientkit._declarations.context import made_values, values_of, with_body
from clientkit.errors import DeclarationError

CONTEXT = {"user": 7, "env": "prod", "team": None}


def made(**declared: Any) -> Any:
    return made_values(declared, CONTEXT, "S.context_body")


def test_a_whole_placeholder_keeps_the_value_and_text_around_makes_a_string() -> None:
    pairs = values_of(made(id="{user}", label="u-{user}-{env}", fixed="web"), CONTEXT, ())
    assert pairs == [("id", 7), ("label", "u-7-prod"), ("fixed", "web")]


def test_unset_context_is_left_out_and_taken_names_are_skipped() -> None:
    declared = made(team="{team}", label="t-{team}", id="{user}", env="{env}")
    assert values_of(declared, CONTEXT, ("env",)) == [("id", 7)]


def test_computed_values_take_the_context_or_nothing() -> None:
    declared = made(at=time.time, who=lambda ctx: ctx["user"] * 2, none=lambda: None)
    pairs = dict(values_of(declared, CONTEXT, ()))
    assert pairs["who"] == 14 and isinstance(pairs["at"], float) and "none" not in pairs


def test_bodies_get_the_values_beside_their_own_keys() -> None:
    declared = made(user="{user}", env="{env}")
    assert with_body({"user": None, "a": 1}, declared, CONTEXT) == {"user": None, "a": 1, "env": "prod"}
    assert with_body([1], declared, CONTEXT) == [1]
    body = {"a": 1}
    with_body(body, declared, CONTEXT)
    assert body == {"a": 1}  # the caller's body is not changed


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ({"x": "{nope}"}, "not in context"),
        ({"x": 3}, "a template or a callable"),
        ({"": "{user}"}, "non-empty strings"),
        ({"x": lambda a, b: a}, "the context, or nothing"),
        ({"x": lambda *, key: key}, "the context, or nothing"),
    ],
)
def test_bad_declarations_are_refused(declared: dict[str, Any], message: str) -> None:
    with pytest.raises(DeclarationError, match=message):
        made_values(declared, CONTEXT, "S.context_query")


def test_a_service_checks_its_context_values_when_declared() -> None:
    with pytest.raises(DeclarationError, match=r"Bad.context_query\['env'\] uses \['environment'\]"):

        class Bad(Service):
            context = {"user": None}
            context_query = {"env": "{environment}"}

    with pytest.raises(DeclarationError, match="must be Mapping"):

        class Worse(Service):
            context_body = "{user}"  # type: ignore[assignment]
