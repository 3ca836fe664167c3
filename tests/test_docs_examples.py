"""The README's tour runs as written against the sandbox (the guides' examples run through
sybil, see ``docs/conftest.py``)."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DECLARING = ROOT / "docs" / "declaring.md"


def blocks(section: str, page: Path = DECLARING) -> list[str]:
    """The Python blocks under the heading ``section`` (up to the next heading of any level)."""
    text = page.read_text()
    start = re.search(rf"^#+ {re.escape(section)}\n", text, re.MULTILINE)
    assert start is not None, f"no section {section!r} in {page.name}"
    rest = text[start.end() :]
    end = re.search(r"^#+ ", rest, re.MULTILINE)
    return re.findall(r"```python\n(.*?)```", rest[: end.start() if end else None], re.DOTALL)


def test_the_readme_tour_runs() -> None:
    (code,) = blocks("A 30-second tour", ROOT / "README.md")
    module = types.ModuleType("readme_tour")  # a real module: its types resolve by name
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, "README.md: A 30-second tour", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    assert module.__dict__["book"].tags == ["classic"]
