"""The requests session as configured: nothing taken from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientkit import Service, TokenAuth
from tests.support.scripted import Reply, ScriptedServer


def test_netrc_is_ignored(server: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login evil password evil\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    server.on("GET", "/me", Reply(json={}))

    class Svc(Service):
        auth = TokenAuth()

    Svc.connect(server.url, token="good-token").request("GET", "/me")
    assert server.received[-1].header("Authorization") == "Bearer good-token"
