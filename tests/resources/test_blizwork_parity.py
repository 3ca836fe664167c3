"""Wire parity: the official blizworkapi 0.1.0 and clientkit_services.blizwork, against the sandbox.
Each scenario runs once with each client against a fresh sandbox; the requests it received
are compared: method, path, query, body bytes (key order included) and the headers that
matter (Content-Type, Content-Length). The contract's eight requests (V, U, L, C, X, MQ, MU,
MD) are all here; corrected bugs (B1-B14) are tested in test_blizwork.py."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import clientkit_services.blizwork as ours
from clientkit.sandbox import Accounts, Entry
from clientkit_services.blizwork.sandbox import BlizWorkSandbox

official = pytest.importorskip("blizworkapi")
TOKEN, USER = "sandbox-token", "email@company.com"


def wire(entry: Entry) -> tuple[Any, ...]:
    return (entry.method, entry.path, entry.query, entry.body, entry.header("Content-Type"),
            entry.header("Content-Length"))  # fmt: skip


def run(
    mod: ModuleType, scenario: Callable[[ModuleType, Any], Any], monkeypatch: pytest.MonkeyPatch
) -> list[Any]:
    box = BlizWorkSandbox(accounts=Accounts(fingerprint_key=b"parity" * 6))
    with box as url:
        if mod is official:
            monkeypatch.setattr(official, "API_BASE_URI", url)
            api = official.BlizWorkAPIInstance(TOKEN, USER)
        else:
            api = ours.BlizWorkAPIInstance(TOKEN, USER, base_url=url)
        scenario(mod, api)
        return [wire(e) for e in box.journal.entries()]


def _exec(m: ModuleType, api: Any) -> None:
    case = m.BlizWorkProcess(api, "sales-process").get_case_from_production(39, 3)
    case.exec("approve", {"discount": 5, "note": "José"})


def _forced(m: ModuleType, api: Any) -> None:
    api.force_environment("Production")
    m.BlizWorkProcess(api, "sales-process").case_summary_list(None)
    api.unforce_environment()
    m.BlizWorkMasterDataTable(api, "customers").get_records({})


SCENARIOS: dict[str, Callable[[ModuleType, Any], Any]] = {
    "V validate": lambda m, api: m.BlizWorkUtils(api).validate_call(
        {"environment": "production", "handshakeToken": "642c8f141be17c78c05bcb4c"}
    ),
    "V draft shortcut": lambda m, api: m.BlizWorkUtils(api).validate_call({"environment": "draft"}),
    "U upload": lambda m, api: m.BlizWorkUtils(api).upload_file(
        "clerk@company.com", "notes.txt", "hello world"
    ),
    "L case list": lambda m, api: m.BlizWorkProcess(api, "sales-process").case_summary_list({"amount": 560}),
    "C case": lambda m, api: (
        m.BlizWorkProcess(api, "sales-process").get_case_from_production(39, 3),
        m.BlizWorkProcess(api, "sales-process").get_case_from_draft(7),
        m.BlizWorkProcess(api, "sales-process").case(999, False, 4),
    ),
    "X exec": _exec,
    "MQ records": lambda m, api: (
        m.BlizWorkMasterDataTable(api, "customers").get_records({"country": "CL"}),
        m.BlizWorkMasterDataTable(api, "customers").get_dictionary({"country": "CL"}, "code"),
    ),
    "MU upsert": lambda m, api: m.BlizWorkMasterDataTable(api, "customers").upsert(
        {"code": "C001"}, {"name": "ACME Corporation"}
    ),
    "MD delete": lambda m, api: m.BlizWorkMasterDataTable(api, "customers").delete({"code": "C002"}),
    "forced environment": _forced,
}


@pytest.mark.parametrize("node_env", ["production", "staging"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_both_clients_send_the_same_requests(
    name: str, node_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NODE_ENV", node_env)
    theirs = run(official, SCENARIOS[name], monkeypatch)
    mine = run(ours, SCENARIOS[name], monkeypatch)
    assert mine == theirs
    assert theirs or name == "V draft shortcut"


def test_the_contract_bodies_are_on_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NODE_ENV", "production")
    sent = run(ours, _exec, monkeypatch)
    assert [s[1].split("/***")[0] for s in sent] == ["/process/case", "/exec", "/process/case"]
    assert sent[1][3] == (
        b'{"userId": "email@company.com", "environment": "production",'
        b' "companyId": "6530e1f2a4b5c6d7e8f90123", "workflowId": "sales-process", "caseNumber": 39,'
        b' "formId": "review", "nextFormId": "approve",'
        b' "formData": {"discount": 5, "note": "Jos\\u00e9"}, "skipExtensions": false}'
    )
