"""The official ``blizworkapi`` surface on a clientkit session: every call is a declared action
of ``service.py``; what is BlizWork's own is the result object and the case accessors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from clientkit import Resource, Session
from clientkit.errors import APIError, InvalidRequestError
from clientkit.model import quote_segment
from resources.blizwork.exceptions import BlizWorkCallError
from resources.blizwork.service import (
    BlizWork,
    Case,
    CaseDataLevel,
    MasterData,
    Process,
    Utils,
    environment_of,
)

_MISSING: Any = object()  # B9: None is a valid default


@dataclass
class BlizWorkCallResponse:
    """One answer: HTTP status, ``resultCode``, ``resultMessage`` and ``payload``."""

    http_status: int
    blizwork_status: Any
    message: str
    payload: Any

    def is_ok(self) -> bool:
        return 200 <= self.http_status <= 299 and self.blizwork_status == 0  # B7: any 2xx

    def raise_for(self, message: str) -> None:
        if not self.is_ok():
            raise BlizWorkCallError(
                message, status=self.http_status, code=self.blizwork_status, body=self.payload, text=message
            )


class BlizWorkAPIInstance:
    """The API token (a path segment, redacted everywhere, B3), the user, the environment
    (``NODE_ENV`` or forced) and the base URL (B1: ``base_url=`` or ``environment="local"``)."""

    def __init__(self, token: str, userId: str, base_url: str | None = None, **connect: Any) -> None:
        self.token, self.userId = token, userId
        self.base_url = (base_url or BlizWork.base_url).rstrip("/")
        self.last_response: BlizWorkCallResponse | None = None
        self.forced_environment: str | None = None
        self.session: Session = BlizWork.connect(base_url=base_url, token=token, user=userId, **connect)
        self.unforce_environment()

    def __repr__(self) -> str:
        return f"BlizWorkAPIInstance(token=***, userId={self.userId!r})"

    def force_environment(self, environment: str) -> None:
        if not isinstance(environment, str):  # B13
            raise InvalidRequestError(f"the environment must be a string, not {environment!r}")
        self.set_force_environment, self.forced_environment = True, environment
        self.session.set_context(forced=environment)

    def unforce_environment(self) -> None:
        self.set_force_environment, self.forced_environment = False, None
        self.session.set_context(forced=None)

    def get_environment(self) -> str:
        return (self.forced_environment or os.environ.get("NODE_ENV") or "development").lower()

    def get_uri(self, uri: str, omit_token: bool = False) -> str:
        uri = uri.strip()
        if not uri:
            raise ValueError("Empty URI")
        uri = ("" if uri.startswith("/") else "/") + uri + ("" if uri.endswith("/") else "/")
        return f"{self.base_url}{uri}" + ("" if omit_token else f"{quote_segment(self.token)}/")  # B4

    def get_utils_uri(self, operation: str, omit_token: bool = False) -> str:
        return self.get_uri(f"utils/{operation}", omit_token)

    def get_call_validation_uri(self, handshake_token: str) -> str:
        return self.get_utils_uri(f"validatecall/{quote_segment(handshake_token)}")

    def get_upload_file_uri(self) -> str:
        return self.get_uri("attachment/upload")

    def get_process_uri(self, operation: str) -> str:
        return self.get_uri(f"process/{operation}")

    def get_process_caselist_uri(self) -> str:
        return self.get_process_uri("case-list")

    def get_process_casedata_uri(self) -> str:
        return self.get_process_uri("case")

    def get_case_uri(self, operation: str) -> str:
        return self.get_uri(f"/{operation}")

    def get_case_exec_uri(self) -> str:
        return self.get_case_uri("exec")

    def get_masterdata_uri(self, operation: str) -> str:
        return self.get_uri(f"master-data/{operation}")

    def get_masterdata_query_uri(self) -> str:
        return self.get_masterdata_uri("")

    def get_masterdata_upsert_uri(self) -> str:
        return self.get_masterdata_uri("upsert")

    def get_masterdata_delete_uri(self) -> str:
        return self.get_masterdata_uri("delete")

    def get_base_payload(self) -> dict[str, Any]:
        return {"userId": self.userId, "environment": environment_of({"forced": self.forced_environment})}

    def post(self, uri: str, payload: dict[str, Any]) -> BlizWorkCallResponse:
        """Any URL, as the official escape hatch; the declared calls go through :meth:`call`."""
        path = uri.removeprefix(self.base_url)  # request(): an undeclared path the caller names
        return self._answer(lambda: self.session.request("POST", path, json=payload, auth=False).json())

    def call(
        self, target: type[Resource], action: str, body: dict[str, Any], **path: Any
    ) -> BlizWorkCallResponse:
        """A declared action, its answer (or its failure) as a result object."""
        return self._answer(lambda: self.session.action(target, action, json=body, **path))

    def _answer(self, send: Any) -> BlizWorkCallResponse:
        try:
            body, status, phrase = send(), self.session.last_response.status_code, ""  # type: ignore[union-attr]
        except APIError as err:  # B7: a JSON error body gives its code and message
            body, status = err.body, err.status
            phrase = err.response.reason if err.response is not None else str(err.reason)
            if not isinstance(body, dict):
                return self._keep(BlizWorkCallResponse(status, 0, phrase, body))
        found = body if isinstance(body, dict) else {}
        code = found.get("resultCode", found.get("status", 0))
        message = found.get("resultMessage", found.get("message", phrase))
        return self._keep(BlizWorkCallResponse(status, code, str(message), found.get("payload")))

    def _keep(self, answer: BlizWorkCallResponse) -> BlizWorkCallResponse:
        self.last_response = answer
        return answer


class BlizWorkUtils:
    """Extension helpers: handshake validation, call fields, uploads."""

    def __init__(self, bw_api_instance: BlizWorkAPIInstance) -> None:
        self.bw_api = bw_api_instance

    def validate_call(self, post_payload: dict[str, Any], strict: bool = False) -> BlizWorkCallResponse:
        """Valid when BlizWork confirms the handshake token; a draft call is taken on trust
        unless ``strict`` (B5: a forged call could claim to be a draft)."""
        if post_payload.get("environment", "draft") == "draft" and not strict:
            return BlizWorkCallResponse(200, 0, "OK", {})
        token = post_payload.get("handshakeToken")
        if not isinstance(token, str) or not token:  # B5
            raise ValueError("Missing hsToken")
        return self.bw_api.call(Utils, "validate_call", {}, handshake=token)

    def get_field_from_call(
        self, post_payload: dict[str, Any], field_name: str, default: Any = _MISSING
    ) -> Any:
        fields = post_payload.get("fields")
        if fields is None:
            raise ValueError("Missing fields in payload")
        return fields[field_name] if default is _MISSING else fields.get(field_name, default)

    def upload_file(self, userId: str, file_name: str, file_content: str | bytes) -> BlizWorkCallResponse:
        if isinstance(file_content, bytes):  # B11: text only; no invented binary encoding
            try:
                file_content = file_content.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidRequestError("upload_file sends text: bytes must be UTF-8") from None
        body = {"userId": userId, "module": "form", "filename": file_name, "file": file_content}
        return self.bw_api.call(Utils, "upload", body)


class BlizWorkProcess:
    """One process: its case list and its cases."""

    def __init__(self, bw_api_instance: BlizWorkAPIInstance, processId: str) -> None:
        self.bw_api, self.processId = bw_api_instance, processId

    def get_base_payload(self) -> dict[str, Any]:
        return self.bw_api.get_base_payload() | {"processId": self.processId}

    def case_summary_list(self, filter: Any) -> BlizWorkCallResponse:
        return self.bw_api.call(Process, "case_list", {"processId": self.processId, "filter": filter})

    def case(
        self, case_number: int, from_draft: bool = False, additional_info: Any = 0
    ) -> BlizWorkCallResponse:
        level = (
            additional_info.value if isinstance(additional_info, CaseDataLevel) else additional_info
        )  # B12
        env = "draft" if from_draft else "production"
        body = {"environment": env, "processId": self.processId, "caseNumber": case_number, "include": level}
        return self.bw_api.call(Case, "case", body)

    def get_case(self, case_number: int, from_draft: bool = False, additional_info: Any = 0) -> BlizWorkCase:
        found = self.case(case_number, from_draft, additional_info)
        env = "draft" if from_draft else "production"
        found.raise_for(f"Case {self.processId} #{case_number} not found in {env}: {found.message}")
        return BlizWorkCase(found.payload, self, additional_info)

    def get_case_from_draft(self, case_number: int, additional_info: Any = 0) -> BlizWorkCase:
        return self.get_case(case_number, True, additional_info)

    def get_case_from_production(self, case_number: int, additional_info: Any = 0) -> BlizWorkCase:
        return self.get_case(case_number, False, additional_info)


class BlizWorkCase:
    """A case document and its accessors; :meth:`typed` gives it as a :class:`Case` resource."""

    def __init__(
        self, case_state: dict[str, Any], parent_process: BlizWorkProcess | None = None, info_level: Any = 0
    ):
        if not case_state:
            raise ValueError("Case state cannot be {}")
        self.case_document, self.parent_process, self.info_level = case_state, parent_process, info_level

    def typed(self) -> Case:
        return BlizWork.converter.load(self.case_document, Case)

    def companyId(self) -> Any:
        return self.case_document["companyId"]

    def environment(self) -> Any:
        return self.case_document["environment"]

    def process(self) -> Any:
        return self.case_document["processSlug"]

    def version(self) -> Any:
        return self.case_document["processVersion"]

    def number(self) -> Any:
        return self.case_document["caseNumber"]

    def initiator(self) -> Any:
        history = self.history()
        return history[0]["updatedBy"] if history else self.case_document["createAudit"]["user"]

    def history(self) -> list[dict[str, Any]] | None:
        return self.case_document.get("history")

    def form(self, form_id: str) -> list[dict[str, Any]]:
        return [f for f in self._history() if f["currentActivity"]["formId"] == form_id]

    def latest_form(self, form_id: str) -> dict[str, Any]:
        found = self.form(form_id)
        if not found:
            raise RuntimeError(f'Form "{form_id}" not found!')
        return found[-1]

    def get_form_execution_date(self, form: dict[str, Any] | None) -> str:
        return form["updatedOn"][0:10] if form else ""

    def current_form(self) -> dict[str, Any]:
        return self._history()[-1]

    def _history(self) -> list[dict[str, Any]]:
        history = self.history()
        if history is None:
            raise KeyError("Case has no history")
        return history

    def get_field_value(self, field_name: str, default: Any = _MISSING) -> Any:
        fields = self.case_document["fields"]
        return fields[field_name] if default is _MISSING else fields.get(field_name, default)

    def get_download_url(self, field_name: str) -> Any:
        found = [v for v in self.case_document["fieldValues"] if v["slug"] == field_name]
        return found[0]["fileUrl"] if found else None

    def exec(
        self,
        action: str,
        data: dict[str, Any],
        skipExtensions: bool = False,
        companyId: str | None = None,
        bw_api: BlizWorkAPIInstance | None = None,
    ) -> BlizWorkCase:
        """Run ``action`` on the pending form and return the case refetched (B10: always)."""
        company = companyId or (self.case_document.get("processDefinition") or {}).get("companyId")
        company = company or self.case_document.get("companyId")  # B10: the case's own too
        api = bw_api or (self.parent_process.bw_api if self.parent_process else None)
        if company is None or api is None:
            raise ValueError("Missing companyId" if company is None else "Missing BlizWork API instance")
        body = {"environment": self.environment(), "companyId": company, "workflowId": self.process(),
                "caseNumber": self.number(), "formId": self.current_form()["nextActivity"]["formId"],
                "nextFormId": action, "formData": data, "skipExtensions": skipExtensions}  # fmt: skip
        done = api.call(Case, "exec", body)
        done.raise_for(
            f"Error executing {self.process()} #{self.number()} in {self.environment()}: {done.message}"
        )
        process = (
            self.parent_process
            if self.parent_process and not bw_api
            else BlizWorkProcess(api, self.process())
        )
        return process.get_case(self.number(), self.environment() == "draft", self.info_level)


class BlizWorkMasterDataTable:
    """One master-data table: records by filter, upserts and deletes."""

    def __init__(self, bw_api_instance: BlizWorkAPIInstance, table_name: str) -> None:
        self.bw_api, self.table = bw_api_instance, table_name

    def get_base_payload(self) -> dict[str, Any]:
        return self.bw_api.get_base_payload() | {"table": self.table}

    def get_records(self, filter: Any) -> BlizWorkCallResponse:
        return self.bw_api.call(MasterData, "query", {"table": self.table, "filter": filter})

    def get_dictionary(self, filter: Any, key: str) -> dict[Any, Any]:
        found = self.get_records(filter)
        found.raise_for(found.message)
        return {record[key]: record for record in found.payload}

    def upsert(self, filter: Any, update: Any) -> BlizWorkCallResponse:
        return self.bw_api.call(
            MasterData, "upsert", {"table": self.table, "filter": filter, "update": update}
        )

    def delete(self, filter: Any) -> BlizWorkCallResponse:
        return self.bw_api.call(MasterData, "delete", {"table": self.table, "filter": filter})
