"""Values given on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientkit import extra
from clientkit.cli.values import assign, changes, identity, json_body, json_value, level, pairs
from clientkit.errors import InvalidRequestError
from clientkit.model import spec_of
from clientkit_services.clappform import Collection, Version
from tests.cli.library import Book, Library


def test_pairs_and_json_values() -> None:
    assert pairs(["a=1", "b==x", "c="], "--p") == {"a": "1", "b": "=x", "c": ""}
    with pytest.raises(InvalidRequestError, match="--p 'x': give NAME=VALUE"):
        pairs(["x"], "--p")
    assert [json_value(t) for t in ("42", "true", "null", '"42"', "Dune")] == [42, True, None, "42", "Dune"]


def test_json_bodies(tmp_path: Path) -> None:
    body = tmp_path / "b.json"
    body.write_text('{"a": 1}')
    assert json_body(f"@{body}") == {"a": 1} and json_body(None) is None
    with pytest.raises(InvalidRequestError, match="No such file"):
        json_body(f"@{tmp_path / 'none.json'}")
    with pytest.raises(InvalidRequestError, match="must hold an object"):
        changes([], "[1]")
    assert changes(["a=2"], '{"a": 1, "b": 1}') == {"a": 2, "b": 1}


def test_levels_and_identities() -> None:
    assert [level(t) for t in (None, "true", "False", "2", "full")] == [None, True, False, 2, "full"]
    assert identity(spec_of(Collection), ("app", "slug")) == ("app", "slug")
    assert identity(spec_of(Book), ("7",)) == "7"
    assert identity(spec_of(Version), ()) is None
    with pytest.raises(InvalidRequestError, match="identified by APP SLUG: give 2"):
        identity(spec_of(Collection), ("app",))


def test_assign_structures_values_and_keeps_unknown_names_as_extras() -> None:
    book = Book()
    assign(book, {"title": "T", "year": 1999, "isbn": "x"}, Library.converter, creating=True)
    assert (book.title, book.year, extra(book)) == ("T", 1999, {"isbn": "x"})
    with pytest.raises(InvalidRequestError, match=r"Book\.id cannot be set: it is read-only"):
        assign(book, {"id": 3}, Library.converter, creating=True)
    with pytest.raises(InvalidRequestError, match=r"Book\.year: 'soon' does not fit"):
        assign(book, {"year": "soon"}, Library.converter, creating=False)
