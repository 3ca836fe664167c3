"""clientkit_services.cxreports against its sandbox: the official documentation's examples, the
corrected bugs of the contract (B5, B6, B8, B9, B10, B11, B12, B18), typed resources and
what clientkit adds (streamed exports and job runs under a deadline)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clientkit.errors import AuthenticationError, InvalidRequestError, NotFoundError, ServerError
from clientkit.sandbox import Reply, SandboxRequest
from clientkit_services import cxreports
from clientkit_services.cxreports import CxReportClientV1, CxReports, CxReportsError, Report, Theme
from clientkit_services.cxreports.sandbox import CxReportsSandbox

SEED = Path(__file__).parent / "official" / "cxreports.md"  # the official README's examples


@pytest.fixture
def box() -> Iterator[CxReportsSandbox]:
    sandbox = CxReportsSandbox()
    with sandbox:
        yield sandbox


@pytest.fixture
def client(box: CxReportsSandbox) -> CxReportClientV1:
    return CxReportClientV1(box.url, 1, "sandbox-token", retries=0)


def test_the_official_documentation_runs_unchanged_but_the_import(
    box: CxReportsSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = SEED.read_text("utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "cxreports_api_client", cxreports)
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda s: real_sleep(min(s, 0.1)))
    namespace: dict[str, Any] = {"temp_data_id": 15}
    for block in blocks:
        code = block.replace("https://your-tenant.cx-reports.app", box.url)
        code = code.replace("<your-personal-access-token>", "sandbox-token").replace("[...]", "[]")
        if "except RuntimeError" in code:
            code = code.replace("print(e)", "assert 'HTTP error occurred: 404 Client Error' in str(e)")
        exec(compile(code, "README", "exec"), namespace)
    assert Path("report.pdf").read_bytes().startswith(b"%PDF-")


def test_errors_are_runtime_errors_with_the_official_text_and_typed(client: CxReportClientV1) -> None:
    with pytest.raises(RuntimeError) as info:
        client.get_pdf(999999)
    assert isinstance(info.value, NotFoundError) and isinstance(info.value, CxReportsError)
    assert str(info.value).startswith("HTTP error occurred: 404 Client Error: ")
    assert str(info.value).endswith("for url: " + client.url + "/api/v1/ws/1/reports/999999/pdf")
    assert info.value.reason == "Report not found."  # B12: the server's message is kept
    bad = CxReportClientV1(client.url, 1, "wrong-token", retries=0)
    with pytest.raises(AuthenticationError, match=r"^Unauthenticated\.$"):
        bad.get_themes()


class LoginPages(CxReportsSandbox):
    """A server that answers a login page where a PDF, and a proxy's page where themes, were asked for."""

    def _pdf(self, req: SandboxRequest) -> Reply:
        return Reply(200, "<html>Sign in</html>", content_type="text/html", raw=True)

    def _nonce(self, req: SandboxRequest) -> Any:
        return {"token": "x"}


def test_an_html_page_on_a_200_is_unauthenticated() -> None:
    box = LoginPages()
    box.__enter__()
    client = CxReportClientV1(box.url, 1, "sandbox-token", retries=0)
    with pytest.raises(AuthenticationError, match=r"^Unauthenticated\.$") as info:
        client.get_pdf(160)
    assert isinstance(info.value, RuntimeError)

    @box.route("/ws/{workspace}/themes")
    def proxy(req: SandboxRequest) -> Reply:  # B11: a proxy's error page is what it is
        return Reply(502, "<html>Bad gateway</html>", content_type="text/html", raw=True)

    with pytest.raises(ServerError, match="HTTP error occurred: 502 Server Error"):
        client.get_themes()
    with pytest.raises(RuntimeError, match="no nonce"):  # B18: a clear error, not a KeyError
        client.get_preview_url(160)
    box.__exit__(None, None, None)


def test_a_missing_workspace_is_refused_before_sending(box: CxReportsSandbox) -> None:  # B9
    client = CxReportClientV1(box.url, None, "sandbox-token")
    with pytest.raises(InvalidRequestError, match="no workspace"):
        client.get_themes()
    assert client.get_themes(workspace_id=26)[0]["code"] == "dark"
    assert [e.path for e in box.journal.entries()] == ["/api/v1/ws/26/themes"]


def test_query_values_are_sent_or_refused_never_dropped(
    box: CxReportsSandbox, client: CxReportClientV1
) -> None:
    client.get_pdf(160, {"tempDataId": "12"}, theme=3, template=5)  # B5: ids as numbers
    assert box.journal.entries()[-1].query == "tempDataId=12&theme=3&template=5"
    for wrong in ({"excludePages": [1]}, {"data": {"a": 1}}, {"includeAttachments": "true"}):
        with pytest.raises(InvalidRequestError):
            client.get_pdf(160, wrong)
    with pytest.raises(InvalidRequestError):
        client.get_reports(type=3)  # type: ignore[arg-type]


def test_callers_dicts_are_never_changed(client: CxReportClientV1) -> None:  # B8
    params, body, preview = {"timezone": "UTC"}, {"data": {}}, {"tempDataId": 1}
    client.get_pdf(160, params, theme="dark")
    client.post_pdf(160, body)
    client.start_report_export(160, body)
    client.get_preview_url(160, preview)
    assert params == {"timezone": "UTC"} and body == {"data": {}} and preview == {"tempDataId": 1}


def test_ids_are_one_path_segment_and_other_formats_are_refused(
    box: CxReportsSandbox, client: CxReportClientV1
) -> None:
    with pytest.raises(NotFoundError) as info:
        client.get_report_pages("my report/x")  # B10: one segment, so the pages route answers
    assert info.value.reason == "Report not found."
    with pytest.raises(InvalidRequestError, match="start_report_export"):
        client.post_pdf(160, {"format": "xlsx"})  # B6: refused before the server works


def test_resources_are_typed_through_the_session(client: CxReportClientV1) -> None:
    session = client.session
    themes = session.list(Theme, workspace=26)
    assert [t.code for t in themes] == ["dark", "default"]
    (report,) = session.list(Report, workspace=1, params={"type": "invoice"})
    assert report.is_default and report.theme_name == "Dark"
    assert session.action(report, "pdf", workspace=1).startswith(b"%PDF-")


def test_an_export_is_polled_and_streamed_to_a_file(
    box: CxReportsSandbox, client: CxReportClientV1, tmp_path: Path
) -> None:
    got = client.export_to_file(160, tmp_path / "report.pdf", {"timezone": "UTC"}, deadline=30)
    assert got.size == (tmp_path / "report.pdf").stat().st_size and got.content_type == "application/pdf"
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    sent = box.journal.entries("POST")[0]
    assert sent.json == {"format": "pdf", "timezone": "UTC"}
    run = client.run_job_to_file(42, tmp_path / "review.pdf", deadline=30)
    assert run.size > 0 and (tmp_path / "review.pdf").read_bytes().startswith(b"%PDF-")


def test_reads_are_retried_and_posts_are_not(box: CxReportsSandbox) -> None:
    from clientkit.sandbox import Fault

    client = CxReportClientV1(box.url, 1, "sandbox-token", retries=2)
    box.faults.add(Fault("status", status=503, times=1))
    assert client.get_themes()
    box.faults.add(Fault("status", status=503, times=1))
    with pytest.raises(CxReportsError, match="503"):
        client.create_auth_token()
    assert [e.method for e in box.journal.entries()] == ["GET", "GET", "POST"]


def test_the_declaration_is_the_clientkit_service() -> None:
    assert cxreports.SERVICE is CxReports
    assert CxReports.resources["Report"] is Report


def test_a_connection_failure_is_the_official_runtime_error_and_typed() -> None:
    import socket

    from clientkit.errors import ConnectError

    with socket.socket() as sock:  # a port on 127.0.0.1 that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = CxReportClientV1(f"http://127.0.0.1:{port}", 1, "sandbox-token", retries=0)
    for call in (client.get_workspaces, lambda: client.get_pdf(160), client.create_auth_token):
        with pytest.raises(RuntimeError, match=r"^Connection error occurred: ") as info:
            call()
        assert isinstance(info.value, ConnectError) and isinstance(info.value, CxReportsError)


def test_the_sandbox_reads_the_declared_query(box: CxReportsSandbox) -> None:
    import requests

    url, auth = f"{box.url}/api/v1/ws/1/reports/160/pdf", {"Authorization": "Bearer sandbox-token"}
    for bad in ("includeAttachments=maybe", "tempDataId=x", "params=%25%25"):
        answer = requests.get(f"{url}?{bad}", headers=auth, timeout=10)
        assert answer.status_code == 400 and "query parameter" in answer.json()["error"]
    raw_json = requests.get(
        f"{url}?params=%7B%22a%22%3A+1%7D&includeAttachments=TRUE", headers=auth, timeout=10
    )
    assert raw_json.status_code == 200  # B19: raw JSON params are taken too


def test_a_malformed_answer_is_also_the_official_runtime_error(box: CxReportsSandbox) -> None:
    from clientkit.errors import DecodeError
    from clientkit.sandbox import Fault

    box.faults.add(Fault("truncate", times=1))
    with pytest.raises(DecodeError) as info:
        CxReportClientV1(box.url, 1, "sandbox-token", retries=0).get_workspaces()
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, CxReportsError)
    assert str(info.value).startswith("An error occurred: expected a JSON body")


class _NoReviewFile(CxReportsSandbox):
    def _review(self, req: SandboxRequest) -> Any:
        return {"x": 1}


def test_run_job_to_file_refuses_a_review_answer_without_its_file(tmp_path: Path) -> None:
    from clientkit.errors import DecodeError

    with _NoReviewFile() as url:
        client = CxReportClientV1(url, 1, "sandbox-token", retries=0)
        with pytest.raises(DecodeError, match="holds no temporaryFileId") as info:
            client.run_job_to_file(42, tmp_path / "review.pdf", deadline=30)
    assert isinstance(info.value, CxReportsError) and str(info.value).startswith("An error occurred: ")
    assert not (tmp_path / "review.pdf").exists()
