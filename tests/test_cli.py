"""The clientkit command: a sandbox served in the foreground."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from tests.support.processes import ROOT, free_port
from tests.support.sandboxed import AUTH, products


def test_the_command_serves_in_the_foreground(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"Product": products(2)}))
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clientkit.cli",
            "sandbox",
            "tests.support.sandboxed:Shop",
            "--port",
            str(port),
            "--data",
            str(seed),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    try:
        line = proc.stdout.readline().decode() if proc.stdout else ""
        assert f"http://127.0.0.1:{port}" in line
        answer = requests.get(f"http://127.0.0.1:{port}/products", headers=AUTH, timeout=5)
        assert answer.json()["count"] == 2
    finally:
        proc.terminate()
        proc.wait(timeout=5)
