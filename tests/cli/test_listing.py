"""``list`` and ``export`` through the real command, against the library and Clappform sandboxes."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from clientkit.sandbox import Fault, Sandbox
from tests.cli.conftest import LIBRARY


def test_list_walks_every_page_as_json(ck, library: Sandbox) -> None:
    ran = ck(LIBRARY, "book", "list", "-o", "json")
    assert ran.code == 0, ran.err
    books = json.loads(ran.out)
    assert [b["id"] for b in books] == list(range(1, 46))
    assert len(library.journal.entries("GET", "/books")) == 5


def test_filters_and_limits_reach_the_server(ck, library: Sandbox) -> None:
    ran = ck(
        LIBRARY, "book", "list", "-p", "genre=poem", "--max-items", "3", "--page-size", "2", "-o", "jsonl"
    )
    assert ran.code == 0, ran.err
    rows = [json.loads(line) for line in ran.out.splitlines()]
    assert [r["id"] for r in rows] == [2, 4, 6]
    sent = library.journal.entries("GET", "/books")
    assert [dict(e.params)["genre"] for e in sent] == ["poem", "poem"]
    assert all(dict(e.params)["page_size"] == "2" for e in sent)


def test_list_as_csv_and_table(ck, library: Sandbox) -> None:
    ran = ck(LIBRARY, "book", "list", "--max-items", "2", "-o", "csv")
    rows = list(csv.DictReader(io.StringIO(ran.out)))
    assert rows == [
        {"id": "1", "title": "Book 1", "genre": "novel", "year": "1901"},
        {"id": "2", "title": "Book 2", "genre": "poem", "year": "1902"},
    ]
    table = ck(LIBRARY, "book", "list", "--max-items", "2")
    assert table.code == 0
    assert "Book 2" in table.out and "title" in table.out and "secret_note" not in table.out


def test_a_nested_listing_takes_its_parent(ck, library: Sandbox) -> None:
    ran = ck(LIBRARY, "chapter", "list", "--path", "book=1", "-o", "json")
    assert [c["title"] for c in json.loads(ran.out)] == ["One", "Two"]
    assert library.journal.last.path == "/books/1/chapters"


def test_export_writes_every_record_with_progress(ck, library: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "books.csv"
    ran = ck("--progress", LIBRARY, "book", "export", "--to", str(target))
    assert ran.code == 0, ran.err
    assert len(list(csv.DictReader(target.open()))) == 45
    assert "45/45" in ran.err and "exported 45 book records" in ran.err


def test_export_formats(ck, library: Sandbox, tmp_path: Path) -> None:
    as_json = tmp_path / "b.json"
    assert ck(LIBRARY, "book", "export", "--to", str(as_json), "--max-items", "3").code == 0
    assert [b["id"] for b in json.loads(as_json.read_text())] == [1, 2, 3]
    lines = ck(LIBRARY, "book", "export", "--max-items", "2").out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2]
    empty = ck(LIBRARY, "book", "export", "--format", "json", "-p", "genre=none")
    assert json.loads(empty.out) == []


def test_export_to_a_folder_that_is_not_there_fails_in_one_line(ck, library: Sandbox, tmp_path: Path) -> None:
    ran = ck(LIBRARY, "book", "export", "--to", str(tmp_path / "no" / "b.csv"))
    assert ran.code == 1
    assert ran.err.count("\n") == 1 and "cannot write" in ran.err


def test_clappform_listing_shows_counts_at_level_zero(ck, clappform) -> None:
    ran = ck("clappform", "app", "list", "-o", "json")
    apps = {a["id"]: a for a in json.loads(ran.out)}
    assert apps["uspresidents"]["collections"] == 2
    expanded = ck("clappform", "app", "list", "--level", "true", "-o", "json")
    assert isinstance(json.loads(expanded.out)[0]["collections"], list)


def test_an_export_failing_half_way_leaves_no_file(ck, library: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "books.jsonl"
    target.write_text("the last good export\n")
    library.faults.add(Fault("trickle", chunk=65536, times=1))  # page 1 answers whole
    library.faults.add(Fault("status", status=400, times=1))  # page 2 fails
    ran = ck(LIBRARY, "book", "export", "--to", str(target))
    assert ran.code == 1 and "400" in ran.err
    assert [e.status for e in library.journal.entries("GET", "/books")] == [200, 400]
    assert target.read_text() == "the last good export\n"  # never half-written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["books.jsonl"]
    fresh = tmp_path / "new.csv"
    library.faults.add(Fault("trickle", chunk=65536, times=1))
    library.faults.add(Fault("status", status=400, times=1))
    assert ck(LIBRARY, "book", "export", "--to", str(fresh)).code == 1
    assert not fresh.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["books.jsonl"]


def test_an_export_replaces_a_file_keeping_its_permissions(ck, library: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "books.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    assert ck(LIBRARY, "book", "export", "--to", str(target)).code == 0
    assert len(target.read_text().splitlines()) == 45 and target.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.jsonl"
    assert ck(LIBRARY, "book", "export", "--to", str(fresh), "--max-items", "1").code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
