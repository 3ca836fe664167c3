"""docs/services/bragerone.md: its examples run, in order, against the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DOC = Path(__file__).parents[2] / "docs" / "services" / "bragerone.md"


def test_the_guide_runs() -> None:
    namespace: dict[str, Any] = {}
    for block in DOC.read_text("utf-8").split("```python\n")[1:]:
        exec(compile(block.split("```", 1)[0], str(DOC), "exec"), namespace)
    assert namespace["me"].email == "jan@example.com" and namespace["boilers"][0].devid == "FTTCTBSLCE"
