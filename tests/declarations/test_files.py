"""The File value: what it accepts, which payload values are files, and the form split."""

from __future__ import annotations

import io
import pathlib
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from clientkit import Service
from clientkit._declarations.files import (
    File,
    as_file,
    declares_file,
    form_parts,
    has_files,
    is_file,
    local_files,
    requests_files,
    without_files,
)
from clientkit.errors import InvalidRequestError
from tests.support.scripted import Reply, ScriptedServer


def test_a_file_is_a_path_bytes_or_an_open_binary_file(tmp_path: Path) -> None:
    assert File("a/b.pdf").source == Path("a/b.pdf")  # a str is a path once wrapped
    assert File(pathlib.PurePosixPath("x.pdf")).source == Path("x.pdf")
    assert File(b"abc").source == b"abc"
    stream = io.BytesIO(b"x")
    assert File(stream).source is stream
    with pytest.raises(InvalidRequestError, match="not a int"):
        File(5)
    with pytest.raises(InvalidRequestError, match="not another File"):
        File(File(b"x"))


def test_text_mode_and_closed_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello")
    with open(path) as text, pytest.raises(InvalidRequestError, match="binary mode"):
        File(text)
    with pytest.raises(InvalidRequestError, match="binary mode"):
        File(io.StringIO("x"))
    closed = open(path, "rb")  # noqa: SIM115
    closed.close()
    with pytest.raises(InvalidRequestError, match="closed"):
        File(closed)


def test_declared_filename_and_content_type_are_checked() -> None:
    with pytest.raises(InvalidRequestError, match="non-empty str"):
        File(b"x", filename="")
    with pytest.raises(InvalidRequestError):
        File(b"x", content_type="text/plain\r\nX-Evil: 1")
    with pytest.raises(InvalidRequestError, match="callable"):
        File(b"x", progress=5)  # type: ignore[arg-type]


def test_the_filename_comes_from_the_declaration_the_path_the_file_or_the_field(tmp_path: Path) -> None:
    assert File(b"x", filename="r.pdf").name_for("doc") == "r.pdf"
    assert File(Path("dir/report.pdf")).name_for("doc") == "report.pdf"
    assert File(b"x").name_for("doc") == "doc"
    named = io.BytesIO(b"x")
    named.name = "/some/where/scan.png"  # type: ignore[attr-defined]
    assert File(named).name_for("doc") == "scan.png"
    pseudo = io.BytesIO(b"x")
    pseudo.name = "<stdin>"  # type: ignore[attr-defined]
    assert File(pseudo).name_for("doc") == "doc"


def test_which_values_are_files() -> None:
    assert is_file(File(b"x")) and is_file(io.BytesIO(b""))
    assert not any(is_file(v) for v in ("a.pdf", b"bytes", 5, None, [1], {"a": 1}))
    assert not is_file(Path("a")) and not is_file(PurePosixPath("/etc/hostname"))  # paths are values
    assert has_files({"a": 1, "doc": File(Path("x"))}) and has_files({"docs": [File(b"1"), File(b"2")]})
    assert not has_files({"a": "x.pdf", "b": b"raw", "c": Path("x")}) and not has_files([File(b"x")])
    assert not has_files({"nested": {"doc": File(b"x")}})  # top level only
    assert as_file(io.BytesIO(b"a")).source.read() == b"a"


def test_a_path_is_a_file_only_in_a_field_declared_to_hold_one() -> None:
    assert declares_file(File) and declares_file(File | Path | str | None) and declares_file(list[File])
    assert not declares_file(Path | None) and not declares_file(str) and not declares_file(Any)
    made = local_files(Path("scan.pdf"), File | Path | str | None)
    assert isinstance(made, File) and made.source == Path("scan.pdf")
    listed = local_files([Path("a"), File(b"b")], list[File | Path])
    assert [type(v) for v in listed] == [File, File]
    pure = PurePosixPath("/etc/hostname")
    assert local_files(pure, File | PurePosixPath | None) is pure  # a pure path never names a local file
    assert local_files("a.pdf", File | str) == "a.pdf"  # nor does a str
    assert local_files(Path("a"), Path | None) == Path("a")  # nor a path in a field that holds no File


def test_a_memoryview_is_uploaded_only_when_contiguous() -> None:
    assert File(memoryview(b"abc")).source == b"abc"
    with pytest.raises(InvalidRequestError, match="contiguous"):
        File(memoryview(b"abcdef")[::2])


def test_the_form_split_follows_requests_rules() -> None:
    doc, extra = File(b"1"), File(b"2")
    payload = {"title": "Ré", "doc": doc, "n": 5, "ok": True, "gone": None, "tags": ["a", None, "b"]}
    fields, files = form_parts({**payload, "more": [extra]})
    assert fields == [("title", "Ré"), ("n", "5"), ("ok", "True"), ("tags", "a"), ("tags", "b")]
    assert files == [("doc", doc), ("more", extra)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": 1}, "nests a dict"),
        ([[1]], "nests a list"),
        (b"raw", "wrap them in File"),
        ([File(b"x"), "y"], "mixes files"),
    ],
)
def test_values_without_a_form_spelling_are_refused(value: object, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        form_parts({"doc": File(b"x"), "f": value})


def test_a_write_forgets_the_files_it_sent() -> None:
    payload = {"title": "x", "doc": File(b"x")}
    assert without_files(payload) == {"title": "x"}
    plain = {"title": "x"}
    assert without_files(plain) is plain


def test_requests_style_files_in_a_payload_are_sent_as_multipart(server: ScriptedServer) -> None:
    stream = io.BytesIO(b"%PDF-1.4")
    payload = requests_files({
        "name": "Report", "range": ("lo", "hi"), "pdf": ("r.pdf", stream, "application/pdf"),
        "raw": b"a,b", "tags": ["x"], "numbers": (1, 2),
    })  # fmt: skip
    assert [k for k, v in payload.items() if isinstance(v, File)] == ["pdf", "raw"]
    assert payload["range"] == ("lo", "hi") and payload["numbers"] == (1, 2)  # values, not files
    assert requests_files([b"x"]) == [b"x"] and requests_files(None) is None  # only a dict's values
    server.on("POST", "/docs", Reply(json={}))
    form = requests_files({"name": "Report", "pdf": ("r.pdf", stream, "application/pdf"), "raw": b"a,b"})
    Docs = type("Docs", (Service,), {})
    Docs.connect(server.url).request("POST", "/docs", json=form)
    sent = server.received[-1]
    assert sent.header("Content-Type").startswith("multipart/form-data")
    assert b'name="pdf"; filename="r.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4' in sent.body
    assert b'name="raw"; filename="raw"' in sent.body and b'name="name"\r\n\r\nReport' in sent.body
