"""The BlizWork sandbox: its eight RPC routes (token last in the path, user and environment in
the body), realistic demo cases and master data, and a store of one-time handshake tokens.

Answers use BlizWork's envelope ``{"resultCode", "resultMessage", "payload"}``; a failure is a
200 with a non-zero ``resultCode`` (404 for an unknown case). The API token is ``sandbox-token``;
the handshake tokens of :data:`HANDSHAKES` are valid once each (``issue_handshake()`` adds one).
"""

from __future__ import annotations

import copy
import datetime
import secrets
from typing import Any

from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest
from clientkit_services.blizwork.service import BlizWork

COMPANY = "6530e1f2a4b5c6d7e8f90123"


def _case(
    number: int, env: str, fields: dict[str, Any], steps: list[tuple[str, str, str, str]]
) -> dict[str, Any]:
    history = [{"updatedBy": by, "updatedOn": on, "currentActivity": {"formId": form},
                "nextActivity": {"formId": nxt}} for by, on, form, nxt in steps]  # fmt: skip
    return {
        "companyId": COMPANY, "environment": env, "processSlug": "sales-process", "processVersion": 1,
        "caseNumber": number, "createAudit": {"user": steps[0][0]}, "fields": fields,
        "fieldValues": [{"slug": "contract", "fileUrl": f"https://files.example.test/{fields['contract']}"}],
        "history": history, "processDefinition": {"companyId": COMPANY, "slug": "sales-process",
                                                  "name": "Sales process"},
        "userInfo": {"email": "email@company.com", "name": "Demo Clerk"},
        "companyInfo": {"id": COMPANY, "name": "Demo Company S.A."},
    }  # fmt: skip


CASES = [
    _case(39, "production", {"customer_name": "ACME Corp", "amount": 1200, "contract": "contract.pdf"},
          [("seller@company.com", "2023-11-02T14:03:11.000Z", "start", "review")]),
    _case(40, "production", {"customer_name": "Globex", "amount": 560, "contract": "globex.pdf"},
          [("seller@company.com", "2023-11-03T09:12:00.000Z", "start", "review"),
           ("manager@company.com", "2023-11-04T10:00:00.000Z", "review", "approve")]),
    _case(7, "draft", {"customer_name": "Initech", "amount": 90, "contract": "initech.pdf"},
          [("tester@company.com", "2023-10-30T08:00:00.000Z", "start", "review")]),
]  # fmt: skip
CUSTOMERS = [
    {"code": "C001", "name": "ACME Corp", "country": "CL"},
    {"code": "C002", "name": "Globex", "country": "CL"},
    {"code": "C003", "name": "Initech", "country": "AR"},
]
HANDSHAKES = ("642c8f141be17c78c05bcb4c", "642c8f141be17c78c05bcb4d", "642c8f141be17c78c05bcb4e")
#: what each ``include`` level adds to a case answer (the keys below it are always sent)
LEVELS = {"userInfo": 1, "history": 2, "processDefinition": 3, "companyInfo": 4}


def ok(payload: Any = None) -> dict[str, Any]:
    return {"resultCode": 0, "resultMessage": "OK", "payload": payload}


def _matches(row: dict[str, Any], filter: Any) -> bool:
    return not isinstance(filter, dict) or all(row.get(k) == v for k, v in filter.items())


class BlizWorkSandbox(Sandbox):
    """BlizWork's routes over the generic sandbox (which checks the token segment)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(BlizWork, **options)
        self.cases = {(c["processSlug"], c["environment"], c["caseNumber"]): c for c in copy.deepcopy(CASES)}
        self.tables: dict[str, list[dict[str, Any]]] = {"customers": copy.deepcopy(CUSTOMERS)}
        self.handshakes = set(HANDSHAKES)
        self.files: dict[str, str] = {}
        for path, handler in {
            "/utils/validatecall/{handshake}/{token}/": self._on_validate,
            "/attachment/upload/{token}/": self._on_upload,
            "/process/case-list/{token}/": self._on_case_list,
            "/process/case/{token}/": self._on_case,
            "/exec/{token}/": self._on_exec,
            "/master-data/{token}/": self._on_query,
            "/master-data/upsert/{token}/": self._on_upsert,
            "/master-data/delete/{token}/": self._on_delete,
        }.items():
            self.route(path, methods=["POST"])(handler)

    def error(self, status: int, message: str, field_errors: Any = None) -> Reply:
        return Reply(status, {"resultCode": status, "resultMessage": message, "payload": None})

    def issue_handshake(self) -> str:
        """A fresh one-time handshake token, as BlizWork puts in an extension call."""
        token = secrets.token_hex(12)
        self.handshakes.add(token)
        return token

    def _body(self, req: SandboxRequest) -> dict[str, Any]:
        body = req.json
        return body if isinstance(body, dict) else {}

    def _on_validate(self, req: SandboxRequest) -> Any:
        token = req.params["handshake"]
        if token not in self.handshakes:
            return {"resultCode": 1, "resultMessage": "Invalid handshake token", "payload": None}
        self.handshakes.discard(token)
        return ok({})

    def _on_upload(self, req: SandboxRequest) -> Any:
        body = self._body(req)
        if not isinstance(body.get("file"), str) or not body.get("filename"):
            return {"resultCode": 400, "resultMessage": "filename and file are required", "payload": None}
        self.files[body["filename"]] = body["file"]
        return ok({"fileUrl": f"https://files.example.test/{body['filename']}"})

    def _on_case_list(self, req: SandboxRequest) -> Any:
        body = self._body(req)
        wanted = (body.get("processId"), body.get("environment"))
        found = [
            c
            for (*key, _), c in self.cases.items()
            if tuple(key) == wanted and _matches(c["fields"], body.get("filter"))
        ]
        keys = ("caseNumber", "processSlug", "processVersion", "environment")
        return ok([{k: c[k] for k in keys} for c in found])

    def _on_case(self, req: SandboxRequest) -> Any:
        body = self._body(req)
        case = self.cases.get((body.get("processId"), body.get("environment"), body.get("caseNumber")))
        if case is None:
            return {"resultCode": 404, "resultMessage": "Case not found", "payload": None}
        level: int = body["include"] if isinstance(body.get("include"), int) else 0
        return ok({k: v for k, v in case.items() if LEVELS.get(k, 0) <= level})

    def _on_exec(self, req: SandboxRequest) -> Any:
        body = self._body(req)
        case = self.cases.get((body.get("workflowId"), body.get("environment"), body.get("caseNumber")))
        if case is None or case["companyId"] != body.get("companyId"):
            return {"resultCode": 404, "resultMessage": "Case not found", "payload": None}
        if case["history"][-1]["nextActivity"]["formId"] != body.get("formId"):
            return {
                "resultCode": 409,
                "resultMessage": f"Form {body.get('formId')} is not pending",
                "payload": None,
            }
        case["fields"].update(body.get("formData") or {})
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        case["history"].append({"updatedBy": body.get("userId"), "updatedOn": now,
                                "currentActivity": {"formId": body["formId"]},
                                "nextActivity": {"formId": body.get("nextFormId")}})  # fmt: skip
        return ok()

    def _rows(self, req: SandboxRequest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        body = self._body(req)
        return body, self.tables.setdefault(str(body.get("table")), [])

    def _on_query(self, req: SandboxRequest) -> Any:
        body, rows = self._rows(req)
        return ok([r for r in rows if _matches(r, body.get("filter"))])

    def _on_upsert(self, req: SandboxRequest) -> Any:
        body, rows = self._rows(req)
        found = [r for r in rows if _matches(r, body.get("filter"))]
        update: dict[str, Any] = body["update"] if isinstance(body.get("update"), dict) else {}
        filter: dict[str, Any] = body["filter"] if isinstance(body.get("filter"), dict) else {}
        for row in found:
            row.update(update)
        if not found:
            rows.append({**filter, **update})
        return ok({"matched": len(found), "upserted": 0 if found else 1})

    def _on_delete(self, req: SandboxRequest) -> Any:
        body, rows = self._rows(req)
        kept = [r for r in rows if not _matches(r, body.get("filter"))]
        deleted, rows[:] = len(rows) - len(kept), kept
        return ok({"deleted": deleted})
