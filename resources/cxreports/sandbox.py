"""The CxReports sandbox: the generic emulator in CxReports' dialect, plus its own routes.

Served under ``/api/v1``; the lists come from the declarations, and the routes below serve
report pages, PDFs (real, small documents), exports, temporary data, nonces and job runs.
Errors answer ``{"error": "..."}``, as the service does. The token is ``sandbox-token``.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import secrets
import time
from typing import Any

from clientkit.errors import InvalidRequestError
from clientkit.model import Param, QueryTable
from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest
from clientkit.sandbox.jobs import ServedJob
from clientkit_services.cxreports.client import QUERY
from clientkit_services.cxreports.service import EXPORT, JOB_RUN, CxReports

WORKSPACES = [
    {"id": 1, "name": "Default", "code": "default", "description": None},
    {"id": 26, "name": "Showcase", "code": "showcase", "description": "Demo reports"},
]
REPORT_TYPES = [
    {"id": 3, "name": "Invoice", "code": "invoice", "description": None, "defaultReportId": 160,
     "defaultReportName": "Invoice"},
    {"id": 4, "name": "Other", "code": "other", "description": None, "defaultReportId": None,
     "defaultReportName": None},
]  # fmt: skip
THEMES = [{"id": 3, "code": "dark", "name": "Dark"}, {"id": 1, "code": "default", "name": "Default"}]
TEMPLATES = [
    {"id": 2, "code": "Default", "name": "Default"},
    {"id": 5, "code": "letterhead", "name": "Letterhead"},
]
REPORTS = [
    {"id": 160, "name": "Invoice", "reportTypeId": 3, "reportTypeName": "Invoice",
     "reportTemplateName": "Default", "previewImage": None, "themeName": "Dark", "isDefault": True},
    {"id": 161, "name": "Portfolio", "reportTypeId": 4, "reportTypeName": "Other",
     "reportTemplateName": "Default", "previewImage": None, "themeName": "Default", "isDefault": True},
]  # fmt: skip
PAGES = [
    {"id": 1, "name": "Cover", "type": "page"},
    {"id": 2, "name": "Line items", "type": "subreport"},
    {"id": 3, "name": "Terms", "type": "document-merge"},
]
JOBS = [
    {"id": 42, "name": "Monthly statements", "code": "monthly-statements", "description": None,
     "reviewRequired": True, "isActive": True, "lastRunTime": "2025-05-01T06:00:00+00:00"},
]  # fmt: skip


def pdf(title: str) -> bytes:
    """A small, valid one-page PDF showing ``title``."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def decode_params(value: str) -> Any:
    """The ``params`` query value: base64url JSON (raw JSON is accepted too, B19)."""
    try:
        return json.loads(base64.urlsafe_b64decode(value.encode()))
    except (ValueError, binascii.Error):
        return json.loads(value)


# The server half of the declared query; ``params`` is read leniently (B19).
SERVED = QueryTable({**QUERY.params, "params": Param(dict, decode=decode_params)})


class CxReportsSandbox(Sandbox):
    """CxReports' routes on top of the generic sandbox (workspaces 1 and 26 hold the demo)."""

    def __init__(self, **options: Any) -> None:
        data: dict[str, list[dict[str, Any]]] = {"Workspace": WORKSPACES}
        for ws in (1, 26):
            for name, rows in (("ReportType", REPORT_TYPES), ("Theme", THEMES), ("Template", TEMPLATES),
                               ("Report", REPORTS), ("Job", JOBS)):  # fmt: skip
                data.setdefault(name, []).extend({**row, "workspace": ws} for row in rows)
        super().__init__(CxReports, data=data, prefix="/api/v1", **options)
        self._temp_ids = itertools.count(15)
        self.temporary: dict[int, Any] = {}
        self.exports: ServedJob = self.serve_job(EXPORT, duration=0.2, running="InProgress", result={
            "isReady": True, "name": "report.pdf", "contentType": "application/pdf"})  # fmt: skip
        self.runs: ServedJob = self.serve_job(JOB_RUN, duration=0.2)
        route = self.route
        route("/ws/{workspace}/reports", methods=["GET"])(self._reports)
        route("/ws/{workspace}/reports/{id}/pages")(self._pages)
        route("/ws/{workspace}/reports/{id}/pdf", methods=["GET", "POST"])(self._pdf)
        route("/ws/{workspace}/exports/{id}/content")(self._content)
        route("/ws/{workspace}/temporary-data", methods=["POST"])(self._temporary)
        route("/nonce-tokens", methods=["POST"])(self._nonce)
        route("/ws/{workspace}/jobs/{job}/runs/{run}/generate-review-document", methods=["POST"])(
            self._review
        )
        route("/ws/{workspace}/jobs/{job}/runs/{run}/deliver", methods=["POST"])(lambda _: Reply(204))

    def error(self, status: int, message: str, field_errors: Any = None) -> Reply:
        return Reply(status, {"error": message})

    def _report(self, req: SandboxRequest) -> dict[str, Any] | None:
        wanted = req.params["id"]
        rows = self.records("Report", workspace=req.params["workspace"])
        found = [r for r in rows if wanted in (str(r["id"]), r["reportTypeName"].lower())]
        return found[0] if found else None

    def _reports(self, req: SandboxRequest) -> Any:
        rows = self.records("Report", workspace=req.params["workspace"])
        kind = req.query.get("type")
        codes = {t["id"]: t["code"] for t in REPORT_TYPES}
        return [r for r in rows if kind is None or codes.get(r["reportTypeId"]) == kind]

    def _pages(self, req: SandboxRequest) -> Any:
        return PAGES if self._report(req) else req.error(404, "Report not found.")

    def _pdf(self, req: SandboxRequest) -> Reply:
        report = self._report(req)
        if report is None:
            return req.error(404, "Report not found.")
        try:
            SERVED.decode(req.query)
        except InvalidRequestError as exc:
            return req.error(400, str(exc))
        headers = {"Content-Disposition": 'inline; filename="report.pdf"'}
        return Reply(200, pdf(report["name"]), headers, content_type="application/pdf", raw=True)

    def _content(self, req: SandboxRequest) -> Reply:
        began = self.exports.started.get(req.params["id"])
        if began is None:
            return req.error(404, "Export not found.")
        if time.monotonic() - began < self.exports.duration:
            return req.error(409, "Export is not ready.")
        return Reply(200, pdf(f"Export {req.params['id']}"), content_type="application/pdf", raw=True)

    def _nonce(self, req: SandboxRequest) -> Any:
        return {"nonce": secrets.token_hex(8)}

    def _temporary(self, req: SandboxRequest) -> Any:
        body = req.json
        if not isinstance(body, dict) or "content" not in body:
            return req.error(400, "content is required")
        key = next(self._temp_ids)
        self.temporary[key] = body["content"]
        return {"tempDataId": key, "expiryDate": "2025-06-02T12:00:00+00:00"}

    def _review(self, req: SandboxRequest) -> Any:
        return {"temporaryFileId": self.exports.begin()}
