"""User code written as the docs show type-checks under ``mypy --strict`` and pyright strict: the
README's tour (resources built with only the fields the caller has, since every ``field(...)``
has a default, while a wrong type or an unknown field is still caught), the examples of the
guides listed in ``GUIDES`` and a user script (``examples/quickstart.py``).

Pyright runs through its PyPI wrapper (the npm package it fetches is cached under the
test's temporary folder). Guides not in ``GUIDES`` still run (sybil) but do not type-check
yet. Unused imports and names are not reported: an example shows values it does not use."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parent.parent
GUIDES = [
    "getting-started.md", "files.md", "jobs.md", "architecture.md", "auth.md", "caching.md",
    "command.md", "declaring.md", "errors.md", "pagination.md", "sandbox.md", "session.md", "webhooks.md",
    "services/bapp.md", "services/blizwork.md", "services/bragerone.md", "services/clappform.md",
    "services/cxreports.md",
]
BLOCK = re.compile(
    r"^([ \t]*)```python\n(.*?)^\1```|<!-- invisible-code-block: python\n(.*?)-->", re.S | re.M
)

USE = """
new = Book(title="Dune")
new.tags.append("classic")
wrong = Book(title=3)
unknown = Book(nope=1)
"""

OPTIONS = """
from clientkit import Resource, Service
from clientkit.model import make_resource

class Shop(Service):
    context = {"user": None}

@Shop.resource(one="/notes/{id}", context_body={"by": lambda ctx: ctx["user"], "at": lambda: 1})
class Note(Resource):
    id: int | None = None

Made = make_resource("Made", [("id", int | None)], one="/made/{id}")
made = Made(id=1, price=2).price + Made(id=1).anything
typo = Shop.resource(onee="/x")
wrong = Shop.resource(one=3)
"""


def page_code(page: Path) -> str:
    """Every Python block of a page, the invisible set-up ones included, in order."""
    code = []
    for match in BLOCK.finditer(page.read_text("utf-8")):
        _, shown, hidden = match.groups()
        code.append(hidden if hidden is not None else textwrap.dedent(shown))
    assert code, f"{page.name} has no examples"
    return "\n".join(code)


def readme_tour() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"## A 30-second tour\s+```python\n(.*?)```", readme, re.S)
    assert block is not None, "the README's tour has moved"
    return block.group(1)


def checkout_services(tmp_path: Path) -> None:
    """``clientkit_services`` beside the user's script: this checkout's ``resources/`` (as the
    tests import it), never an installed copy of another one."""
    link = tmp_path / "clientkit_services"
    if not link.exists():
        link.symlink_to(ROOT / "resources", target_is_directory=True)


def mypy_errors(tmp_path: Path, code: str) -> list[str]:
    checkout_services(tmp_path)
    script = tmp_path / "user.py"
    script.write_text(code)
    cache = str(tmp_path / "cache")
    out, _, _ = api.run(["--strict", "--no-incremental", "--cache-dir", cache, str(script)])
    # only the user's code: mypy also reports the service packages it follows from the link,
    # which an installed copy (in site-packages) would keep quiet
    return [line for line in out.splitlines() if line.startswith(f"{script}:") and ": error:" in line]


def pyright_errors(tmp_path: Path, code: str) -> list[dict[str, object]]:
    """Pyright's strict-mode errors on ``code`` (its JSON report)."""
    if shutil.which("pyright", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("pyright is not installed (pip install 'clientkit[dev]')")
    checkout_services(tmp_path)
    (tmp_path / "user.py").write_text(code)
    config = {"typeCheckingMode": "strict", "extraPaths": [str(ROOT)], "reportUnusedImport": False,
              "reportUnusedVariable": False, "reportUnusedExpression": False}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))
    cache = Path(os.environ.get("TMPDIR", "/tmp")) / "clientkit-pyright"
    env = {**os.environ, "PYRIGHT_PYTHON_CACHE_DIR": str(cache)}
    pyright = str(Path(sys.executable).parent / "pyright")
    done = subprocess.run(
        [pyright, "--outputjson", "--pythonpath", sys.executable, "user.py"],
        check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    report = json.loads(done.stdout)
    return [d for d in report["generalDiagnostics"] if d["severity"] == "error"]


def test_the_readme_tour_type_checks_and_mistakes_are_caught(tmp_path: Path) -> None:
    code = readme_tour() + USE
    lines = code.splitlines()
    flagged = {lines[int(e.split(":")[1]) - 1].split("=")[0].strip() for e in mypy_errors(tmp_path, code)}
    assert flagged == {"wrong", "unknown"}
    found = pyright_errors(tmp_path, code)
    assert {lines[d["range"]["start"]["line"]].split("=")[0].strip() for d in found} == {"wrong", "unknown"}


def test_resource_options_are_checked_and_made_resources_are_open(tmp_path: Path) -> None:
    """``Shop.resource(...)`` has ``resource``'s typed options (a lambda's context is typed, a
    misspelt or wrong option is caught); a made class takes and gives any field."""
    lines = OPTIONS.splitlines()
    flagged = {lines[int(e.split(":")[1]) - 1].split("=")[0].strip() for e in mypy_errors(tmp_path, OPTIONS)}
    assert flagged == {"typo", "wrong"}
    found = pyright_errors(tmp_path, OPTIONS)
    assert {lines[d["range"]["start"]["line"]].split("=")[0].strip() for d in found} == {"typo", "wrong"}


@pytest.mark.parametrize("guide", GUIDES)
def test_the_examples_of_a_guide_type_check(tmp_path: Path, guide: str) -> None:
    code = page_code(ROOT / "docs" / guide)
    assert mypy_errors(tmp_path, code) == []
    assert pyright_errors(tmp_path, code) == []


def test_a_user_script_type_checks(tmp_path: Path) -> None:
    code = (ROOT / "examples" / "quickstart.py").read_text("utf-8")
    assert mypy_errors(tmp_path, code) == []
    assert pyright_errors(tmp_path, code) == []


def test_the_end_to_end_declaration_type_checks(tmp_path: Path) -> None:
    from tests.test_docs_examples import blocks

    code = "\n".join(blocks("A whole service, end to end"))
    assert mypy_errors(tmp_path, code) == []
    assert pyright_errors(tmp_path, code) == []
