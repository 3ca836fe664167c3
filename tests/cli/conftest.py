"""Running the real command in this process (its ``main``) against running sandboxes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from clientkit.cli import main
from clientkit.cli.logs import configure
from clientkit.sandbox import Sandbox
from clientkit_services.clappform.sandbox import DEMO_PASSWORD, DEMO_USER, ClappformSandbox, clappform_sandbox
from tests.cli.library import SEED, Library

LIBRARY = "tests.cli.library:Library"


@attrs.frozen
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("CLIENTKIT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("COLUMNS", "200")
    yield
    configure({})


@pytest.fixture
def ck(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """``ck("clappform", "app", "list")``: the command's status and what it printed."""

    def run(*argv: str) -> Ran:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


@pytest.fixture
def clappform(monkeypatch: pytest.MonkeyPatch) -> Iterator[ClappformSandbox]:
    """The Clappform sandbox, the command pointed at it through the environment."""
    box = clappform_sandbox()
    url = box.start() + box.prefix
    monkeypatch.setenv("CLIENTKIT_CLAPPFORM_BASE_URL", url)
    monkeypatch.setenv("CLIENTKIT_CLAPPFORM_USERNAME", DEMO_USER)
    monkeypatch.setenv("CLIENTKIT_CLAPPFORM_PASSWORD", DEMO_PASSWORD)
    try:
        yield box
    finally:
        box.stop()
        box.store.close()


@pytest.fixture
def library(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """The library sandbox (45 books, pages of 10); the command reaches it as ``LIBRARY``."""
    box = Sandbox(Library, data=SEED, page_size=10)
    monkeypatch.setenv("CLIENTKIT_LIBRARY_BASE_URL", box.start())
    monkeypatch.setenv("CLIENTKIT_LIBRARY_TOKEN", "sandbox-token")
    try:
        yield box
    finally:
        box.stop()
        box.store.close()
