"""Auth strategies and token lifecycles over real HTTP."""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

import pytest

from clientkit import ApiKeyAuth, BasicAuth, PasswordLogin, Service, TokenAuth
from clientkit.errors import AuthenticationError, DeclarationError, DecodeError
from tests.support.login import LoginApi, LoginServer, Me, make_jwt
from tests.support.scripted import Received, Reply, ScriptedServer


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


def test_optional_auth_connects_without_credentials_and_sends_none(server: ScriptedServer) -> None:
    server.on("GET", "/me", Reply(json={"name": "x"}))

    class Public(Service):
        auth = TokenAuth(scheme="Token", optional=True)

    Public.connect(server.url).request("GET", "/me")
    assert server.received[-1].header("Authorization") is None
    Public.connect(server.url, token="tok-12345").request("GET", "/me")
    assert server.received[-1].header("Authorization") == "Token tok-12345"


def test_optional_login_never_logs_in_without_credentials(server: ScriptedServer) -> None:
    LoginServer(server, lifetime=3600)

    class Api(Service):
        auth = PasswordLogin(token="data.access_token", optional=True)

    anonymous = Api.connect(server.url, retries=0)
    with pytest.raises(AuthenticationError):  # the server wants a token: no login, no retry
        anonymous.get(Me)
    assert server.requests_to("/auth/login") == []
    assert len(server.requests_to("/me")) == 1
    assert server.received[-1].header("Authorization") is None
    assert Api.connect(server.url, username="ann", password="s3cret-pw").get(Me).name == "ann"


def test_auth_false_sends_no_credential_and_never_logs_in(server: ScriptedServer) -> None:
    LoginServer(server, lifetime=3600)
    server.on("GET", "/version", Reply(json={"version": "1.2"}))
    session = LoginApi.connect(server.url, username="ann", password="s3cret-pw")
    assert session.request("GET", "/version", auth=False).json() == {"version": "1.2"}
    assert server.requests_to("/auth/login") == []
    assert server.received[-1].header("Authorization") is None
    session.with_options(auth=False).request("GET", "/version")
    assert server.requests_to("/auth/login") == []
    assert session.get(Me).name == "ann"
    assert server.received[-1].header("Authorization") is not None


def test_auth_false_sends_no_cookie_from_the_sessions_jar(server: ScriptedServer) -> None:
    login = {"access_token": "tok-cookie-1", "expires_in": 3600}
    server.on(
        "POST", "/auth/login", Reply(json=login, headers={"Set-Cookie": "sessionid=SECRET-SID; Path=/"})
    )
    server.on("GET", "/me", Reply(json={"name": "ann"}))
    server.on("GET", "/version", Reply(json={"version": "1.2"}))

    class Api(Service):
        auth = PasswordLogin()

    session = Api.connect(server.url, username="ann", password="s3cret-pw")
    session.request("GET", "/me")
    session.request("GET", "/me")
    assert server.received[-1].header("Cookie") == "sessionid=SECRET-SID"  # the session's own calls
    session.request("GET", "/version", auth=False)
    assert server.received[-1].header("Cookie") is None
    assert server.received[-1].header("Authorization") is None


def test_login_carries_the_service_headers_when_declared(server: ScriptedServer) -> None:
    LoginServer(server, lifetime=3600)

    def api(carry: bool) -> type[Service]:
        class Api(Service):
            auth = PasswordLogin(token="data.access_token", service_headers=carry)
            headers = {"X-Api-Version": "2", "X-App": "{app}"}
            context = {"app": None}

        return Api

    stale = {"Authorization": "Bearer stale-token-0000"}
    api(True).connect(server.url, username="ann", password="s3cret-pw", app="shop", headers=stale).get(Me)
    login = server.requests_to("/auth/login")[-1]
    assert (login.header("X-Api-Version"), login.header("X-App")) == ("2", "shop")
    assert login.header("Authorization") is None
    api(False).connect(server.url, username="ann", password="s3cret-pw", app="shop", headers=stale).get(Me)
    login = server.requests_to("/auth/login")[-1]
    assert [login.header(h) for h in ("X-Api-Version", "X-App", "Authorization")] == [None] * 3


# -- tokens in paths ------------------------------------------------------------------------

BOT_TOKEN = "123456:bot-secret-AbC"


def _bot(server: ScriptedServer, **kwargs: Any) -> Any:
    from clientkit.auth import PathToken

    class Bot(Service):
        auth = PathToken(placeholder="token")

    return Bot.connect(server.url + "/bot{token}", token=BOT_TOKEN, retries=0, **kwargs)


def test_path_token_fills_the_segment_when_sent(server: ScriptedServer) -> None:
    path = f"/bot{BOT_TOKEN}/getMe"
    server.on("GET", path, Reply(json={"ok": True}))
    bot = _bot(server)
    assert bot.request("GET", "/getMe").json() == {"ok": True}
    assert server.received[-1].raw_path == f"/bot{BOT_TOKEN}/getMe"  # ":" is allowed in a segment
    assert BOT_TOKEN not in repr(bot.transport.auth) and BOT_TOKEN not in repr(bot)
    import pickle

    assert BOT_TOKEN.encode() not in pickle.dumps(bot.transport.auth)


def test_path_token_is_kept_out_of_errors_and_logs(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    from clientkit.errors import NotFoundError

    bot = _bot(server)
    caplog.set_level("DEBUG")
    with pytest.raises(NotFoundError) as caught:
        bot.request("GET", "/nothing")
    assert server.received[-1].path == f"/bot{BOT_TOKEN}/nothing"
    error = caught.value
    assert "/bot***/nothing" in str(error.url)
    for text in (str(error), repr(error), str(error.url), caplog.text):
        assert BOT_TOKEN not in text and "bot-secret" not in text
    assert "/bot***/nothing" in caplog.text  # the DEBUG line of the exchange, redacted


def test_path_token_needs_its_placeholder_and_a_token(server: ScriptedServer) -> None:
    from clientkit.auth import PathToken
    from clientkit.errors import InvalidRequestError

    class Bot(Service):
        auth = PathToken()

    with pytest.raises(InvalidRequestError, match=r"must hold \{token\}"):
        Bot.connect(server.url, token=BOT_TOKEN)
    with pytest.raises(InvalidRequestError, match="needs a token"):
        Bot.connect(server.url + "/bot{token}")
    with pytest.raises(InvalidRequestError, match="dot segment"):
        Bot.connect(server.url + "/bot{token}", token="..")


def test_path_token_sent_without_auth_carries_no_token(server: ScriptedServer) -> None:
    server.on("GET", "/bot{token}/version", Reply(json={"v": 1}))
    bot = _bot(server)
    assert bot.request("GET", "/version", auth=False).json() == {"v": 1}
    assert BOT_TOKEN not in server.received[-1].raw_path


def _rpc() -> Any:
    from clientkit import Action, Resource
    from clientkit.auth import PathToken

    class Rpc(Service):
        auth = PathToken(in_paths=True)

    class Case(Resource):
        id: int | None = None

    Rpc.resource(one="/case/{id}/{token}/", actions={"run": Action("POST", "/run/{token}/")})(Case)
    return Rpc, Case


def test_path_token_in_declared_paths_is_filled_when_sent(server: ScriptedServer) -> None:
    from clientkit.errors import InvalidRequestError, NotFoundError

    rpc, case = _rpc()
    server.on("GET", f"/case/1/{BOT_TOKEN}/", Reply(json={"id": 1}))
    server.on("POST", f"/run/{BOT_TOKEN}/", Reply(json={"ok": True}))
    session = rpc.connect(server.url, token=BOT_TOKEN, retries=0)
    assert session.get(case, 1).id == 1
    assert session.action(case, "run", json={"a": 1}) == {"ok": True}
    assert [r.raw_path for r in server.received] == [f"/case/1/{BOT_TOKEN}/", f"/run/{BOT_TOKEN}/"]
    with pytest.raises(NotFoundError) as caught:
        session.get(case, 2)
    assert "/case/2/***/" in str(caught.value) and BOT_TOKEN not in str(caught.value)
    with pytest.raises(InvalidRequestError, match="the credential fills"):
        session.action(case, "run", token="other")
    assert "in_paths=True" in repr(session.transport.auth)


def test_path_token_in_paths_is_a_known_placeholder_only_when_declared() -> None:
    from clientkit import Resource
    from clientkit.auth import PathToken

    class Bot(Service):
        auth = PathToken()  # in the base URL: declared paths may not name {token}

    class Thing(Resource):
        id: int | None = None

    with pytest.raises(DeclarationError, match=r"placeholder \{token\}"):
        Bot.resource(one="/things/{id}/{token}/")(Thing)


class Aliased(Service):
    auth = PasswordLogin(token=("accessToken", "token"), refresh_token="refreshToken")


def test_login_token_read_from_alternative_paths_and_the_answer_kept(server: ScriptedServer) -> None:
    user = {"id": 7, "name": "Ann", "apiKey": "k-7f3a9c21"}
    server.on(
        "POST", "/auth/login", Reply(json={"token": "tok-fallback-1", "refreshToken": "r-1", "user": user})
    )
    server.on("GET", "/x", Reply(json={}))
    session = Aliased.connect(server.url, username="ann", password="pw-123456")
    session.request("GET", "/x")
    assert server.requests_to("/x")[0].header("Authorization") == "Bearer tok-fallback-1"
    auth = session.transport.auth
    assert isinstance(auth, PasswordLogin)
    answer = auth.current_token().answer
    assert answer == {"user": {"id": 7, "name": "Ann"}}  # the tokens and the sensitive key left out
    assert "tok-fallback-1" not in repr(auth.current_token())


def test_login_answer_without_any_declared_token_path_is_a_decode_error(server: ScriptedServer) -> None:
    server.on("POST", "/auth/login", Reply(json={"user": {"id": 7}}))
    session = Aliased.connect(server.url, username="ann", password="pw-123456")
    with pytest.raises(DecodeError, match="no token at 'accessToken' or 'token'") as info:
        session.request("GET", "/x")
    assert (info.value.method, info.value.url) == ("POST", "/auth/login")
    with pytest.raises(DeclarationError, match="key path or a tuple"):
        PasswordLogin(token=())


def test_the_login_answer_docs_example_runs() -> None:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "auth.md").read_text()
    section = text[text.index("### The login answer") : text.index("### Expiry")]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    exec(compile(code, "auth.md: The login answer", "exec"), {"__name__": "auth_example"})
