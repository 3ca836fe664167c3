"""docs/services/bapp.md: its examples run, in order, against the BAPP sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).parents[2] / "docs" / "services" / "bapp.md"


def test_the_guide_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("bapp_api_client")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    namespace: dict[str, Any] = {}
    for block in DOC.read_text("utf-8").split("```python\n")[1:]:
        exec(compile(block.split("```", 1)[0], str(DOC), "exec"), namespace)
    assert (tmp_path / "order.html").exists() and (tmp_path / "report-42.csv").exists()
