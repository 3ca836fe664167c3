"""Every ``clientkit.X`` name the docs, the README and the code's own messages give exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FILES += sorted((ROOT / "clientkit").rglob("*.py"))
LOGGERS = {"clientkit.auth", "clientkit.http"}  # logger names, not attributes
DOTTED = re.compile(r"(?<![\w/])(clientkit(?:\.\w+)+)")
FROM_IMPORT = re.compile(r"from (clientkit[\w.]*) import (\([\w, \n]+\)|[\w, ]+)")


def resolve(name: str) -> Any:
    """The object a dotted name stands for (its longest importable prefix, then attributes)."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(name)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_named_thing_exists(path: Path) -> None:
    text = path.read_text()
    missing = []
    for match in DOTTED.finditer(text):
        name = match.group(1).rstrip(".")
        if name not in LOGGERS:
            try:
                resolve(name)
            except (ImportError, AttributeError):
                missing.append(name)
    for match in FROM_IMPORT.finditer(text):
        for imported in match.group(2).strip("()").replace("\n", ",").split(","):
            name = imported.strip().split(" ")[0]
            if name:
                try:
                    resolve(f"{match.group(1)}.{name}")
                except (ImportError, AttributeError):
                    missing.append(f"{match.group(1)}.{name}")
    assert missing == []
