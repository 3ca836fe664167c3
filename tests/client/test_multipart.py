"""Uploads over real HTTP: payloads holding files go as multipart/form-data, streamed from
disk in constant memory, in requests' layout, re-sent whole only where a retry is safe."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import requests

from clientkit import Action, Resource, RetryPolicy, Service, TokenAuth, field
from clientkit._client.multipart import SizedMultipartBody, body_for, build
from clientkit._declarations.files import File
from clientkit._declarations.progress import Progress
from clientkit.errors import ConnectError, InvalidRequestError, ServerError
from clientkit.sandbox import Sandbox
from tests.support.multipart import Part, parts_of
from tests.support.scripted import Reply, ScriptedServer


class Docs(Service):
    auth = TokenAuth()
    retry = RetryPolicy(retries=2, backoff=0.01, backoff_cap=0.02)


@Docs.resource(
    one="/documents/{id}",
    many="/documents",
    actions={"attach": Action("POST", "/documents/{id}/attach")},
)
class Document(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
    pages: int | None = None
    attachment: File | Path | str | None = None


@Docs.resource(one="/shares/{id}", many="/shares")
class Share(Resource):
    id: int | None = None
    remote: PurePosixPath | None = None  # a path on the server's storage, not a local file
    local: Path | None = None  # a path, but not a field declared to hold a File


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(Docs)
    box.start()
    try:
        yield box
    finally:
        box.stop()
        box.uploads.close()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer().start()
    try:
        yield scripted
    finally:
        scripted.stop()


def _connect(url: str) -> Any:
    return Docs.connect(url, token="sandbox-token")


def _sent(server: ScriptedServer) -> list[Part]:
    last = server.received[-1]
    return parts_of(last.body, last.header("Content-Type") or "")


@pytest.mark.parametrize("kind", ["path", "bytes", "file"])
def test_a_file_field_is_sent_as_a_file_part_after_the_fields(
    server: ScriptedServer, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 body")
    server.on("POST", "/documents", Reply(201, json={"id": 7, "title": "Q1", "attachment": "/f/1"}))
    with open(path, "rb") as opened:
        value = {"path": path, "bytes": File(b"%PDF-1.4 body", filename="report.pdf"), "file": opened}[kind]
        doc = _connect(server.url).create(Document(attachment=value, title="Q1", pages=3))
    assert doc.attachment == "/f/1" and doc.id == 7  # what the server answered, never a File
    assert _sent(server) == [
        Part("title", b"Q1"),
        Part("pages", b"3"),
        Part("attachment", b"%PDF-1.4 body", filename="report.pdf"),
    ]
    received = server.received[-1]
    assert received.header("Content-Length") == str(len(received.body))
    assert received.header("Transfer-Encoding") is None


def test_the_declared_content_type_is_the_parts(server: ScriptedServer) -> None:
    server.on("POST", "/documents/1/attach", Reply(json={"ok": True}))
    answer = _connect(server.url).action(
        Document,
        "attach",
        id=1,
        json={"note": "x", "scan": File(b"\x89PNG", filename="s.png", content_type="image/png")},
    )
    assert answer == {"ok": True}
    assert _sent(server)[1] == Part("scan", b"\x89PNG", filename="s.png", content_type="image/png")


def test_the_layout_is_what_requests_builds_for_the_same_data_and_files(server: ScriptedServer) -> None:
    server.on("POST", "/documents/1/attach", Reply(json={}))
    data = {"name": "Ré port", "n": 5, "ok": True, "gone": None, "tags": ["a", "b"]}
    stream = io.BytesIO(b"stream bytes")
    stream.name = "in/notes.txt"
    files = {"doc": ("r.pdf", b"%PDF", "application/pdf"), "notes": stream}
    theirs = requests.Request("POST", "http://x/", data=data, files=files).prepare()
    stream.seek(0)
    doc = File(b"%PDF", filename="r.pdf", content_type="application/pdf")
    payload = {**data, "doc": doc, "notes": stream}
    _connect(server.url).action(Document, "attach", id=1, json=payload)
    assert _sent(server) == parts_of(theirs.body, theirs.headers["Content-Type"])  # type: ignore[arg-type]


def test_request_with_data_and_files_is_streamed_in_requests_layout(server: ScriptedServer) -> None:
    server.on("POST", "/raw", Reply(json={}))
    files = {"a": ("a.txt", "text", "text/plain"), "b": File(b"B", filename="b.bin"), "c": io.BytesIO(b"C")}
    _connect(server.url).request("POST", "/raw", data=[("k", "v"), ("k", 2)], files=files)
    theirs = requests.Request(
        "POST", "http://x/", data=[("k", "v"), ("k", 2)], files={**files, "b": ("b.bin", b"B"), "c": b"C"}
    ).prepare()
    assert _sent(server) == parts_of(theirs.body, theirs.headers["Content-Type"])  # type: ignore[arg-type]


def test_the_body_reads_in_chunks_knows_its_length_and_rewinds(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(300_000))
    body = body_for({"t": "x", "f": File(path)})
    assert isinstance(body, SizedMultipartBody)
    first = b"".join(iter(lambda: body.read(7_000), b""))
    assert len(first) == len(body) == body.tell()
    assert body.seek(0) == 0 and body.read() == first
    with pytest.raises(io.UnsupportedOperation):
        body.seek(5)
    assert parts_of(first, body.content_type)[1].data == path.read_bytes()


def test_progress_reports_the_bytes_of_each_file_sent(server: ScriptedServer) -> None:
    server.on("POST", "/documents", Reply(201, json={"id": 1}))
    seen: list[Progress] = []
    doc = File(os.urandom(200_000), filename="d.bin", progress=seen.append)
    _connect(server.url).create(Document(attachment=doc))
    assert seen[-1] == Progress(200_000, 200_000, "d.bin")
    assert [p.done for p in seen] == sorted(p.done for p in seen) and len(seen) > 1


def test_a_missing_path_is_refused_before_anything_is_sent(server: ScriptedServer, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match=r"cannot upload .*nope\.pdf"):
        _connect(server.url).create(Document(attachment=tmp_path / "nope.pdf"))
    with pytest.raises(InvalidRequestError, match="not a regular file"):
        _connect(server.url).create(Document(attachment=tmp_path))
    assert server.received == []


def test_a_file_that_shrinks_while_it_is_sent_is_an_error(server: ScriptedServer, tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"12345")
    body = build([], [("f", File(path), "a.bin", None)])
    path.write_bytes(b"12")
    with pytest.raises(InvalidRequestError, match="shrank"):
        body.read()


def test_a_retried_put_re_sends_the_whole_file(sandbox: Sandbox, tmp_path: Path) -> None:
    session = _connect(sandbox.url)
    doc = session.create(Document(title="a"))
    path = tmp_path / "scan.bin"
    path.write_bytes(os.urandom(1_000_000))
    sandbox.faults.inject("status", status=503, times=1, method="PUT")
    session.update(doc.__class__(id=doc.id, title="b", attachment=path), only_set=True)
    sent = [e.json["parts"][-1]["attachment"] for e in sandbox.journal.entries("PUT")]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert [(s["size"], s["sha256"]) for s in sent] == [(1_000_000, digest)] * 2
    stored = session.request("GET", session.get(Document, doc.id).attachment)
    assert stored.content == path.read_bytes()


def test_a_dropped_put_re_sends_the_whole_file(sandbox: Sandbox) -> None:
    session = _connect(sandbox.url)
    doc = session.create(Document(title="a"))
    sandbox.faults.inject("drop", times=1, method="PUT")
    data = os.urandom(50_000)
    session.update(Document(id=doc.id, attachment=File(data, filename="x.bin")), only_set=True)
    sent = [e.json["parts"][-1]["attachment"]["sha256"] for e in sandbox.journal.entries("PUT")]
    assert sent == [hashlib.sha256(data).hexdigest()] * 2


def test_a_create_is_not_re_sent(sandbox: Sandbox) -> None:
    sandbox.faults.inject("status", status=503, times=1, method="POST")
    with pytest.raises(ServerError):
        _connect(sandbox.url).create(Document(attachment=File(b"x")))
    assert len(sandbox.journal.entries("POST")) == 1


def test_a_file_from_a_pipe_is_sent_chunked_and_never_re_sent(sandbox: Sandbox) -> None:
    session = _connect(sandbox.url)
    doc = session.create(Document(title="a"))
    read_end, write_end = os.pipe()

    def feed() -> None:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(b"piped " * 1000)

    writer = threading.Thread(target=feed)
    writer.start()
    sandbox.faults.inject("status", status=503, times=1, method="PUT")
    with os.fdopen(read_end, "rb") as pipe, pytest.raises(ServerError):
        session.update(Document(id=doc.id, attachment=pipe), only_set=True)
    writer.join()
    entries = sandbox.journal.entries("PUT")
    assert len(entries) == 1 and entries[0].header("Transfer-Encoding") == "chunked"
    assert entries[0].json["parts"][0]["attachment"]["size"] == 6000


def test_a_pipe_upload_arrives_whole(sandbox: Sandbox) -> None:
    session = _connect(sandbox.url)
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(b"abc")
    with os.fdopen(read_end, "rb") as pipe:
        doc = session.create(Document(attachment=File(pipe, filename="p.txt", content_type="text/plain")))
    got = session.request("GET", doc.attachment)
    assert got.content == b"abc" and got.headers["Content-Type"].startswith("text/plain")


def test_a_large_upload_stays_in_constant_memory(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "large.bin"
    block = os.urandom(1 << 20)
    with open(path, "wb") as out:
        for _ in range(64):
            out.write(block)
    session = _connect(sandbox.url)
    tracemalloc.start()
    try:
        doc = session.create(Document(title="big", attachment=path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * (1 << 20), f"peak {peak / (1 << 20):.1f} MB"
    stored = sandbox.uploads.get(doc.attachment.rsplit("/", 1)[-1])
    assert stored is not None and stored.size == 64 << 20


def test_a_connection_refused_upload_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"x")
    with pytest.raises(ConnectError):
        Docs.connect("http://127.0.0.1:9", token="t", retries=RetryPolicy(retries=0)).create(
            Document(attachment=path)
        )


def test_a_cached_session_streams_an_upload_past_the_cache(sandbox: Sandbox, tmp_path: Path) -> None:
    from clientkit import CacheConfig

    path = tmp_path / "a.bin"
    path.write_bytes(os.urandom(100_000))
    session = Docs.connect(sandbox.url, token="sandbox-token", cache=CacheConfig(backend="memory"))
    doc = session.create(Document(attachment=path))
    assert session.request("GET", doc.attachment).content == path.read_bytes()


def test_a_path_is_read_from_disk_only_in_a_field_declared_to_hold_a_file(
    server: ScriptedServer, tmp_path: Path
) -> None:
    secret = tmp_path / "hostname"
    secret.write_bytes(b"local secret")
    session = _connect(server.url)
    with pytest.raises(InvalidRequestError, match="PurePosixPath"):
        session.create(Share(remote=PurePosixPath(secret)))
    with pytest.raises(InvalidRequestError, match="PosixPath"):
        session.action(Document, "attach", id=1, json={"f": secret})  # an action declares no File field
    assert server.received == []  # nothing sent, nothing read
    server.on("POST", "/shares", Reply(201, json={"id": 1}))
    session.create(Share(local=secret))
    assert server.received[-1].json == {"local": str(secret)}  # the path's text, as JSON
    server.on("POST", "/documents/1/attach", Reply(json={}))
    session.action(Document, "attach", id=1, json={"f": File(secret)})  # wrapped: clearly an upload
    assert _sent(server) == [Part("f", b"local secret", filename="hostname")]


@pytest.mark.parametrize(
    "files",
    [
        {"f": (None, "value")},
        {"f": (None, b"v", "text/plain")},
        {"f": ("", b"x")},
        {"f": ("n.txt", b"abc", None, {"X-H": "1"})},
        [("f", ("a.txt", "t\u00e9xt")), ("f", (None, "again"))],
    ],
)
def test_request_files_tuples_are_read_as_requests_reads_them(server: ScriptedServer, files: Any) -> None:
    server.on("POST", "/raw", Reply(json={}))
    _connect(server.url).request("POST", "/raw", data={"a": "1"}, files=files)
    theirs = requests.Request("POST", "http://x/", data={"a": "1"}, files=files).prepare()
    assert _sent(server) == parts_of(theirs.body, theirs.headers["Content-Type"])  # type: ignore[arg-type]
    head = server.received[-1].body.split(b"\r\n\r\n")[0:2]
    assert (b'filename=""' in b"".join(head)) == (files == {"f": ("", b"x")})


@Docs.resource(one="/notes/{id}")
class Note(Resource):
    id: int | None = None
    text: str | None = None
    read: bool = False  # an attribute named read: a value, never a file


@Docs.resource(one="/threads/{id}", many="/threads")
class Thread(Resource):
    id: int | None = field(default=None, read_only=True)
    last: Note | None = None
    extra: Any = None


class _Reader:
    """Not a file object, but with a read() method."""

    def __init__(self) -> None:
        self.left = b"data"

    def read(self, size: int = -1) -> bytes:
        out, self.left = self.left, b""
        return out


def test_only_files_are_files_a_read_attribute_is_a_value(server: ScriptedServer, tmp_path: Path) -> None:
    server.on("POST", "/threads", Reply(201, json={"id": 1}))
    session = _connect(server.url)
    for read in (True, False):
        session.create(Thread(last=Note(id=3, text="x", read=read)))
        assert server.received[-1].json == {"last": {"id": 3, "text": "x", "read": read}}
    with pytest.raises(InvalidRequestError, match="has a read\\(\\) method but is not a file object"):
        session.create(Thread(extra=_Reader()))
    assert len(server.received) == 2  # refused before sending
    session.create(Thread(extra=File(_Reader(), filename="r.bin")))
    assert [(p.name, p.filename, p.data) for p in _sent(server)][-1] == ("extra", "r.bin", b"data")


def test_request_with_files_in_json_sends_multipart_as_an_action_does(server: ScriptedServer) -> None:
    server.on("POST", "/raw", Reply(json={}))
    _connect(server.url).request(
        "POST", "/raw", json={"kind": "csv", "n": 2, "file": File(b"a,b", filename="r.csv")}
    )
    assert _sent(server) == [Part("kind", b"csv"), Part("n", b"2"), Part("file", b"a,b", filename="r.csv")]
    _connect(server.url).request("POST", "/raw", json={"kind": "csv"})
    assert server.received[-1].body == b'{"kind": "csv"}'
