"""Starting real third-party servers (json-server, the DRF app) for the tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SERVERS = ROOT / "tests" / "servers"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise RuntimeError(f"server exited early ({proc.returncode}): {out[-2000:]}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server at {url} did not come up in {timeout}s")


@contextmanager
def running(cmd: list[str], url: str, cwd: Path | None = None) -> Iterator[str]:
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        wait_until_up(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def json_server_bin() -> Path:
    path = SERVERS / "node_modules" / ".bin" / "json-server"
    if not path.exists():
        raise RuntimeError(
            "json-server is not installed; run `npm ci --prefix tests/servers` "
            "(the README's test command does)"
        )
    return path


@contextmanager
def json_server(tmp: Path, data: dict[str, object]) -> Iterator[str]:
    db = tmp / "db.json"
    db.write_text(json.dumps(data))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [str(json_server_bin()), "--port", str(port), "--host", "127.0.0.1", "--quiet", str(db)]
    with running(cmd, url + "/db"):
        yield url


@contextmanager
def drf_server(tmp: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "tests.servers.drf_app", str(port), str(tmp / "drf.sqlite3")]
    with running(cmd, url + "/api/", cwd=ROOT):
        yield url
