"""clientkit_services.blizwork over real HTTP: the official surface against the sandbox, and the
official client's bugs (B1-B13 of the contract) corrected, with scripted faults."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import pytest

from clientkit.errors import APIError, DecodeError, InvalidRequestError, RedirectError, TransportError
from clientkit_services.blizwork import (
    BlizWorkAPIInstance,
    BlizWorkCallError,
    BlizWorkCase,
    BlizWorkError,
    BlizWorkMasterDataTable,
    BlizWorkProcess,
    BlizWorkUtils,
    Case,
    CaseDataLevel,
)
from clientkit_services.blizwork.sandbox import BlizWorkSandbox
from tests.support.scripted import Reply, ScriptedServer

USER = "email@company.com"


@pytest.fixture
def box(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("NODE_ENV", "production")
    sandbox = BlizWorkSandbox()
    with sandbox:
        yield sandbox


def _api(url: str, token: str = "sandbox-token") -> BlizWorkAPIInstance:
    return BlizWorkAPIInstance(token, USER, base_url=url, retries=0)


def test_a_case_is_read_run_and_typed(box: Any) -> None:
    process = BlizWorkProcess(_api(box.url), "sales-process")
    case = process.get_case_from_production(39, CaseDataLevel.PLUS_PROCESS_DEFINITION)  # B12: the member
    assert case.get_field_value("customer_name") == "ACME Corp" and case.initiator() == "seller@company.com"
    assert case.get_download_url("contract") == "https://files.example.test/contract.pdf"
    assert case.latest_form("start")["nextActivity"] == {"formId": "review"}
    assert case.get_form_execution_date(case.current_form()) == "2023-11-02"
    assert case.get_field_value("missing", None) is None  # B9: None is a default
    with pytest.raises(KeyError):
        case.get_field_value("missing")
    done = case.exec("approve", {"discount": 5})
    assert (
        done.get_field_value("discount") == 5 and done.current_form()["nextActivity"]["formId"] == "approve"
    )
    typed = done.typed()
    assert isinstance(typed, Case) and typed.caseNumber == 39 and typed.fields["discount"] == 5
    assert process.get_case_from_production(39, 1).history() is None  # history from level 2


def test_failures_are_results_or_typed_errors(box: Any) -> None:
    api = _api(box.url)
    process = BlizWorkProcess(api, "sales-process")
    missing = process.case(999)
    assert (missing.http_status, missing.blizwork_status, missing.message) == (200, 404, "Case not found")
    assert not missing.is_ok() and api.last_response == missing
    with pytest.raises(BlizWorkCallError) as caught:  # B8: a RuntimeError and a clientkit APIError
        process.get_case(999)
    assert isinstance(caught.value, RuntimeError) and isinstance(caught.value, APIError)
    assert str(caught.value) == "Case sales-process #999 not found in production: Case not found"
    assert caught.value.code == 404
    with pytest.raises(RuntimeError, match='Form "nope" not found'):
        process.get_case_from_production(39, 2).latest_form("nope")


def test_master_data_and_uploads(box: Any) -> None:
    api = _api(box.url)
    table = BlizWorkMasterDataTable(api, "customers")
    assert set(table.get_dictionary({"country": "CL"}, "code")) == {"C001", "C002"}
    assert table.upsert({"code": "C001"}, {"name": "ACME Corporation"}).payload == {
        "matched": 1,
        "upserted": 0,
    }
    assert table.delete({"code": "C002"}).payload == {"deleted": 1}
    assert [r["name"] for r in table.get_records({"country": "CL"}).payload] == ["ACME Corporation"]
    utils = BlizWorkUtils(api)
    assert utils.upload_file("clerk@company.com", "notes.txt", "hello").is_ok()
    assert utils.upload_file("clerk@company.com", "more.txt", "olé".encode()).is_ok()  # B11: UTF-8 bytes
    assert box.files == {"notes.txt": "hello", "more.txt": "olé"}
    with pytest.raises(InvalidRequestError, match="UTF-8"):
        utils.upload_file("clerk@company.com", "x.bin", b"\xff\xfe")


def test_handshakes_are_one_time_and_strict_mode_checks_drafts(box: Any) -> None:
    utils = BlizWorkUtils(_api(box.url))
    call = {"environment": "production", "handshakeToken": box.issue_handshake(), "fields": {"a": None}}
    assert utils.validate_call(call).is_ok()
    assert utils.validate_call(call).message == "Invalid handshake token"  # used once
    assert utils.get_field_from_call(call, "a") is None and utils.get_field_from_call(call, "b", None) is None
    forged = {"environment": "draft", "handshakeToken": "000000000000000000000000"}
    assert utils.validate_call(forged).is_ok()  # the official shortcut, kept by default
    assert not utils.validate_call(forged, strict=True).is_ok()  # B5
    for token in (None, "", 42):
        with pytest.raises(ValueError, match="Missing hsToken"):  # B5: a null token is missing
            utils.validate_call({"environment": "production", "handshakeToken": token})


def test_the_token_is_encoded_and_never_shown(
    box: Any,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NODE_ENV")  # B2: the official client prints then
    secret = "a b/c?d-secret"
    api = _api(box.url, secret)
    caplog.set_level(logging.DEBUG)
    assert (
        BlizWorkProcess(api, "sales-process").case(7, True).http_status == 401
    )  # the sandbox knows no such token
    assert box.journal.last.path.startswith("/process/case/***")  # B4: one segment
    assert api.get_process_casedata_uri().endswith("/process/case/a%20b%2Fc%3Fd-secret/")
    assert capsys.readouterr().out == ""
    for text in (caplog.text, repr(api), str(api.last_response)):
        assert "secret" not in text
    assert "/process/case/***/" in caplog.text


def test_environment_switch_and_base_url(box: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    api = _api(box.url)
    monkeypatch.setenv("NODE_ENV", "PRODUCTION")
    assert api.get_base_payload()["environment"] == "production"  # B13: case-insensitive
    api.force_environment("staging")
    assert api.get_environment() == "staging" and api.get_base_payload()["environment"] == "draft"
    BlizWorkProcess(api, "sales-process").case_summary_list(None)
    assert box.journal.last.json["environment"] == "draft"
    with pytest.raises(InvalidRequestError):
        api.force_environment(None)  # type: ignore[arg-type]  # B13
    local = BlizWorkAPIInstance("t", USER, environment="local")  # B1: the documented local server
    assert local.session.transport.base_url == "http://localhost:3005"
    assert BlizWorkAPIInstance("t", USER).get_uri("x") == "https://api.blizwork.com/x/t/"


def test_statuses_follow_the_corrected_rules(server: ScriptedServer) -> None:
    path = "/master-data/tok/"
    server.on("POST", path, Reply(201, json={"resultCode": 0, "payload": [1]}))  # B7: any 2xx
    server.on("POST", path, Reply(500, json={"resultCode": 9, "resultMessage": "db down"}))
    server.on("POST", path, Reply(200, body=b""))  # B7: an empty body is an empty payload
    server.on("POST", path, Reply(503, body="<html>busy</html>", content_type="text/html"))
    server.on("POST", path, Reply(drop=True))
    table = BlizWorkMasterDataTable(BlizWorkAPIInstance("tok", USER, base_url=server.url, retries=0), "t")
    first = table.get_records({})
    assert first.is_ok() and first.http_status == 201 and first.payload == [1]
    failed = table.get_records({})
    assert (failed.http_status, failed.blizwork_status, failed.message) == (500, 9, "db down")
    assert table.get_records({}).payload is None
    busy = table.get_records({})
    assert busy.http_status == 503 and busy.message.lower() == "service unavailable" and not busy.is_ok()
    with pytest.raises(TransportError):  # B8: wrapped
        table.get_records({})


def test_an_answer_without_result_code_or_status_is_malformed(server: ScriptedServer) -> None:
    path = "/master-data/tok/"
    server.on("POST", path, Reply(json=[1, 2]), Reply(json={}))
    server.on("POST", "/master-data/upsert/tok/", Reply(json={"payload": []}))
    table = BlizWorkMasterDataTable(_api(server.url, "tok"), "t")
    for _ in range(2):
        with pytest.raises(DecodeError, match="no 'resultCode' or 'status'") as info:
            table.get_records({})
        assert isinstance(info.value, BlizWorkError) and isinstance(info.value, RuntimeError)
    with pytest.raises(BlizWorkError, match="no 'resultCode'"):
        table.upsert({}, {"a": 1})


def test_post_decodes_as_the_declared_calls_do(server: ScriptedServer) -> None:
    path = "/master-data/tok-secret/"
    server.on("POST", path, Reply(body="<html>busy</html>", content_type="text/html"), Reply(json={}))
    api = _api(server.url, "tok-secret")
    for expected in ("expected a JSON body", "no 'resultCode'"):
        with pytest.raises(DecodeError, match=expected) as info:
            api.post(api.get_masterdata_query_uri(), {"table": "t"})
        assert isinstance(info.value, BlizWorkError) and "tok-secret" not in str(info.value)


def test_get_dictionary_refuses_payloads_it_cannot_key(server: ScriptedServer) -> None:
    path = "/master-data/tok/"
    server.on("POST", path, Reply(json={"resultCode": 0, "payload": None}),
              Reply(json={"resultCode": 0, "payload": [{"x": 1}]}))  # fmt: skip
    table = BlizWorkMasterDataTable(_api(server.url, "tok"), "t")
    for _ in range(2):
        with pytest.raises(DecodeError, match="records each holding 'id'") as info:
            table.get_dictionary({}, "id")
        assert isinstance(info.value, BlizWorkError)


def test_validate_call_refuses_what_is_not_an_object(box: Any) -> None:
    with pytest.raises(InvalidRequestError, match="JSON object"):
        BlizWorkUtils(_api(box.url)).validate_call([1])  # type: ignore[arg-type]


def test_a_redirect_error_names_the_path_sent_with_its_token_redacted(server: ScriptedServer) -> None:
    path = "/master-data/tok-secret/"
    server.on("POST", path, Reply(302, headers={"Location": "http://127.0.0.1:9/elsewhere"}))
    with pytest.raises(RedirectError) as info:
        BlizWorkMasterDataTable(_api(server.url, "tok-secret"), "t").get_records({})
    assert "/master-data/***/" in str(info.value) and "%7Btoken%7D" not in str(info.value)
    assert "tok-secret" not in str(info.value)


def test_a_post_elsewhere_leaves_no_token_in_its_traceback(server: ScriptedServer) -> None:
    api = _api(server.url, "tok-secret")
    with pytest.raises(InvalidRequestError, match="not the service's origin") as info:
        api.post(api.get_masterdata_query_uri().replace("127.0.0.1", "localhost"), {"table": "t"})
    for with_locals in (False, True):
        shown = traceback.TracebackException.from_exception(info.value, capture_locals=with_locals)
        assert "tok-secret" not in "".join(shown.format())


@pytest.mark.parametrize("code", [0, 0.0, False])
def test_every_success_code_the_official_client_accepts_succeeds(server: ScriptedServer, code: Any) -> None:
    case = {"caseNumber": 4, "processSlug": "p", "environment": "production", "fields": {}}
    answer = {"resultCode": code, "resultMessage": None, "payload": case}
    server.on("POST", "/process/case/tok/", Reply(json=answer))
    process = BlizWorkProcess(_api(server.url, "tok"), "p")
    answer = process.case(4)
    assert answer.is_ok() and answer.message is None  # a null message is kept, as the official client
    assert process.get_case_from_production(4).number() == 4


def test_the_history_accessors_fail_as_the_official_ones() -> None:
    bare = BlizWorkCase({"caseNumber": 1, "createAudit": {"user": "a@b.c"}})
    assert bare.initiator() == "a@b.c"
    for call in (bare.current_form, lambda: bare.form("start")):
        with pytest.raises(KeyError, match="Case has no history"):
            call()
    with pytest.raises(IndexError):
        BlizWorkCase({"caseNumber": 1, "history": []}).current_form()
