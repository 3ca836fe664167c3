"""What Service.connect() does: credentials checked and bound to a fresh copy of the declared auth."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientkit import BasicAuth, PasswordLogin, Service, TokenAuth
from clientkit.errors import InvalidRequestError
from clientkit.tokens import FileTokenStore
from tests.support.login import LoginServer, Me, Plain
from tests.support.scripted import Reply, ScriptedServer


def test_missing_or_unknown_credentials_are_clear_errors() -> None:
    class Svc(Service):
        auth = TokenAuth()

    with pytest.raises(InvalidRequestError, match="needs a token"):
        Svc.connect("http://127.0.0.1:1")
    with pytest.raises(InvalidRequestError, match="takes credentials"):
        Svc.connect("http://127.0.0.1:1", tokn="x")
    with pytest.raises(InvalidRequestError, match="declares no auth"):
        Plain.connect("http://127.0.0.1:1", token="x")


def test_optional_auth_needs_all_of_a_credential_or_none() -> None:
    class Svc(Service):
        auth = BasicAuth(optional=True)

    assert Svc.connect("http://127.0.0.1:1").transport.auth.anonymous()  # type: ignore[union-attr]
    with pytest.raises(InvalidRequestError, match="needs username= and password="):
        Svc.connect("http://127.0.0.1:1", username="ann")


def test_each_session_gets_its_own_authenticator(server: ScriptedServer) -> None:
    class Preset(Service):
        auth = PasswordLogin(
            path="/auth/login",
            token="data.access_token",
            credentials={"username": "ann", "password": "s3cret-pw"},
        )

    srv = LoginServer(server, lifetime=3600)
    a, b = Preset.connect(server.url), Preset.connect(server.url)
    assert a.transport.auth is not b.transport.auth
    assert a.transport.auth.store is not b.transport.auth.store
    a.get(Me)
    b.get(Me)
    a.close()
    b.get(Me)
    assert srv.count("/auth/login") == 2


def test_declared_file_store_is_kept_for_the_declared_principal_only(
    server: ScriptedServer, tmp_path: Path
) -> None:
    class Stored(Service):
        auth = PasswordLogin(
            path="/auth/login",
            token="data.access_token",
            credentials={"username": "ann", "password": "s3cret-pw"},
            store=FileTokenStore(tmp_path / "t.json"),
        )

    srv = LoginServer(server, lifetime=3600)
    Stored.connect(server.url).get(Me)
    Stored.connect(server.url).get(Me)
    assert srv.count("/auth/login") == 1  # the second session reused ann's stored token
    other = Stored.connect(server.url, username="bob", password="other-pw")
    assert not isinstance(other.transport.auth.store, FileTokenStore)  # never ann's token for bob


def test_a_chosen_path_token_keeps_its_token_out_of_the_cache(server: ScriptedServer, tmp_path: Path) -> None:
    from clientkit.auth import OneOf, PathToken

    class Bot(Service):
        auth = OneOf(PathToken(), TokenAuth(keyword="bearer"))

    with pytest.raises(InvalidRequestError, match=r"must hold \{token\}"):
        Bot.connect(server.url, token="999:chosen-path-token")
    server.on("GET", "/bot999:chosen-path-token/me", Reply(json={"id": 9}, headers={"ETag": '"e"'}))
    bot = Bot.connect(server.url + "/bot{token}", token="999:chosen-path-token", cache=tmp_path / "c.sqlite")
    assert bot.request("GET", "/me").json() == {"id": 9}
    bot.close()
    for f in tmp_path.iterdir():
        assert b"chosen-path-token" not in f.read_bytes()


def _presets(production: str, staging: str) -> type[Service]:
    class Api(Service):
        base_url = production
        environments = {"production": production, "staging": staging, "brand-b": staging + "/b"}
        auth = TokenAuth(scheme="Bearer")

    return Api


def test_each_environment_reaches_its_own_server(
    server: ScriptedServer, other_server: ScriptedServer
) -> None:
    Api = _presets(server.url, other_server.url)
    for srv, who in ((server, "production"), (other_server, "staging")):
        srv.on("GET", "/who", Reply(json={"who": who}))
        srv.on("GET", "/b/who", Reply(json={"who": "brand-b"}))
    assert Api.connect(token="t").request("GET", "/who").json() == {"who": "production"}
    assert Api.connect(environment="staging", token="t").request("GET", "/who").json() == {"who": "staging"}
    assert Api.connect(environment="brand-b", token="t").request("GET", "/who").json() == {"who": "brand-b"}
    assert Api.connect(other_server.url, token="t").request("GET", "/who").json() == {"who": "staging"}
    assert [r.header("Authorization") for r in other_server.received] == ["Bearer t"] * 3


def test_an_unknown_environment_or_two_places_are_refused() -> None:
    Api = _presets("https://api.example.com", "https://staging.example.com")
    with pytest.raises(
        InvalidRequestError, match=r"no environment 'dev'.*\['brand-b', 'production', 'staging'\]"
    ):
        Api.connect(environment="dev", token="t")
    with pytest.raises(InvalidRequestError, match="either environment= or base_url="):
        Api.connect("https://api.example.com", environment="staging", token="t")


def test_a_session_may_move_a_declared_origin(server: ScriptedServer, other_server: ScriptedServer) -> None:
    from clientkit.model import Origin

    class Api(Service):
        base_url = "https://api.example.com"
        origins = {"assets": Origin("https://assets.example.com", credentials=True)}
        auth = TokenAuth(scheme="Bearer")

    other_server.on("GET", "/logo.txt", Reply(body="logo", content_type="text/plain"))
    api = Api.connect(server.url, token="t-moved", origins={"assets": other_server.url + "/"})
    assert api.request("GET", "/logo.txt", origin="assets").text == "logo"
    assert other_server.received[0].header("Authorization") == "Bearer t-moved"
    with pytest.raises(InvalidRequestError, match=r"no origin 'cdn'; its origins are \['assets'\]"):
        Api.connect(server.url, token="t", origins={"cdn": other_server.url})
    with pytest.raises(InvalidRequestError, match="absolute http"):
        Api.connect(server.url, token="t", origins={"assets": "ftp://x"})
