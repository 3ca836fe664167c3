"""Where ``export --to`` writes, through the real command: a regular file whole or not at all
(through a symlink, keeping owner and mode), anything else (a FIFO, a device, ``/dev/fd/N``)
opened as it is, a folder refused before anything is fetched, and no temporary file left
behind by SIGTERM or SIGHUP."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from clientkit.sandbox import Fault, Sandbox
from tests.cli.conftest import LIBRARY
from tests.cli.library import Library, books
from tests.support.processes import PYTHONPATH, ROOT

ROOT_ONLY = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")


def _one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("clientkit: error: ")


def _reading(path: str | int) -> tuple[threading.Thread, list[bytes]]:
    """A thread reading ``path`` (or a file descriptor) to its end."""
    got: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as pipe:
            got.append(pipe.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, got


def test_a_symlink_stays_and_its_target_is_replaced(ck, library: Sandbox, tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "books.jsonl"
    real.write_text("old\n")
    link = tmp_path / "books.jsonl"
    link.symlink_to(Path("real") / "books.jsonl")
    assert ck(LIBRARY, "book", "export", "--to", str(link)).code == 0
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / "books.jsonl")
    assert len(real.read_text().splitlines()) == 45
    assert sorted(p.name for p in tmp_path.iterdir()) == ["books.jsonl", "real"]
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["books.jsonl"]


def test_a_fifo_is_written_as_it_is(ck, library: Sandbox, tmp_path: Path) -> None:
    fifo = tmp_path / "books.jsonl"
    os.mkfifo(fifo)
    reader, got = _reading(str(fifo))
    ran = ck(LIBRARY, "book", "export", "--to", str(fifo))
    reader.join(10)
    assert ran.code == 0, ran.err
    assert len(got[0].splitlines()) == 45 and stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["books.jsonl"]


def test_a_dev_fd_is_written_as_it_is(ck, library: Sandbox) -> None:
    read_end, write_end = os.pipe()
    reader, got = _reading(read_end)
    try:
        ran = ck(LIBRARY, "book", "export", "--to", f"/dev/fd/{write_end}", "--max-items", "3")
    finally:
        os.close(write_end)
    reader.join(10)
    assert ran.code == 0, ran.err
    assert len(got[0].splitlines()) == 3


def _device(path: Path, minor: int) -> Path:
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    return path


@ROOT_ONLY
def test_a_device_is_written_as_it_is(ck, library: Sandbox, tmp_path: Path) -> None:
    null = _device(tmp_path / "null", 3)
    assert ck(LIBRARY, "book", "export", "--to", str(null)).code == 0
    assert stat.S_ISCHR(null.stat().st_mode) and [p.name for p in tmp_path.iterdir()] == ["null"]


@ROOT_ONLY
def test_a_write_that_fails_is_one_line(ck, library: Sandbox, tmp_path: Path) -> None:
    full = _device(tmp_path / "full", 7)  # every write: no space left on device
    ran = ck(LIBRARY, "book", "export", "--to", str(full))
    assert ran.code == 1 and _one_line(ran.err), ran.err
    assert f"InvalidRequestError: cannot write {full}: No space left on device" in ran.err


@ROOT_ONLY
def test_a_replaced_file_keeps_its_owner_and_mode(ck, library: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "books.jsonl"
    target.write_text("old\n")
    os.chown(target, 4321, 4322)
    target.chmod(0o640)
    assert ck(LIBRARY, "book", "export", "--to", str(target)).code == 0
    kept = target.stat()
    assert (kept.st_uid, kept.st_gid, stat.S_IMODE(kept.st_mode)) == (4321, 4322, 0o640)
    assert len(target.read_text().splitlines()) == 45


@pytest.mark.parametrize("name", ["folder", "folder/", "new/"])
def test_a_folder_is_refused_before_anything_is_fetched(
    ck, library: Sandbox, tmp_path: Path, name: str
) -> None:
    (tmp_path / "folder").mkdir()
    ran = ck(LIBRARY, "book", "export", "--to", str(tmp_path / name) + ("/" if name.endswith("/") else ""))
    assert ran.code == 1 and _one_line(ran.err), ran.err
    assert "InvalidRequestError: cannot write" in ran.err and "folder" in ran.err
    assert not library.journal.entries("GET")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]
    assert not list((tmp_path / "folder").iterdir())


def _until(check: Callable[[], bool], seconds: float = 20) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)])
def test_a_terminated_export_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    target = tmp_path / "out.jsonl"
    box = Sandbox(Library, data={"Book": books(30)}, page_size=10)
    box.faults.add(Fault("latency", delay=3, route="/books"))
    env = {**os.environ, "PYTHONPATH": PYTHONPATH, "CLIENTKIT_LIBRARY_BASE_URL": box.start()}
    env["CLIENTKIT_LIBRARY_TOKEN"] = "sandbox-token"
    argv = ["--no-progress", LIBRARY, "book", "export", "--to", str(target)]
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "clientkit.cli", *argv], stderr=subprocess.PIPE, env=env, cwd=ROOT
        )
        _until(lambda: any(p.name.endswith(".part") for p in tmp_path.iterdir()))
        proc.send_signal(signum)
        status = proc.wait(timeout=30)
    finally:
        box.stop()
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    assert status == 128 + signum and _one_line(err) and "terminated" in err, err
    assert list(tmp_path.iterdir()) == []
