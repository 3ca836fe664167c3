"""``CxReportClientV1``: the official client's surface, on a clientkit session.

Every call is a declared list, action or job of ``service.py``; what is CxReports' own is
the query encoding of ``get_pdf`` and ``get_preview_url`` (``QUERY``) and the preview URL.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from clientkit import Resource, Session
from clientkit.errors import InvalidRequestError, UnexpectedContentType
from clientkit.files import Downloaded
from clientkit.model import quote_segment
from resources.cxreports.exceptions import InvalidContentType
from resources.cxreports.service import (
    EXPORT,
    JOB_RUN,
    PDF,
    CxReports,
    Job,
    Report,
    ReportType,
    Template,
    Theme,
    Workspace,
)

# The official query: these keys only, in this order, each of its type (B5: ids given as
# numbers are sent, anything else is refused rather than silently dropped).
QUERY: dict[str, type | tuple[type, ...]] = {
    "tempDataId": int, "params": dict, "nonce": str, "data": str, "timezone": str,
    "lang": str, "type": str, "includeAttachments": bool, "theme": str, "template": str,
}  # fmt: skip
_AS_TEXT = {"theme", "template"}


def query(values: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """The official client's query for ``values``; ``params`` as padded base64url JSON."""
    given = {k: v for k, v in (values or {}).items() if v is not None}
    unknown = sorted(set(given) - set(QUERY))
    if unknown:
        raise InvalidRequestError(f"CxReports takes no query parameter {unknown[0]!r} (use post_pdf)")
    pairs = []
    for key, kind in QUERY.items():
        value = given.get(key)
        if key in _AS_TEXT and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if key == "tempDataId" and isinstance(value, str) and value.isdigit():
            value = int(value)
        if value is None:
            continue
        if not isinstance(value, kind):
            raise InvalidRequestError(f"query parameter {key!r} must be {getattr(kind, '__name__', kind)}")
        if key == "params":
            value = base64.urlsafe_b64encode(json.dumps(value).encode()).decode()
        pairs.append((key, value))
    return pairs


class CxReportClientV1:
    """The CxReports API as the official ``CxReportClientV1`` offers it; ``session`` is the
    clientkit session underneath, for typed resources, streams, downloads and jobs.

    Example:
        >>> client = CxReportClientV1("https://tenant.cx-reports.app", 1, "<token>")
        >>> pdf = client.get_pdf(report_id=160)
    """

    def __init__(self, base_url: str, default_workspace_id: Any, token: str, **connect: Any) -> None:
        self.url = base_url.strip().strip("/")
        self.workspace_id = default_workspace_id
        self.token = token
        self.session: Session = CxReports.connect(f"{self.url}/api/v1", token=token, **connect)

    def _ws(self, workspace_id: Any) -> Any:
        ws = self.workspace_id if workspace_id is None else workspace_id
        if ws is None:  # B9: the official client requests /ws/None/...
            raise InvalidRequestError("no workspace: give default_workspace_id or workspace_id=")
        return ws

    def _list(self, cls: type[Resource], workspace_id: Any = None, **params: Any) -> list[dict[str, Any]]:
        found = self.session.list(cls, params=params, workspace=self._ws(workspace_id))
        return [CxReports.converter.dump(obj) for obj in found]

    def _act(self, target: Any, name: str, workspace_id: Any, **kwargs: Any) -> Any:
        try:
            return self.session.action(target, name, workspace=self._ws(workspace_id), **kwargs)
        except UnexpectedContentType as exc:
            if PDF not in str(exc):
                raise
            raise InvalidContentType(
                "Invalid content type, expected PDF", status=exc.status, content_type=exc.content_type
            ) from exc

    def get_workspaces(self) -> list[dict[str, Any]]:
        return [CxReports.converter.dump(w) for w in self.session.list(Workspace)]

    def get_report_types(self, workspace_id: Any = None) -> list[dict[str, Any]]:
        return self._list(ReportType, workspace_id)

    def get_themes(self, workspace_id: Any = None) -> list[dict[str, Any]]:
        return self._list(Theme, workspace_id)

    def get_templates(self, workspace_id: Any = None) -> list[dict[str, Any]]:
        return self._list(Template, workspace_id)

    def get_reports(self, type: str | None = None, workspace_id: Any = None) -> list[dict[str, Any]]:
        return self._list(Report, workspace_id, **dict(query({"type": type})))

    def get_report_pages(self, report_id: Any, workspace_id: Any = None) -> Any:
        return self._act(Report, "pages", workspace_id, id=report_id)

    def get_pdf(
        self,
        report_id: Any = None,
        params: Mapping[str, Any] | None = None,
        workspace_id: Any = None,
        theme: Any = None,
        template: Any = None,
        *,
        reportId: Any = None,
    ) -> bytes:
        if reportId is not None:
            warnings.warn(
                "'reportId' is deprecated; use 'report_id' instead.", DeprecationWarning, stacklevel=2
            )
            report_id = reportId if report_id is None else report_id
        if report_id is None:
            raise TypeError("get_pdf() missing required argument: 'report_id'")
        chosen = {"theme": theme, "template": template}
        wanted = {**(params or {}), **{k: v for k, v in chosen.items() if v is not None}}
        return self._act(Report, "pdf", workspace_id, id=report_id, params=query(wanted))  # type: ignore[no-any-return]

    def post_pdf(
        self, report_id: Any, request_body: Mapping[str, Any] | None = None, workspace_id: Any = None
    ) -> bytes:
        body = {**(request_body or {})}
        if body.setdefault("format", "pdf") != "pdf":  # B6: a PDF route answers PDFs only
            raise InvalidRequestError("post_pdf renders PDFs; use start_report_export for other formats")
        return self._act(Report, "post_pdf", workspace_id, id=report_id, json=body)  # type: ignore[no-any-return]

    def start_report_export(
        self, report_id: Any, request_body: Mapping[str, Any] | None = None, workspace_id: Any = None
    ) -> Any:
        body = {**(request_body or {})}
        body.setdefault("format", "pdf")  # B8: on a copy, never the caller's dict
        return self._act(Report, "export", workspace_id, id=report_id, json=body)

    def get_export_status(self, temp_file_id: Any, workspace_id: Any = None) -> Any:
        return self._act(Report, "export_status", workspace_id, id=temp_file_id)

    def get_export_content(self, temp_file_id: Any, workspace_id: Any = None) -> bytes:
        return self._act(Report, "export_content", workspace_id, id=temp_file_id)  # type: ignore[no-any-return]

    def push_temporary_data(self, data: Any, workspace_id: Any = None) -> Any:
        return self._act(Report, "temporary_data", workspace_id, json={"content": data})

    def create_auth_token(self) -> Any:
        return self.session.action(Workspace, "nonce")

    def get_preview_url(
        self, report_id: Any, query_params: Mapping[str, Any] | None = None, workspace_id: Any = None
    ) -> str:
        ws, report = quote_segment(self._ws(workspace_id)), quote_segment(report_id)  # B10
        path = f"{self.url}/ws/{ws}/reports/{report}/preview"
        nonce = self.create_auth_token().get("nonce")
        if not isinstance(nonce, str) or not nonce:  # B18
            raise InvalidContentType(f"the nonce-tokens answer holds no nonce: {nonce!r}")
        return f"{path}?{urlencode(query({**(query_params or {}), 'nonce': nonce}))}"

    def get_jobs(self, workspace_id: Any = None) -> list[dict[str, Any]]:
        return self._list(Job, workspace_id)

    def start_job_run(
        self, job_id: Any, request_body: Mapping[str, Any] | None = None, workspace_id: Any = None
    ) -> Any:
        return self._act(Job, "run", workspace_id, id=job_id, json=dict(request_body or {}))

    def get_job_run_status(self, job_id: Any, run_id: Any, workspace_id: Any = None) -> Any:
        return self._act(Job, "run_status", workspace_id, id=job_id, run_id=run_id)

    def get_run_review_document(self, job_id: Any, run_id: Any, workspace_id: Any = None) -> Any:
        return self._act(Job, "review", workspace_id, id=job_id, run_id=run_id)

    def deliver_job_run_entries(self, job_id: Any, run_id: Any, workspace_id: Any = None) -> None:
        self._act(Job, "deliver", workspace_id, id=job_id, run_id=run_id)

    # -- beyond the official client -------------------------------------------------------------

    def export_to_file(
        self,
        report_id: Any,
        to: str | Path,
        request_body: Mapping[str, Any] | None = None,
        workspace_id: Any = None,
        deadline: float | None = 600,
    ) -> Downloaded:
        """Start an export, poll it until ready (for at most ``deadline`` seconds) and stream
        the document to ``to`` in constant memory (within ``deadline`` again)."""
        ws = self._ws(workspace_id)
        body = {"format": "pdf", **(request_body or {})}
        done = self.session.run_job(EXPORT, report_id=report_id, workspace=ws, json=body, deadline=deadline)
        return self.session.download(
            Report, "export_content", to=to, id=done.id, workspace=ws, deadline=deadline
        )

    def run_job_to_file(
        self,
        job_id: Any,
        to: str | Path,
        request_body: Mapping[str, Any] | None = None,
        workspace_id: Any = None,
        deadline: float | None = 600,
    ) -> Downloaded:
        """Run a job until it finishes, generate its review document and stream it to ``to``."""
        ws = self._ws(workspace_id)
        run = self.session.run_job(
            JOB_RUN, job_id=job_id, workspace=ws, json=dict(request_body or {}), deadline=deadline
        )
        review = self._act(Job, "review", ws, id=job_id, run_id=run.id)
        done = self.session.wait_job(EXPORT, review["temporaryFileId"], workspace=ws, deadline=deadline)
        return self.session.download(
            Report, "export_content", to=to, id=done.id, workspace=ws, deadline=deadline
        )
