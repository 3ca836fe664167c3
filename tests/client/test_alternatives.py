"""A choice of auth strategies, picked by the credential keywords given to connect()."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


class TwoLogins(Service):
    auth = OneOf(
        PasswordLogin(path="/login", token="token", expires_in=None),
        PasswordLogin(path="/admin/login", token="token", expires_in=None, keyword="admin"),
    )


def _whoami_box() -> Sandbox:
    accounts = Accounts(
        logins=[{"username": "ann", "password": "pw-ann-1"}, {"username": "root", "password": "pw-root-9"}]
    )
    box = Sandbox(TwoLogins, accounts=accounts, resources=[])

    @box.route("/whoami")
    def whoami(req: SandboxRequest) -> dict[str, str | None]:
        return {"name": req.principal}

    return box


@pytest.mark.parametrize(
    ("credentials", "path", "name"),
    [
        ({"username": "ann", "password": "pw-ann-1"}, "/login", "ann"),
        ({"admin": ("root", "pw-root-9")}, "/admin/login", "root"),
        ({"admin": {"username": "root", "password": "pw-root-9"}}, "/admin/login", "root"),
        ({"admin": lambda: ("root", "pw-root-9")}, "/admin/login", "root"),
        ({"credential_provider": lambda: ("ann", "pw-ann-1")}, "/login", "ann"),
    ],
)
def test_two_logins_are_chosen_by_their_keywords(credentials: dict[str, Any], path: str, name: str) -> None:
    box = _whoami_box()
    with box as url:
        session = TwoLogins.connect(url, **credentials)
        assert session.request("GET", "/whoami").json() == {"name": name}
        logins = box.journal.entries("POST")
        assert [e.path for e in logins] == [path]
        assert "pw-" not in repr(logins)  # a provider's username is masked too while it is live


def test_two_logins_refuse_none_several_or_a_wrong_shape_naming_the_choices() -> None:
    choices = r"one of \(password= and username=\) or \(admin=\)"
    with pytest.raises(InvalidRequestError, match=choices):
        TwoLogins.connect("http://127.0.0.1:1")
    with pytest.raises(InvalidRequestError, match=choices + ", not of several"):
        TwoLogins.connect("http://127.0.0.1:1", username="ann", password="pw", admin=("root", "pw"))
    with pytest.raises(InvalidRequestError, match=r"admin= takes a mapping of \['username', 'password'\]"):
        TwoLogins.connect("http://127.0.0.1:1", admin=("root",))
    with pytest.raises(InvalidRequestError, match=r"the login needs password \(admin=...\)"):
        TwoLogins.connect("http://127.0.0.1:1", admin={"username": "root"})


@pytest.mark.parametrize("keyword", ["store", "credential_provider", "not a name"])
def test_a_login_keyword_is_a_name_of_its_own(keyword: str) -> None:
    with pytest.raises(DeclarationError, match="keyword= must be a name of its own"):
        PasswordLogin(keyword=keyword)


def test_a_lone_provider_cannot_choose_between_two_logins_that_take_one() -> None:
    class Renamed(Service):
        auth = OneOf(
            PasswordLogin(path="/login"),
            PasswordLogin(path="/admin/login", body={"username": "{admin}", "password": "{admin_password}"}),
        )

    with pytest.raises(InvalidRequestError, match=r"alone cannot choose among \(password= and username=\)"):
        Renamed.connect("http://127.0.0.1:1", credential_provider=lambda: ("ann", "pw"))
    chosen = Renamed.connect(
        "http://127.0.0.1:1", admin="root", credential_provider=lambda: {"admin_password": "x"}
    )
    assert chosen.transport.auth.chosen.path == "/admin/login"  # type: ignore[union-attr]


def test_the_docs_example_runs() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "auth.md").read_text()
    section = text[text.index("### Two logins") : text.index("## `PasswordLogin`")]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    exec(compile(code, "auth.md: Two logins", "exec"), {"__name__": "auth_example"})
