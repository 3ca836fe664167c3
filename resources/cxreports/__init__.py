"""CxReports, declared with clientkit.

``CxReportClientV1`` offers the official client's surface (B1: under this importable name,
never a top-level ``v1``); ``CxReports`` is the service declaration for the clientkit session
(``CxReports.connect(...)``) and the sandbox.

Example:
    >>> from resources.cxreports import CxReportClientV1
    >>> client = CxReportClientV1("https://tenant.cx-reports.app", 1, "<token>")
"""

from resources.cxreports.client import CxReportClientV1
from resources.cxreports.exceptions import CxReportsError, InvalidContentType
from resources.cxreports.service import (
    EXPORT,
    JOB_RUN,
    CxReports,
    Job,
    Report,
    ReportType,
    Template,
    Theme,
    Workspace,
)

SERVICE = CxReports


def SANDBOX(**options: object) -> object:
    """The CxReports sandbox with its demo data (see ``resources.cxreports.sandbox``)."""
    from resources.cxreports.sandbox import CxReportsSandbox

    return CxReportsSandbox(**options)


__version__ = "0.0.5"
__all__ = [
    "EXPORT",
    "JOB_RUN",
    "SANDBOX",
    "SERVICE",
    "CxReportClientV1",
    "CxReports",
    "CxReportsError",
    "InvalidContentType",
    "Job",
    "Report",
    "ReportType",
    "Template",
    "Theme",
    "Workspace",
]
