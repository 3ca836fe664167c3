"""File answers of the sandbox: streamed bodies, ranges, validators, placeholders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from clientkit._client.downloads import filename_of
from clientkit.sandbox.app import Sandbox, SandboxRequest
from clientkit.sandbox.files import Generated
from tests.support.filed import Docs

AUTH = {"Authorization": "Bearer sandbox-token"}


@pytest.fixture
def box(tmp_path: Path) -> Iterator[Sandbox]:
    (tmp_path / "doc.txt").write_bytes(b"0123456789")
    sandbox = Sandbox(Docs)
    sandbox.serve_file("/mem", b"abcdef", content_type="text/plain", filename="a b.txt")
    sandbox.serve_file("/disk", tmp_path / "doc.txt")
    sandbox.serve_file("/gen", Generated(1000, seed=3), ranges=False)
    sandbox.serve_file("/per/{name}", lambda req: req.params["name"].encode(), public=True)
    with sandbox:
        yield sandbox


def get(box: Sandbox, path: str, **headers: str) -> requests.Response:
    return requests.get(box.url + path, headers={**AUTH, **headers}, timeout=5)


def test_whole_bodies_with_type_length_and_name(box: Sandbox) -> None:
    resp = get(box, "/mem")
    assert resp.content == b"abcdef" and resp.headers["Content-Type"].startswith("text/plain")
    assert resp.headers["Content-Length"] == "6" and resp.headers["Accept-Ranges"] == "bytes"
    assert filename_of(resp.headers["Content-Disposition"]) == "a b.txt"
    assert get(box, "/disk").content == b"0123456789"
    assert requests.get(box.url + "/per/xyz", timeout=5).content == b"xyz"


def test_generated_bytes_are_deterministic_and_ranged() -> None:
    body = Generated(10_000, seed=1)
    whole = b"".join(body.chunks(0, 10_000))
    assert len(whole) == 10_000 and b"".join(body.chunks(4321, 7000)) == whole[4321:7000]


def test_ranges(box: Sandbox) -> None:
    etag = get(box, "/disk").headers["ETag"]
    part = get(box, "/disk", Range="bytes=4-")
    assert (part.status_code, part.content, part.headers["Content-Range"]) == (206, b"456789", "bytes 4-9/10")
    assert get(box, "/disk", Range="bytes=-3").content == b"789"
    assert get(box, "/disk", Range="bytes=2-4", **{"If-Range": etag}).content == b"234"
    stale = get(box, "/disk", Range="bytes=2-4", **{"If-Range": '"other"'})
    assert (stale.status_code, stale.content) == (200, b"0123456789")
    assert get(box, "/disk", Range="bytes=99-").status_code == 416
    ignored = get(box, "/gen", Range="bytes=5-")
    assert (
        ignored.status_code == 200 and len(ignored.content) == 1000 and "Accept-Ranges" not in ignored.headers
    )


def test_declared_file_actions_get_placeholders_a_route_replaces(box: Sandbox) -> None:
    assert get(box, "/reports/1/pdf").content.startswith(b"%PDF-")
    assert get(box, "/reports/1/pdf").headers["Content-Type"] == "application/pdf"
    box.route("/reports/{id}/pdf")(lambda req: {"mine": req.params["id"]})
    assert get(box, "/reports/2/pdf").json() == {"mine": "2"}


def test_a_handler_sees_the_request(box: Sandbox) -> None:
    def content(req: SandboxRequest) -> bytes:
        return str(req.query.get("n", "none")).encode()

    box.serve_file("/echo", content)
    assert get(box, "/echo?n=5").content == b"5"
