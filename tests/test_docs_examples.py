"""The complete examples of docs/declaring.md run against the sandbox (the others are fragments)."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

DECLARING = Path(__file__).resolve().parents[1] / "docs" / "declaring.md"
#: the sections whose ```python blocks are whole programs
RUN = (
    "A whole service, end to end",
    "Parents that are fields",
    "Path segments",
    "Reference fields",
    "Context in queries and bodies",
    "An official client's methods",
)


def blocks(section: str) -> list[str]:
    """The Python blocks under the heading ``section`` (up to the next heading of any level)."""
    text = DECLARING.read_text()
    start = re.search(rf"^#+ {re.escape(section)}\n", text, re.MULTILINE)
    assert start is not None, f"no section {section!r} in declaring.md"
    rest = text[start.end() :]
    end = re.search(r"^#+ ", rest, re.MULTILINE)
    return re.findall(r"```python\n(.*?)```", rest[: end.start() if end else None], re.DOTALL)


@pytest.mark.parametrize("section", RUN)
def test_the_example_runs(section: str) -> None:
    found = blocks(section)
    assert found
    for code in found:
        module = types.ModuleType("declaring_example")  # a real module: its types resolve by name
        sys.modules[module.__name__] = module
        try:
            exec(compile(code, f"declaring.md: {section}", "exec"), module.__dict__)
        finally:
            del sys.modules[module.__name__]
