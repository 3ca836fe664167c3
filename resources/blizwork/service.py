"""The BlizWork API, declared: RPC-style POSTs whose paths end in the API token and whose bodies
start with the user and the environment; answers carry ``resultCode`` / ``resultMessage``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import Enum
from typing import Any

from clientkit import Action, Resource, RetryPolicy, Service, Timeout, field
from clientkit.auth import PathToken
from clientkit.errors import AnswerCheck, APIError, ErrorShape, Outcome

API = "https://api.blizwork.com"


class BlizWorkError(RuntimeError):
    """Every BlizWork API error, as the official client raises it: a ``RuntimeError``."""


class BlizWorkCallError(APIError, BlizWorkError):
    """A failed call of ``get_case``, ``exec`` or ``get_dictionary``: ``status``, ``code`` and
    ``body`` are the answer's, ``reason`` its ``resultMessage`` (B8)."""


def environment_of(context: Mapping[str, Any]) -> str:
    """``production`` or ``draft``: the forced environment, else ``NODE_ENV`` read now (B13:
    compared case-insensitively; unset still means draft, as on the official wire)."""
    chosen = context.get("forced") or os.environ.get("NODE_ENV") or "development"
    return "production" if chosen.lower() == "production" else "draft"


class CaseDataLevel(Enum):
    """How much a case answer includes (``include``); members or their values are accepted (B12)."""

    CASE_ONLY, PLUS_USER_INFO, PLUS_CASE_HISTORY, PLUS_PROCESS_DEFINITION, PLUS_COMPANY_INFO = range(5)


class BlizWork(Service):
    """BlizWork: the token is the last path segment, the user and environment lead every body."""

    base_url = API
    environments = {"production": API, "local": "http://localhost:3005"}
    auth = PathToken(in_paths=True)
    context = {"user": None, "forced": None}
    context_body = {"userId": "{user}", "environment": environment_of}
    context_body_first = True
    answer_check = AnswerCheck(
        code=("resultCode", "status"), ok=(0, 0.0, False), message=("resultMessage", "message"), required=True
    )  # 0, 0.0 and false succeed (compared with ==); an answer without a code is malformed
    errors = ErrorShape(message=answer_check.message, code=answer_check.code, mixin=BlizWorkError)
    retry = RetryPolicy(retries=2, backoff=0.5)  # connection failures only: every call is a POST
    timeout = Timeout(connect=10, read=60)  # B6


class BlizWorkCallResponse(Outcome, check=BlizWork.answer_check, payload="payload", error=BlizWorkCallError):
    """One answer: HTTP status, ``resultCode``, ``resultMessage`` and ``payload`` (B7: ok for any 2xx)."""

    http_status: int
    blizwork_status: Any
    message: str
    payload: Any


@BlizWork.resource(
    context_body=False,  # V has an empty body, U names its own user and no environment
    actions={
        "validate_call": Action("POST", "/utils/validatecall/{handshake}/{token}/"),
        "upload": Action("POST", "/attachment/upload/{token}/"),
    },
    parents=("handshake",),
    singleton=True,
)
class Utils(Resource):
    """The utility calls: handshake validation and uploads."""


@BlizWork.resource(
    context_body={"environment": None},  # C and X say which environment the case lives in
    actions={"case": Action("POST", "/process/case/{token}/"), "exec": Action("POST", "/exec/{token}/")},
    identity="caseNumber",
)
class Case(Resource):
    """A process case, as ``/process/case/`` answers it."""

    companyId: str | None = None
    environment: str | None = None
    processSlug: str | None = None
    processVersion: int | None = None
    caseNumber: int | None = None
    fields: dict[str, Any] = field(factory=dict)
    fieldValues: list[dict[str, Any]] | None = None
    history: list[dict[str, Any]] | None = None
    createAudit: dict[str, Any] | None = None
    processDefinition: dict[str, Any] | None = None


@BlizWork.resource(actions={"case_list": Action("POST", "/process/case-list/{token}/")}, singleton=True)
class Process(Resource):
    """A process's case list."""


@BlizWork.resource(
    actions={
        "query": Action("POST", "/master-data/{token}/"),
        "upsert": Action("POST", "/master-data/upsert/{token}/"),
        "delete": Action("POST", "/master-data/delete/{token}/"),
    },
    singleton=True,
)
class MasterData(Resource):
    """Master-data tables: query, upsert and delete by filter."""
