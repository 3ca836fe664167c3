"""Services found by name: the shipped packages, and ``module:Class`` from the current folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clientkit.cli.services import UnknownService, load_service, shipped
from clientkit.sandbox import Sandbox
from clientkit_services.clappform import ClappformApi
from tests.support.processes import PYTHONPATH

MINE = """
from clientkit import Resource, Service, TokenAuth, field

class Notes(Service):
    auth = TokenAuth()

@Notes.resource(one="/notes/{id}", many="/notes")
class Note(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None
"""


def test_shipped_services_by_name() -> None:
    assert {"clappform", "cxreports", "bapp"} <= set(shipped())
    service, factory = load_service("clappform")
    assert service is ClappformApi and factory is not None


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("nothing", "unknown service 'nothing'"),
        ("tests.cli.library:Nope", "does not name a clientkit service"),
        ("tests.cli.library:books", "does not name a clientkit service"),
        ("no_such_module:X", "no module 'no_such_module'"),
    ],
)
def test_names_that_name_no_service(name: str, says: str) -> None:
    with pytest.raises(UnknownService, match=says):
        load_service(name)


def test_a_service_in_the_current_folder_without_pythonpath(tmp_path: Path) -> None:
    """Run as the installed ``clientkit`` script is: from a file elsewhere, so the current
    folder is not on ``sys.path`` (as ``python -m`` would put it)."""
    (tmp_path / "mynotes.py").write_text(MINE)
    script = tmp_path / "bin" / "clientkit_script.py"
    script.parent.mkdir()
    script.write_text("import sys\nfrom clientkit.cli import main\nsys.exit(main())\n")
    sys.path.insert(0, str(tmp_path))
    try:
        from mynotes import Notes  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path))
    with Sandbox(Notes, data={"Note": [{"id": 1, "text": "hello"}]}) as url:
        env = {**os.environ, "PYTHONPATH": PYTHONPATH, "CLIENTKIT_NOTES_BASE_URL": url}
        env["CLIENTKIT_NOTES_TOKEN"] = "sandbox-token"
        done = subprocess.run(
            [sys.executable, str(script), "mynotes:Notes", "note", "list", "-o", "json"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"id": 1, "text": "hello"}]
    sys.modules.pop("mynotes", None)
