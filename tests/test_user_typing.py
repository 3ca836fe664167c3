"""User code written as the README shows type-checks under ``mypy --strict``: resources are
built with only the fields the caller has (every ``field(...)`` has a default), and a
wrong type or an unknown field is still caught."""

from __future__ import annotations

import re
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent

USE = """
new = Book(title="Dune")
new.tags.append("classic")
wrong = Book(title=3)
unknown = Book(nope=1)
"""


def _tour() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"## A 30-second tour\s+```python\n(.*?)```", readme, re.S)
    assert block is not None, "the README's tour has moved"
    return block.group(1)


def test_the_readme_tour_type_checks_and_mistakes_are_caught(tmp_path: Path) -> None:
    script = tmp_path / "tour.py"
    script.write_text(_tour() + USE)
    out, _, _ = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(script)]
    )
    errors = [line for line in out.splitlines() if ": error:" in line]
    lines = script.read_text().splitlines()
    flagged = {lines[int(e.split(":")[1]) - 1].split("=")[0].strip() for e in errors}
    assert flagged == {"wrong", "unknown"}, out
