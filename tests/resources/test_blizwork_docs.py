"""docs/services/blizwork.md and the official documentation's quick start run against the sandbox."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from clientkit.sandbox import Accounts
from clientkit_services.blizwork import BlizWork
from clientkit_services.blizwork.sandbox import CASES, BlizWorkSandbox

DOC = Path(__file__).parents[2] / "docs" / "services" / "blizwork.md"
QUICK_START = """
from clientkit_services.blizwork import BlizWorkAPIInstance, BlizWorkProcess, CaseDataLevel

bwapi_instance = BlizWorkAPIInstance('abcdef123456789012345678', 'email@company.com')
process = BlizWorkProcess(bwapi_instance, 'my-process')
process_case = process.get_case_from_production(1, CaseDataLevel.PLUS_PROCESS_DEFINITION.value)
some_value = process_case.get_field_value('some_field')
print(f'Field some_field value is {some_value}')
"""


def test_the_guide_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NODE_ENV", "production")
    namespace: dict[str, Any] = {}
    for block in DOC.read_text("utf-8").split("```python\n")[1:]:
        exec(compile(block.split("```", 1)[0], str(DOC), "exec"), namespace)


def test_the_official_quick_start_runs_unchanged_but_the_import(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NODE_ENV", "production")
    box = BlizWorkSandbox(accounts=Accounts(tokens={"abcdef123456789012345678": "demo"}))
    case = {**copy.deepcopy(CASES[0]), "processSlug": "my-process", "caseNumber": 1}
    case["fields"]["some_field"] = "some value"
    box.cases[("my-process", "production", 1)] = case
    with box as url:
        monkeypatch.setattr(BlizWork, "base_url", url)  # the quick start names no base URL
        exec(compile(QUICK_START, "quick start", "exec"), {})
    assert capsys.readouterr().out == "Field some_field value is some value\n"
