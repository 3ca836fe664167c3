"""Declared answers: kinds, accepted media types and the refusal's words."""

from __future__ import annotations

import pytest

from clientkit import Action
from clientkit.errors import DeclarationError
from clientkit.files import Answer


def test_accepts_exact_wildcard_and_parameters() -> None:
    answer = Answer("bytes", ("application/pdf", "image/*"))
    assert answer.accepts("Application/PDF; charset=binary")
    assert answer.accepts("image/png")
    assert not answer.accepts("text/html")
    assert not answer.accepts(None)
    assert Answer().accepts("text/html")  # nothing declared: anything


def test_refusal_names_both_types() -> None:
    assert Answer("bytes", "application/pdf").refusal("text/html; charset=utf-8") == (
        "expected application/pdf, got text/html"
    )
    assert Answer("bytes", "application/pdf").refusal(None) == "expected application/pdf, got no content type"


@pytest.mark.parametrize(("kind", "accept"), [("xml", ()), ("bytes", "pdf"), ("bytes", ("application/",))])
def test_bad_declarations_are_refused(kind: str, accept: str | tuple[str, ...]) -> None:
    with pytest.raises(DeclarationError):
        Answer(kind, accept)  # type: ignore[arg-type]


def test_an_action_declares_its_answer() -> None:
    assert Action("GET", "/r/{id}/pdf", answer="bytes", accept="application/pdf").answers == Answer(
        "bytes", ("application/pdf",)
    )
