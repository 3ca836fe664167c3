"""``get``, ``create``, ``update`` and ``delete`` through the real command; the tests check
what the sandboxes received."""

from __future__ import annotations

import json

from clientkit.sandbox import Sandbox
from clientkit_services.clappform.sandbox import ClappformSandbox
from tests.cli.conftest import LIBRARY


def test_get_as_table_and_json(ck, clappform: ClappformSandbox) -> None:
    table = ck("clappform", "app", "get", "uspresidents")
    assert table.code == 0, table.err
    assert "US Presidents Dashboard" in table.out and "field" in table.out
    as_json = json.loads(ck("clappform", "app", "get", "uspresidents", "-o", "json").out)
    assert as_json["id"] == "uspresidents" and as_json["collections"] == 2


def test_get_by_a_composite_identity_at_a_level(ck, clappform: ClappformSandbox) -> None:
    ran = ck("clappform", "collection", "get", "uspresidents", "presidents", "--level", "1", "-o", "json")
    assert json.loads(ran.out)["description"] == "All presidents"
    assert clappform.journal.last.path == "/api/collection/uspresidents/presidents"
    assert dict(clappform.journal.last.params)["extended"] == "1"


def test_a_singleton_takes_no_identity(ck, clappform: ClappformSandbox) -> None:
    assert json.loads(ck("clappform", "version", "get", "-o", "json").out)["api"]
    ran = ck("clappform", "version", "get", "x")
    assert ran.code == 1 and "give 0 value(s), not 1" in ran.err


def test_update_sends_only_what_changed(ck, clappform: ClappformSandbox) -> None:
    ran = ck("clappform", "app", "update", "uspresidents", "--set", "name=Presidents", "-o", "json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["name"] == "Presidents"
    sent = clappform.journal.last
    assert (sent.method, sent.path, sent.json) == ("PUT", "/api/app/uspresidents", {"name": "Presidents"})
    assert clappform.records("App")[0]["description"] == "US Presidents Dashboard"


def test_update_refuses_the_identity_and_nothing(ck, clappform: ClappformSandbox) -> None:
    assert "App.id cannot be set" in ck("clappform", "app", "update", "uspresidents", "--set", "id=x").err
    assert "nothing to change" in ck("clappform", "app", "update", "uspresidents").err
    assert not clappform.journal.entries("PUT")


def test_create_get_and_delete(ck, library: Sandbox) -> None:
    made = ck(
        LIBRARY,
        "book",
        "create",
        "--set",
        "title=New",
        "--json",
        '{"year": 2001, "shelfmark": "A1"}',
        "-o",
        "json",
    )
    assert made.code == 0, made.err
    book = json.loads(made.out)
    assert book["title"] == "New" and book["year"] == 2001 and book["shelfmark"] == "A1"
    assert library.journal.last.json == {"title": "New", "year": 2001, "shelfmark": "A1"}
    gone = ck(LIBRARY, "book", "delete", str(book["id"]), "--yes")
    assert gone.code == 0 and f"deleted Book {book['id']}" in gone.err
    assert ck(LIBRARY, "book", "get", str(book["id"])).code == 1


def test_a_value_that_does_not_fit_its_field_is_refused(ck, library: Sandbox) -> None:
    ran = ck(LIBRARY, "book", "create", "--set", "title=X", "--set", "year=soon")
    assert ran.code == 1 and "Book.year: 'soon' does not fit" in ran.err
    assert not library.journal.entries("POST")


def test_delete_asks_first(ck, library: Sandbox, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("n\n"))
    ran = ck(LIBRARY, "book", "delete", "1")
    assert ran.code == 1 and "aborted" in ran.err
    assert not library.journal.entries("DELETE")


def test_create_fills_its_path_from_the_fields_given(ck, clappform: ClappformSandbox) -> None:
    ran = ck("clappform", "collection", "create", "--set", "app=uspresidents", "--set", "slug=new",
             "--set", "name=New", "-o", "json")  # fmt: skip
    assert ran.code == 0, ran.err
    sent = clappform.journal.last
    assert (sent.method, sent.path) == ("POST", "/api/collection/uspresidents")
    assert sent.json["slug"] == "new" and sent.json["name"] == "New"
    assert ck("clappform", "collection", "get", "uspresidents", "new").code == 0


def test_create_fills_its_path_from_the_identity_given(ck, library: Sandbox) -> None:
    ran = ck(LIBRARY, "shelf", "create", "--json", '{"name": "t1", "room": "east"}', "-o", "json")
    assert ran.code == 0, ran.err
    assert (library.journal.last.method, library.journal.last.path) == ("PUT", "/shelves/t1")
    assert library.records("Shelf") == [{"name": "t1", "room": "east"}]
    missing = ck(LIBRARY, "shelf", "create", "--set", "room=west")
    assert missing.code == 1 and "shelf create needs --path name=VALUE" in missing.err
