"""Wire parity: the official cxreports-api-client 0.0.5 and clientkit_services.cxreports, against
the sandbox. Each scenario runs once with each client against a fresh sandbox, and the
requests the sandbox received are compared: method, path, query (order and encoding
included), body bytes, and the headers that matter (Authorization, Content-Type,
Content-Length). Corrected bugs (B5, B6, B9, B18...) are tested in test_cxreports.py."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

import pytest

from clientkit.sandbox import Accounts, Entry
from clientkit_services.cxreports import CxReportClientV1
from clientkit_services.cxreports.sandbox import CxReportsSandbox

try:  # the official package installs a top-level ``v1`` (B1, B2)
    Official = importlib.import_module("v1.client").CxReportClientV1
except (ImportError, AttributeError):  # pragma: no cover
    pytest.skip("cxreports-api-client 0.0.5 is not installed", allow_module_level=True)


def wire(entry: Entry) -> tuple[Any, ...]:
    headers = ("Authorization", "Content-Type", "Content-Length")
    return (entry.method, entry.path, entry.query, entry.body, *(entry.header(h) for h in headers))


def run(make: Callable[..., Any], scenario: Callable[[Any], Any]) -> list[tuple[Any, ...]]:
    box = CxReportsSandbox(accounts=Accounts(fingerprint_key=b"parity" * 6))
    with box as url:
        scenario(make(url, 1, "sandbox-token"))
        return [wire(e) for e in box.journal.entries()]


FULL = {"tempDataId": 1, "params": {"a": 1, "ü": "é/?"}, "nonce": "n", "data": "raw data&x",
        "timezone": "Europe/Belgrade", "lang": "sr", "type": "t", "includeAttachments": True,
        "theme": "th", "template": "tp"}  # fmt: skip
README_POST = {"data": {"invoiceNumber": "12345", "items": [{"description": "Widget", "quantity": 10}]},
               "params": {"title": "Q1 invoice"}, "timezone": "UTC", "format": "pdf", "theme": "3",
               "template": "2"}  # fmt: skip


def _export(c: Any) -> None:
    started = c.start_report_export(160, {"data": {"title": "Q"}, "includeAttachments": False})
    c.get_export_status(started["temporaryFileId"])


def _ready(started: dict[str, Any]) -> Any:
    time.sleep(0.25)  # the sandbox's exports take 0.2 s
    return started["temporaryFileId"]


def _runs(c: Any) -> None:
    run_id = c.start_job_run(job_id=42, request_body={"params": {}, "data": {}})["jobRunId"]
    c.get_job_run_status(42, run_id)
    c.get_run_review_document(42, run_id)
    c.deliver_job_run_entries(42, run_id)


SCENARIOS: dict[str, Callable[[Any], Any]] = {
    "1 workspaces": lambda c: c.get_workspaces(),
    "2 report types": lambda c: c.get_report_types(workspace_id=26),
    "3 themes": lambda c: c.get_themes(),
    "4 templates": lambda c: c.get_templates(),
    "5 reports": lambda c: (c.get_reports(), c.get_reports(type="other"), c.get_reports(type="a b/c&d")),
    "6 pages": lambda c: c.get_report_pages(report_id=160),
    "7 get_pdf": lambda c: (
        c.get_pdf(160),
        c.get_pdf(160, {"tempDataId": 12, "params": {"title": "First page title"}, "timezone": "UTC"}),
        c.get_pdf(160, theme="3", template="Default"),
        c.get_pdf(160, dict(FULL), theme="T2"),
        c.get_pdf("invoice", {"params": {"k": ">>>???"}, "includeAttachments": False}),
    ),
    "8 post_pdf": lambda c: (c.post_pdf(160), c.post_pdf(160, dict(README_POST))),
    "9-10 export": _export,
    "11 export content": lambda c: c.get_export_content(_ready(c.get_run_review_document(42, 1))),
    "12 temporary data": lambda c: (
        c.push_temporary_data({"invoice": {"n": "12345"}}),
        c.push_temporary_data([1, "é"]),
    ),
    "13 nonce and preview": lambda c: (
        c.create_auth_token(),
        c.get_preview_url(160),
        c.get_preview_url(160, {"tempDataId": 12, "params": {"a": "b"}}, workspace_id=8),
    ),
    "14 jobs": lambda c: c.get_jobs(),
    "15-18 job runs": _runs,
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_both_clients_send_the_same_requests(name: str) -> None:
    theirs = run(Official, SCENARIOS[name])
    mine = run(CxReportClientV1, SCENARIOS[name])
    assert mine == theirs
    assert theirs  # the scenario did reach the server


def test_the_official_vectors_are_on_the_wire() -> None:
    sent = run(CxReportClientV1, SCENARIOS["7 get_pdf"])
    head, nonce = sent[3][2].split("&nonce=")  # the journal keeps a fingerprint of the nonce
    assert head == "tempDataId=1&params=eyJhIjogMSwgIlx1MDBmYyI6ICJcdTAwZTkvPyJ9"
    assert nonce.split("&", 1)[1] == (
        "data=raw+data%26x&timezone=Europe%2FBelgrade&lang=sr&type=t&includeAttachments=True&theme=T2&template=tp"
    )
    assert sent[4][1:3] == (
        "/api/v1/ws/1/reports/invoice/pdf",
        "params=eyJrIjogIj4-Pj8_PyJ9&includeAttachments=False",
    )
