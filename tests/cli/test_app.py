"""The command's tree, built from the declarations."""

from __future__ import annotations

from clientkit.cli.app import operations
from clientkit_services.blizwork.service import MasterData
from clientkit_services.clappform import App, Version
from clientkit_services.cxreports import Report
from tests.cli.library import Book, Chapter


def test_operations_follow_the_declared_paths() -> None:
    assert sorted(operations(App)) == ["create", "delete", "export", "get", "list", "transfer", "update"]
    assert sorted(operations(Version)) == ["delete", "get", "update"]  # a singleton's one path
    assert sorted(operations(Chapter)) == ["create", "delete", "export", "get", "list", "update"]
    assert {"publish", "search", "cover", "action-export", "export"} <= set(operations(Book))


def test_actions_are_named_with_hyphens_and_clashes_are_prefixed() -> None:
    assert {"post-pdf", "export-status", "action-export", "export"} <= set(operations(Report))
    assert sorted(operations(MasterData)) == ["delete", "query", "upsert"]  # no delete path: the action


def test_help_lists_services_resources_and_operations(ck) -> None:
    assert "clappform" in ck("--help").out
    resources = ck("clappform", "--help").out
    assert "app" in resources and "questionnaire" in resources and "--base-url" in resources
    ops = ck("tests.cli.library:Library", "book", "--help").out
    assert "publish" in ops and "action-export" in ops
    assert (
        "The declared action cover: GET /books/{id}/cover."
        in ck("tests.cli.library:Library", "book", "cover", "--help").out
    )


def test_resources_are_found_in_any_case(ck, library) -> None:
    assert ck("tests.cli.library:Library", "Book", "get", "1").code == 0
    assert ck("cxreports", "reporttype", "--help").code == 0
