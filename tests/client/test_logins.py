"""Login flows over real HTTP: credentials from a callback, a stored token checked on start,
logins retried on a declared try-again answer."""

from __future__ import annotations

import gc
import logging
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

from clientkit import Action, PasswordLogin, RetryPolicy, Service
from clientkit._client.logins import public_answer
from clientkit.errors import (
    AuthenticationError,
    BadRequestError,
    DeclarationError,
    InvalidRequestError,
    ServerError,
)
from clientkit.sandbox import Accounts
from clientkit.sandbox.app import Sandbox
from clientkit.tokens import FileTokenStore, MemoryTokenStore, Token
from tests.support.scripted import Reply, ScriptedServer

QUICK = RetryPolicy(retries=3, backoff=0.0)


class Vaulted(Service):
    auth = PasswordLogin(token="access_token", check_token="/me", retry_login_on=(503,))


class Coded(Service):
    auth = PasswordLogin(retry_login_when={"error.code": ["TRY_AGAIN"]})


def _login_reply(token: str = "tok-abcdef12") -> Reply:
    return Reply(json={"access_token": token, "expires_in": 3600})


# -- credentials from a callback -------------------------------------------------------------------


def test_credentials_callback_is_called_for_each_login_and_never_kept(server: ScriptedServer) -> None:
    server.on("POST", "/auth/login", _login_reply("tok-first-111"), _login_reply("tok-second-22"))
    server.on("GET", "/items", Reply(json=[]))
    calls: list[int] = []

    def vault() -> tuple[str, str]:
        calls.append(1)
        return "ann", f"vault-pw-{len(calls)}-xyz"

    api = Vaulted.connect(server.url, credential_provider=vault)
    api.request("GET", "/items")
    api.request("GET", "/items")
    assert len(calls) == 1
    assert server.requests_to("/auth/login")[0].json == {"username": "ann", "password": "vault-pw-1-xyz"}
    auth = api.transport.auth
    assert isinstance(auth, PasswordLogin)
    auth.login()
    assert len(calls) == 2
    assert server.requests_to("/auth/login")[1].json["password"] == "vault-pw-2-xyz"
    kept = repr(auth) + repr(api) + repr(pickle.loads(pickle.dumps(auth))) + str(vars(auth))
    assert "vault-pw" not in kept and "credentials from a callback" in repr(auth)
    assert auth.credentials == {}


def test_callback_secrets_are_redacted_in_logs_while_in_use(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("POST", "/auth/login", Reply(status=401, json={"detail": "bad pw-from-vault-77 for ann"}))
    api = Vaulted.connect(
        server.url, credential_provider=lambda: {"username": "ann", "password": "pw-from-vault-77"}
    )
    with caplog.at_level(logging.DEBUG, logger="clientkit"), pytest.raises(AuthenticationError) as info:
        api.request("GET", "/items")
    assert "pw-from-vault-77" not in str(info.value)
    assert "pw-from-vault-77" not in caplog.text
    gc.collect()


def test_callback_mapping_fills_what_connect_did_not_give(server: ScriptedServer) -> None:
    server.on("POST", "/auth/login", _login_reply())
    server.on("GET", "/items", Reply(json=[]))
    api = Vaulted.connect(
        server.url, username="ann", credential_provider=lambda: {"password": "pw-mapped-123"}
    )
    api.request("GET", "/items")
    assert server.requests_to("/auth/login")[0].json == {"username": "ann", "password": "pw-mapped-123"}


@pytest.mark.parametrize(
    ("callback", "message"),
    [
        (lambda: ("ann",), "must return a mapping of ['username', 'password'] or a tuple"),
        (lambda: {"user": "ann", "password": "pw-123456"}, "a mapping of ['password', 'user']"),
        (lambda: "ann:pw-123456", "not str"),
        (lambda: {"username": "ann"}, "the login needs password"),
    ],
)
def test_callback_of_the_wrong_shape_raises_a_typed_error(
    server: ScriptedServer, callback: Any, message: str
) -> None:
    api = Vaulted.connect(server.url, credential_provider=callback)
    with pytest.raises(InvalidRequestError, match=re.escape(message)) as info:
        api.request("GET", "/items")
    assert "pw-123456" not in str(info.value)
    assert server.requests_to("/auth/login") == []


def test_callback_that_raises_gives_a_typed_error_without_its_text(server: ScriptedServer) -> None:
    def vault() -> Any:
        raise RuntimeError("vault sealed")

    api = Vaulted.connect(server.url, credential_provider=vault)
    with pytest.raises(InvalidRequestError, match=r"callback failed \(RuntimeError\)") as info:
        api.request("GET", "/items")
    assert "vault sealed" in str(info.value.__cause__)  # a redacted summary, not the exception itself
    assert not isinstance(info.value.__cause__, RuntimeError)
    with pytest.raises(InvalidRequestError, match="takes a function"):
        Vaulted.connect(server.url, credential_provider={"username": "ann"})


# -- a stored token checked on start ---------------------------------------------------------------


def _stored(tmp_path: Path, token: str) -> FileTokenStore:
    store = FileTokenStore(tmp_path / "token.json")
    store.save(Token(token, expires_at=None))
    return store


def test_stored_token_is_checked_once_and_kept_when_accepted(server: ScriptedServer, tmp_path: Path) -> None:
    server.on("GET", "/me", Reply(json={"name": "ann"}))
    server.on("GET", "/items", Reply(json=[]))
    store = _stored(tmp_path, "tok-old-1234")
    api = Vaulted.connect(server.url, username="ann", password="pw-123456", store=store)
    api.request("GET", "/items")
    api.request("GET", "/items")
    assert [r.header("Authorization") for r in server.requests_to("/me")] == ["Bearer tok-old-1234"]
    assert server.requests_to("/auth/login") == []
    assert server.requests_to("/items")[0].header("Authorization") == "Bearer tok-old-1234"


def test_stored_token_answered_401_is_discarded_and_the_session_logs_in(
    server: ScriptedServer, tmp_path: Path
) -> None:
    server.on("GET", "/me", Reply(status=401, json={"detail": "token revoked"}))
    server.on("POST", "/auth/login", _login_reply("tok-new-5678"))
    server.on("GET", "/items", Reply(json=[]))
    store = _stored(tmp_path, "tok-old-1234")
    api = Vaulted.connect(server.url, username="ann", password="pw-123456", store=store)
    api.request("GET", "/items")
    assert len(server.requests_to("/me")) == 1 and len(server.requests_to("/auth/login")) == 1
    assert server.requests_to("/items")[0].header("Authorization") == "Bearer tok-new-5678"
    loaded = store.load()
    assert loaded is not None and loaded.access_token.reveal() == "tok-new-5678"


def test_a_check_by_post_sends_no_body(server: ScriptedServer, tmp_path: Path) -> None:
    server.on("POST", "/auth/verify", Reply(json={"ok": True}))
    server.on("GET", "/items", Reply(json=[]))

    class Posted(Service):
        auth = PasswordLogin(check_token=Action("POST", "/auth/verify"))

    store = _stored(tmp_path, "tok-old-1234")
    Posted.connect(server.url, username="ann", password="pw-123456", store=store).request("GET", "/items")
    (check,) = server.requests_to("/auth/verify")
    assert check.body == b"" and check.header("Content-Type") is None
    assert check.header("Authorization") == "Bearer tok-old-1234"


def test_other_check_errors_propagate_typed(server: ScriptedServer, tmp_path: Path) -> None:
    server.on("GET", "/me", Reply(status=500, json={"detail": "down"}))

    class Checked(Service):
        auth = PasswordLogin(check_token=Action("GET", "/me"))

    store = _stored(tmp_path, "tok-old-1234")
    api = Checked.connect(server.url, username="ann", password="pw-123456", store=store, retries=0)
    with pytest.raises(ServerError):
        api.request("GET", "/items")
    assert store.load() is not None  # kept: the service did not say it is invalid
    assert server.requests_to("/auth/login") == [] and server.requests_to("/items") == []


def test_no_check_without_a_stored_token(server: ScriptedServer) -> None:
    server.on("POST", "/auth/login", _login_reply())
    server.on("GET", "/items", Reply(json=[]))
    Vaulted.connect(server.url, username="ann", password="pw-123456").request("GET", "/items")
    assert server.requests_to("/me") == []


# -- retrying a login --------------------------------------------------------------------------------


def test_login_is_not_retried_on_503_by_default_but_on_429(server: ScriptedServer) -> None:
    class Plain(Service):
        auth = PasswordLogin()

    server.on("POST", "/auth/login", Reply(status=503, json={"detail": "busy"}))
    with pytest.raises(ServerError):
        Plain.connect(server.url, username="ann", password="pw-123456", retries=QUICK).request("GET", "/x")
    assert len(server.requests_to("/auth/login")) == 1
    server.clear()
    server.on("POST", "/auth/login", Reply(status=429, headers={"Retry-After": "0"}), _login_reply())
    server.on("GET", "/x", Reply(json={}))
    Plain.connect(server.url, username="ann", password="pw-123456", retries=QUICK).request("GET", "/x")
    assert len(server.requests_to("/auth/login")) == 2


def test_login_retried_on_a_declared_status(server: ScriptedServer) -> None:
    server.on("POST", "/auth/login", Reply(status=503), Reply(status=503), _login_reply())
    server.on("GET", "/x", Reply(json={}))
    Vaulted.connect(server.url, username="ann", password="pw-123456", retries=QUICK).request("GET", "/x")
    assert len(server.requests_to("/auth/login")) == 3
    assert server.requests_to("/x")[0].header("Authorization") == "Bearer tok-abcdef12"


def test_login_retried_on_a_declared_body_code_in_a_200_or_an_error(server: ScriptedServer) -> None:
    again = {"error": {"code": "TRY_AGAIN"}}
    server.on("POST", "/auth/login", Reply(json=again), Reply(status=400, json=again), _login_reply())
    server.on("GET", "/x", Reply(json={}))
    Coded.connect(server.url, username="ann", password="pw-123456", retries=QUICK).request("GET", "/x")
    assert len(server.requests_to("/auth/login")) == 3


def test_login_retried_when_a_pattern_matches_the_answers_text(server: ScriptedServer) -> None:
    class Racy(Service):
        auth = PasswordLogin(retry_login_when={"message": [re.compile("duplicate entry|er_dup_entry", re.I)]})

    duplicate = Reply(status=500, json={"message": "ER_DUP_ENTRY: Duplicate entry 'abc' for key 'token'"})
    server.on("POST", "/auth/login", duplicate, duplicate, _login_reply())
    server.on("GET", "/x", Reply(json={}))
    Racy.connect(server.url, username="ann", password="pw-123456", retries=QUICK).request("GET", "/x")
    assert len(server.requests_to("/auth/login")) == 3
    server.clear()
    server.on("POST", "/auth/login", Reply(status=500, json={"message": "Internal error"}))
    with pytest.raises(ServerError):
        Racy.connect(server.url, username="ann", password="pw-123456", retries=QUICK).request("GET", "/x")
    assert len(server.requests_to("/auth/login")) == 1  # another 500: not retried


def test_the_login_answer_is_kept_without_its_secrets() -> None:
    answer = {
        "data": {"jwt": "j-1", "refresh": "r-1", "user": {"id": 1, "password_hash": "x"}},
        "objects": [{"id": 2, "session_id": "s"}],
        "note": "ok",
    }
    kept = public_answer(answer, ["data.jwt", "data.refresh"])
    assert kept == {"data": {"user": {"id": 1}}, "objects": [{"id": 2}], "note": "ok"}
    assert public_answer(["not", "a", "mapping"], []) == {}


def test_retry_login_when_refuses_a_plain_string() -> None:
    with pytest.raises(DeclarationError, match="give a list of values"):
        PasswordLogin(retry_login_when={"error": "busy"})
    with pytest.raises(DeclarationError, match="give a list of values"):
        PasswordLogin(retry_login_when={"error": 3})


def test_login_retries_run_out_with_the_last_answers_error(server: ScriptedServer) -> None:
    again = {"error": {"code": "TRY_AGAIN"}}
    server.on("POST", "/auth/login", *[Reply(status=400, json=again)] * 4)
    api = Coded.connect(server.url, username="ann", password="pw-123456", retries=QUICK)
    with pytest.raises(BadRequestError):
        api.request("GET", "/x")
    assert len(server.requests_to("/auth/login")) == 4  # the first and the policy's 3 retries
    server.clear()
    server.on("POST", "/auth/login", Reply(status=401, json={"error": {"code": "BAD_PASSWORD"}}))
    with pytest.raises(AuthenticationError):
        Coded.connect(server.url, username="ann", password="pw-123456", retries=QUICK).request("GET", "/x")
    assert len(server.requests_to("/auth/login")) == 1


# -- against the sandbox --------------------------------------------------------------------------


class Notes(Service):
    auth = PasswordLogin(check_token="/me", retry_login_on=(503,))


def test_sandbox_serves_the_check_and_transient_login_failures(tmp_path: Path) -> None:
    accounts = Accounts()
    box = Sandbox(Notes, accounts=accounts)
    store = FileTokenStore(tmp_path / "demo.json")
    with box as url:
        first = Notes.connect(url, username="demo", password="demo-password", store=store, retries=QUICK)
        assert first.request("GET", "/me").json() == {"principal": "demo"}
        issued = store.load()
        assert issued is not None
        second = Notes.connect(url, username="demo", password="demo-password", store=store, retries=QUICK)
        second.request("GET", "/me")
        assert len(box.journal.entries("POST", "/auth/login")) == 1  # the stored token passed its check
        accounts.revoke(issued.access_token.reveal())
        accounts.fail_logins(2, status=503)
        third = Notes.connect(url, username="demo", password="demo-password", store=store, retries=QUICK)
        assert third.request("GET", "/me").json() == {"principal": "demo"}
        assert len(box.journal.entries("POST", "/auth/login")) == 4  # two 503s, then a token
        renewed = store.load()
        assert renewed is not None and renewed.access_token.reveal() != issued.access_token.reveal()


def test_memory_store_is_default_with_a_callback() -> None:
    bound = Vaulted.auth.bind(credential_provider=lambda: ("ann", "pw-123456"))
    assert isinstance(bound, PasswordLogin) and isinstance(bound.store, MemoryTokenStore)
    assert bound.holds_credentials() and "pw-123456" not in repr(bound)


def test_the_docs_example_runs() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "auth.md").read_text()
    section = text[text.index("## Login flows") : text.index("### Credentials from a callback")]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    exec(compile(code, "auth.md: Login flows", "exec"), {"__name__": "auth_example"})


def test_a_callback_never_fills_the_declared_principals_token_file(tmp_path: Path) -> None:
    declared = FileTokenStore(tmp_path / "ann.json")

    class Declared(Service):
        auth = PasswordLogin(credentials={"username": "ann"}, check_token="/me", store=declared)

    accounts = Accounts(
        logins=[{"username": "ann", "password": "annpw"}, {"username": "bob", "password": "bobpw"}]
    )
    with Sandbox(Declared, accounts=accounts) as url:
        bob = Declared.connect(url, credential_provider=lambda: {"username": "bob", "password": "bobpw"})
        assert bob.request("GET", "/me").json() == {"principal": "bob"}
        assert declared.load() is None  # bob's token never lands in ann's file
        ann = Declared.connect(url, password="annpw")
        assert ann.request("GET", "/me").json() == {"principal": "ann"}
        assert declared.load() is not None
        given = FileTokenStore(tmp_path / "given.json")
        Declared.connect(url, credential_provider=lambda: ("bob", "bobpw"), store=given).request("GET", "/me")
        assert given.load() is not None  # a store given explicitly is the caller's choice


@pytest.mark.parametrize(
    "given", [{"credential_provider": lambda: {"password": "pw-WRONG-123"}}, {"password": "pw-WRONG-123"}]
)
def test_a_failed_login_leaves_no_password_on_the_error_or_the_session(
    server: ScriptedServer, given: dict[str, Any]
) -> None:
    server.on("POST", "/auth/login", Reply(status=401, json={"detail": "invalid credentials"}))
    api = Vaulted.connect(server.url, username="ann", **given)
    with pytest.raises(AuthenticationError) as caught:
        api.request("GET", "/me")
    assert server.requests_to("/auth/login")[0].json["password"] == "pw-WRONG-123"
    response = caught.value.response
    assert response is not None and response.status_code == 401
    assert response.request.body is None
    assert api.last_response is None  # GET /me was never sent; the login is not the call's answer
    assert server.requests_to("/me") == []
