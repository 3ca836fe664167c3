"""The sandbox's half of AnswerCheck: its refusals come as 200 answers carrying the failure
code and message, which the client's half raises as AnswerError."""

from __future__ import annotations

import pytest
import requests

from clientkit import Envelope, ErrorShape, Resource, Service, TokenAuth, field
from clientkit.errors import AnswerCheck, AnswerError, AuthenticationError, NotFoundError
from clientkit.sandbox.app import Sandbox
from clientkit.sandbox.checks import report_failure
from clientkit.sandbox.halves import NoServerHalf

CHECK = AnswerCheck(code="resultCode", ok=0, message="resultMessage")


class Legacy(Service):
    auth = TokenAuth(scheme="Token")
    envelope = Envelope(response="data")
    errors = ErrorShape(message="detail")
    answer_check = CHECK


@Legacy.resource(one="/users/{id}", many="/users")
class User(Resource):
    id: int | None = field(read_only=True)
    name: str | None = field(required=True)


@Legacy.resource(one="/plain/{id}", many="/plain", answer_check=False)
class Plain(Resource):
    id: int | None = field(read_only=True)


def test_a_refusal_becomes_a_200_with_the_code_and_message() -> None:
    assert report_failure(CHECK, 404, {"detail": "gone"}, "gone") == (
        200,
        {"detail": "gone", "resultCode": 404, "resultMessage": "gone"},
    )
    status_check = AnswerCheck(code="meta.status", failed="error", message="meta.message")
    assert report_failure(status_check, 422, None, "bad") == (
        200,
        {"meta": {"status": "error", "message": "bad"}},
    )
    assert report_failure(CHECK, 401, {"detail": "who"}, "who") == (401, {"detail": "who"})
    assert report_failure(CHECK, 503, {}, "down") == (503, {})
    with pytest.raises(NoServerHalf):
        report_failure(object(), 404, {}, "x")


def test_the_client_raises_what_the_sandbox_reports() -> None:
    with Sandbox(Legacy, data={"User": [{"id": 1, "name": "ann"}]}) as url:
        raw = requests.get(f"{url}/users/9", headers={"Authorization": "Token sandbox-token"}, timeout=5)
        assert raw.status_code == 200 and raw.json()["resultCode"] == 404
        with Legacy.connect(url, token="sandbox-token", retries=0) as api:
            assert api.get(User, 1).name == "ann"
            with pytest.raises(AnswerError, match="User 9 not found") as info:
                api.get(User, 9)
            assert info.value.code == 404 and info.value.status == 200
            with pytest.raises(AnswerError) as invalid:
                api.create(User())
            assert invalid.value.code == 422
            with pytest.raises(NotFoundError):
                api.get(Plain, 9)  # a resource declared without a check keeps the status
        with (
            Legacy.connect(url, token="wrong-token", retries=0) as api,
            pytest.raises(AuthenticationError),
        ):
            api.get(User, 1)
