"""Declared answers: bytes, text, a stream, JSON, each checked against what it accepts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clientkit.errors import UnexpectedContentType
from clientkit.sandbox.app import Reply, Sandbox
from tests.support.filed import Docs, Report, docs


@pytest.fixture
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(Docs, data={"Report": [{"id": 7}]})
    with sandbox:
        yield sandbox


def test_bytes_and_text_answers(box: Sandbox) -> None:
    session = docs(box.url)
    pdf = session.action(Report, "pdf", id=7)
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    assert session.action(Report, "csv", id=7) == "clientkit sandbox placeholder: Report.csv\n"


def test_text_is_decoded_by_its_charset(box: Sandbox) -> None:
    box.route("/reports/{id}/csv")(
        lambda req: Reply(200, "naïve".encode("latin-1"), content_type="text/csv; charset=latin-1", raw=True)
    )
    assert docs(box.url).action(Report, "csv", id=7) == "naïve"


def test_an_html_page_for_a_pdf_is_refused(box: Sandbox) -> None:
    box.route("/reports/{id}/pdf")(
        lambda req: Reply(200, "<html>Sign in</html>", content_type="text/html", raw=True)
    )
    with pytest.raises(UnexpectedContentType, match="expected application/pdf, got text/html") as caught:
        docs(box.url).action(Report, "pdf", id=7)
    assert "Sign in" in caught.value.excerpt and caught.value.status == 200


def test_a_json_answer_with_accept_is_checked(box: Sandbox) -> None:
    html = False
    box.route("/reports/{id}/meta")(
        lambda req: Reply(200, "<html/>", content_type="text/html", raw=True) if html else {"pages": 3}
    )
    assert docs(box.url).action(Report, "meta", id=7) == {"pages": 3}
    html = True
    with pytest.raises(UnexpectedContentType):
        docs(box.url).action(Report, "meta", id=7)


def test_request_accepts(box: Sandbox) -> None:
    session = docs(box.url)
    assert session.request("GET", "/reports/7/pdf", accept="application/pdf").content.startswith(b"%PDF")
    with pytest.raises(UnexpectedContentType):
        session.request("GET", "/reports/7/pdf", accept=["text/*"])
    with pytest.raises(UnexpectedContentType):
        session.request("GET", "/reports/7/pdf", accept="image/png", stream=True)
