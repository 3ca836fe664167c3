"""What one run shares: the session opened once, and records shown as the server gave them."""

from __future__ import annotations

from clientkit.cli.state import label, shown
from clientkit_services.clappform import App, ClappformApi
from tests.cli.library import Book


def test_labels() -> None:
    assert label(ClappformApi.resources["App"].__ck_spec__) == "app"  # type: ignore[union-attr]
    from clientkit_services.cxreports import ReportType

    assert label(ReportType.__ck_spec__) == "report-type"  # type: ignore[union-attr]


def test_shown_leaves_out_fields_the_answer_did_not_have() -> None:
    app = ClappformApi.converter.load({"id": "a", "name": "A", "collections": 2}, App, False)
    dumped = ClappformApi.converter.dump(app)
    assert dumped["description"] is None
    assert shown(dumped, app) == {"id": "a", "name": "A", "collections": 2}
    local = Book(title="x", secret_note="s")
    assert "secret_note" not in shown({"title": "x", "secret_note": "s"}, local)
