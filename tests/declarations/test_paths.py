"""Path templates: every placeholder value is exactly one percent-encoded segment."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from clientkit._declarations.paths import PathTemplate, quote_segment
from clientkit.errors import DeclarationError, InvalidRequestError


def test_a_value_stays_one_segment() -> None:
    assert quote_segment("a/b?c#d") == "a%2Fb%3Fc%23d"
    assert quote_segment("50%") == "50%25" and quote_segment("a b") == "a%20b"
    assert quote_segment(7) == "7"
    key = uuid.UUID(int=1)
    assert quote_segment(key) == str(key)


@pytest.mark.parametrize("bad", ["", ".", "..", True, None, 1.5, ["x"]])
def test_unusable_values_are_refused(bad: Any) -> None:
    with pytest.raises(InvalidRequestError):
        quote_segment(bad, name="id")


def test_a_template_fills_every_placeholder() -> None:
    template = PathTemplate("/item/{app}/{id}")
    assert template.names == ("app", "id")
    assert template.expand({"app": "x", "id": "a/b"}) == "/item/x/a%2Fb"
    with pytest.raises(InvalidRequestError, match=r"needs a value for \{id\}"):
        template.expand({"app": "x"})


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("items/{id}", "must start with '/'"),
        ("/items?x=1", "query or fragment"),
        ("/items/{1d}", "invalid placeholder"),
        ("/items/{id", "unbalanced brace"),
        ("/a/{id}/b/{id}", "repeats a placeholder"),
    ],
)
def test_malformed_templates_are_declaration_errors(template: str, problem: str) -> None:
    with pytest.raises(DeclarationError, match=problem.replace("?", r"\?")):
        PathTemplate(template)
