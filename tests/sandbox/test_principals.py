"""Who a request is: tokens checked, tenants allowed or refused."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from clientkit import BasicAuth, Resource, Service, TokenAuth, field
from clientkit.errors import (
    AuthenticationError,
    PermissionDeniedError,
)
from clientkit.sandbox import Accounts
from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest
from tests.support.sandboxed import Product, Shop


def test_auth_and_tenant_checks() -> None:
    box = Sandbox(Shop, accounts=Accounts(tokens={"t-ann": "ann"}, contexts={"tenant": {"acme"}}))
    with box as url:
        assert requests.get(url + "/products", timeout=5).status_code == 401
        assert (
            requests.get(url + "/products", headers={"Authorization": "Token nope"}, timeout=5).status_code
            == 401
        )
        assert (
            requests.get(url + "/products", headers={"Authorization": "Bearer t-ann"}, timeout=5).status_code
            == 401
        )
        ok = {"Authorization": "Token t-ann"}
        assert (
            requests.get(url + "/products", headers={**ok, "x-tenant": "acme"}, timeout=5).status_code == 200
        )
        denied = requests.get(url + "/products", headers={**ok, "x-tenant": "globex"}, timeout=5)
        assert denied.status_code == 403 and "not allowed" in denied.json()["message"]
        with pytest.raises(PermissionDeniedError):
            Shop.connect(url, token="t-ann", tenant="globex", retries=0).get(Product, 1)


class Board(Service):
    auth = TokenAuth(scheme="Token", optional=True)


@Board.resource(one="/notes/{id}", many="/notes")
class Note(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None


def test_optional_auth_serves_anonymous_reads_and_refuses_anonymous_writes() -> None:
    box = Sandbox(Board, accounts=Accounts(tokens={"t-ann": "ann"}), data={"Note": [{"id": 1, "text": "hi"}]})
    with box as url:
        anonymous = Board.connect(url, retries=0)
        assert [n.text for n in anonymous.list(Note)] == ["hi"]
        assert "Authorization" not in box.journal.last.headers
        with pytest.raises(AuthenticationError):
            anonymous.create(Note(text="no"))
        with pytest.raises(AuthenticationError):  # a wrong credential is refused, even to read
            Board.connect(url, token="t-wrong", retries=0).get(Note, 1)
        ann = Board.connect(url, token="t-ann", retries=0)
        assert ann.create(Note(text="yes")).id is not None
        assert [n.text for n in anonymous.list(Note)] == ["hi", "yes"]


class Club(Service):
    auth = BasicAuth()


def test_sign_up_without_credentials_on_a_basic_auth_service() -> None:
    box = Sandbox(Club, accounts=Accounts(logins=[]))

    @box.route("/signup", ["POST"], public=True)
    def signup(req: SandboxRequest) -> Reply:
        box.accounts.logins.append(dict(req.json))
        return Reply(201, {"name": req.json["username"]})

    @box.route("/whoami")
    def whoami(req: SandboxRequest) -> dict[str, Any]:
        return {"name": req.principal}

    with box as url:
        club = Club.connect(url, username="ann", password="pw-ann-1234", retries=0)
        with pytest.raises(AuthenticationError):
            club.request("GET", "/whoami")
        club.request("POST", "/signup", json={"username": "ann", "password": "pw-ann-1234"}, auth=False)
        assert "Authorization" not in box.journal.last.headers
        assert club.request("GET", "/whoami").json() == {"name": "ann"}


def test_path_token_is_read_from_its_segment_and_kept_out_of_the_journal() -> None:
    from clientkit.auth import PathToken
    from clientkit.errors import NotFoundError

    class Bot(Service):
        auth = PathToken()

    @Bot.resource(one="/notes/{id}", many="/notes")
    class BotNote(Resource):
        id: int | None = field(read_only=True)
        text: str | None = None

    token = "4242:sandbox-bot-token"
    box = Sandbox(Bot, prefix="/bot{token}", accounts=Accounts(tokens={token: "ann"}))
    with box as url:
        bot = Bot.connect(url + "/bot{token}", token=token, retries=0)
        created = bot.create(BotNote(text="hi"))
        assert bot.get(BotNote, created.id).text == "hi"
        assert box.journal.last.path.startswith("/bot***")
        wrong = Bot.connect(url + "/bot{token}", token="4242:wrong-token", retries=0)
        with pytest.raises(AuthenticationError):
            wrong.get(BotNote, created.id)
        with pytest.raises(NotFoundError) as caught:
            bot.request("GET", "/nowhere")
        assert token not in str(caught.value) and "/bot***/nowhere" in str(caught.value)
        assert requests.get(url + "/botnope/notes", params={"token": token}, timeout=5).status_code == 401
        journal = repr(list(box.journal))
        assert token not in journal and "sandbox-bot-token" not in journal


def test_path_token_in_declared_paths_is_read_from_its_segment() -> None:
    from clientkit import Action
    from clientkit.auth import PathToken

    class Rpc(Service):
        auth = PathToken(in_paths=True)

    @Rpc.resource(one="/cases/{id}/{token}/", actions={"run": Action("POST", "/run/{token}/")})
    class RpcCase(Resource):
        id: int | None = None
        name: str | None = None

    token = "rpc-sandbox-token"
    box = Sandbox(Rpc, data={"RpcCase": [{"id": 1, "name": "a"}]}, accounts=Accounts(tokens={token: "ann"}))
    with box as url:
        rpc = Rpc.connect(url, token=token, retries=0)
        assert rpc.get(RpcCase, 1).name == "a"
        assert rpc.action(RpcCase, "run", json={}) == {}
        with pytest.raises(AuthenticationError):
            Rpc.connect(url, token="wrong", retries=0).get(RpcCase, 1)
        assert [e.path[:8] for e in box.journal.entries()][:2] == ["/cases/1", "/run/***"]
        assert token not in repr(list(box.journal))


def test_a_login_with_token_alternatives_is_answered_at_the_first() -> None:
    from clientkit import PasswordLogin

    class Aliased(Service):
        auth = PasswordLogin(token=("data.jwt", "token"), expires_in=None, check_token="/me")

    with Sandbox(Aliased) as url:
        answer = requests.post(url + "/auth/login", json={"username": "demo", "password": "demo-password"})
        assert set(answer.json()) == {"data", "refresh_token"} and answer.json()["data"]["jwt"]
        session = Aliased.connect(url, username="demo", password="demo-password")
        assert session.request("GET", "/me").json() == {"principal": "demo"}
