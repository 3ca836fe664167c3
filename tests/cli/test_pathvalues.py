"""Path values told in the command's words: ``--path``, ``-p``, ``-C`` and the environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clientkit.sandbox import Sandbox
from clientkit_services.cxreports import SANDBOX as CXREPORTS
from tests.cli.conftest import LIBRARY


@pytest.fixture
def cxreports(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    box = CXREPORTS()
    monkeypatch.setenv("CLIENTKIT_CXREPORTS_BASE_URL", box.start() + box.prefix)
    monkeypatch.setenv("CLIENTKIT_CXREPORTS_TOKEN", "sandbox-token")
    try:
        yield box
    finally:
        box.stop()
        box.store.close()


def test_a_name_the_path_does_not_take_is_told_with_the_flags(ck, library: Sandbox) -> None:
    ran = ck(LIBRARY, "chapter", "list", "--path", "book_id=1")
    assert ran.code == 1 and ran.err.count("\n") == 1
    said = ran.err.removeprefix("clientkit: error: InvalidRequestError: ").strip()
    assert said == (
        "chapter list: --path book_id is not a value of its path /books/{book}/chapters "
        "(it takes --path book=VALUE); a filter or other query parameter goes in -p book_id=VALUE"
    )
    assert "params=" not in ran.err and library.journal.entries("GET", "/books/1/chapters") == []


def test_a_missing_path_value_names_its_flag(ck, library: Sandbox) -> None:
    ran = ck(LIBRARY, "chapter", "list")
    assert ran.code == 1
    assert "chapter list needs --path book=VALUE (its path is /books/{book}/chapters)" in ran.err
    created = ck(LIBRARY, "chapter", "create", "--set", "title=x", "--path", "id=3")
    assert (
        "--path id is not a value of its path /books/{book}/chapters (it takes --path book=VALUE)"
        in created.err
    )
    assert "-p id" not in created.err  # create takes no query parameters
    assert ck(LIBRARY, "book", "get", "1", "--path", "book=1").code == 1
    assert ck(LIBRARY, "chapter", "get", "2", "--path", "book=1", "-o", "json").code == 0


def test_a_missing_context_value_names_the_flag_and_the_variable(ck, cxreports: Sandbox) -> None:
    ran = ck("cxreports", "job", "list")
    assert ran.code == 1 and ran.err.count("\n") == 1
    assert "job list needs the context value workspace (its path is /ws/{workspace}/jobs): give " in ran.err
    assert "-C workspace=VALUE after the service's name, CLIENTKIT_CXREPORTS_WORKSPACE=" not in ran.err
    assert "CLIENTKIT_CXREPORTS_WORKSPACE or a profile" in ran.err
    assert ck("cxreports", "-C", "workspace=1", "job", "list").code == 0
    assert ck("cxreports", "job", "list", "--path", "workspace=1").code == 0
    action = ck("cxreports", "report", "pages", "160")
    assert "report pages needs the context value workspace" in action.err


def test_an_update_is_told_without_query_parameters(ck, library: Sandbox) -> None:
    ran = ck(LIBRARY, "chapter", "update", "1", "--path", "bok=1", "--set", "title=x")
    assert "chapter update: --path bok is not a value of its path /books/{book}/chapters/{id}" in ran.err
    assert "-p bok" not in ran.err
    assert ck(LIBRARY, "chapter", "update", "1", "--path", "book=1", "--set", "title=x").code == 0
