"""``CxReportClientV1``: the official client's surface as a table of the calls declared in
``service.py``; each row names the official parameters, one dispatcher makes the call."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from clientkit import Session
from clientkit.errors import (
    ClientKitError,
    ConnectError,
    DecodeError,
    InvalidRequestError,
    UnexpectedContentType,
    as_official,
)
from clientkit.files import Downloaded
from clientkit.model import Param, QueryTable, Surface, json_base64url, quote_segment

from .exceptions import ConnectionFailed, CxReportsError, InvalidContentType
from .service import EXPORT, JOB_RUN, PDF, CxReports, Job, Report, ReportType, Template, Theme, Workspace

# The official query encoder (B5: ids given as numbers are sent; anything else is refused, never dropped).
QUERY = QueryTable({
    "tempDataId": Param(int, converts=(str,)),
    "params": Param(dict, encode=json_base64url),
    "nonce": str, "data": str, "timezone": str, "lang": str, "type": str, "includeAttachments": bool,
    "theme": Param(str, converts=(int,)), "template": Param(str, converts=(int,)),
})  # fmt: skip


def _with_format(body: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of ``body`` (B8), ``"format": "pdf"`` appended when absent, as the official client does."""
    return {**(body or {}), "format": (body or {}).get("format", "pdf")}


def _pdf_only(body: Mapping[str, Any] | None) -> dict[str, Any]:
    if (body := _with_format(body))["format"] != "pdf":  # B6: refused before the server works
        raise InvalidRequestError("post_pdf renders PDFs; use start_report_export for other formats")
    return body


@contextmanager
def _officially() -> Iterator[None]:
    """Every clientkit error also a ``RuntimeError`` with the official text (§5, §10)."""
    try:
        yield
    except UnexpectedContentType as exc:
        if PDF not in str(exc):
            raise as_official(exc, CxReportsError, f"An error occurred: {exc}") from exc
        raise InvalidContentType(
            "Invalid content type, expected PDF", status=exc.status, content_type=exc.content_type
        ) from exc
    except ConnectError as exc:
        raise ConnectionFailed(f"Connection error occurred: {exc}") from exc
    except ClientKitError as exc:
        if isinstance(exc, CxReportsError):
            raise
        raise as_official(exc, CxReportsError, f"An error occurred: {exc}") from exc


method, IN_WS = Surface.method, "workspace_id=None"
BODY, RUN = f"request_body=None, {IN_WS}", f"job_id, run_id, {IN_WS}"


class CxReportClientV1(Surface):
    """The CxReports API as the official ``CxReportClientV1`` offers it (``CxReportClientV1(url,
    1, token).get_pdf(160)``); ``session`` is the clientkit session underneath, for typed
    resources, streams, downloads and jobs."""

    def __init__(self, base_url: str, default_workspace_id: Any, token: str, **connect: Any) -> None:
        self.url = base_url.strip().strip("/")
        self.workspace_id = default_workspace_id
        self.token = token
        self.session: Session = CxReports.connect(f"{self.url}/api/v1", token=token, **connect)

    roles = {"report_id": "id", "temp_file_id": "id", "job_id": "id", "workspace_id": "workspace",
             "request_body": "json", "data": "json", "type": "params"}  # fmt: skip
    defaults = {"workspace_id": "workspace_id"}  # B9: none there either is refused before sending

    get_workspaces = method(Workspace, None, "")
    get_report_types = method(ReportType, None, IN_WS)
    get_themes = method(Theme, None, IN_WS)
    get_templates = method(Template, None, IN_WS)
    get_reports = method(Report, None, f"type=None, {IN_WS}", query=QUERY)
    get_report_pages = method(Report, "pages", f"report_id, {IN_WS}")
    post_pdf = method(Report, "post_pdf", f"report_id, {BODY}", body=_pdf_only)
    start_report_export = method(Report, "export", f"report_id, {BODY}", body=_with_format)
    get_export_status = method(Report, "export_status", f"temp_file_id, {IN_WS}")
    get_export_content = method(Report, "export_content", f"temp_file_id, {IN_WS}")
    push_temporary_data = method(Report, "temporary_data", f"data, {IN_WS}", body=lambda d: {"content": d})
    create_auth_token = method(Workspace, "nonce", "")
    get_jobs = method(Job, None, IN_WS)
    start_job_run = method(Job, "run", f"job_id, {BODY}", body=lambda b: dict(b or {}))
    get_job_run_status = method(Job, "run_status", RUN)
    get_run_review_document = method(Job, "review", RUN)
    deliver_job_run_entries = method(Job, "deliver", RUN, answer=lambda _: None)

    def call(self, target: type[Any], action: str | None, kw: dict[str, Any]) -> Any:
        with _officially():
            if action is None:
                return [CxReports.converter.dump(o) for o in self.session.list(target, **kw)]
            return self.session.action(target, action, **kw)

    def get_pdf(
        self, report_id: Any = None, params: Mapping[str, Any] | None = None, workspace_id: Any = None,
        theme: Any = None, template: Any = None, *, reportId: Any = None,
    ) -> bytes:  # fmt: skip
        if reportId is not None:
            warnings.warn(
                "'reportId' is deprecated; use 'report_id' instead.", DeprecationWarning, stacklevel=2
            )
            report_id = reportId if report_id is None else report_id
        if report_id is None:
            raise TypeError("get_pdf() missing required argument: 'report_id'")
        chosen = {k: v for k, v in {"theme": theme, "template": template}.items() if v is not None}
        kw = {"id": report_id, "workspace": self.default("workspace_id", workspace_id)}
        return self.call(Report, "pdf", {**kw, "params": QUERY.encode({**(params or {}), **chosen})})  # type: ignore[no-any-return]

    def get_preview_url(
        self, report_id: Any, query_params: Mapping[str, Any] | None = None, workspace_id: Any = None
    ) -> str:
        ws = quote_segment(self.default("workspace_id", workspace_id))  # B10: ids as one segment each
        nonce = self.create_auth_token().get("nonce")
        if not isinstance(nonce, str) or not nonce:  # B18
            raise InvalidContentType(f"the nonce-tokens answer holds no nonce: {nonce!r}")
        query = urlencode(QUERY.encode({**(query_params or {}), "nonce": nonce}))
        return f"{self.url}/ws/{ws}/reports/{quote_segment(report_id)}/preview?{query}"

    # -- beyond the official client -------------------------------------------------------------

    def export_to_file(
        self, report_id: Any, to: str | Path, request_body: Mapping[str, Any] | None = None,
        workspace_id: Any = None, deadline: float | None = 600,
    ) -> Downloaded:  # fmt: skip
        """Start an export, poll it until ready (for at most ``deadline`` seconds) and stream
        the document to ``to`` in constant memory (within ``deadline`` again)."""
        ws, body = self.default("workspace_id", workspace_id), {"format": "pdf", **(request_body or {})}
        with _officially():
            done = self.session.run_job(EXPORT, report_id=report_id, workspace=ws, json=body,
                                        deadline=deadline)  # fmt: skip
            return self.session.download(
                Report, "export_content", to=to, id=done.id, workspace=ws, deadline=deadline
            )

    def run_job_to_file(
        self, job_id: Any, to: str | Path, request_body: Mapping[str, Any] | None = None,
        workspace_id: Any = None, deadline: float | None = 600,
    ) -> Downloaded:  # fmt: skip
        """Run a job until it finishes, generate its review document and stream it to ``to``."""
        ws, body = self.default("workspace_id", workspace_id), dict(request_body or {})
        with _officially():
            run = self.session.run_job(JOB_RUN, job_id=job_id, workspace=ws, json=body, deadline=deadline)
            review = self.get_run_review_document(job_id, run.id, ws)
            file_id = review.get("temporaryFileId") if isinstance(review, dict) else None
            if not isinstance(file_id, str | int):
                raise DecodeError(f"the review document answer holds no temporaryFileId: {review!r:.200}")
            done = self.session.wait_job(EXPORT, file_id, workspace=ws, deadline=deadline)
            return self.session.download(
                Report, "export_content", to=to, id=done.id, workspace=ws, deadline=deadline
            )
