"""The requests session as configured: nothing taken from the environment."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clientkit import Service, TokenAuth
from clientkit.errors import ConnectError
from tests.support.scripted import Reply, ScriptedServer
from tests.support.tls import https_server, self_signed


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


def test_cookies_and_credentials_stay_on_the_services_origin(
    server: ScriptedServer, other_server: ScriptedServer
) -> None:
    server.on("GET", "/login", Reply(json={}, headers={"Set-Cookie": "sid=own-session; Path=/"}))
    server.on("GET", "/files/1", Reply(302, headers={"Location": f"{other_server.url}/blob/1"}))
    other_server.on("GET", "/blob/1", Reply(json={"ok": True}, headers={"Set-Cookie": "track=them; Path=/"}))

    class Svc(Service):
        auth = TokenAuth()

    session = Svc.connect(server.url, token="good-token")
    session.request("GET", "/login")
    assert session.request("GET", "/files/1").json() == {"ok": True}
    session.request("GET", "/login")
    elsewhere, again = other_server.received[-1], server.received[-1]
    assert elsewhere.header("Cookie") is None and elsewhere.header("Authorization") is None
    assert again.header("Cookie") == "sid=own-session"  # the other origin's cookie was not kept


def test_an_explicit_ca_bundle_wins_over_the_environment(
    server: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "env.pem"))

    class Svc(Service):
        pass

    assert Svc.connect(server.url).transport.http.verify == str(tmp_path / "env.pem")
    assert Svc.connect(server.url, verify=False).transport.http.verify is False



def test_verify_takes_an_ssl_context_and_uses_it_as_given(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']

    class Svc(Service):
        pass

    with https_server(app, cert, key) as url:
        trusting = ssl.create_default_context(cafile=str(cert))
        before = trusting.cert_store_stats()
        assert Svc.connect(url, verify=trusting).request("GET", "/x").json() == {"ok": True}
        assert trusting.cert_store_stats() == before and trusting.verify_mode == ssl.CERT_REQUIRED
        with pytest.raises(ConnectError, match="TLS failure"):
            Svc.connect(url, verify=ssl.create_default_context()).request("GET", "/y")
    assert seen == ["/x"]
