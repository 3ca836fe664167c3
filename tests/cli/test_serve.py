"""``clientkit sandbox``: a sandbox in the foreground whose banner shows credentials it accepts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from clientkit.cli.serve import accepted, banner
from clientkit.sandbox import Sandbox
from clientkit_services.clappform import ClappformApi
from clientkit_services.clappform.sandbox import DEMO_PASSWORD, DEMO_USER, clappform_sandbox
from tests.cli.conftest import LIBRARY
from tests.support.processes import PYTHONPATH, ROOT, free_port
from tests.support.sandboxed import AUTH, Shop, products


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[bytes], list[str]]]:
    """``clientkit sandbox ARGS`` in a process; yields it and its banner's lines."""
    env = {"PYTHONPATH": PYTHONPATH, "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "clientkit.cli", "sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().decode() for _ in range(3)]
        yield proc, lines
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_the_command_serves_in_the_foreground(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"Product": products(2)}))
    port = free_port()
    with serving("tests.support.sandboxed:Shop", "--port", str(port), "--data", str(seed)) as (_, lines):
        assert f"http://127.0.0.1:{port}" in lines[0]
        assert lines[1].strip() == "it accepts: token=sandbox-token"
        answer = requests.get(f"http://127.0.0.1:{port}/products", headers=AUTH, timeout=5)
        assert answer.json()["count"] == 2


def test_the_clappform_banner_shows_the_demo_login_it_accepts() -> None:
    port = free_port()
    with serving("clappform", "--port", str(port)) as (_, lines):
        base = f"http://127.0.0.1:{port}/api"
        assert lines[0].startswith(f"ClappformApi sandbox on {base} ")
        shown = dict(re.findall(r"(\w+)=(\S+)", lines[1]))
        assert shown == {"username": "j.doe@clappform.com", "password": "demo-password"}
        assert "sandbox-token" not in "".join(lines)
        login = requests.post(f"{base}/auth", json=shown, timeout=5)
        assert login.status_code == 200 and login.json()["data"]["access_token"]
        assert f"CLIENTKIT_CLAPPFORM_BASE_URL={base}" in lines[2]


def test_the_banner_names_what_connect_takes() -> None:
    box = clappform_sandbox()
    assert accepted(ClappformApi, box.accounts) == {"username": DEMO_USER, "password": DEMO_PASSWORD}
    shop = Sandbox(Shop)
    text = banner("tests.support.sandboxed:Shop", Shop, shop, "http://127.0.0.1:1")
    assert "CLIENTKIT_SHOP_TOKEN=sandbox-token" in text
    assert text.endswith("clientkit tests.support.sandboxed:Shop product list")  # items need --path store=


def test_an_unknown_service_is_one_line_and_status_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "clientkit.cli", "sandbox", "nowhere:Nothing"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": PYTHONPATH},
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "no module 'nowhere'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("service", [LIBRARY, "clappform"])
def test_seed_data_of_another_shape_is_one_plain_line_naming_the_file(
    ck, tmp_path: Path, service: str
) -> None:
    db = tmp_path / "db.json"
    db.write_text(json.dumps({"posts": [{"id": 1, "title": "json-server's format"}]}))
    ran = ck("sandbox", service, "--data", str(db))
    assert ran.code == 2 and ran.err.count("\n") == 1, ran.err
    assert f"Invalid value for --data: {db}: seed data: " in ran.err
    assert "no resource named 'posts'" in ran.err and "known: [" in ran.err and "unexpected" not in ran.err


def test_a_seed_file_that_is_no_json_object_is_refused_in_one_line(ck, tmp_path: Path) -> None:
    for text, says in (
        ("[1, 2]", "holds a list, not {ResourceName: [records...]}"),
        ("{nope", "cannot read"),
    ):
        db = tmp_path / "db.json"
        db.write_text(text)
        ran = ck("sandbox", "clappform", "--data", str(db))
        assert ran.code == 2 and ran.err.count("\n") == 1 and says in ran.err, ran.err
