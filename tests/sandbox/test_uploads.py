"""The sandbox's side of uploads: multipart writes parsed as they stream, files stored on
disk and served back, typed form fields, a journal that keeps facts, not bytes."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from clientkit import Resource, Service, TokenAuth, field
from clientkit._declarations.files import File
from clientkit.sandbox import Sandbox
from clientkit.sandbox.uploads import Part, StoredFile, Uploads, payload

AUTH = {"Authorization": "Bearer sandbox-token"}


class Box(Service):
    auth = TokenAuth()


@Box.resource(one="/docs/{id}", many="/docs")
class Doc(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
    pages: int | None = None
    draft: bool | None = None
    tags: list[str] | None = None
    scan: File | str | None = None


@pytest.fixture
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(Box)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()
        sandbox.uploads.close()


def _post(url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
    return requests.post(f"{url}/docs", headers=headers or AUTH, timeout=10, **kwargs)


def test_a_multipart_create_stores_typed_fields_and_the_file(box: Sandbox) -> None:
    files = {"scan": ("s.png", b"\x89PNG data", "image/png")}
    resp = _post(box.url, data={"title": "A", "pages": "3", "draft": "True", "tags": ["x", "y"]}, files=files)
    assert resp.status_code == 201
    record = resp.json()
    assert {k: record[k] for k in ("title", "pages", "draft", "tags")} == {
        "title": "A",
        "pages": 3,
        "draft": True,
        "tags": ["x", "y"],
    }
    served = requests.get(box.url + record["scan"], headers=AUTH, timeout=10)
    assert served.content == b"\x89PNG data" and served.headers["Content-Type"] == "image/png"
    assert "s.png" in served.headers["Content-Disposition"]


def test_the_journal_keeps_the_parts_facts_not_their_bytes(box: Sandbox) -> None:
    data = b"secret-free bytes" * 100
    _post(box.url, data={"title": "A"}, files={"scan": ("d.bin", data)})
    entry = box.journal.last
    assert entry is not None and data not in entry.body
    (title, scan) = entry.json["parts"]
    assert title == {"title": "A"}
    assert scan["scan"]["size"] == len(data) and scan["scan"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert scan["scan"]["filename"] == "d.bin" and scan["scan"]["content_type"] is None


def test_a_file_part_without_a_content_type_is_served_as_octet_stream(box: Sandbox) -> None:
    record = _post(box.url, files={"scan": ("d.bin", b"x")}).json()
    served = requests.get(box.url + record["scan"], headers=AUTH, timeout=10)
    assert served.headers["Content-Type"] == "application/octet-stream"


def test_a_form_that_does_not_fit_the_model_is_refused(box: Sandbox) -> None:
    resp = _post(box.url, data={"pages": "many"}, files={"scan": ("d.bin", b"x")})
    assert resp.status_code == 422 and "pages" in resp.text


def test_a_malformed_multipart_body_is_a_400(box: Sandbox) -> None:
    resp = _post(
        box.url,
        data=b'--abc\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end',
        headers={**AUTH, "Content-Type": "multipart/form-data; boundary=abc"},
    )
    assert resp.status_code == 400
    assert box.uploads.get("x") is None


def test_files_are_served_only_to_callers_and_only_when_they_exist(box: Sandbox) -> None:
    record = _post(box.url, files={"scan": ("d.bin", b"x")}).json()
    assert requests.get(box.url + record["scan"], timeout=10).status_code == 401
    assert requests.get(box.url + "/_sandbox/files/nope", headers=AUTH, timeout=10).status_code == 404


def test_an_upload_answered_by_an_injected_fault_is_not_kept(box: Sandbox) -> None:
    box.faults.inject("status", status=503, times=1)
    assert _post(box.url, files={"scan": ("d.bin", b"x")}).status_code == 503
    url = box.journal.last.json["parts"][0]["scan"]["url"]  # type: ignore[union-attr]
    assert box.uploads.get(url.rsplit("/", 1)[-1]) is None


def test_a_patch_with_a_file_replaces_only_that_field(box: Sandbox) -> None:
    record = _post(box.url, data={"title": "A"}, files={"scan": ("a.bin", b"1")}).json()
    resp = requests.patch(
        f"{box.url}/docs/{record['id']}", headers=AUTH, files={"scan": ("b.bin", b"2")}, timeout=10
    )
    assert resp.json()["title"] == "A" and resp.json()["scan"] != record["scan"]
    assert requests.get(box.url + resp.json()["scan"], headers=AUTH, timeout=10).content == b"2"


def test_form_values_are_typed_by_the_model() -> None:
    stored = StoredFile("f1", "a.bin", None, 1, "0" * 64, Path("/nonexistent"))
    parts = [Part("n", "5"), Part("ok", "false"), Part("t", "x"), Part("t", "y"), Part("one", "z")]
    parts.append(Part("f", file=stored))
    types = {"n": int | None, "ok": bool | None, "t": list[str] | None, "one": list[str] | None, "f": Any}
    assert payload(parts, types) == {"n": 5, "ok": False, "t": ["x", "y"], "one": ["z"], "f": stored.url}
    assert payload([Part("n", "five")], {"n": int | None}) == {"n": "five"}  # validation reports it


def test_closing_the_uploads_removes_their_files(box: Sandbox) -> None:
    record = _post(box.url, files={"scan": ("d.bin", b"x")}).json()
    stored = box.uploads.get(record["scan"].rsplit("/", 1)[-1])
    assert stored is not None and stored.path.exists()
    box.uploads.close()
    assert not stored.path.exists() and box.uploads.get(stored.id) is None
    assert Uploads().get("x") is None


def test_a_refused_or_failed_upload_keeps_no_file(box: Sandbox) -> None:
    kept = _post(box.url, files={"scan": ("keep.bin", b"k")}).json()
    directory = box.uploads.files()[0].path.parent
    big = os.urandom(4_000_000)
    refused = _post(box.url, headers={"X-No": "auth"}, files={"scan": ("a.bin", big)})
    assert refused.status_code == 401  # its body read and dropped, nothing stored
    assert box.journal.last is not None and box.journal.last.body == b""
    wrong = requests.post(f"{box.url}/nowhere", headers=AUTH, files={"scan": ("b.bin", b"x")}, timeout=10)
    assert wrong.status_code == 404
    assert _post(box.url, data={"pages": "many"}, files={"scan": ("c.bin", b"x")}).status_code == 422
    assert box.journal.last is not None and box.journal.last.json["parts"][1]["scan"]["size"] == 1
    assert [f.filename for f in box.uploads.files()] == ["keep.bin"]
    assert sorted(p.name for p in directory.iterdir()) == [kept["scan"].rsplit("/", 1)[-1]]


def test_a_stored_file_is_served_streamed_with_ranges(box: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "large.bin"
    block = os.urandom(1 << 20)
    with open(path, "wb") as out:
        for _ in range(64):
            out.write(block)
    with open(path, "rb") as source:
        record = _post(box.url, files={"scan": ("large.bin", source)}).json()
    url = box.url + record["scan"]
    part = requests.get(url, headers={**AUTH, "Range": "bytes=10-19"}, timeout=10)
    assert part.status_code == 206 and part.content == block[10:20]
    tracemalloc.start()
    try:
        with requests.get(url, headers=AUTH, stream=True, timeout=30) as whole:
            size = sum(len(chunk) for chunk in whole.iter_content(1 << 16))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size == 64 << 20 and peak < 24 * (1 << 20), f"peak {peak / (1 << 20):.1f} MB"  # never whole
    assert "large.bin" in whole.headers["Content-Disposition"]
