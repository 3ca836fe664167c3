"""A choice of auth strategies, picked by the credential keywords given to connect()."""

from __future__ import annotations

import pytest

from clientkit import Service
from clientkit.auth import ApiKeyAuth, OneOf, PasswordLogin, TokenAuth
from clientkit.errors import DeclarationError, InvalidRequestError
from clientkit.sandbox import Accounts
from clientkit.sandbox.app import Sandbox, SandboxRequest
from tests.support.scripted import Reply, ScriptedServer


class Either(Service):
    auth = OneOf(TokenAuth(scheme="Token"), TokenAuth(scheme="Bearer", keyword="bearer"))


def test_the_keyword_given_picks_the_alternative(server: ScriptedServer) -> None:
    server.on("GET", "/me", Reply(json={}))
    Either.connect(server.url, token="tok-aaaa").request("GET", "/me")
    assert server.received[-1].header("Authorization") == "Token tok-aaaa"
    session = Either.connect(server.url, bearer="tok-bbbb")
    session.request("GET", "/me")
    assert server.received[-1].header("Authorization") == "Bearer tok-bbbb"
    assert "tok-bbbb" not in repr(session)


def test_one_alternative_exactly_unless_optional() -> None:
    with pytest.raises(InvalidRequestError, match=r"one of \(token=\) or \(bearer=\)"):
        Either.connect("http://127.0.0.1:1")
    with pytest.raises(InvalidRequestError, match="not of several"):
        Either.connect("http://127.0.0.1:1", token="tok-aaaa", bearer="tok-bbbb")
    with pytest.raises(InvalidRequestError, match=r"not \['tokn'\]"):
        Either.connect("http://127.0.0.1:1", tokn="tok-aaaa")

    class Public(Service):
        auth = OneOf(TokenAuth(), ApiKeyAuth(), optional=True)

    assert Public.connect("http://127.0.0.1:1").transport.auth.anonymous()  # type: ignore[union-attr]


def test_alternatives_must_take_different_keywords() -> None:
    with pytest.raises(DeclarationError, match="both take token="):
        OneOf(TokenAuth(scheme="Token"), TokenAuth(scheme="Bearer"))
    with pytest.raises(DeclarationError, match="two or more"):
        OneOf(TokenAuth())


class Mixed(Service):
    auth = OneOf(ApiKeyAuth(header="X-Api-Key"), PasswordLogin(token="token", expires_in=None))


def test_a_login_or_a_key_in_the_sandbox() -> None:
    accounts = Accounts(tokens={"key-12345": "robot"}, logins=[{"username": "ann", "password": "pw-ann-1"}])
    box = Sandbox(Mixed, accounts=accounts, resources=[])

    @box.route("/whoami")
    def whoami(req: SandboxRequest) -> dict[str, str | None]:
        return {"name": req.principal}

    with box as url:
        assert Mixed.connect(url, key="key-12345").request("GET", "/whoami").json() == {"name": "robot"}
        ann = Mixed.connect(url, username="ann", password="pw-ann-1")
        assert ann.request("GET", "/whoami").json() == {"name": "ann"}
        assert ann.transport.auth.chosen.logins == 1  # type: ignore[union-attr]
        login = box.journal.entries("POST", "/auth/login")
        assert len(login) == 1 and "pw-ann-1" not in repr(login)
