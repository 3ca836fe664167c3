"""Context values declared for queries and bodies: templates, computed values, checks."""

from __future__ import annotations

import time
from typing import Any

import pytest

from clientkit import Service
from clientkit._declarations.context import (
    made_values,
    merged,
    own_values,
    refuse_collisions,
    values_of,
    with_body,
)
from clientkit.errors import DeclarationError, InvalidRequestError

CONTEXT = {"user": 7, "env": "prod", "team": None}


def made(**declared: Any) -> Any:
    return made_values(declared, CONTEXT, "S.context_body")


def test_a_whole_placeholder_keeps_the_value_and_text_around_makes_a_string() -> None:
    pairs = values_of(made(id="{user}", label="u-{user}-{env}", fixed="web"), CONTEXT, {}, "B")
    assert pairs == [("id", 7), ("label", "u-7-prod"), ("fixed", "web")]


def test_unset_context_is_left_out_and_names_given_the_same_value_are_not_repeated() -> None:
    declared = made(team="{team}", label="t-{team}", id="{user}", env="{env}")
    assert values_of(declared, CONTEXT, {"env": ["prod"], "team": ["x"]}, "B") == [("id", 7)]
    assert values_of(declared, CONTEXT, {"id": ["7"]}, "Q", loose=True) == [("env", "prod")]  # query text


def test_a_name_given_another_value_is_refused_naming_both() -> None:
    declared = made(id="{user}")
    with pytest.raises(InvalidRequestError, match=r"body key 'id' differs from the value B\['id'\] gives"):
        values_of(declared, CONTEXT, {"id": ["7"]}, "B")  # a body keeps JSON types
    with pytest.raises(InvalidRequestError, match="parameter 'id' differs"):
        values_of(declared, CONTEXT, {"id": [7, 8]}, "Q", loose=True)


def test_computed_values_take_the_context_or_nothing() -> None:
    declared = made(at=time.time, who=lambda ctx: ctx["user"] * 2, none=lambda: None)
    pairs = dict(values_of(declared, CONTEXT, {}, "B"))
    assert pairs["who"] == 14 and isinstance(pairs["at"], float) and "none" not in pairs


def test_bodies_get_the_values_beside_their_own_keys() -> None:
    declared = made(user="{user}", env="{env}")
    assert with_body({"user": 7, "a": 1}, declared, CONTEXT, "B") == {"user": 7, "a": 1, "env": "prod"}
    assert with_body([1], declared, CONTEXT, "B") == [1]
    body = {"a": 1}
    with_body(body, declared, CONTEXT, "B")
    assert body == {"a": 1}  # the caller's body is not changed
    with pytest.raises(InvalidRequestError, match="body key 'user' differs"):
        with_body({"user": None}, declared, CONTEXT, "B")  # a null is a value too


def test_a_resource_adds_overrides_or_leaves_out_the_services_values() -> None:
    service = {"env": "{env}", "user": "{user}"}
    assert merged(service, None) == service
    assert merged(service, False) == {}
    assert merged(service, {"user": None, "team": "{team}"}) == {"env": "{env}", "team": "{team}"}
    assert own_values({"user": None}, CONTEXT, "T context_body") == {"user": None}
    with pytest.raises(DeclarationError, match="T context_body must be a mapping or False"):
        own_values(True, CONTEXT, "T context_body")


def test_context_keys_colliding_with_what_a_resource_sends_are_refused() -> None:
    refuse_collisions("T", ["userId"], ["env"], ["name"], ["expand"])
    with pytest.raises(DeclarationError, match=r"T: context_body keys \['name'\] are also a field"):
        refuse_collisions("T", ["name"], [], ["name"], [])
    with pytest.raises(DeclarationError, match=r"context_query keys \['expand'\] are also a parameter"):
        refuse_collisions("T", [], ["expand"], [], ["expand"])


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
