"""AnswerCheck: where a 2xx answer reports failure; checked by the session on every JSON
answer of a declared operation, over real HTTP (ScriptedServer and httpbin)."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from clientkit import Action, Envelope, Resource, Service, extra, field
from clientkit.errors import AnswerCheck, AnswerError, APIError, DeclarationError, DecodeError, ErrorShape
from clientkit.paging import PageNumber
from clientkit.sandbox import Sandbox
from tests.support.filed import httpbin
from tests.support.scripted import Reply, ScriptedServer

CHECK = AnswerCheck(code="resultCode", ok=0, message="resultMessage")


def test_a_code_among_ok_passes_and_another_fails_with_its_message() -> None:
    assert CHECK.failure({"resultCode": 0, "data": 1}) is None
    failure = CHECK.failure({"resultCode": 3, "resultMessage": "no such user"})
    assert failure is not None and (failure.code, failure.message) == (3, "no such user")


def test_codes_compare_with_their_json_type() -> None:
    assert CHECK.failure({"resultCode": "0"}) is not None
    assert CHECK.failure({"resultCode": False}) is not None
    assert AnswerCheck(code="ok", ok=True).failure({"ok": 1}) is not None


def test_failed_values_and_alternatives_and_nested_paths() -> None:
    check = AnswerCheck(
        code=("status", "meta.status"), failed=("error", "fail"), message=("message", "error")
    )
    assert check.failure({"status": "success"}) is None
    assert check.failure({"meta": {"status": "fail"}, "error": "boom"}) == check.failure(
        {"status": "fail", "message": "boom"}
    )


def test_an_answer_without_the_code_passes() -> None:
    assert CHECK.failure({"id": 1}) is None
    assert CHECK.failure([{"resultCode": 3}]) is None
    assert CHECK.failure(None) is None


def test_a_failure_without_a_message_says_what_the_code_was() -> None:
    failure = AnswerCheck(code="status", ok="ok").failure({"status": "denied"})
    assert failure is not None and failure.message == "the answer reports status 'denied'"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"code": ""}, "key path of the outcome code"),
        ({"code": "c"}, "either ok="),
        ({"code": "c", "ok": 0, "failed": 1}, "either ok="),
        ({"code": "c", "ok": 0, "message": ("",)}, "key paths"),
    ],
)
def test_bad_checks_are_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(DeclarationError, match=match):
        AnswerCheck(**kwargs)


def test_service_and_resource_declarations_are_type_checked() -> None:
    with pytest.raises(DeclarationError, match="answer_check must be AnswerCheck"):

        class Bad(Service):
            answer_check = {"code": "resultCode"}  # type: ignore[assignment]

    class Api(Service):
        answer_check = CHECK

    with pytest.raises(DeclarationError, match="answer_check must be an AnswerCheck or False"):

        @Api.resource(one="/things/{id}", answer_check=True)  # type: ignore[arg-type]
        class Thing(Resource):
            id: int | None = None


# -- over the wire ----------------------------------------------------------------------------


class Legacy(Service):
    envelope = Envelope(response="data")
    answer_check = CHECK
    pagination = PageNumber(items="data")


@Legacy.resource(one="/users/{id}", many="/users", actions={"ban": Action("POST", "/users/{id}/ban")})
class User(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


@Legacy.resource(one="/raw/{id}", answer_check=False, envelope=Envelope(response=("data", None)))
class Raw(Resource):
    id: int | None = None


def connect(server: ScriptedServer) -> Any:
    return Legacy.connect(server.url, retries=0)


def failing(message: str = "no such user") -> Reply:
    return Reply(200, json={"resultCode": 3, "resultMessage": message}, headers={"X-Request-Id": "r-9"})


def test_get_list_write_delete_and_action_raise_the_failure(server: ScriptedServer) -> None:
    for method, path in [("GET", "/users/1"), ("GET", "/users"), ("PATCH", "/users/1")]:
        server.on(method, path, failing())
    server.on("DELETE", "/users/1", failing("locked"))
    server.on("POST", "/users/1/ban", failing("not allowed"))
    with connect(server) as api:
        with pytest.raises(AnswerError) as info:
            api.get(User, 1)
        err = info.value
        assert isinstance(err, APIError)
        assert (err.status, err.code, err.reason, err.request_id) == (200, 3, "no such user", "r-9")
        assert err.body == {"resultCode": 3, "resultMessage": "no such user"}
        assert str(err) == "200 GET " + server.url + "/users/1: no such user (request id r-9)"
        assert api.last_response is err.response and err.response is not None
        with pytest.raises(AnswerError, match="no such user"):
            list(api.list(User))
        with pytest.raises(AnswerError, match="no such user"):
            api.patch(User(id=1), name="b")
        with pytest.raises(AnswerError, match="locked"):
            api.delete(User, 1)
        with pytest.raises(AnswerError, match="not allowed"):
            api.action(User, "ban", id=1)


def test_a_passing_answer_is_used_as_usual(server: ScriptedServer) -> None:
    server.on("GET", "/users/1", Reply(json={"resultCode": 0, "data": {"id": 1, "name": "ann"}}))
    with connect(server) as api:
        assert api.get(User, 1) == User(id=1, name="ann")


def test_a_resource_without_a_check_returns_a_failure_as_a_value(server: ScriptedServer) -> None:
    server.on("GET", "/raw/1", Reply(json={"resultCode": 3, "resultMessage": "gone"}))
    with connect(server) as api:
        raw = api.get(Raw, 1)
        assert raw.id is None and extra(raw) == {"resultCode": 3, "resultMessage": "gone"}


def test_an_html_page_in_place_of_json_is_a_decode_error(server: ScriptedServer) -> None:
    page = "<html><body><form action='/login'>Sign in</form></body></html>"
    server.on("GET", "/users/1", Reply(200, body=page, content_type="text/html"))
    with connect(server) as api, pytest.raises(DecodeError, match="expected a JSON body") as info:
        api.get(User, 1)
    assert info.value.status == 200 and info.value.content_type == "text/html"
    assert "Sign in" in info.value.excerpt


# -- httpbin (PyPI): its echo carries the failure a legacy service would send -----------------


class Echo(Service):
    answer_check = AnswerCheck(code="json.resultCode", ok=0, message="json.resultMessage")


@Echo.resource(one="/html", singleton=True, actions={"call": Action("POST", "/anything/call")})
class Page(Resource):
    title: str | None = None


def test_httpbin_failure_in_a_200_and_an_html_page() -> None:
    with httpbin() as url, Echo.connect(url, retries=0) as api:
        assert api.action(Page, "call", json={"resultCode": 0})["json"] == {"resultCode": 0}
        with pytest.raises(AnswerError, match="quota exceeded") as info:
            api.action(Page, "call", json={"resultCode": 7, "resultMessage": "quota exceeded"})
        assert info.value.code == 7 and info.value.status == 200
        with pytest.raises(DecodeError, match="expected a JSON body") as decoded:
            api.get(Page)
        assert decoded.value.content_type is not None and "text/html" in decoded.value.content_type


def test_a_check_reading_a_field_of_a_bare_record_is_refused_where_it_is_declared() -> None:
    class Ci(Service):
        answer_check = AnswerCheck(code="status", failed="error", message="message")

    with pytest.raises(DeclarationError, match=r"'status', a field of the bare record Build"):

        @Ci.resource(one="/builds/{id}", many="/builds")
        class Build(Resource):
            id: int | None = field(read_only=True)
            status: str | None = None

    @Ci.resource(one="/runs/{id}", many="/runs", answer_check=False)
    class Run(Resource):
        id: int | None = field(read_only=True)
        status: str | None = None

    @Ci.resource(one="/jobs/{id}", many="/jobs", envelope=Envelope(response="data"))
    class Job(Resource):
        id: int | None = field(read_only=True)
        status: str | None = None

    data = {"Run": [{"id": 1, "status": "error"}], "Job": [{"id": 1, "status": "error"}]}
    with Sandbox(Ci, data=data) as url, Ci.connect(url) as ci:
        assert ci.get(Run, 1).status == "error" == ci.list(Run).to_list()[0].status
        assert ci.get(Job, 1).status == "error" == ci.list(Job).to_list()[0].status


class Official(Exception):
    """An official client's exception, mixed into the service's errors."""


class Strict(Service):
    answer_check = AnswerCheck(code=("resultCode", "status"), ok=0, required=True)
    errors = ErrorShape(mixin=Official)


@Strict.resource(actions={"run": Action("POST", "/run")}, singleton=True)
class Job(Resource):
    pass


def test_a_required_code_makes_an_answer_without_it_malformed() -> None:
    required = AnswerCheck(code=("resultCode", "status"), ok=0, required=True)
    for body in ([1], {}, {"payload": 1}, "text"):
        failure = required.failure(body)
        assert failure is not None and failure.missing
        assert failure.message == "the answer holds no 'resultCode' or 'status'"
    assert required.failure(None) is None  # an empty body (a 204) passes
    assert required.failure({"status": 0}) is None and CHECK.failure([1]) is None


def test_a_required_code_missing_raises_a_decode_error_also_the_official_one(server: ScriptedServer) -> None:
    server.on("POST", "/run", Reply(json=[1, 2]), Reply(json={"resultCode": 4}), Reply(204))
    with Strict.connect(server.url, retries=0) as api:
        with pytest.raises(DecodeError, match="holds no 'resultCode' or 'status'") as info:
            api.action(Job, "run")
        assert isinstance(info.value, Official) and info.value.status == 200
        assert isinstance(pickle.loads(pickle.dumps(info.value)), Official)
        with pytest.raises(AnswerError):
            api.action(Job, "run")
        assert api.action(Job, "run") is None
