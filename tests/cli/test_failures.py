"""Every failure is one line on standard error, a non-zero status, and no secret."""

from __future__ import annotations

import pytest

from clientkit.cli.failures import guarded, one_line
from clientkit.redaction import Secret
from clientkit_services.clappform.sandbox import ClappformSandbox
from tests.cli.conftest import LIBRARY


def _one_line(text: str) -> bool:
    return text.count("\n") == 1 and text.startswith("clientkit: error: ") and "Traceback" not in text


@pytest.mark.parametrize(
    ("argv", "status", "says"),
    [
        (["nowhere"], 2, "unknown service 'nowhere'"),
        (["clappform", "nothing", "list"], 2, "has no resource 'nothing'"),
        (["clappform", "app", "frobnicate"], 2, "No such command 'frobnicate'"),
        (["clappform", "app", "list", "--max-items", "-1"], 2, "--max-items"),
        (["clappform", "app", "get", "nope"], 1, "NotFoundError: 404"),
        (["clappform", "-C", "colour=red", "app", "list"], 1, "takes no ['colour']"),
        (["clappform", "app", "list", "-p", "novalue"], 1, "--param 'novalue': give NAME=VALUE"),
        (["clappform", "app", "create", "--json", "{nope"], 1, "--json is not JSON"),
    ],
)
def test_errors(ck, clappform: ClappformSandbox, argv: list[str], status: int, says: str) -> None:
    ran = ck(*argv)
    assert ran.code == status
    assert _one_line(ran.err), ran.err
    assert says in ran.err


def test_a_refused_login_shows_no_credential(ck, clappform: ClappformSandbox, monkeypatch) -> None:
    monkeypatch.setenv("CLIENTKIT_CLAPPFORM_PASSWORD", "wrong-Pa55word-xyz")
    ran = ck("clappform", "app", "list")
    assert ran.code == 1 and _one_line(ran.err)
    assert "AuthenticationError" in ran.err and "wrong-Pa55word-xyz" not in ran.err + ran.out


def test_no_service_answering_is_one_line(ck, monkeypatch) -> None:
    monkeypatch.setenv("CLIENTKIT_LIBRARY_BASE_URL", "http://127.0.0.1:9")
    ran = ck("--no-progress", LIBRARY, "-C", "token=t", "book", "list")
    assert ran.code == 1 and _one_line(ran.err) and "ConnectionError" in ran.err


def test_usage_without_a_command_and_help(ck) -> None:
    assert ck("--help").code == 0
    ran = ck("--version")
    assert ran.code == 0 and "clientkit, version" in ran.out


def test_unexpected_errors_are_one_scrubbed_line(capsys) -> None:
    from rich.console import Console

    held = Secret("s3cret-value-123")

    def boom() -> None:
        raise RuntimeError(f"broke with {held.reveal()}")

    assert guarded(Console(stderr=True), boom) == 1
    err = capsys.readouterr().err
    assert _one_line(err) and "s3cret-value-123" not in err and "unexpected RuntimeError" in err
    assert one_line("a\n  b") == "a b"


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path) -> None:
    import os
    import subprocess
    import sys

    from clientkit.sandbox import Sandbox
    from tests.cli.library import Library, books
    from tests.support.processes import PYTHONPATH

    with Sandbox(Library, data={"Book": books(3000)}, page_size=500) as url:
        env = {**os.environ, "PYTHONPATH": PYTHONPATH, "CLIENTKIT_LIBRARY_BASE_URL": url}
        env["CLIENTKIT_LIBRARY_TOKEN"] = "sandbox-token"
        proc = subprocess.Popen(
            [sys.executable, "-m", "clientkit.cli", LIBRARY, "book", "export"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith(b'{"id": 1,')
        proc.stdout.close()
        status = proc.wait(timeout=60)
        assert (status, proc.stderr.read()) == (1, b"")  # click's own handling of a closed pipe
