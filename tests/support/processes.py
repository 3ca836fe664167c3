"""Starting real third-party servers (json-server, the DRF app, redis-server) for the tests."""

from __future__ import annotations

import json
import os
import shutil
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
CHECKOUT = Path(__file__).resolve().parent / "checkout"
#: For commands the tests start: this checkout's clientkit and service packages, uninstalled.
PYTHONPATH = os.pathsep.join((str(CHECKOUT), str(ROOT)))


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
        env={**os.environ, "PYTHONPATH": PYTHONPATH},
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
def json_server(tmp: Path, data: dict[str, object], routes: dict[str, str] | None = None) -> Iterator[str]:
    """json-server on a free port; ``routes``: its ``--routes`` rewrites (``{"/api/*": "/$1"}``)."""
    db = tmp / "db.json"
    db.write_text(json.dumps(data))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [str(json_server_bin()), "--port", str(port), "--host", "127.0.0.1", "--quiet", str(db)]
    if routes is not None:
        (tmp / "routes.json").write_text(json.dumps(routes))
        cmd[-1:-1] = ["--routes", str(tmp / "routes.json")]
    with running(cmd, url + "/db"):
        yield url


@contextmanager
def drf_server(tmp: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "tests.servers.drf_app", str(port), str(tmp / "drf.sqlite3")]
    with running(cmd, url + "/api/", cwd=ROOT):
        yield url


def redis_server_bin() -> str | None:
    """The ``redis-server`` on PATH, if any."""
    return shutil.which("redis-server")


def _pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(tmp: Path, timeout: float = 30) -> Iterator[str]:
    """A throwaway ``redis-server`` on a free 127.0.0.1 port, persisting nothing; its URL."""
    binary = redis_server_bin()
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    log = tmp / "redis.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([*cmd, "--dir", str(tmp)], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not _pong(port):
            if proc.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server exited early ({proc.returncode}): {tail}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {port} did not answer PING in {timeout}s")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
