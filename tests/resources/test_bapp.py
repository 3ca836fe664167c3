"""clientkit_services.bapp: the official examples, the corrected behaviours (B1..B20) and what clientkit
adds, against the BAPP sandbox over real HTTP."""

from __future__ import annotations

import functools
import io
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from clientkit import CacheConfig, RetryPolicy, extra
from clientkit.cli import load_service
from clientkit.errors import (
    DecodeError,
    InvalidRequestError,
    JobFailed,
    JobTimeout,
    NotFoundError,
    ServerError,
)
from clientkit.model import fields_of, resource_source, spec_of
from clientkit.sandbox import Accounts, Fault, Reply, Sandbox
from clientkit_services.bapp import BappApi, BappApiClient, Entity, TaskFailed
from clientkit_services.bapp.sandbox import TASKDATA, BappSandbox
from tests.support.scripted import Reply as Scripted
from tests.support.scripted import ScriptedServer

official = pytest.importorskip("bapp_api_client")
JWT = "eyJhbG..."  # the official examples' credentials, accepted by this sandbox
ORDER = "company_order.order"


@pytest.fixture
def box() -> Iterator[BappSandbox]:
    sandbox = BappSandbox(
        accounts=Accounts(tokens={"sandbox-token": "demo", "your-api-key": "demo", JWT: "ana"})
    )
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()
        sandbox.uploads.close()


def client(box: BappSandbox, **options: Any) -> BappApiClient:
    made = BappApiClient(token="sandbox-token", host=f"{box.url}/api", **options)
    retry = RetryPolicy(
        retries=3, backoff=0.01, statuses=frozenset({429, 502, 503, 504}), sleep=lambda s: None
    )
    made.session.transport.options = made.session.transport.options.merge(
        made.session.transport.options.__class__(retry=retry)
    )
    return made


# -- the official documentation's examples, unchanged but for the import --------------------------

EXAMPLES = """
from bapp_api_client import BappApiClient
client = BappApiClient(token="your-api-key")
countries = client.list("core.country", page=1, search="Romania")
country = client.get("core.country", "42")
new = client.create("core.country", {"name": "Romania", "code": "RO"})
client.update("core.country", "42", {"name": "Romania", "code": "RO"})
client.patch("core.country", "42", {"code": "RO"})
client.delete("core.country", "42")
client = BappApiClient(token="your-api-key")
client = BappApiClient(bearer="eyJhbG...", tenant="1")
client.tenant = "2"
client.app = "wms"
client.create("myapp.document", {
"name": "Report",
"file": open("report.pdf", "rb"),
})
client.create("myapp.document", {
"name": "Report",
"file": ("report.pdf", open("report.pdf", "rb"), "application/pdf"),
})
client.run_task("myapp.import_data", {
"format": "csv",
"file": open("data.csv", "rb"),
})
order = client.get("company_order.order", "42")
url = client.get_document_url(order, output="pdf")
url = client.get_document_url(order, output="html", label="Comanda interna")
url = client.get_document_url(order, output="pdf", variation="v4")
pdf_bytes = client.get_document_content(order, output="pdf")
with open("order.pdf", "wb") as f:
    f.write(pdf_bytes)
views = client.get_document_views(order)
for v in views:
    print(v["label"], v["type"], v.get("variations"))
tasks = client.list_tasks()
cfg = client.detail_task("myapp.export_report")
result = client.run_task("myapp.export_report")
result = client.run_task("myapp.export_report", {"format": "csv"})
"""


def test_the_official_examples_run_unchanged(box: BappSandbox, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    Path("report.pdf").write_bytes(b"%PDF-1.4 report")
    Path("data.csv").write_text("a,b\n1,2\n")
    source = EXAMPLES.replace("from bapp_api_client import BappApiClient", "")
    namespace: dict[str, Any] = {"BappApiClient": functools.partial(BappApiClient, host=f"{box.url}/api")}
    exec(compile(source, "examples", "exec"), namespace)
    assert Path("order.pdf").read_bytes().startswith(b"%PDF-")
    assert [c["name"] for c in namespace["countries"]] == ["Romania"] and namespace["countries"].count == 1
    uploads = box.journal.entries("POST", "/api/content-type/myapp.document/")
    assert [e.json["parts"][1]["file"]["filename"] for e in uploads] == ["report.pdf", "report.pdf"]
    assert uploads[1].json["parts"][1]["file"]["content_type"] == "application/pdf"
    last = box.journal.last
    assert (last.header("x-tenant-id"), last.header("x-app-slug"), last.header("Authorization")) == (
        "2", "wms", "Bearer ***" + last.header("Authorization").split("***")[1])  # fmt: skip


# -- the official bugs, corrected -------------------------------------------------------------------


def test_b1_a_retried_upload_re_sends_the_whole_file(box: BappSandbox) -> None:
    c = client(box)
    box.faults.add(Fault("status", status=503, times=1, method="PUT"))
    c.update(
        "myapp.document",
        1,
        {"name": "v2", "file": ("v2.pdf", io.BytesIO(b"%PDF-1.4 second"), "application/pdf")},
    )
    first, second = (e.json["parts"] for e in box.journal.entries("PUT"))
    assert first[0] == second[0] == {"name": "v2"}
    facts = [{k: v for k, v in p["file"].items() if k != "url"} for p in (first[1], second[1])]
    assert facts[0] == facts[1] and facts[1]["size"] == 15  # the whole file again, not an empty part


def test_b2_a_create_is_not_sent_twice_but_a_read_is_retried(box: BappSandbox) -> None:
    c = client(box)
    box.faults.add(Fault("status", status=502, times=1, method="POST"))
    with pytest.raises(requests.HTTPError) as caught:  # the official exception class ...
        c.create("core.country", {"name": "Atlantis", "code": "AT"})
    assert (
        isinstance(caught.value, ServerError) and len(box.journal.entries("POST")) == 1
    )  # ... and clientkit's
    box.faults.add(Fault("status", status=503, times=2, method="GET"))
    assert c.get("core.country", 42)["name"] == "Romania"
    assert len(box.journal.entries("GET")) == 3


def test_b4_run_task_async_keeps_one_deadline_and_takes_none(box: BappSandbox) -> None:
    box.task_duration = 30
    began = time.monotonic()
    with pytest.raises(TimeoutError) as caught:
        client(box).run_task_async("myapp.export_report", {"format": "csv"}, poll_interval=0.05, timeout=0.4)
    assert isinstance(caught.value, JobTimeout) and time.monotonic() - began < 2
    box.task_duration = 0.1
    done = client(box).run_task_async(
        "myapp.export_report", {"format": "csv"}, poll_interval=0.05, timeout=None
    )
    assert done["finished"] is True


def test_b6_a_broken_download_leaves_the_earlier_file(box: BappSandbox, tmp_path: Path) -> None:
    c = client(box, max_retries=0)
    target = tmp_path / "order.pdf"
    target.write_bytes(b"the earlier file")
    box.faults.add(Fault("drop_mid", times=1, route="/api/render/*"))
    with pytest.raises(Exception):  # noqa: B017 - a typed clientkit error; the point is the file
        c.download_document(c.get(ORDER, 42), target, output="pdf")
    assert target.read_bytes() == b"the earlier file" and sorted(p.name for p in tmp_path.iterdir()) == [
        "order.pdf"
    ]


def test_b7_document_fetches_carry_nothing_of_the_session(box: BappSandbox, tmp_path: Path) -> None:
    c = client(box, tenant=1)
    c.get_document_content(c.get(ORDER, 42))
    c.download_document(c.get(ORDER, 43), tmp_path / "legacy.pdf", output="pdf")
    for fetched in box.journal.entries()[-3::2]:  # the two document fetches
        assert fetched.path.startswith(("/api/render/", "/api/documents/"))
        assert [fetched.header(h) for h in ("Authorization", "x-tenant-id", "x-app-slug")] == [None] * 3
    assert box.journal.entries()[-2].header("x-tenant-id") == "1"


def test_b7_a_task_file_on_another_host_gets_nothing_of_the_session(tmp_path: Path) -> None:
    media = ScriptedServer().start()
    media.on(
        "GET", "/media/exports/report-42.csv", Scripted(302, headers={"Location": "/signed/report-42.csv"})
    )
    media.on("GET", "/signed/report-42.csv", Scripted(body=b"country,code\n", content_type="text/csv"))
    box = BappSandbox(files_url=f"{media.url}/media", accounts=Accounts(tokens={"sandbox-token": "demo"}))
    try:
        with box as url:
            c = BappApiClient(token="sandbox-token", host=f"{url}/api", tenant=1)
            done = c.run_task_async("myapp.export_report", {"format": "csv"}, poll_interval=0.05)
            assert done["file"] == f"{media.url}/media/exports/report-42.csv"
            with pytest.raises(InvalidRequestError, match="nor a declared one"):
                c.session.request("GET", done["file"])  # a plain call to another host stays refused
            got = c.download_file(done["file"], tmp_path / "report.csv")
            assert got.size == 13 and (tmp_path / "report.csv").read_bytes() == b"country,code\n"
    finally:
        media.stop()
    assert [r.path for r in media.received] == ["/media/exports/report-42.csv", "/signed/report-42.csv"]
    for received in media.received:
        sent = {k.lower() for k in received.headers}
        assert not sent & {"authorization", "x-tenant-id", "x-app-slug", "cookie"}


def test_b8_an_unknown_label_is_an_error_not_the_first_view(box: BappSandbox) -> None:
    order = client(box).get(ORDER, 42)
    theirs = official.BappApiClient(token="sandbox-token", host=f"{box.url}/api")
    assert theirs.get_document_url(order, label="Nope") == theirs.get_document_url(order)  # the bug
    with pytest.raises(LookupError, match=r"'Nope' \(labels: \['Comanda', 'Comanda interna', 'Factura'\]\)"):
        client(box).get_document_url(order, label="Nope")


def test_b9_an_output_that_cannot_be_honoured_is_refused(box: BappSandbox) -> None:
    with pytest.raises(InvalidRequestError, match="html, pdf, jpg or context, not 'docx'"):
        client(box).get_document_url(client(box).get(ORDER, 42), output="docx")


def test_b10_a_status_about_another_task_is_an_error() -> None:
    server = Sandbox(BappApi, prefix="/api")  # a server that ignores the id filter
    server.route("/tasks/{code}", methods=["POST"])(lambda _: {"id": "mine", "status": "queued"})
    server.route(TASKDATA)(lambda _: {"count": 9, "results": [{"id": "another", "finished": True}]})
    with server as url, pytest.raises(DecodeError, match="another"):
        BappApiClient(token="sandbox-token", host=f"{url}/api").run_task_async("x.y", {}, poll_interval=0.05)


def test_a_failed_task_is_the_official_runtime_error(box: BappSandbox) -> None:
    with pytest.raises(RuntimeError, match=r"Task myapp\.export_report failed: Invalid format") as caught:
        client(box).run_task_async("myapp.export_report", {"format": "pdf"}, poll_interval=0.05)
    assert isinstance(caught.value, TaskFailed) and isinstance(caught.value, JobFailed)


def test_b12_ids_are_one_path_segment(box: BappSandbox) -> None:
    c = client(box)
    for bad in ("../../tasks/bapp_framework.me", "1?x=2", "1#frag"):
        with pytest.raises(NotFoundError):
            c.get("core.country", bad)
    received = [(e.path, e.query) for e in box.journal.entries("GET")]  # the journal shows them decoded
    assert received == [
        ("/api/content-type/core.country/../../tasks/bapp_framework.me/", ""),
        ("/api/content-type/core.country/1?x=2/", ""),
        ("/api/content-type/core.country/1#frag/", ""),
    ]


def test_b13_a_view_token_is_escaped_in_the_path(box: BappSandbox) -> None:
    record = {"public_view": [{"label": "x", "view_token": "a/b c", "default_variation": None}]}
    assert client(box).get_document_url(record) == f"{box.url}/api/render/a%2Fb%20c?output=html"


def test_b15_only_files_switch_to_multipart_and_nothing_is_dropped(box: BappSandbox) -> None:
    c = client(box)
    c.create("core.country", {"name": "Range", "range": ("lo", "hi")})
    assert box.journal.last.json == {"name": "Range", "range": ["lo", "hi"]}  # a value, not a file
    with pytest.raises(InvalidRequestError, match="'meta' nests a dict"):
        c.create("myapp.document", {"meta": {"a": 1}, "file": b"bytes"})


def test_b18_negative_retries_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="max_retries must be 0 or more"):
        BappApiClient(max_retries=-1)


def test_b19_a_list_answer_that_is_not_a_page_is_a_typed_error(box: BappSandbox) -> None:
    box.route("/content-type/weird.list/")(lambda _: [1, 2])
    with pytest.raises(DecodeError):
        client(box).list("weird.list")


def test_b20_an_empty_200_answers_none(box: BappSandbox) -> None:
    box.route("/content-type/weird.empty/{id}/", methods=["DELETE"])(
        lambda _: Reply(200, b"", content_type="text/plain", raw=True)
    )
    assert client(box).delete("weird.empty", 1) is None


def test_me_get_app_and_introspection_send_the_documented_headers(box: BappSandbox) -> None:
    c = client(box, tenant="1")
    assert c.me()["email"] == "ana.popescu@example.ro"
    assert (box.journal.last.header("x-app-slug"), box.journal.last.header("x-tenant-id")) == ("", "1")
    assert c.get_app("erp")["settings"] == {"currency": "RON"}
    assert box.journal.last.header("x-app-slug") == "erp"
    with pytest.raises(NotFoundError):
        c.get_app(None)
    assert box.journal.last.header("x-app-slug") is None
    assert c.list_introspect("core.country")["title"] == "Countries"
    assert (
        c.detail_introspect("core.country", pk=0)["pk"] == 0
        and box.journal.last.query == "ct=core.country&pk=0"
    )


def test_errors_are_requests_errors_and_typed_and_never_show_the_token(box: BappSandbox) -> None:
    c = BappApiClient(token="s3cret-api-key", host=f"{box.url}/api")
    box.accounts.tokens["s3cret-api-key"] = "demo"
    with pytest.raises(requests.HTTPError) as caught:
        c.get("core.country", 999)
    assert isinstance(caught.value, NotFoundError) and caught.value.response.status_code == 404
    assert "s3cret-api-key" not in f"{caught.value!s} {caught.value!r} {c.session!r}"


# -- what clientkit adds ------------------------------------------------------------------------------


def test_entities_are_resources_of_the_session_with_lazy_pages(box: BappSandbox) -> None:
    session = client(box).session
    names = [extra(e)["name"] for e in session.list(Entity, ct="core.country")]
    assert len(names) == 25 and names[0] == "Romania"
    assert [e.query for e in box.journal.entries("GET")] == ["", "page=2", "page=3"]
    country = session.get(Entity, 42, ct="core.country")
    extra(country)["code"] = "RO!"
    session.save(country)
    assert box.journal.last.json == {"code": "RO!"} and box.journal.last.method == "PATCH"


def test_a_model_typed_from_introspection_is_used_like_a_declared_resource(box: BappSandbox) -> None:
    c = client(box)
    Country: Any = c.model("core.country")
    assert [(f.name, f.read_only, f.required) for f in fields_of(Country)] == [
        ("id", True, False),
        ("name", False, True),
        ("code", False, True),
        ("active", False, False),
    ]
    assert spec_of(Country).path_params == {"ct": "core.country"} and "CoreCountry" not in BappApi.resources
    romania = c.session.get(Country, 42)
    assert (romania.name, romania.code, romania.active) == ("Romania", "RO", True)
    romania.name = "România"
    c.session.save(romania)
    assert box.journal.last.json == {"name": "România"}
    made = c.session.create(Country(name="Narnia", code="NA"))
    assert made.id is not None and c.get("core.country", made.id)["name"] == "Narnia"
    c.session.delete(made)
    assert len(list(c.session.list(Country))) == 25

    module = types.ModuleType("bapp_models")
    sys.modules[module.__name__] = module
    try:
        exec(compile(resource_source(Country), "bapp_models.py", "exec"), module.__dict__)
        assert c.session.get(module.CoreCountry, 43).name == "Moldova"
    finally:
        del sys.modules[module.__name__]


def test_with_a_cache_a_get_is_revalidated_by_its_etag(box: BappSandbox) -> None:
    c = BappApiClient(token="sandbox-token", host=f"{box.url}/api", cache=CacheConfig(backend="memory"))
    first = c.get("core.country", 42)
    assert c.get("core.country", 42) == first  # the server answered 304: from the cache
    asked = box.journal.entries("GET", "/api/content-type/core.country/42/")
    assert asked[0].header("If-None-Match") is None and asked[1].header("If-None-Match") is not None
    assert (c.session.cache_stats.misses, c.session.cache_stats.revalidations) == (1, 1)
    c.patch("core.country", 42, {"code": "RX"})
    assert c.get("core.country", 42)["code"] == "RX"  # a write made it stale: fetched anew
    assert c.run_task_async("myapp.export_report", {"format": "csv"}, poll_interval=0.05)["finished"]
    plain = client(box)
    plain.get("core.country", 42), plain.get("core.country", 42)
    assert box.journal.last.header("If-None-Match") is None  # without cache=, as the official client


def test_tenant_and_app_may_change_at_any_time(box: BappSandbox) -> None:
    c = client(box, tenant=1)
    c.tenant, c.app = "2", "wms"
    c.list("wms.product")
    assert (c.tenant, c.app) == ("2", "wms")
    assert (box.journal.last.header("x-tenant-id"), box.journal.last.header("x-app-slug")) == ("2", "wms")


def test_the_command_serves_the_bapp_sandbox() -> None:
    service, factory = load_service("bapp")
    assert service is BappApi and factory is not None
    sandbox: Any = factory()
    assert (
        isinstance(sandbox, BappSandbox)
        and sandbox.records(Entity, ct="core.country")[0]["name"] == "Romania"
    )


def test_a_model_keeps_every_wire_field_and_refuses_a_malformed_introspection(box: BappSandbox) -> None:
    c = client(box)
    names = ["a-b", "a_b", "class", "__init__", "1x"]
    box.demo["introspect"]["x.m"] = {
        "list": {},
        "detail": {"fields": [{"name": n, "type": "string"} for n in names]},
    }
    made: Any = c.model("x.m")
    assert [(f.name, f.wire) for f in fields_of(made)][1:] == [
        ("a_b", "a-b"), ("a_b_", "a_b"), ("class_", "class"), ("f__init__", "__init__"), ("f_1x", "1x"),
    ]  # fmt: skip
    for detail in ({"fields": [{"name": None}]}, {"fields": "oops"}, {"fields": [1]}):
        box.demo["introspect"]["x.n"] = {"list": {}, "detail": detail}
        with pytest.raises(DecodeError, match="not a list of named fields"):
            c.model("x.n")
