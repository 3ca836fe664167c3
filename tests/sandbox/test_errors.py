"""Error bodies in the service's ErrorShape, as plain HTTP and as typed errors in the client."""

from __future__ import annotations

import pytest
import requests

from clientkit import ErrorShape, Resource, Service, field
from clientkit.errors import (
    ValidationError,
)
from clientkit.sandbox.app import Sandbox
from clientkit.sandbox.errors import render_error
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


class Listed(Service):
    errors = ErrorShape(
        message="error.message",
        code="error.code",
        fields="error.errors",
        item_field="location",
        item_message="description",
    )


@Listed.resource(one="/docs/{id}", many="/docs")
class Doc(Resource):
    id: int | None = field(read_only=True)
    name: str | None = field(required=True)
    pages: int | None = None


def test_field_errors_as_items_in_the_declared_shape() -> None:
    shape = Listed.errors
    body = render_error(shape, 400, "bad", field_errors={"name": ["required", "short"]}, details=None)
    assert body == {
        "error": {
            "message": "bad",
            "code": 400,
            "errors": [
                {"location": "name", "description": "required"},
                {"location": "name", "description": "short"},
            ],
        }
    }
    quota = render_error(ErrorShape(), 429, "slow down", details={"limit": 5})
    assert quota == {"message": "slow down", "code": 429, "errors": {"limit": 5}}


def test_items_shaped_validation_errors_over_http() -> None:
    with Sandbox(Listed) as url:
        raw = requests.post(url + "/docs", json={"pages": "ten"}, timeout=5).json()
        assert {"location": "name", "description": "This field is required."} in raw["error"]["errors"]
        with Listed.connect(url, retries=0) as api, pytest.raises(ValidationError) as info:
            api.create(Doc(pages=3))
    assert info.value.field_errors == {"name": ["This field is required."]}
    assert info.value.details == [{"location": "name", "description": "This field is required."}]
