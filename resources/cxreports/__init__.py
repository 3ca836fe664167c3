"""CxReports, declared with clientkit: ``CxReportClientV1`` offers the official client's surface
(B1: under this importable name, never a top-level ``v1``); ``CxReports`` is the service
declaration for the clientkit session (``CxReports.connect(...)``) and the sandbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .client import CxReportClientV1
from .exceptions import ConnectionFailed, CxReportsError, InvalidContentType
from .service import EXPORT, JOB_RUN, CxReports, Job, Report, ReportType, Template, Theme, Workspace

SERVICE = CxReports

if TYPE_CHECKING:
    from .sandbox import CxReportsSandbox


def SANDBOX(**options: Any) -> CxReportsSandbox:
    """The CxReports sandbox with its demo data (see ``clientkit_services.cxreports.sandbox``)."""
    from .sandbox import CxReportsSandbox

    return CxReportsSandbox(**options)


__version__ = "0.0.5"
__all__ = ["EXPORT", "JOB_RUN", "SANDBOX", "SERVICE", "ConnectionFailed", "CxReportClientV1", "CxReports",
           "CxReportsError", "InvalidContentType", "Job", "Report", "ReportType", "Template", "Theme",
           "Workspace"]  # fmt: skip
