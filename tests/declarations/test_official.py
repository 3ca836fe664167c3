"""Official exception classes declared by their keyword attributes (``OfficialException``)."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
import requests

from clientkit import ErrorShape, Service
from clientkit.errors import ClientKitError, NotFoundError, OfficialException
from tests.support.scripted import Reply, ScriptedServer


class ApiFailure(OfficialException, requests.exceptions.HTTPError):
    code: Any = None
    response_id: str | None = None


class PagingFailure(OfficialException, ClientKitError):
    data: Any = None


class TotalFailure(PagingFailure):
    total: int | None = None


def test_keywords_are_attributes_with_class_defaults() -> None:
    err = TotalFailure("no total", total=3, data={"rows": []})
    assert (err.total, err.data, str(err)) == (3, {"rows": []}, "no total")
    assert TotalFailure.keywords == ("data", "total")
    bare = TotalFailure()
    assert bare.total is None and bare.data is None and "total" not in vars(bare)
    response = requests.Response()
    wrapped = ApiFailure("gone", code=404, response=response)  # the rest goes to requests
    assert wrapped.code == 404 and wrapped.response is response and wrapped.response_id is None
    with pytest.raises(TypeError):
        TotalFailure(missing=1)  # an unknown keyword is still refused


def test_as_a_mixin_the_attributes_come_from_the_error_body(server: ScriptedServer) -> None:
    class Api(Service):
        errors = ErrorShape(message="message", code="code", request_id="response_id", mixin=ApiFailure)

    body = {"code": 404, "message": "App x not found", "response_id": "6475c7aa"}
    server.on("GET", "/apps/x", Reply(404, json=body))
    with pytest.raises(ApiFailure) as info:
        Api.connect(server.url, retries=0).request("GET", "/apps/x")
    err = info.value
    assert isinstance(err, NotFoundError) and (err.code, err.response_id) == (404, "6475c7aa")
    assert "App x not found" in str(err) and server.requests_to("/apps/x")[0].method == "GET"
    again = pickle.loads(pickle.dumps(err))
    assert again.response_id == "6475c7aa" and isinstance(again, ApiFailure)


def test_a_body_without_the_keys_leaves_the_defaults(server: ScriptedServer) -> None:
    class Api(Service):
        errors = ErrorShape(mixin=ApiFailure)

    server.on("GET", "/x", Reply(500, body="upstream down", content_type="text/plain"))
    with pytest.raises(ApiFailure) as info:
        Api.connect(server.url, retries=0).request("GET", "/x")
    assert info.value.response_id is None and info.value.status == 500


def test_the_attributes_are_filled_redacted_as_the_body_is(server: ScriptedServer) -> None:
    class Api(Service):
        errors = ErrorShape(mixin=PagingFailure)

    secret = "refresh-OFFICIAL-9f8e7d6c"
    body = {"message": "bad credentials", "data": {"refresh_token": secret, "user": "ann"}}
    server.on("GET", "/login", Reply(400, json=body))
    with pytest.raises(PagingFailure) as info:
        Api.connect(server.url, retries=0).request("GET", "/login")
    err = info.value
    assert err.data == err.body["data"] == {"refresh_token": "***", "user": "ann"}
    assert secret.encode() not in pickle.dumps(err) and secret not in repr(vars(err))
