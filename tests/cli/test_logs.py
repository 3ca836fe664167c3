"""``CLIENTKIT_LOG``: request logging through clientkit's redacting loggers."""

from __future__ import annotations

import logging

import pytest

from clientkit.cli.logs import configure
from clientkit.errors import InvalidRequestError
from clientkit_services.clappform.sandbox import ClappformSandbox


def test_debug_shows_every_exchange_scrubbed(ck, clappform: ClappformSandbox, monkeypatch) -> None:
    monkeypatch.setenv("CLIENTKIT_LOG", "debug")
    ran = ck("clappform", "version", "get", "-o", "json")
    assert ran.code == 0
    assert "clientkit.http DEBUG POST http" in ran.err and "/api/version -> 200" in ran.err
    assert "'password': '***'" in ran.err and "'Authorization': '***'" in ran.err
    assert "demo-password" not in ran.err


def test_info_shows_one_short_line_per_exchange(ck, clappform: ClappformSandbox, monkeypatch) -> None:
    monkeypatch.setenv("CLIENTKIT_LOG", "info")
    ran = ck("clappform", "version", "get", "-o", "json")
    lines = [line for line in ran.err.splitlines() if "clientkit.http" in line]
    assert len(lines) == 2 and lines[1].endswith(")") and "/api/version -> 200" in lines[1]
    assert "headers=" not in ran.err


def test_a_wrong_level_is_refused(ck, monkeypatch) -> None:
    monkeypatch.setenv("CLIENTKIT_LOG", "loud")
    ran = ck("--version")
    assert ran.code == 1 and "CLIENTKIT_LOG='loud': use debug or info" in ran.err
    with pytest.raises(InvalidRequestError):
        configure({"CLIENTKIT_LOG": "loud"})


def test_off_by_default_and_handlers_do_not_pile_up() -> None:
    logger = logging.getLogger("clientkit")
    configure({"CLIENTKIT_LOG": "info"})
    configure({"CLIENTKIT_LOG": "debug"})
    assert sum(getattr(h, "_ck_command", False) for h in logger.handlers) == 1
    assert configure({}) is None
    assert not any(getattr(h, "_ck_command", False) for h in logger.handlers)
