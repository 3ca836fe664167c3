"""Outcome: an RPC answer as a value (status, code, message, payload under the names a
declaration chooses), read from answers and checked without I/O; Session.outcome and
Surface(outcome=) read them over real HTTP (tests/client/test_session.py, test_surface.py)."""

from __future__ import annotations

from typing import Any

import pytest

from clientkit.errors import AnswerCheck, AnswerError, APIError, DeclarationError, Outcome

CHECK = AnswerCheck(code=("resultCode", "status"), ok=0, message=("resultMessage", "message"))


class CallError(APIError, RuntimeError):
    """An official client's error."""


class Result(Outcome, check=CHECK, payload="payload", error=CallError):
    http_status: int
    result_code: Any
    message: str
    payload: Any


class Flagged(Outcome, check=AnswerCheck(code="state", failed="error")):
    status: int
    state: Any
    text: str
    body: Any


def test_fields_are_the_declarations_own_and_it_is_a_data_class() -> None:
    result = Result(200, 0, "OK", {"a": 1})
    assert repr(result) == "Result(http_status=200, result_code=0, message='OK', payload={'a': 1})"
    assert result == Result(200, 0, "OK", {"a": 1}) and result.is_ok()
    assert result.parts() == (200, 0, "OK", {"a": 1})


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"resultCode": 0, "resultMessage": "OK", "payload": [1]}, Result(200, 0, "OK", [1])),
        (201, {"status": 0, "payload": None}, Result(201, 0, "", None)),  # any 2xx; the other spelling
        (200, {"resultCode": 4, "resultMessage": "nope"}, Result(200, 4, "nope", None)),
        (200, None, Result(200, 0, "", None)),  # an empty body: no code reads as success's
        (503, "<html>busy</html>", Result(503, 0, "Service Unavailable", "<html>busy</html>")),
        (500, {"resultCode": 9, "message": "db down"}, Result(500, 9, "db down", None)),
        (599, None, Result(599, 0, "HTTP 599", None)),
    ],
)
def test_an_answer_is_read_by_the_check(status: int, body: Any, expected: Result) -> None:
    assert Result.read(status, body) == expected
    assert Result.read(status, body).is_ok() is (expected.message in ("OK", "") and status < 300)


def test_the_reason_phrase_stands_in_for_a_missing_message() -> None:
    assert Result.read(404, {}, "Gone Fishing").message == "Gone Fishing"
    assert Result.read(200, {}, "OK").message == ""


def test_ok_follows_the_checks_codes_and_json_types() -> None:
    assert not Result(200, "0", "", None).is_ok() and not Result(200, None, "", None).is_ok()
    assert not Result(204, 1, "", None).is_ok() and not Result(400, 0, "", None).is_ok()
    assert Flagged.read(200, {"state": "done"}).is_ok() and not Flagged.read(200, {"state": "error"}).is_ok()
    assert Flagged.read(200, [1, 2]) == Flagged(200, None, "", [1, 2])  # no payload path: the whole body


def test_raise_for_raises_the_declared_error_with_the_official_text() -> None:
    Result(200, 0, "OK", None).raise_for("never")
    with pytest.raises(CallError) as info:
        Result(200, 404, "Case not found", {"x": 1}).raise_for("Case #9 not found: Case not found")
    error = info.value
    assert str(error) == "Case #9 not found: Case not found" and isinstance(error, RuntimeError)
    assert (error.status, error.code, error.body) == (200, 404, {"x": 1})
    with pytest.raises(AnswerError):  # the default error
        Flagged(200, "error", "", None).raise_for("failed")


def test_a_declaration_names_four_fields_a_check_and_an_api_error() -> None:
    with pytest.raises(DeclarationError, match="four fields"):

        class Three(Outcome, check=CHECK):
            status: int
            code: Any
            message: str

    with pytest.raises(DeclarationError, match="AnswerCheck"):

        class NoCheck(Outcome, check="resultCode"):  # type: ignore[arg-type]
            status: int

    with pytest.raises(DeclarationError, match="APIError"):

        class WrongError(Outcome, check=CHECK, error=RuntimeError):  # type: ignore[arg-type]
            status: int


def test_a_subclass_keeps_its_parents_settings_and_fields_may_be_named_freely() -> None:
    class Narrower(Result):
        """The same answer, a narrower name."""

    assert not Narrower(200, 3, "busy", None).is_ok()
    with pytest.raises(CallError, match="busy"):
        Narrower(200, 3, "busy", None).raise_for("busy")

    class Named(Outcome, check=CHECK, error=CallError):
        check: int
        error: Any
        payload_at: str
        payload: Any

    with pytest.raises(CallError, match="no"):
        Named(200, 1, "x", None).raise_for("no")


def test_a_field_named_like_a_method_or_a_missing_check_is_refused() -> None:
    with pytest.raises(DeclarationError, match=r"\['is_ok'\], which are methods of Outcome"):

        class Clash(Outcome, check=CHECK):
            status: int
            is_ok: Any
            message: str
            payload: Any

    with pytest.raises(DeclarationError, match="check= is an AnswerCheck"):

        class Unchecked(Outcome):
            status: int
            code: Any
            message: str
            payload: Any
