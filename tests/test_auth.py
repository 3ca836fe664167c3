"""Auth strategies and token lifecycles over real HTTP."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from clientkit import ApiKeyAuth, BasicAuth, PasswordLogin, Resource, Service, TokenAuth
from clientkit.errors import AuthenticationError, InvalidRequestError
from clientkit.tokens import FileTokenStore, Token, jwt_expiry
from tests.support.scripted import Received, Reply, ScriptedServer


class Plain(Service):
    pass


@Plain.resource(one="/me", singleton=True)
class Me(Resource):
    name: str | None = None


def make_jwt(exp: float, **claims: Any) -> str:
    def enc(obj: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{enc({'alg': 'none'})}.{enc({'exp': int(exp), **claims})}.sig"


def test_token_auth_schemes(server: ScriptedServer) -> None:
    server.on("GET", "/me", Reply(json={"name": "x"}))
    for scheme, expected in (("Token", "Token abc123"), ("Bearer", "Bearer abc123"), (None, "abc123")):

        class Svc(Service):
            auth = TokenAuth(scheme=scheme)

        Svc.connect(server.url, token="abc123").request("GET", "/me")
        assert server.received[-1].header("Authorization") == expected


def test_api_key_in_header_and_query(server: ScriptedServer) -> None:
    server.on("GET", "/me", Reply(json={}))

    class InHeader(Service):
        auth = ApiKeyAuth(header="X-Api-Key")

    class InQuery(Service):
        auth = ApiKeyAuth(header=None, query="api_key")

    InHeader.connect(server.url, key="k-1234").request("GET", "/me")
    assert server.received[-1].header("X-Api-Key") == "k-1234"
    InQuery.connect(server.url, key="k-1234").request("GET", "/me", params={"a": 1})
    assert server.received[-1].query == "a=1&api_key=k-1234"


def test_basic_auth(server: ScriptedServer) -> None:
    server.on("GET", "/me", Reply(json={}))

    class Svc(Service):
        auth = BasicAuth()

    Svc.connect(server.url, username="ann", password="pw-123456").request("GET", "/me")
    assert (
        server.received[-1].header("Authorization") == "Basic " + base64.b64encode(b"ann:pw-123456").decode()
    )


def test_missing_or_unknown_credentials_are_clear_errors() -> None:
    class Svc(Service):
        auth = TokenAuth()

    with pytest.raises(InvalidRequestError, match="needs a token"):
        Svc.connect("http://127.0.0.1:1")
    with pytest.raises(InvalidRequestError, match="takes credentials"):
        Svc.connect("http://127.0.0.1:1", tokn="x")
    with pytest.raises(InvalidRequestError, match="declares no auth"):
        Plain.connect("http://127.0.0.1:1", token="x")


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


def test_jwt_expiry_handles_urlsafe_payloads() -> None:
    token = make_jwt(2_000_000_000, filler="??>>??")  # base64url of this contains '-' and '_'
    assert "-" in token.split(".")[1] or "_" in token.split(".")[1]
    assert jwt_expiry(token) == 2_000_000_000
    assert jwt_expiry("not-a-jwt") is None
    assert jwt_expiry("a.!!!.c") is None


class LoginServer:
    """A login endpoint that issues numbered JWTs and checks them on /me."""

    def __init__(self, server: ScriptedServer, lifetime: float, refresh: bool = False) -> None:
        self.server = server
        self.lifetime = lifetime
        self.issued: list[str] = []
        self.valid: set[str] = set()
        self.lock = threading.Lock()
        server.on("POST", "/auth/login", self.login)
        server.on("POST", "/auth/refresh", self.refresh)
        server.on("GET", "/me", self.me)
        self.with_refresh = refresh

    def _issue(self) -> Reply:
        with self.lock:
            token = make_jwt(time.time() + self.lifetime, n=len(self.issued))
            self.issued.append(token)
            self.valid.add(token)
        body: dict[str, Any] = {"data": {"access_token": token}}
        if self.with_refresh:
            body["data"]["refresh_token"] = f"refresh-{len(self.issued)}"
        return Reply(json=body)

    def login(self, rec: Received, _: Any) -> Reply:
        if rec.json != {"username": "ann", "password": "s3cret-pw"}:
            return Reply(401, json={"message": "bad credentials"})
        return self._issue()

    def refresh(self, rec: Received, _: Any) -> Reply:
        if not str(rec.json.get("refresh_token", "")).startswith("refresh-"):
            return Reply(401, json={"message": "bad refresh"})
        return self._issue()

    def me(self, rec: Received, _: Any) -> Reply:
        auth = rec.header("Authorization") or ""
        token = auth.removeprefix("Bearer ")
        if token not in self.valid:
            return Reply(401, json={"message": "expired"})
        return Reply(json={"name": "ann"})

    def count(self, path: str) -> int:
        return len(self.server.requests_to(path))


class LoginApi(Service):
    auth = PasswordLogin(
        path="/auth/login",
        token="data.access_token",
        refresh_token="data.refresh_token",
        refresh_path="/auth/refresh",
        leeway=30,
    )


def test_login_happens_once_and_is_reused(server: ScriptedServer) -> None:
    srv = LoginServer(server, lifetime=3600)
    session = LoginApi.connect(server.url, username="ann", password="s3cret-pw")
    assert session.get(Me).name == "ann"
    assert session.get(Me).name == "ann"
    assert srv.count("/auth/login") == 1
    assert server.requests_to("/auth/login")[0].header("Authorization") is None


def test_expiring_token_is_refreshed_ahead_of_time(server: ScriptedServer) -> None:
    srv = LoginServer(server, lifetime=20, refresh=True)  # inside the 30 s leeway
    session = LoginApi.connect(server.url, username="ann", password="s3cret-pw")
    session.get(Me)
    session.get(Me)
    assert srv.count("/auth/login") == 1
    assert srv.count("/auth/refresh") == 1
    assert server.requests_to("/auth/refresh")[0].json == {"refresh_token": "refresh-1"}


def test_401_renews_once_and_retries(server: ScriptedServer) -> None:
    srv = LoginServer(server, lifetime=3600)
    session = LoginApi.connect(server.url, username="ann", password="s3cret-pw")
    session.get(Me)
    srv.valid.clear()  # the server revokes every token
    assert session.get(Me).name == "ann"
    assert srv.count("/auth/login") == 2
    assert [r.method for r in server.requests_to("/me")] == ["GET", "GET", "GET"]


def test_persistent_401_is_raised_after_one_renewal(server: ScriptedServer) -> None:
    server.on("POST", "/auth/login", Reply(json={"data": {"access_token": make_jwt(time.time() + 3600)}}))
    server.on("GET", "/me", Reply(401, json={"message": "nope"}))
    session = LoginApi.connect(server.url, username="ann", password="s3cret-pw")
    with pytest.raises(AuthenticationError, match="nope"):
        session.get(Me)
    assert len(server.requests_to("/me")) == 2
    assert len(server.requests_to("/auth/login")) == 2


def test_bad_password_raises_without_retry_loop(server: ScriptedServer) -> None:
    LoginServer(server, lifetime=3600)
    session = LoginApi.connect(server.url, username="ann", password="wrong-pw")
    with pytest.raises(AuthenticationError, match="bad credentials"):
        session.get(Me)
    assert len(server.requests_to("/me")) == 0


def test_eight_threads_on_an_expired_token_send_one_login(server: ScriptedServer) -> None:
    srv = LoginServer(server, lifetime=3600)

    def slow_login(rec: Received, req: Any) -> Reply:
        time.sleep(0.2)  # every thread arrives while the login is in flight
        return srv.login(rec, req)

    server.set("POST", "/auth/login", slow_login)
    session = LoginApi.connect(server.url, username="ann", password="s3cret-pw")
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            session.get(Me)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert srv.count("/auth/login") == 1
    assert len(server.requests_to("/me")) == 8


def test_eight_threads_on_a_revoked_token_send_one_renewal(server: ScriptedServer) -> None:
    srv = LoginServer(server, lifetime=3600)
    session = LoginApi.connect(server.url, username="ann", password="s3cret-pw")
    session.get(Me)
    srv.valid.clear()
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        session.get(Me)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert srv.count("/auth/login") == 2


def test_file_token_store_is_private_and_reused(server: ScriptedServer, tmp_path: Path) -> None:
    srv = LoginServer(server, lifetime=3600)
    path = tmp_path / "tokens" / "ann.json"
    LoginApi.connect(server.url, username="ann", password="s3cret-pw", store=FileTokenStore(path)).get(Me)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text())["access_token"] == srv.issued[0]
    again = LoginApi.connect(server.url, username="ann", password="s3cret-pw", store=FileTokenStore(path))
    again.get(Me)
    assert srv.count("/auth/login") == 1  # the stored token was used
    path.chmod(0o644)
    assert FileTokenStore(path).load() is None  # a token others can read is not trusted


def test_token_repr_and_pickle_hide_values() -> None:
    import pickle

    tok = Token(access_token="access-abcdef", refresh_token="refresh-abcdef", expires_at=1.0)
    assert "abcdef" not in repr(tok)
    assert b"abcdef" not in pickle.dumps(tok)


def test_login_auth_repr_and_pickle_hide_the_password(server: ScriptedServer) -> None:
    import pickle

    LoginServer(server, lifetime=3600)
    session = LoginApi.connect(server.url, username="ann", password="s3cret-pw")
    session.get(Me)
    auth = session.transport.auth
    assert "s3cret-pw" not in repr(auth) and "ann" in repr(auth)
    data = pickle.dumps(auth)
    assert b"s3cret-pw" not in data
    assert b"eyJ" not in data  # no token either


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


def test_credentials_other_than_the_principal_are_secret() -> None:
    auth = PasswordLogin(body={"email": "{email}", "pin": "{pin}"}).bind(email="ann@x.io", pin="4821-77")
    assert "4821-77" not in repr(auth) and "ann@x.io" in repr(auth)


def test_refresh_rejected_with_400_falls_back_to_login(server: ScriptedServer) -> None:
    srv = LoginServer(server, lifetime=20, refresh=True)
    server.set("POST", "/auth/refresh", Reply(400, json={"error": "invalid_grant"}))
    session = LoginApi.connect(server.url, username="ann", password="s3cret-pw")
    session.get(Me)
    session.get(Me)
    assert srv.count("/auth/refresh") == 1 and srv.count("/auth/login") == 2
