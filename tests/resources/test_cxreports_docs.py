"""docs/services/cxreports.md: its examples run, in order, against the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).parents[2] / "docs" / "services" / "cxreports.md"


def test_the_guide_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    for block in DOC.read_text("utf-8").split("```python\n")[1:]:
        exec(compile(block.split("```", 1)[0], str(DOC), "exec"), namespace)
    assert (tmp_path / "report.pdf").exists() and (tmp_path / "review.pdf").exists()
