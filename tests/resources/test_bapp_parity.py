"""Wire parity: the official bapp-api-client 0.5.0 and clientkit_services.bapp, against the sandbox.

Each scenario runs once with each client against a fresh BAPP sandbox holding the same demo
data, and the requests the sandbox received are compared: method, path, query, body (JSON,
or the parsed parts of a multipart body) and the headers that matter (the credential's
scheme and fingerprint, ``x-tenant-id``, ``x-app-slug``, the content type). Every request
template of the contract's catalogue (section 7) is covered. Where the official client has
a bug, the scenario keeps to the normal path here; tests/resources/test_bapp.py checks the
corrected behaviour.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from clientkit.sandbox import Accounts, Entry
from clientkit_services.bapp.sandbox import BappSandbox

official = pytest.importorskip("bapp_api_client")

import clientkit_services.bapp as ours  # noqa: E402

KEY = b"bapp-parity" * 3  # one fingerprint key for both sandboxes, so credentials compare
TOKENS = {"sandbox-token": "demo", "a-jwt": "demo"}


def wire(entry: Entry) -> tuple[Any, ...]:
    content_type = entry.header("Content-Type") or ""
    body: Any = entry.body
    if content_type.startswith("multipart/form-data"):  # the journal's summary of the parts
        body = [{k: _facts(v) for k, v in part.items()} for part in entry.json["parts"]]
        content_type = "multipart/form-data"
    elif body:
        body = entry.json if entry.json is not None else body
    headers = tuple(entry.header(h) for h in ("Authorization", "x-tenant-id", "x-app-slug"))
    return (entry.method, entry.path, entry.query, body, content_type or None, headers)


def _facts(value: Any) -> Any:
    return {k: v for k, v in value.items() if k != "url"} if isinstance(value, dict) else value


def run(
    module: ModuleType, scenario: Callable[[Any], Any], **client: Any
) -> tuple[list[tuple[Any, ...]], Any]:
    box = BappSandbox(accounts=Accounts(tokens=dict(TOKENS), fingerprint_key=KEY), task_duration=0.2)
    with box as url:
        options = {"token": "sandbox-token", "host": f"{url}/api", **client}
        result = scenario(module.BappApiClient(**options))
        entries = [wire(e) for e in box.journal.entries()]
    box.uploads.close()
    return entries, result


def same(scenario: Callable[[Any], Any], **client: Any) -> tuple[Any, Any]:
    theirs, their_result = run(official, scenario, **client)
    mine, my_result = run(ours, scenario, **client)
    assert mine == _b7(theirs)
    return their_result, my_result


def _b7(entries: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """B7: the official client sends its Authorization with document fetches, whose URL token
    is the credential; ours sends nothing of the session there (nor tenant and app, as it)."""
    documents = ("/api/render/", "/api/documents/")
    return [(*e[:5], (None, *e[5][1:])) if e[1].startswith(documents) else e for e in entries]


ORDER = "company_order.order"
SCENARIOS: dict[str, Callable[[Any], Any]] = {
    "1 me": lambda c: c.me(),
    "2 get_app": lambda c: c.get_app("wms"),
    "3 list_introspect": lambda c: c.list_introspect("core.country"),
    "4 detail_introspect": lambda c: (
        c.detail_introspect("core.country"),
        c.detail_introspect("core.country", pk=42),
        c.detail_introspect("core.country", pk=0),
    ),
    "5 list": lambda c: (
        list(c.list("core.country")),
        list(
            c.list("core.country", page=2, search="Romania Ro&x", status=["a", "b"], active=True, none=None)
        ),
        list(c.list("core.country", page=3, search="é/:+")),
    ),
    "6 get": lambda c: (c.get("core.country", "42"), c.get("core.country", 43), c.get(ORDER, 42)),
    "7 create": lambda c: (
        c.create("core.country", {"name": "România", "code": "RO", "n": 1.5, "tags": ["a"], "x": None}),
        _status(lambda: c.create("wms.product")),
        _status(lambda: c.create("wms.product", [])),  # a 400: the body must be an object
    ),
    "7 create multipart": lambda c: c.create(
        "myapp.document",
        {
            "name": "Report",
            "pages": 3,
            "file": ("report.pdf", io.BytesIO(b"%PDF-1.4 report"), "application/pdf"),
            "raw": b"raw bytes",
            "stream": io.BytesIO(b"streamed"),
            "pair": ("notes.txt", b"plain"),
        },
    ),
    "8 update": lambda c: c.update("core.country", "42", {"name": "Romania", "code": "RO"}),
    "9 patch": lambda c: c.patch("core.country", 42, {"code": "RO"}),
    "10 delete": lambda c: c.delete("core.country", "42"),
    "11 list_tasks": lambda c: c.list_tasks(),
    "12 detail_task": lambda c: c.detail_task("myapp.export_report"),
    "13 run_task GET": lambda c: c.run_task("myapp.count"),
    "14 run_task POST": lambda c: (
        c.run_task("myapp.count", {"format": "csv"}),
        c.run_task("myapp.count", {}),
    ),
    "14 run_task multipart": lambda c: c.run_task(
        "myapp.import_data", {"format": "csv", "file": ("data.csv", io.BytesIO(b"a,b\n1,2\n"), "text/csv")}
    ),
    "16 document (public_view)": lambda c: _documents(c, c.get(ORDER, 42)),
    "17 document (legacy)": lambda c: _legacy(c, c.get(ORDER, 43)),
    "tenant and app changed": lambda c: _switch(c),
}


def _status(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except requests.HTTPError as error:
        return error.response.status_code


def _documents(c: Any, order: dict[str, Any]) -> list[Any]:
    return [
        c.get_document_content(order),
        c.get_document_content(order, output="pdf", download=True),
        c.get_document_content(order, output="jpg", variation="v4"),
        c.get_document_content(order, output="context", label="Comanda interna"),
    ]


def _legacy(c: Any, order: dict[str, Any]) -> list[Any]:
    return [c.get_document_content(order, output=o, download=d) for o, d in [
        ("pdf", False), ("pdf", True), ("html", False), ("context", False)]]  # fmt: skip


def _switch(c: Any) -> Any:
    c.list("wms.product")
    c.tenant, c.app = "2", "wms"
    c.list("wms.product")
    c.tenant, c.app = 0, ""
    c.get("wms.product", 1)
    c.tenant, c.app = None, None
    return c.get("wms.product", 2)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_requests_as_the_official_client(name: str) -> None:
    theirs, mine = same(SCENARIOS[name])
    assert _stored(mine) == _stored(theirs)  # and the same answers


def _stored(value: Any) -> Any:
    """Answers with the sandbox's stored file paths (fresh ids in each run) left out."""
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items() if not str(v).startswith("/_sandbox/files/")}
    return [_stored(v) for v in value] if isinstance(value, list | tuple) else value


CLIENTS = [
    {"bearer": "a-jwt", "tenant": "1"},
    {"bearer": "a-jwt", "token": "sandbox-token"},  # the Bearer wins
    {"token": "sandbox-token", "tenant": 7, "app": "erp"},
]


@pytest.mark.parametrize("client", CLIENTS)
def test_the_same_credentials_tenant_and_app(client: dict[str, Any]) -> None:
    same(lambda c: (c.me(), c.get_app("erp"), c.list_tasks()), **client)


def test_a_paged_list_carries_the_same_metadata() -> None:
    theirs, mine = same(lambda c: c.list("core.country", page=2))
    assert type(mine).__name__ == "CountedList" and isinstance(theirs, official.PagedList)
    assert (
        (mine.count, len(mine), mine == list(theirs)) == (theirs.count, len(theirs), True) == (25, 10, True)
    )
    assert mine.next.endswith("page=3") and mine.previous.endswith("page=1")
    assert (mine.next.split("/api/")[1], mine.previous.split("/api/")[1]) == (
        theirs.next.split("/api/")[1], theirs.previous.split("/api/")[1])  # fmt: skip


def test_the_same_document_urls() -> None:
    def urls(c: Any) -> list[str | None]:
        order = c.get(ORDER, 42)
        legacy = c.get(ORDER, 43)
        found = [
            c.get_document_url(order),
            c.get_document_url(order, output="pdf", variation="v4", download=True),
            c.get_document_url(order, label="Factura", output="pdf", download=True),
            c.get_document_url(legacy, output="context"),
            c.get_document_url(c.get(ORDER, 44)),
        ]
        return [u.split("/api/", 1)[1] if u else u for u in found]

    theirs, mine = same(urls)
    assert mine == theirs
    assert mine[3] == "documents/pdf.context?token=legacy+token%2F43" and mine[4] is None
    assert run(ours, lambda c: c.get_document_views(c.get(ORDER, 42)))[1] == run(
        official, lambda c: c.get_document_views(c.get(ORDER, 42)))[1]  # fmt: skip


def test_download_document_writes_the_same_file(tmp_path: Path) -> None:
    def download(c: Any) -> bytes:
        target = tmp_path / f"{type(c).__module__}.pdf"
        assert c.download_document(c.get(ORDER, 42), target, output="pdf", download=True) is True
        assert c.download_document(c.get(ORDER, 44), target) is False
        return target.read_bytes()

    theirs, mine = same(download)
    assert mine == theirs and mine.startswith(b"%PDF-")


def test_run_task_async_kicks_off_and_polls_the_same_way() -> None:
    def scenario(c: Any) -> Any:
        return c.run_task_async("myapp.export_report", {"format": "csv"}, poll_interval=0.05, timeout=10)

    theirs, their_result = run(official, scenario)
    mine, my_result = run(ours, scenario)
    assert mine[0] == theirs[0] and mine[0][:2] == ("POST", "/api/tasks/myapp.export_report")
    their_polls, my_polls = set(theirs[1:]), set(mine[1:])
    assert len(my_polls) == len(their_polls) == 1  # the same poll, repeated
    (poll,) = my_polls
    assert poll[:2] == ("GET", "/api/content-type/bapp_framework.taskdata/")
    assert {k for k, _ in [p.split("=") for p in poll[2].split("&")]} == {"id"}
    assert (poll[3:], my_result.keys()) == (next(iter(their_polls))[3:], their_result.keys())
    assert my_result["finished"] is True and my_result["file"].endswith("report-42.csv")

    # without a payload: a GET kick-off, the answer of a synchronous task returned as it is
    theirs, their_result = run(official, lambda c: c.run_task_async("myapp.count", poll_interval=0.05))
    mine, my_result = run(ours, lambda c: c.run_task_async("myapp.count", poll_interval=0.05))
    assert mine == theirs and my_result == their_result == {
        "status": "ok",
        "result": {"rows": 12, "received": []},
    }
