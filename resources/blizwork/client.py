"""The official ``blizworkapi`` surface as tables of the calls declared in ``service.py``; what is
BlizWork's own is the result object, the case's accessors and ``exec``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from clientkit import Session
from clientkit.errors import DecodeError, InvalidRequestError, as_official
from clientkit.model import Surface, quote_segment
from clientkit.redaction import forgets_locals
from clientkit.webhooks import EchoHandshake
from clientkit_services.blizwork.service import (
    BlizWork,
    BlizWorkCallResponse,
    BlizWorkError,
    Case,
    CaseDataLevel,
    MasterData,
    Process,
    Utils,
    environment_of,
)

_MISSING: Any = object()  # B9: None is a valid default
CALL = EchoHandshake(challenge=None, token="handshakeToken", when={})  # what BlizWork posts an extension


def _uri(path: str) -> Any:
    """An official URL helper: ``path`` (its operation, one encoded segment, at ``{}``), then the token."""

    def uri(self: BlizWorkAPIInstance, operation: str = "", omit_token: bool = False) -> str:
        return self.get_uri(path.format(operation and quote_segment(operation)), omit_token)  # B4

    return uri


class BlizWorkAPIInstance:
    """The API token (a path segment, redacted everywhere, B3), the user, the environment
    (``NODE_ENV`` or forced) and the base URL (B1: ``base_url=`` or ``environment="local"``)."""

    def __init__(self, token: str, userId: str, base_url: str | None = None, **connect: Any) -> None:
        self.token, self.userId = token, userId
        self.last_response: BlizWorkCallResponse | None = None
        self.base_url = (base_url or BlizWork.base_url).rstrip("/")
        self.session: Session = BlizWork.connect(base_url=base_url, token=token, user=userId, **connect)
        self.unforce_environment()

    def __repr__(self) -> str:
        return f"BlizWorkAPIInstance(token=***, userId={self.userId!r})"

    def force_environment(self, environment: str) -> None:
        if not isinstance(environment, str):  # B13
            raise InvalidRequestError(f"the environment must be a string, not {environment!r}")
        self._force(environment)

    def unforce_environment(self) -> None:
        self._force(None)

    def _force(self, environment: str | None) -> None:
        self.set_force_environment, self.forced_environment = environment is not None, environment
        self.session.set_context(forced=environment)

    def get_environment(self) -> str:
        return (self.forced_environment or os.environ.get("NODE_ENV") or "development").lower()

    def get_uri(self, uri: str, omit_token: bool = False) -> str:
        if not (uri := uri.strip()):
            raise ValueError("Empty URI")
        uri = ("" if uri.startswith("/") else "/") + uri + ("" if uri.endswith("/") else "/")
        return f"{self.base_url}{uri}" + ("" if omit_token else f"{quote_segment(self.token)}/")  # B4

    get_utils_uri = _uri("utils/{}")
    get_call_validation_uri = _uri("utils/validatecall/{}")
    get_upload_file_uri = _uri("attachment/upload")
    get_process_uri = _uri("process/{}")
    get_process_caselist_uri = _uri("process/case-list")
    get_process_casedata_uri = _uri("process/case")
    get_case_uri = _uri("/{}")
    get_case_exec_uri = _uri("exec")
    get_masterdata_uri = _uri("master-data/{}")
    get_masterdata_query_uri = _uri("master-data")
    get_masterdata_upsert_uri = _uri("master-data/upsert")
    get_masterdata_delete_uri = _uri("master-data/delete")

    def get_base_payload(self) -> dict[str, Any]:
        return {"userId": self.userId, "environment": environment_of({"forced": self.forced_environment})}

    @forgets_locals  # uri holds the token
    def post(self, uri: str, payload: dict[str, Any]) -> BlizWorkCallResponse:
        """Any URL, as the official escape hatch, its answer read as the declared calls' are."""
        path = uri.removeprefix(self.base_url)  # request(): an undeclared path the caller names
        self.last_response = self.session.outcome(
            BlizWorkCallResponse, lambda: self.session.request("POST", path, json=payload, auth=False)
        )
        return self.last_response


class _Calls(Surface):
    """Official calls on one ``bw_api``: each row a declared action, its answer a result object."""

    bw_api: BlizWorkAPIInstance
    outcome = BlizWorkCallResponse
    scope: tuple[str, ...] = ()  # what the base payload adds
    module = "form"  # the upload's module
    converts = {
        "additional_info": lambda v: v.value if isinstance(v, CaseDataLevel) else v,  # B12
        "from_draft": lambda draft: "draft" if draft else "production",
    }

    def __init__(self, bw_api_instance: BlizWorkAPIInstance) -> None:
        self.bw_api, self.session = bw_api_instance, bw_api_instance.session

    def call(self, target: type[Any], action: str | None, kw: dict[str, Any]) -> BlizWorkCallResponse:
        self.bw_api.last_response = answer = super().call(target, action, kw)
        return answer  # type: ignore[no-any-return]

    def get_base_payload(self) -> dict[str, Any]:
        return self.bw_api.get_base_payload() | {k: getattr(self, k) for k in self.scope}


def _text(content: str | bytes) -> str:
    """B11: text is sent as it is, UTF-8 bytes decoded; no invented binary encoding."""
    try:
        return content.decode("utf-8") if isinstance(content, bytes) else content
    except UnicodeDecodeError:
        raise InvalidRequestError("upload_file sends text: bytes must be UTF-8") from None


class BlizWorkUtils(_Calls):
    """Extension helpers: handshake validation, the incoming call, uploads."""

    converts = {"file_content": _text}

    upload_file = Surface.method(
        Utils,
        "upload",
        "userId, file_name, file_content",
        fields="userId, module, filename=file_name, file=file_content",
    )

    def validate_call(self, post_payload: dict[str, Any], strict: bool = False) -> BlizWorkCallResponse:
        """Valid when BlizWork confirms the handshake token; a draft call is taken on trust
        unless ``strict`` (B5: a forged call could claim to be a draft)."""
        if not isinstance(post_payload, Mapping):
            raise InvalidRequestError(f"validate_call takes the call's JSON object, not {post_payload!r:.80}")
        if post_payload.get("environment", "draft") == "draft" and not strict:
            return BlizWorkCallResponse(200, 0, "OK", {})
        if not isinstance(token := post_payload.get("handshakeToken"), str) or not token:  # B5
            raise ValueError("Missing hsToken")
        return self.call(Utils, "validate_call", {"json": {}, "handshake": token})

    def accept_call(self, body: bytes | str | dict[str, Any], strict: bool = False) -> dict[str, Any]:
        """What an extension endpoint received (the raw body or its JSON), once BlizWork confirms its
        one-time handshake (:meth:`validate_call`); else a ``HandshakeError``."""
        call = CALL.parse(body)
        return CALL.answer(call, confirm=lambda _: self.validate_call(dict(call), strict).is_ok())  # type: ignore[no-any-return]

    def get_field_from_call(
        self, post_payload: dict[str, Any], field_name: str, default: Any = _MISSING
    ) -> Any:
        if (fields := post_payload.get("fields")) is None:
            raise ValueError("Missing fields in payload")
        return fields[field_name] if default is _MISSING else fields.get(field_name, default)


class BlizWorkProcess(_Calls):
    """One process: its case list and its cases."""

    scope = ("processId",)

    def __init__(self, bw_api_instance: BlizWorkAPIInstance, processId: str) -> None:
        super().__init__(bw_api_instance)
        self.processId = processId

    case_summary_list = Surface.method(Process, "case_list", "filter", fields="processId, filter")
    case = Surface.method(
        Case,
        "case",
        "case_number, from_draft=False, additional_info=0",
        fields="environment=from_draft, processId, caseNumber=case_number, include=additional_info",
    )

    def get_case(self, case_number: int, from_draft: bool = False, additional_info: Any = 0) -> BlizWorkCase:
        found = self.case(case_number, from_draft, additional_info)
        env = "draft" if from_draft else "production"
        found.raise_for(f"Case {self.processId} #{case_number} not found in {env}: {found.message}")
        return BlizWorkCase(found.payload, self, additional_info)

    def get_case_from_draft(self, case_number: int, additional_info: Any = 0) -> BlizWorkCase:
        return self.get_case(case_number, True, additional_info)

    def get_case_from_production(self, case_number: int, additional_info: Any = 0) -> BlizWorkCase:
        return self.get_case(case_number, False, additional_info)


class BlizWorkMasterDataTable(_Calls):
    """One master-data table: records by filter, upserts and deletes."""

    scope = ("table",)

    def __init__(self, bw_api_instance: BlizWorkAPIInstance, table_name: str) -> None:
        super().__init__(bw_api_instance)
        self.table = table_name

    get_records = Surface.method(MasterData, "query", "filter", fields="table, filter")
    upsert = Surface.method(MasterData, "upsert", "filter, update", fields="table, filter, update")
    delete = Surface.method(MasterData, "delete", "filter", fields="table, filter")

    def get_dictionary(self, filter: Any, key: str) -> dict[Any, Any]:
        (found := self.get_records(filter)).raise_for(found.message)
        records = found.payload
        if not isinstance(records, list) or not all(isinstance(r, dict) and key in r for r in records):
            wrong = DecodeError(
                f"get_dictionary needs a list of records each holding {key!r}: {records!r:.150}"
            )
            raise as_official(wrong, BlizWorkError)
        return {record[key]: record for record in records}


class BlizWorkCase(Surface):
    """A case document and its accessors; :meth:`typed` gives it as a :class:`Case` resource."""

    document = "case_document"
    companyId = Surface.item("companyId")
    environment = Surface.item("environment")
    process = Surface.item("processSlug")
    version = Surface.item("processVersion")
    number = Surface.item("caseNumber")
    history = Surface.item("history", optional=True)

    def __init__(
        self, case_state: dict[str, Any], parent_process: BlizWorkProcess | None = None, info_level: Any = 0
    ) -> None:
        if not case_state:
            raise ValueError("Case state cannot be {}")
        self.case_document, self.parent_process, self.info_level = case_state, parent_process, info_level

    def typed(self) -> Case:
        return BlizWork.converter.load(self.case_document, Case)

    def initiator(self) -> Any:
        history = self.history()
        return history[0]["updatedBy"] if history else self.case_document["createAudit"]["user"]

    def form(self, form_id: str) -> list[dict[str, Any]]:
        return [f for f in self._history() if f["currentActivity"]["formId"] == form_id]

    def current_form(self) -> dict[str, Any]:
        return self._history()[-1]  # type: ignore[no-any-return]

    def _history(self) -> Any:
        if (history := self.history()) is None:
            raise KeyError("Case has no history")
        return history

    def latest_form(self, form_id: str) -> dict[str, Any]:
        if not (found := self.form(form_id)):
            raise RuntimeError(f'Form "{form_id}" not found!')
        return found[-1]

    def get_form_execution_date(self, form: dict[str, Any] | None) -> str:
        return form["updatedOn"][0:10] if form else ""

    def get_field_value(self, field_name: str, default: Any = _MISSING) -> Any:
        fields = self.case_document["fields"]
        return fields[field_name] if default is _MISSING else fields.get(field_name, default)

    def get_download_url(self, field_name: str) -> Any:
        found = (v["fileUrl"] for v in self.case_document["fieldValues"] if v["slug"] == field_name)
        return next(found, None)

    def exec(
        self,
        action: str,
        data: dict[str, Any],
        skipExtensions: bool = False,
        companyId: str | None = None,
        bw_api: Any = None,
    ) -> BlizWorkCase:
        """Run ``action`` on the pending form and return the case refetched (B10: always)."""
        company = companyId or (self.case_document.get("processDefinition") or {}).get("companyId")
        company = company or self.case_document.get("companyId")  # B10: the case's own too
        api = bw_api or (self.parent_process.bw_api if self.parent_process else None)
        if company is None or api is None:
            raise ValueError("Missing companyId" if company is None else "Missing BlizWork API instance")
        body = {
            "environment": self.environment(),
            "companyId": company,
            "workflowId": self.process(),
            "caseNumber": self.number(),
            "formId": self.current_form()["nextActivity"]["formId"],
            "nextFormId": action,
            "formData": data,
            "skipExtensions": skipExtensions,
        }
        done = _Calls(api).call(Case, "exec", {"json": body})
        where = f"{self.process()} #{self.number()} in {body['environment']}"
        done.raise_for(f"Error executing {where}: {done.message}")
        process = self.parent_process if self.parent_process and not bw_api else None
        process = process or BlizWorkProcess(api, self.process())
        return process.get_case(self.number(), self.environment() == "draft", self.info_level)
