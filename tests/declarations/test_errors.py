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
    as_official,
)
from tests.support.filed import httpbin
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


# -- error details in other shapes -----------------------------------------------------------


class Described(Service):
    errors = ErrorShape(
        message="error.message", fields="error.errors", item_field="location", item_message="description"
    )


@Described.resource(one="/docs/{id}", many="/docs")
class Doc(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


def test_declared_item_keys_name_the_field_and_the_message(server: ScriptedServer) -> None:
    items = [
        {"location": "name", "description": "too short", "reason": "invalid"},
        {"location": "name", "description": "no digits"},
        {"description": "quota almost used", "reason": "quota"},
    ]
    server.on("POST", "/docs", Reply(400, json={"error": {"message": "bad doc", "errors": items}}))
    with pytest.raises(BadRequestError) as info:
        Described.connect(server.url, retries=0).create(Doc(name="x"))
    err = info.value
    assert err.field_errors == {"name": ["too short", "no digits"]}  # the item without a field is none
    assert err.details == items and err.reason == "bad doc"
    assert pickle.loads(pickle.dumps(err)).details == items


def test_details_that_are_not_field_errors_stay_details(server: ScriptedServer) -> None:
    quota = {"limit": 100, "used": 100, "window": "day"}
    server.on("GET", "/things/1", Reply(429, json={"message": "slow down", "errors": quota}))
    server.on("GET", "/things/2", Reply(409, json={"errors": [{"message": "locked by ann"}]}))
    api = session(server)
    with pytest.raises(RateLimitError) as info:
        api.get(Thing, 1)
    assert info.value.field_errors == {} and info.value.details == quota
    with pytest.raises(ConflictError) as conflict:
        api.get(Thing, 2)
    assert conflict.value.field_errors == {} and conflict.value.reason == "locked by ann"


def test_nested_field_errors_are_named_with_dots() -> None:
    body = {"errors": {"address": {"city": ["required"]}, "name": "taken"}}
    assert ErrorShape().field_errors_of(body) == {"address.city": ["required"], "name": ["taken"]}
    drf = {"address": {"city": ["required"]}, "detail": "x", "error": {"code": 5, "message": "m"}}
    assert ErrorShape(fields="$").field_errors_of(drf) == {"address.city": ["required"]}


@pytest.mark.parametrize(
    "body", [b"", b"   ", b"{}", b'{"message": ""}', b'{"message": "  ", "code": 7}', b"[]"]
)
def test_an_error_without_a_message_falls_back_to_the_reason(server: ScriptedServer, body: bytes) -> None:
    server.on("GET", "/things/3", Reply(404, body=body))
    with pytest.raises(NotFoundError) as info:
        session(server).get(Thing, 3)
    assert info.value.reason == "NOT FOUND" or info.value.reason == "Not Found"
    assert str(info.value).startswith("404 GET ") and str(info.value).endswith(": " + info.value.reason)


def test_without_a_reason_phrase_the_status_phrase_is_used() -> None:
    def made(status: int) -> APIError:
        return ErrorShape().error_for(
            status=status, body=None, text="", headers={}, method="GET", url="http://h/x"
        )

    assert made(404).reason == "Not Found" and made(503).reason == "Service Unavailable"
    assert made(499).reason == "HTTP 499"
    text = ErrorShape().error_for(status=502, body=None, text="upstream down", headers={}, method="", url="")
    assert text.reason == "upstream down"  # a body that is not JSON is its own message


def test_an_empty_error_from_a_real_server_has_its_reason() -> None:
    class Bin(Service):
        pass

    with httpbin() as url, pytest.raises(NotFoundError) as info:
        Bin.connect(url, retries=0).request("GET", "/status/404")
    assert info.value.reason.lower() == "not found" and info.value.body == ""


# -- an official client's error text, and answers whose content type is an error ---------------


class OfficialRuntime(RuntimeError):
    pass


class Worded(Service):
    auth = TokenAuth()
    errors = ErrorShape(
        message="error",
        mixin=OfficialRuntime,
        text={
            401: "Unauthenticated.",
            "*": "HTTP error occurred: {status} {kind} Error: {phrase} for url: {url}",
        },
        content_types={"text/html": 401},
    )


def test_error_text_follows_the_declared_template(server: ScriptedServer) -> None:
    server.on("GET", "/gone", Reply(404, json={"error": "Report not found."}))
    server.on("GET", "/boom", Reply(500, json={"error": "x"}))
    session = Worded.connect(server.url, token="t-worded-1", retries=0)
    with pytest.raises(OfficialRuntime) as info:
        session.request("GET", "/gone", params={"a": "b c"})
    err = info.value
    assert str(err) == f"HTTP error occurred: 404 Client Error: NOT FOUND for url: {server.url}/gone?a=b+c"
    assert isinstance(err, NotFoundError) and err.reason == "Report not found." and err.status == 404
    with pytest.raises(ServerError, match=r"^HTTP error occurred: 500 Server Error: INTERNAL SERVER ERROR"):
        session.request("GET", "/boom")


class Reprs(Service):
    errors = ErrorShape(text="HTTP {status}: {body!r}")


def test_error_text_may_show_the_decoded_body(server: ScriptedServer) -> None:
    server.on("GET", "/json", Reply(404, json={"message": "missing"}))
    server.on("GET", "/text", Reply(503, body="down", content_type="text/plain"))
    server.on("GET", "/empty", Reply(500, body=""))
    session = Reprs.connect(server.url, retries=0)
    said = []
    for path in ("/json", "/text", "/empty"):
        with pytest.raises(APIError) as info:
            session.request("GET", path)
        said.append(str(info.value))
    assert said == ["HTTP 404: {'message': 'missing'}", "HTTP 503: 'down'", "HTTP 500: None"]


def test_an_answer_of_a_declared_content_type_is_the_error_of_its_status(server: ScriptedServer) -> None:
    page = Reply(200, body="<html>Sign in</html>", content_type="text/html; charset=utf-8")
    server.on("GET", "/report.pdf", page)
    server.on("POST", "/nonce", page)
    server.on("GET", "/fine", Reply(200, json={"ok": True}))
    session = Worded.connect(server.url, token="t-worded-2", retries=0)
    for method, path in (("GET", "/report.pdf"), ("POST", "/nonce")):
        with pytest.raises(AuthenticationError) as info:
            session.request(method, path)
        assert str(info.value) == "Unauthenticated." and isinstance(info.value, OfficialRuntime)
        assert info.value.status == 401 and "Sign in" in str(info.value.body)
    assert session.request("GET", "/fine").json() == {"ok": True}
    assert len(server.received) == 3  # one request each, never retried or renewed


def test_error_text_and_content_types_are_checked_when_declared() -> None:
    with pytest.raises(ClientKitError, match="may name only"):
        ErrorShape(text="{status} {nope}")
    with pytest.raises(ClientKitError, match="maps a status or"):
        ErrorShape(text={"4xx": "x"})
    with pytest.raises(ClientKitError, match="media type to an error status"):
        ErrorShape(content_types={"text/html": 200})
    assert ErrorShape(text="{status}").text == {"*": "{status}"}


class Cached(Service):
    errors = ErrorShape(
        text={"*": "{status} {phrase}"}, content_types={"Text/HTML": 401}
    )  # declared in any case


def test_a_declared_content_type_stays_an_error_from_the_cache_and_names_its_status(
    server: ScriptedServer,
) -> None:
    page = Reply(
        200, body="<html>Sign in</html>", content_type="text/html", headers={"Cache-Control": "max-age=600"}
    )
    server.on("GET", "/page", page, page)
    session = Cached.connect(server.url, cache=True, retries=0)
    for _ in range(2):
        with pytest.raises(AuthenticationError) as info:
            session.request("GET", "/page")
        assert str(info.value) == "401 Unauthorized"  # the mapped status's phrase, not "OK"
    assert Cached.errors.status_for("text/html; charset=utf-8") == 401


class RuntimeOfficial(RuntimeError):
    """An official client's exception."""


def test_as_official_keeps_the_type_and_attributes_with_the_official_text(server: ScriptedServer) -> None:
    server.on("GET", "/x", Reply(body="<html>", content_type="text/html"))
    api = Api.connect(server.url, token="tok-as-official", retries=0)
    with pytest.raises(DecodeError) as info:
        api.json_of(api.request("GET", "/x"))
    err = info.value
    official = as_official(err, RuntimeOfficial, f"An error occurred: {err}")
    assert isinstance(official, DecodeError) and isinstance(official, RuntimeOfficial)
    assert str(official) == f"An error occurred: {err}" and official.excerpt == err.excerpt
    again = pickle.loads(pickle.dumps(official))
    assert type(again) is type(official) and str(again) == str(official)
    assert as_official(official, RuntimeOfficial) is official
