"""User code written as the docs show type-checks under ``mypy --strict``: the README's tour
(resources built with only the fields the caller has, since every ``field(...)`` has a
default, while a wrong type or an unknown field is still caught) and every example of the
guides whose examples run (``docs/conftest.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ["files.md", "jobs.md"]

USE = """
new = Book(title="Dune")
new.tags.append("classic")
wrong = Book(title=3)
unknown = Book(nope=1)
"""


def _errors(tmp_path: Path, code: str) -> tuple[list[str], list[str]]:
    """mypy's errors on ``code``, and the lines of the file it checked."""
    script = tmp_path / "user.py"
    script.write_text(code)
    cache = str(tmp_path / "cache")
    out, _, _ = api.run(["--strict", "--no-incremental", "--cache-dir", cache, str(script)])
    return [line for line in out.splitlines() if ": error:" in line], code.splitlines()


def test_the_readme_tour_type_checks_and_mistakes_are_caught(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"## A 30-second tour\s+```python\n(.*?)```", readme, re.S)
    assert block is not None, "the README's tour has moved"
    errors, lines = _errors(tmp_path, block.group(1) + USE)
    flagged = {lines[int(e.split(":")[1]) - 1].split("=")[0].strip() for e in errors}
    assert flagged == {"wrong", "unknown"}, errors


@pytest.mark.parametrize("guide", GUIDES)
def test_the_examples_of_a_guide_type_check(tmp_path: Path, guide: str) -> None:
    text = (ROOT / "docs" / guide).read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, f"{guide} has no examples"
    errors, _ = _errors(tmp_path, "\n".join(blocks))
    assert errors == []


def test_the_end_to_end_declaration_type_checks(tmp_path: Path) -> None:
    from tests.test_docs_examples import blocks

    errors, _ = _errors(tmp_path, "\n".join(blocks("A whole service, end to end")))
    assert errors == []
