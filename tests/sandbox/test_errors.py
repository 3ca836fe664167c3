"""Error bodies in the service's ErrorShape, as plain HTTP and as typed errors in the client."""

from __future__ import annotations

import pytest
import requests

from clientkit.errors import (
    ValidationError,
)
from clientkit.sandbox.app import Sandbox
from tests.support.sandboxed import AUTH, Product, shop


def test_validation_errors_in_the_service_shape(sandbox: Sandbox) -> None:
    bad = requests.post(
        sandbox.url + "/products", json={"price": "cheap", "tags": [1]}, headers=AUTH, timeout=5
    )
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert errors["name"] == ["This field is required."]
    assert set(errors) == {"name", "price", "tags"}
    not_object = requests.post(sandbox.url + "/products", json=[1], headers=AUTH, timeout=5)
    assert not_object.status_code == 400


def test_validation_error_reaches_the_client_typed(sandbox: Sandbox) -> None:
    with pytest.raises(ValidationError) as info:
        shop(sandbox).create(Product(price=3.0))
    assert info.value.field_errors == {"name": ["This field is required."]}
    assert info.value.request_id and len(info.value.request_id) == 24
