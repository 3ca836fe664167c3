"""Records as a table, JSON, JSON lines or CSV."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from clientkit.cli.output import Writer, cell, columns_of, print_records, print_value, table
from clientkit.errors import InvalidRequestError
from tests.cli.conftest import LIBRARY


def test_cells_and_columns() -> None:
    assert [cell(None), cell("x"), cell(3), cell({"a": [1]})] == ["", "x", "3", '{"a":[1]}']
    assert columns_of([{"a": 1}, {"b": 2, "a": 3}]) == ["a", "b"]
    assert table([{"a": 1}]).row_count == 1


def test_json_is_one_array_written_as_records_come() -> None:
    out = io.StringIO()
    writer = Writer(out, "json")
    writer.write({"a": 1})
    writer.write({"a": 2})
    writer.close()
    assert json.loads(out.getvalue()) == [{"a": 1}, {"a": 2}]


def test_csv_refuses_a_record_with_columns_it_lacks() -> None:
    out = io.StringIO()
    writer = Writer(out, "csv", ["a", "b"])
    writer.write({"a": 1})
    with pytest.raises(InvalidRequestError, match=r"record 2 has fields \['c'\]"):
        writer.write({"a": 2, "c": 3})
    assert out.getvalue() == "a,b\n1,\n"


def test_answers_of_actions() -> None:
    out = io.StringIO()
    console = Console(file=out, width=100)
    print_value(console, {"ok": True}, "json")
    print_value(console, None, "table")
    print_value(console, [{"id": 1}], "jsonl")
    print_value(console, {"id": 2}, "csv")
    assert out.getvalue().split("\n") == [
        "{",
        '  "ok": true',
        "}",
        "done (no content)",
        '{"id": 1}',
        "id",
        "2",
        "",
    ]


def test_a_table_piped_is_not_squeezed_to_a_terminal_width(ck, library, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    title = "The collected letters of an unusually long-winded correspondent, 1901-1999"
    library.seed({"Book": [{"id": 99, "title": title, "genre": "collections", "year": 2001}]})
    ran = ck(LIBRARY, "book", "list", "-p", "year=2001")
    assert ran.code == 0, ran.err
    row = next(line for line in ran.out.splitlines() if "99" in line)
    assert title in row and "collections" in row and len(row) > 80
    assert not any("collectio" in line and "collections" not in line for line in ran.out.splitlines())


def test_a_table_on_a_terminal_keeps_to_its_width() -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system=None)
    print_records(console, [{"title": "x" * 150, "genre": "collections"}], "table", "book")
    assert max(len(line) for line in out.getvalue().splitlines()) <= 80
