"""The CxReports API, declared: the service, its resources and its two jobs."""

from __future__ import annotations

from typing import Any

from clientkit import Action, QueryStyle, Resource, RetryPolicy, Service, Timeout, field
from clientkit import jobs as polling
from clientkit.auth import TokenAuth
from clientkit.errors import ErrorShape

from .exceptions import CxReportsError

WS = "/ws/{workspace}"
PDF = "application/pdf"
IN_WS = ("workspace",)  # a context value that also places records in the sandbox


class CxReports(Service):
    """CxReports: ``{host}/api/v1``, a Bearer token, everything else inside a workspace."""

    base_url = "https://app.cx-reports.com/api/v1"
    auth = TokenAuth()
    context = {"workspace": None}
    # an HTML answer is a login page: the official client's "Unauthenticated."
    errors = ErrorShape(message="error", mixin=CxReportsError, content_types={"text/html": 401}, text={
        401: "Unauthenticated.", 403: "Unauthenticated.",
        "*": "HTTP error occurred: {status} {kind} Error: {phrase} for url: {url}"})  # fmt: skip
    query = QueryStyle(booleans=("True", "False"))  # the official client's Python spelling
    retry = RetryPolicy(retries=2, backoff=0.5)  # GETs only: no POST here is idempotent
    timeout = Timeout(connect=10, read=120)


@CxReports.resource(many="/workspaces", actions={"nonce": Action("POST", "/nonce-tokens")})
class Workspace(Resource):
    id: int | None = None
    name: str | None = None
    code: str | None = None
    description: str | None = None


@CxReports.resource(many=f"{WS}/report-types", parents=IN_WS)
class ReportType(Resource):
    id: int | None = None
    name: str | None = None
    code: str | None = None
    description: str | None = None
    default_report_id: int | None = field(wire="defaultReportId")
    default_report_name: str | None = field(wire="defaultReportName")


@CxReports.resource(many=f"{WS}/themes", parents=IN_WS)
class Theme(Resource):
    id: int | None = None
    code: str | None = None
    name: str | None = None


@CxReports.resource(many=f"{WS}/templates", parents=IN_WS)
class Template(Resource):
    id: int | None = None
    code: str | None = None
    name: str | None = None


@CxReports.resource(
    many=f"{WS}/reports",
    parents=IN_WS,
    actions={
        "pages": Action("GET", f"{WS}/reports/{{id}}/pages"),
        "pdf": Action("GET", f"{WS}/reports/{{id}}/pdf", answer="bytes", accept=PDF),
        "post_pdf": Action("POST", f"{WS}/reports/{{id}}/pdf", answer="bytes", accept=PDF),
        "export": Action("POST", f"{WS}/reports/{{id}}/export"),
        "export_status": Action("GET", f"{WS}/exports/{{id}}/status"),
        "export_content": Action("GET", f"{WS}/exports/{{id}}/content", answer="bytes"),
        "temporary_data": Action("POST", f"{WS}/temporary-data"),
    },
)
class Report(Resource):
    """A report; ``id`` is its number or its report type's code (``invoice``)."""

    id: int | str | None = None
    name: str | None = None
    report_type_id: int | None = field(wire="reportTypeId")
    report_type_name: str | None = field(wire="reportTypeName")
    report_template_name: str | None = field(wire="reportTemplateName")
    preview_image: Any = field(wire="previewImage")
    theme_name: str | None = field(wire="themeName")
    is_default: bool | None = field(wire="isDefault")


RUN = f"{WS}/jobs/{{id}}/runs/{{run_id}}"


@CxReports.resource(
    many=f"{WS}/jobs",
    actions={
        "run": Action("POST", f"{WS}/jobs/{{id}}/runs"),
        "run_status": Action("GET", f"{RUN}/status"),
        "review": Action("POST", f"{RUN}/generate-review-document"),
        "deliver": Action("POST", f"{RUN}/deliver"),
    },
    parents=("workspace", "run_id"),
)
class Job(Resource):
    id: int | None = None
    name: str | None = None
    code: str | None = None
    description: str | None = None
    review_required: bool | None = field(wire="reviewRequired")
    is_active: bool | None = field(wire="isActive")
    last_run_time: str | None = field(wire="lastRunTime")


EXPORT = polling.Job(
    start=f"{WS}/reports/{{report_id}}/export", status=f"{WS}/exports/{{id}}/status", id_at="temporaryFileId",
    state="status", done=("Completed",), failed=("Failed",), message="errorMessage", name="export",
    interval=1.0, backoff=1.5, max_interval=10,
)  # fmt: skip
JOB_RUN = polling.Job(
    start=f"{WS}/jobs/{{job_id}}/runs", status=f"{WS}/jobs/{{job_id}}/runs/{{id}}/status", id_at="jobRunId",
    done=polling.Flag("finished"), name="job run", interval=1.0, backoff=1.5, max_interval=10,
)  # fmt: skip
