"""Error mapping, decode errors and redaction of secrets in messages and logs."""

from __future__ import annotations

import logging
import pickle
from typing import Any

import pytest
import requests

from clientkit import APIError, ClientKitError, ErrorShape, Resource, Service, TokenAuth, field
from clientkit.errors import (
    AuthenticationError,
    BadRequestError,
    ClientError,
    ConflictError,
    DecodeError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from tests.support.scripted import Reply, ScriptedServer


class Api(Service):
    auth = TokenAuth()
    errors = ErrorShape(message="message", code="code", request_id="response_id")


@Api.resource(one="/things/{id}", many="/things")
class Thing(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


def session(server: ScriptedServer) -> Any:
    return Api.connect(server.url, token="super-secret-token", retries=0)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (412, PreconditionFailedError),
        (422, ValidationError),
        (429, RateLimitError),
        (418, ClientError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
    ],
)
def test_status_maps_to_its_class(server: ScriptedServer, status: int, cls: type[APIError]) -> None:
    server.on(
        "GET",
        "/things/5",
        Reply(status, json={"message": f"m{status}", "code": status * 10, "response_id": "req-7f3a"}),
    )
    with pytest.raises(cls) as info:
        session(server).get(Thing, 5)
    err = info.value
    assert type(err) is cls and isinstance(err, ClientKitError)
    assert err.status == status and err.code == status * 10 and err.request_id == "req-7f3a"
    assert err.method == "GET" and err.url.endswith("/things/5")
    assert err.body["message"] == f"m{status}"
    assert f"m{status}" in str(err) and "req-7f3a" in str(err)


def test_request_id_from_header_and_headers_kept(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(404, json={"message": "gone"}, headers={"X-Request-Id": "hdr-1"}))
    with pytest.raises(NotFoundError) as info:
        session(server).get(Thing, 1)
    assert info.value.request_id == "hdr-1"
    assert info.value.headers["X-Request-Id"] == "hdr-1"


def test_validation_field_errors_in_a_list(server: ScriptedServer) -> None:
    body = {
        "message": "invalid",
        "errors": [{"field": "name", "message": "too short"}, {"field": "name", "message": "no digits"}],
    }
    server.on("POST", "/things", Reply(422, json=body))
    with pytest.raises(ValidationError) as info:
        session(server).create(Thing(name="x"))
    assert info.value.field_errors == {"name": ["too short", "no digits"]}


def test_drf_style_field_errors_at_the_root(server: ScriptedServer) -> None:
    class Drf(Service):
        errors = ErrorShape(fields="$")

    Drf.resource(one="/x/{id}", many="/x")(type("DrfThing", (Thing,), {}))
    server.on("POST", "/x", Reply(400, json={"name": ["This field is required."], "age": ["Bad."]}))
    with pytest.raises(BadRequestError) as info:
        Drf.connect(server.url, retries=0).create(Drf.resources["DrfThing"](name=None))
    assert info.value.field_errors == {"name": ["This field is required."], "age": ["Bad."]}
    assert "name: This field is required." in str(info.value)


def test_html_error_page_where_json_expected(server: ScriptedServer) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1>" + "x" * 5000 + "</body></html>"
    server.on("GET", "/things/1", Reply(502, body=page, content_type="text/html"))
    with pytest.raises(ServerError) as info:
        session(server).get(Thing, 1)
    assert "502 Bad Gateway" in str(info.value) and len(str(info.value)) < 400


def test_html_body_on_success_is_a_decode_error_with_a_short_excerpt(server: ScriptedServer) -> None:
    page = "<html><head><title>Login</title></head>" + "y" * 5000
    server.on("GET", "/things/1", Reply(200, body=page, content_type="text/html"))
    with pytest.raises(DecodeError) as info:
        session(server).get(Thing, 1)
    err = info.value
    assert err.status == 200 and err.content_type == "text/html"
    assert err.excerpt.startswith("<html><head><title>Login") and len(err.excerpt) <= 210
    assert "expected a JSON body" in str(err)


def test_wrong_shape_is_a_decode_error(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json=["not", "an", "object"]))
    with pytest.raises(DecodeError, match="expected a JSON object for Thing"):
        session(server).get(Thing, 1)


def test_custom_error_classes(server: ScriptedServer) -> None:
    class Gone(NotFoundError):
        pass

    class Custom(Service):
        errors = ErrorShape(classes={404: Gone, 410: Gone})

    server.on("GET", "/things/1", Reply(410, json={"detail": "deleted"}))
    with pytest.raises(Gone, match="deleted"):
        Custom.connect(server.url, retries=0).request("GET", "/things/1")


def test_secrets_never_reach_messages_logs_or_pickles(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "super-secret-token"
    server.on("GET", f"/echo/{secret}", Reply(500, json={"message": f"bad token {secret}", "token": secret}))
    caplog.set_level(logging.DEBUG, logger="clientkit")
    with pytest.raises(ServerError) as info:
        session(server).request("GET", f"/echo/{secret}", params={"access_token": secret})
    err = info.value
    text = str(err) + repr(err.body) + repr(err.headers) + err.url
    assert secret not in text and "***" in text
    assert secret.encode() not in pickle.dumps(err)
    assert caplog.records and all(secret not in r.getMessage() for r in caplog.records)
    assert any("Authorization" in r.getMessage() for r in caplog.records)


def test_error_pickles_round_trip(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(404, json={"message": "nope"}))
    with pytest.raises(NotFoundError) as info:
        session(server).get(Thing, 1)
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is NotFoundError and again.status == 404 and again.response is None
    assert str(again) == str(info.value)


def test_message_skips_structured_values(server: ScriptedServer) -> None:
    class OAuth(Service):
        errors = ErrorShape(message=("error", "error_description"))

    server.on("GET", "/x", Reply(400, json={"error": {"kind": "x"}, "error_description": "expired grant"}))
    with pytest.raises(BadRequestError, match="expired grant"):
        OAuth.connect(server.url, retries=0).request("GET", "/x")


class OfficialError(requests.exceptions.HTTPError):
    pass


def test_errors_with_an_official_mixin_pickle_and_carry_the_request(server: ScriptedServer) -> None:
    class Compat(Service):
        errors = ErrorShape(mixin=OfficialError)

    server.on("GET", "/x", Reply(404, json={"message": "gone"}))
    with pytest.raises(OfficialError) as info:
        Compat.connect(server.url, retries=0).request("GET", "/x")
    err = info.value
    assert isinstance(err, NotFoundError) and err.request is not None and err.request.method == "GET"
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and again.status == 404 and again.request is None


def test_secret_field_values_are_scrubbed_once_sent(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    from clientkit._declarations.resource import resource

    @resource(many="/pins", one="/pins/{id}")
    class Pin(Resource):
        id: int | None = None
        code: str | None = field(secret=True)

    server.on("POST", "/pins", Reply(400, json={"message": "code 7391-02 is too weak"}))
    caplog.set_level(logging.DEBUG, logger="clientkit")
    with pytest.raises(BadRequestError) as info:
        Api.connect(server.url, token="tok-pins-1", retries=0).create(Pin(code="7391-02"))
    assert "7391-02" not in str(info.value)
    assert all("7391-02" not in r.getMessage() for r in caplog.records)
