"""A misspelt keyword in a declaration is a DeclarationError naming what was meant."""

from __future__ import annotations

import pytest

from clientkit import (
    Action,
    ApiKeyAuth,
    CacheConfig,
    Cursor,
    Envelope,
    Expansion,
    PageNumber,
    RetryPolicy,
    Timeout,
    TokenAuth,
    field,
)
from clientkit.errors import DeclarationError
from tests.support.retried import Api, Thing
from tests.support.scripted import Reply, ScriptedServer


def test_a_misspelt_keyword_says_what_was_meant() -> None:
    with pytest.raises(DeclarationError, match=r"Cursor\(\) takes no argument 'item' \(did you mean 'items'"):
        Cursor(item="data")  # type: ignore[call-arg]
    with pytest.raises(DeclarationError, match=r"'headers' \(did you mean 'header'\?\)") as info:
        ApiKeyAuth(headers="X-Key")  # type: ignore[call-arg]
    assert isinstance(info.value, TypeError)  # still what Python raises for a bad keyword
    assert "its arguments are key, header, query, keyword, optional" in str(info.value)


@pytest.mark.parametrize(
    ("declare", "typo"),
    [
        (lambda: PageNumber(page_sise=10), "page_sise"),
        (lambda: Envelope(itmes="data"), "itmes"),
        (lambda: Expansion(parm="expand"), "parm"),
        (lambda: RetryPolicy(retry=3), "retry"),
        (lambda: Timeout(totl=3), "totl"),
        (lambda: CacheConfig(backnd="memory"), "backnd"),
        (lambda: TokenAuth(shceme="Token"), "shceme"),
        (lambda: Action("POST", "/x", bodyy=1), "bodyy"),
    ],
)
def test_every_public_declaration_type_checks_its_keywords(declare: object, typo: str) -> None:
    with pytest.raises(DeclarationError, match=f"takes no argument '{typo}'"):
        declare()  # type: ignore[operator]


def test_a_word_close_to_nothing_lists_the_arguments() -> None:
    with pytest.raises(DeclarationError, match=r"'zzz'; its arguments are connect, read, total"):
        Timeout(zzz=1)  # type: ignore[call-arg]


def test_well_spelt_declarations_still_work_over_http(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1, "name": "x"}))
    session = Api.connect(server.url, retries=RetryPolicy(retries=0), timeout=Timeout(connect=2, read=2))
    assert session.get(Thing, 1).name == "x"


def test_the_declaration_functions_check_their_keywords_too() -> None:
    with pytest.raises(DeclarationError, match=r"resource\(\) takes no argument 'onee' \(did you mean 'one'"):
        Api.resource(onee="/things/{id}")  # type: ignore[call-arg]
    with pytest.raises(DeclarationError, match=r"field\(\) takes no argument 'defualt' \(did"):
        field(defualt=1)  # type: ignore[call-arg]
    assert field(default=1) is not None  # the checks let the known options through
