"""The request journal: what arrived, with credentials masked."""

from __future__ import annotations

from clientkit.sandbox.app import Sandbox
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
