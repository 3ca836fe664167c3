"""``clientkit demo``: the embedded Clappform sandbox used through the command."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.processes import PYTHONPATH, ROOT


def test_the_demo_runs_a_real_session(ck) -> None:
    ran = ck("demo")
    assert ran.code == 0, ran.err
    for step in ("app list", "app get uspresidents", "app update uspresidents", "app export --to"):
        assert f"$ clientkit clappform {step}" in ran.out
    assert "PUT /api/app/uspresidents {'name': 'US Presidents (edited)'}" in ran.out
    assert "US Presidents Dashboard,1,uspresidents,US Presidents (edited),{}" in ran.out
    assert "CLIENTKIT_CLAPPFORM_BASE_URL" not in os.environ


def test_the_demo_as_a_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "clientkit.cli", "demo"],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": PYTHONPATH, "HOME": str(ROOT / "no-home")},
        cwd="/",
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "what the sandbox received" in done.stdout and "Traceback" not in done.stderr
