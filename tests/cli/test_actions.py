"""Declared actions as commands: JSON answers printed, file answers downloaded."""

from __future__ import annotations

import json
from pathlib import Path

from clientkit.sandbox import Sandbox
from tests.cli.conftest import LIBRARY


def test_an_action_on_one_record(ck, library: Sandbox) -> None:
    ran = ck(LIBRARY, "book", "publish", "3", "--json", '{"when": "now"}', "-o", "json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["id"] == 3
    sent = library.journal.last
    assert (sent.method, sent.path, sent.json) == ("POST", "/books/3/publish", {"when": "now"})


def test_an_action_on_the_collection_with_parameters(ck, library: Sandbox) -> None:
    ran = ck(LIBRARY, "book", "search", "-p", "genre=poem", "-o", "jsonl")
    assert ran.code == 0, ran.err
    assert library.journal.last.path == "/books/search"
    assert dict(library.journal.last.params)["genre"] == "poem"


def test_an_action_named_like_an_operation_keeps_both(ck, library: Sandbox) -> None:
    assert ck(LIBRARY, "book", "action-export", "2", "-o", "json").code == 0
    assert library.journal.last.path == "/books/2/export"
    assert ck(LIBRARY, "book", "export", "--max-items", "1").code == 0


def test_a_file_answer_is_downloaded(ck, library: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "cover.pdf"
    ran = ck("--progress", LIBRARY, "book", "cover", "4", "--to", str(target))
    assert ran.code == 0, ran.err
    assert target.read_bytes().startswith(b"%PDF")
    assert f"wrote {target.stat().st_size} bytes" in ran.err
    assert library.journal.last.path == "/books/4/cover"


def test_a_file_answer_needs_a_target_and_ids_are_counted(ck, library: Sandbox) -> None:
    assert "give --to FILE" in ck(LIBRARY, "book", "cover", "4").err
    wrong = ck(LIBRARY, "book", "publish")
    assert wrong.code == 1 and "takes ID: give 1 value(s), not 0" in wrong.err
    assert not library.journal.entries("POST")
