"""Who a request is: tokens checked, tenants allowed or refused."""

from __future__ import annotations

import pytest
import requests

from clientkit.errors import (
    PermissionDeniedError,
)
from clientkit.sandbox import Accounts
from clientkit.sandbox.app import Sandbox
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
