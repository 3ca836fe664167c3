"""The request journal: what arrived, with credentials masked."""

from __future__ import annotations

import typing

import pytest
import requests

from clientkit.sandbox.app import Sandbox
from clientkit.sandbox.journal import Entry, Journal
from tests.support.sandboxed import Product, Shop, shop


def test_journal_records_requests_with_secrets_masked(sandbox: Sandbox) -> None:
    shop(sandbox, tenant="acme").create(Product(name="Lamp", tags=["x"]))
    entry = sandbox.journal.last
    assert entry is not None and entry.method == "POST" and entry.path == "/products"
    assert entry.json == {"name": "Lamp", "tags": ["x"]}
    assert entry.header("x-tenant") == "acme"
    auth = entry.header("Authorization")
    assert auth is not None and auth.startswith("Token ***") and "sandbox-token" not in auth
    other = Shop.connect(sandbox.url, token="sandbox-token")
    other.get(Product, 1)
    assert sandbox.journal.last is not None and sandbox.journal.last.header("Authorization") == auth


def test_last_of_an_empty_journal_is_a_clear_error_and_last_is_never_none(sandbox: Sandbox) -> None:
    # never Optional: box.journal.last.header(...) type-checks under mypy --strict
    assert typing.get_type_hints(Journal.last.fget)["return"] is Entry
    with pytest.raises(LookupError, match="journal is empty: no request was received"):
        sandbox.journal.last  # noqa: B018 - the property raises
    requests.get(sandbox.url + "/products", headers={"Authorization": "Token sandbox-token"}, timeout=5)
    assert sandbox.journal.last.path == "/products"
    sandbox.journal.clear()
    with pytest.raises(LookupError, match="or was cleared"):
        sandbox.journal.last  # noqa: B018 - the property raises


def test_each_entry_records_the_status_the_sandbox_answered(sandbox: Sandbox) -> None:
    from clientkit.errors import ConnectError, NotFoundError, ServerError
    from clientkit.sandbox import Fault

    session = shop(sandbox, retries=0)
    session.create(Product(name="Lamp"))
    assert sandbox.journal.last.status == 201
    with pytest.raises(NotFoundError):
        session.get(Product, 999)
    assert sandbox.journal.last.status == 404
    anonymous = requests.get(sandbox.url + "/products", timeout=5)
    assert anonymous.status_code == 401 and sandbox.journal.last.status == 401
    sandbox.faults.add(Fault("status", status=503, times=1))
    with pytest.raises(ServerError):
        session.get(Product, 1)
    sandbox.faults.add(Fault("html", times=1))
    with pytest.raises(ServerError):
        session.get(Product, 1)
    sandbox.faults.add(Fault("drop", times=1))
    with pytest.raises(ConnectError):
        session.get(Product, 1)
    assert [e.status for e in sandbox.journal.entries("GET", "/products/1")] == [503, 502, None]  # none sent
    assert session.get(Product, 1).id == 1 and sandbox.journal.last.status == 200


def test_an_entry_has_no_status_while_it_is_answered(sandbox: Sandbox) -> None:
    from clientkit.sandbox.app import SandboxRequest

    seen: list[int | None] = []

    @sandbox.route("/probe", public=True)
    def probe(req: SandboxRequest) -> typing.Any:
        seen.append(req.sandbox.journal.last.status)
        return {"ok": True}

    assert requests.get(sandbox.url + "/probe", timeout=5).status_code == 200
    assert seen == [None] and sandbox.journal.last.status == 200
    assert "status=200" in repr(sandbox.journal.last)
