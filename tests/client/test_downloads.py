"""Downloads over real HTTP: whole or nothing at the target, progress, checksums and
lengths verified, interruptions cleaned up, resuming with Range, redirects off-origin."""

from __future__ import annotations

import gzip
import hashlib
import io
import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from clientkit import Action, CacheConfig, Resource, Service, Timeout, TokenAuth
from clientkit.errors import (
    Cancelled,
    ConnectError,
    IntegrityError,
    InvalidRequestError,
    RequestTimeout,
    UnexpectedContentType,
)
from clientkit.files import Downloaded, File, Progress
from clientkit.sandbox import Fault
from clientkit.sandbox.app import Reply, Sandbox
from clientkit.sandbox.files import Generated
from tests.support.filed import BIG, ZIPPED, Docs, Report, cacheable, docs, httpbin, leftovers, stored
from tests.support.scripted import Reply as Scripted
from tests.support.scripted import ScriptedServer

SIZE = 1_000_000
DATA = b"".join(Generated(SIZE).chunks(0, SIZE))


@pytest.fixture
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(Docs, data={"Report": [{"id": 7, "title": "Q3"}]})
    sandbox.serve_file("/files/data.bin", Generated(SIZE), filename="data.bin")
    sandbox.serve_file("/files/plain.bin", Generated(SIZE), ranges=False)
    sandbox.route("/login-page")(
        lambda req: Reply(200, "<html><body>Sign in</body></html>", content_type="text/html", raw=True)
    )
    with sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def bin_url() -> Iterator[str]:
    with httpbin() as url:
        yield url


def test_download_to_a_path(box: Sandbox, tmp_path: Path) -> None:
    seen: list[Progress] = []
    got = docs(box.url).download("/files/data.bin", to=tmp_path / "out.bin", progress=seen.append)
    assert (tmp_path / "out.bin").read_bytes() == DATA
    assert got == Downloaded(tmp_path / "out.bin", SIZE, "application/octet-stream", "data.bin")
    assert leftovers(tmp_path) == ["out.bin"]
    assert seen[-1] == Progress(SIZE, SIZE) and all(p.total == SIZE for p in seen)
    assert [p.done for p in seen] == sorted(p.done for p in seen)


def test_download_to_a_file_object(box: Sandbox) -> None:
    sink = io.BytesIO(b"head:")
    sink.seek(5)
    got = docs(box.url).download("/files/data.bin", to=sink)
    assert got.path is None and got.size == SIZE
    assert sink.getvalue() == b"head:" + DATA


def test_declared_action_downloads_and_checks_its_type(box: Sandbox, tmp_path: Path) -> None:
    got = docs(box.url).download(Report, "pdf", to=str(tmp_path / "r.pdf"), id=7)
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    assert got.content_type == "application/pdf"
    assert box.journal.last is not None and box.journal.last.path == "/reports/7/pdf"


def test_an_html_page_for_a_pdf_is_an_error_and_writes_nothing(box: Sandbox, tmp_path: Path) -> None:
    box.route("/reports/{id}/pdf")(
        lambda req: Reply(200, "<html>Please sign in</html>", content_type="text/html", raw=True)
    )
    with pytest.raises(UnexpectedContentType, match="application/pdf") as caught:
        docs(box.url).download(Report, "pdf", to=tmp_path / "r.pdf", id=7)
    assert "Please sign in" in caught.value.excerpt
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", ["drop_mid", "reset"])
def test_a_body_broken_off_leaves_no_file(box: Sandbox, tmp_path: Path, kind: str) -> None:
    (tmp_path / "out.bin").write_bytes(b"previous")
    box.faults.add(Fault(kind, times=1, route="/files/*"))  # type: ignore[arg-type]
    with pytest.raises((ConnectError, IntegrityError)):
        docs(box.url).download("/files/data.bin", to=tmp_path / "out.bin")
    assert leftovers(tmp_path) == ["out.bin"]
    assert (tmp_path / "out.bin").read_bytes() == b"previous"


def test_a_reset_is_a_connect_error(box: Sandbox, tmp_path: Path) -> None:
    box.faults.add(Fault("reset", times=1, route="/files/*"))
    with pytest.raises(ConnectError, match="mid-body"):
        docs(box.url).download("/files/data.bin", to=tmp_path / "out.bin")


def test_cancel_from_the_progress_callback(box: Sandbox, tmp_path: Path) -> None:
    stop = threading.Event()
    with pytest.raises(Cancelled):
        docs(box.url).download(
            "/files/data.bin",
            to=tmp_path / "out.bin",
            cancel=stop,
            progress=lambda p: stop.set(),
            chunk_size=4096,
        )
    assert leftovers(tmp_path) == []


def test_keyboard_interrupt_in_the_progress_callback(box: Sandbox, tmp_path: Path) -> None:
    (tmp_path / "out.bin").write_bytes(b"previous")

    def interrupt(progress: Progress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        docs(box.url).download("/files/data.bin", to=tmp_path / "out.bin", progress=interrupt)
    assert leftovers(tmp_path) == ["out.bin"] and (tmp_path / "out.bin").read_bytes() == b"previous"


def test_a_trickled_body_hits_the_total_timeout(box: Sandbox, tmp_path: Path) -> None:
    box.faults.add(Fault("trickle", times=1, chunk=10_000, delay=0.1, route="/files/*"))  # 10 s
    started = time.monotonic()
    with pytest.raises(RequestTimeout):
        docs(box.url, timeout=Timeout(total=0.5), retries=0).download(
            "/files/data.bin", to=tmp_path / "o.bin"
        )
    assert time.monotonic() - started < 3
    assert leftovers(tmp_path) == []


def test_the_deadline_argument_bounds_the_whole_download(box: Sandbox, tmp_path: Path) -> None:
    box.faults.add(Fault("trickle", times=1, chunk=10_000, delay=0.1, route="/files/*"))
    started = time.monotonic()
    with pytest.raises(RequestTimeout):
        docs(box.url).download("/files/data.bin", to=tmp_path / "o.bin", deadline=0.5)
    assert time.monotonic() - started < 3


def test_a_checksum_mismatch_writes_nothing(box: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(IntegrityError, match="sha256"):
        docs(box.url).download("/files/data.bin", to=tmp_path / "o.bin", checksum="sha256:" + "0" * 64)
    assert leftovers(tmp_path) == []
    good = hashlib.md5(DATA).hexdigest()
    assert (
        docs(box.url).download("/files/data.bin", to=tmp_path / "o.bin", checksum=f"md5:{good}").size == SIZE
    )


def test_a_body_shorter_than_its_length_writes_nothing(server: ScriptedServer, tmp_path: Path) -> None:
    server.on(
        "GET", "/short", Scripted(body=b"x" * 1000, content_type="application/octet-stream", truncate=400)
    )
    with pytest.raises(IntegrityError, match="400 of 1000"):
        docs(server.url).download("/short", to=tmp_path / "o.bin")
    assert leftovers(tmp_path) == []


def test_resume_continues_with_range(box: Sandbox, tmp_path: Path) -> None:
    box.faults.add(Fault("drop_mid", times=1, route="/files/*"))
    got = docs(box.url).download("/files/data.bin", to=tmp_path / "o.bin", resume=True, checksum="sha256")
    assert (tmp_path / "o.bin").read_bytes() == DATA
    assert got.digest == "sha256:" + hashlib.sha256(DATA).hexdigest()
    first, second = box.journal.entries("GET", "/files/data.bin")
    assert first.header("Range") is None
    asked = second.header("Range") or ""
    assert asked.startswith("bytes=") and 0 < int(asked[6:-1]) <= SIZE // 2
    assert second.header("If-Range") == first_etag(box)


def test_resume_without_range_support_starts_again(box: Sandbox, tmp_path: Path) -> None:
    box.faults.add(Fault("reset", times=1, route="/files/*"))
    docs(box.url).download("/files/plain.bin", to=tmp_path / "o.bin", resume=True)
    assert (tmp_path / "o.bin").read_bytes() == DATA
    assert [e.header("Range") for e in box.journal.entries("GET", "/files/plain.bin")] == [None, None]


def test_resume_gives_up_after_the_retries(box: Sandbox, tmp_path: Path) -> None:
    box.faults.add(Fault("drop_mid", times=3, route="/files/*"))
    with pytest.raises((ConnectError, IntegrityError)):
        docs(box.url, retries=1).download("/files/data.bin", to=tmp_path / "o.bin", resume=True)
    assert len(box.journal.entries("GET", "/files/data.bin")) == 2
    assert leftovers(tmp_path) == []


def test_a_redirect_to_another_host_carries_no_credentials(
    server: ScriptedServer, other_server: ScriptedServer, tmp_path: Path
) -> None:
    other_server.on("GET", "/signed", Scripted(body=b"stored", content_type="application/octet-stream"))
    server.on(
        "GET",
        "/export",
        Scripted(status=302, headers={"Location": f"{other_server.url}/signed?sig=1"}, raw=True),
    )
    got = docs(server.url).download("/export", to=tmp_path / "o.bin")
    assert (tmp_path / "o.bin").read_bytes() == b"stored" and got.size == 6
    assert server.requests_to("/export")[0].header("Authorization") == "Bearer sandbox-token"
    assert other_server.requests_to("/signed")[0].header("Authorization") is None


@pytest.mark.parametrize("bad", ["dir", "missing", "closed", "text"])
def test_bad_targets_are_refused_before_sending(box: Sandbox, tmp_path: Path, bad: str) -> None:
    to: object = {"dir": tmp_path, "missing": tmp_path / "no" / "o.bin"}.get(bad)
    if bad == "closed":
        to = io.BytesIO()
        to.close()  # type: ignore[attr-defined]
    if bad == "text":
        to = io.StringIO()
    with pytest.raises(InvalidRequestError):
        docs(box.url).download("/files/data.bin", to=to)
    assert box.journal.entries("GET", "/files/data.bin") == []


def test_bad_checksums_are_refused(box: Sandbox, tmp_path: Path) -> None:
    for checksum in ("nope", "nope:abcd", "sha256:xyz", "sha256:"):
        with pytest.raises(InvalidRequestError):
            docs(box.url).download("/files/data.bin", to=tmp_path / "o.bin", checksum=checksum)


def test_httpbin_bytes_and_stream_bytes(bin_url: str, tmp_path: Path) -> None:
    session = docs(bin_url)
    assert session.download("/bytes/50000", to=tmp_path / "a", params={"seed": 1}).size == 50000
    seen: list[Progress] = []
    got = session.download(
        "/stream-bytes/70000", to=tmp_path / "b", progress=seen.append, params={"chunk_size": 1024}
    )
    assert got.size == 70000 and seen[-1] == Progress(70000, None)  # chunked: no total
    assert (tmp_path / "b").stat().st_size == 70000


def test_httpbin_drip_hits_the_total_timeout(bin_url: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(RequestTimeout):
        docs(bin_url, timeout=Timeout(total=0.5), retries=0).download(
            "/drip", to=tmp_path / "d", params={"numbytes": 10, "duration": 10, "delay": 0}
        )
    assert time.monotonic() - started < 3
    assert leftovers(tmp_path) == []


def first_etag(box: Sandbox) -> str:
    return str(docs(box.url).request("HEAD", "/files/data.bin").headers["ETag"])


def test_a_checksum_without_a_digest_is_computed_not_checked(box: Sandbox, tmp_path: Path) -> None:
    got = docs(box.url).download("/files/data.bin", to=tmp_path / "o.bin", checksum="md5")
    assert got.digest == "md5:" + hashlib.md5(DATA).hexdigest()


SMALL = DATA[:2000]


def _broken_off(etag: str = '"v1"') -> Scripted:
    """The first answer: 2000 bytes announced, ranges offered, the connection closed at 1000."""
    headers = {"ETag": etag, "Accept-Ranges": "bytes"}
    return Scripted(body=SMALL, headers=headers, content_type="application/octet-stream", truncate=1000)


@pytest.mark.parametrize(
    ("start", "total", "why"),
    [(512, 2000, "continued at byte 512, not at 1000"), (1000, 3000, "now 3000 bytes, not the 2000")],
)
def test_a_206_that_does_not_continue_the_body_is_refused(
    server: ScriptedServer, tmp_path: Path, start: int, total: int, why: str
) -> None:
    body = (SMALL + b"y" * 1000)[start:total]
    wrong = Scripted(
        status=206,
        body=body,
        headers={"Content-Range": f"bytes {start}-{total - 1}/{total}"},
        content_type="application/octet-stream",
    )
    server.on("GET", "/f", _broken_off(), wrong)
    with pytest.raises(IntegrityError, match=why):
        docs(server.url, retries=3).download("/f", to=tmp_path / "o.bin", resume=True)
    assert [r.header("Range") for r in server.requests_to("/f")] == [None, "bytes=1000-"]  # no more tries
    assert leftovers(tmp_path) == []


def test_a_206_to_a_request_for_the_whole_body_is_refused(server: ScriptedServer, tmp_path: Path) -> None:
    partial = Scripted(
        status=206, body=SMALL[:500], headers={"Content-Range": "bytes 0-499/2000"}, content_type="text/plain"
    )
    server.on("GET", "/f", partial)
    with pytest.raises(IntegrityError, match="206"):
        docs(server.url).download("/f", to=tmp_path / "o.bin", resume=True)
    assert len(server.requests_to("/f")) == 1 and leftovers(tmp_path) == []


def test_a_200_to_a_range_request_starts_again(server: ScriptedServer, tmp_path: Path) -> None:
    whole = Scripted(body=SMALL, headers={"ETag": '"v2"'}, content_type="application/octet-stream")
    server.on("GET", "/f", _broken_off(), whole)
    got = docs(server.url).download("/f", to=tmp_path / "o.bin", resume=True)
    assert (tmp_path / "o.bin").read_bytes() == SMALL and got.size == 2000


class _Unseekable:
    """A binary sink that cannot seek (a pipe, a socket)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        return len(chunk)


def test_an_unseekable_sink_that_must_start_again_fails_at_once(
    server: ScriptedServer, tmp_path: Path
) -> None:
    whole = Scripted(body=SMALL, headers={"ETag": '"v2"'}, content_type="application/octet-stream")
    server.on("GET", "/f", _broken_off(), whole)
    with pytest.raises(IntegrityError, match="cannot seek"):
        docs(server.url, retries=3).download("/f", to=_Unseekable(), resume=True)
    assert len(server.requests_to("/f")) == 2  # not the whole body again for each retry


def test_an_unseekable_sink_without_ranges_is_not_restarted(box: Sandbox) -> None:
    box.faults.add(Fault("reset", times=3, route="/files/*"))
    with pytest.raises(ConnectError):
        docs(box.url, retries=3).download("/files/plain.bin", to=_Unseekable(), resume=True)
    assert len(box.journal.entries("GET", "/files/plain.bin")) == 1


def test_an_unseekable_sink_is_resumed_with_range(box: Sandbox) -> None:
    box.faults.add(Fault("drop_mid", times=1, route="/files/*"))
    sink = _Unseekable()
    docs(box.url).download("/files/data.bin", to=sink, resume=True)
    assert bytes(sink.data) == DATA


@pytest.mark.parametrize("bound", ["total", "ambient"])
def test_one_deadline_bounds_every_resume(box: Sandbox, tmp_path: Path, bound: str) -> None:
    from clientkit._client.ambient import ambient

    box.faults.add(Fault("latency", delay=0.4, route="/files/*"))
    box.faults.add(Fault("drop_mid", times=2, route="/files/*"))  # a third answer would end at 1.2 s
    session = docs(box.url, retries=3)
    timeout = Timeout(total=1.0) if bound == "total" else None
    with ambient(time.monotonic() + 1.0 if bound == "ambient" else None), pytest.raises(RequestTimeout):
        session.download("/files/data.bin", to=tmp_path / "o.bin", resume=True, timeout=timeout)
    assert leftovers(tmp_path) == []


def test_a_redirected_download_resumes_at_the_target(server: ScriptedServer, tmp_path: Path) -> None:
    store = Sandbox(Docs)
    store.serve_file("/blob", Generated(SIZE), public=True)
    with store:
        store.faults.add(Fault("drop_mid", times=1, route="/blob"))
        server.on(
            "GET", "/export", Scripted(status=302, headers={"Location": f"{store.url}/blob?sig=1"}, raw=True)
        )
        docs(server.url).download("/export", to=tmp_path / "o.bin", resume=True)
        first, second = store.journal.entries("GET", "/blob")
    assert (tmp_path / "o.bin").read_bytes() == DATA
    assert first.header("Accept-Encoding") == second.header("Accept-Encoding") == "identity"
    assert (second.header("Range") or "").startswith("bytes=") and second.header("If-Range")
    assert first.header("Authorization") is None and second.header("Authorization") is None
    assert all(r.header("Range") is None for r in server.requests_to("/export")[:1])


def test_cancel_acts_on_a_slow_body_at_once(box: Sandbox, tmp_path: Path) -> None:
    box.faults.add(Fault("trickle", times=1, chunk=5000, delay=0.05, route="/files/*"))  # 10 s
    stop = threading.Event()
    seen: list[Progress] = []
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        docs(box.url).download("/files/data.bin", to=tmp_path / "o.bin", cancel=stop, progress=seen.append)
    assert time.monotonic() - started < 3  # not held until a whole 256 KiB chunk came
    assert seen and seen[0].done < 256 * 1024
    assert leftovers(tmp_path) == []


def test_accept_checks_a_path_download(box: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(UnexpectedContentType, match="application/pdf"):
        docs(box.url).download("/login-page", to=tmp_path / "o.bin", accept="application/pdf")
    assert leftovers(tmp_path) == []
    got = docs(box.url).download("/files/data.bin", to=tmp_path / "o.bin", accept=["application/*"])
    assert got.size == SIZE


def test_a_post_action_downloads_with_its_payload(server: ScriptedServer, tmp_path: Path) -> None:
    server.on("POST", "/reports/7/export", Scripted(body=b"a,b\n1,2\n", content_type="text/csv"))
    session = Exports.connect(server.url, token="t")
    got = session.download(Exported, "export", to=tmp_path / "r.csv", id=7, json={"format": "csv"})
    assert got.content_type == "text/csv" and (tmp_path / "r.csv").read_bytes() == b"a,b\n1,2\n"
    assert server.requests_to("/reports/7/export")[0].json == {"format": "csv"}
    session.download(
        Exported, "export", to=tmp_path / "r.csv", id=7, json={"template": File(b"tpl", filename="t.txt")}
    )
    sent = server.requests_to("/reports/7/export")[1]
    assert (sent.header("Content-Type") or "").startswith("multipart/form-data") and b"tpl" in sent.body


def test_download_arguments_are_checked(box: Sandbox, tmp_path: Path) -> None:
    session = docs(box.url)
    with pytest.raises(InvalidRequestError, match="bogus"):
        session.download("/files/data.bin", to=tmp_path / "o.bin", bogus=1)
    with pytest.raises(InvalidRequestError, match="without a body"):
        session.download("/files/data.bin", to=tmp_path / "o.bin", json={"a": 1})
    assert box.journal.entries("GET", "/files/data.bin") == []


class Exports(Service):
    auth = TokenAuth()


@Exports.resource(
    one="/reports/{id}",
    actions={"export": Action("POST", "/reports/{id}/export", answer="stream", accept="text/csv")},
)
class Exported(Resource):
    id: int | None = None


def test_a_cached_session_downloads_past_the_cache(tmp_path: Path) -> None:
    with cacheable() as url:
        session = docs(url, cache=CacheConfig(backend="memory"))
        tracemalloc.start()
        try:
            got = session.download("/big", to=tmp_path / "big.bin")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert got.size == (tmp_path / "big.bin").stat().st_size == BIG
        assert peak < BIG // 4  # never the whole body in memory
        assert session.download("/gz", to=tmp_path / "gz.bin").size == len(ZIPPED)
        assert (tmp_path / "gz.bin").read_bytes() == ZIPPED  # decoded once
        assert stored(session) == 0


# -- a resume never splices two bodies, never takes a short range for the end --------------------


def _range(start: int, end: int, total: str, etag: str = '"v1"', body: bytes = SMALL) -> Scripted:
    return Scripted(
        status=206,
        body=body[start:end],
        headers={"Content-Range": f"bytes {start}-{end - 1}/{total}", "ETag": etag},
        content_type="application/octet-stream",
    )


def test_a_206_of_another_version_is_not_spliced_in(server: ScriptedServer, tmp_path: Path) -> None:
    other = b"B" * 2000
    whole = Scripted(body=other, headers={"ETag": '"v2"'}, content_type="application/octet-stream")
    server.on("GET", "/f", _broken_off(), _range(1000, 2000, "2000", etag='"v2"', body=other), whole)
    got = docs(server.url, retries=3).download("/f", to=tmp_path / "o.bin", resume=True)
    assert (tmp_path / "o.bin").read_bytes() == other and got.size == 2000  # the new version, whole
    assert [r.header("Range") for r in server.requests_to("/f")] == [None, "bytes=1000-", None]


def test_a_206_of_another_version_fails_when_it_cannot_start_again(server: ScriptedServer) -> None:
    server.on("GET", "/f", _broken_off(), _range(1000, 2000, "2000", etag='"v2"'))
    sink = _Unseekable()
    with pytest.raises(IntegrityError, match="the body changed on the server"):
        docs(server.url, retries=3).download("/f", to=sink, resume=True)
    assert len(server.requests_to("/f")) == 2 and bytes(sink.data) == SMALL[:1000]


def test_a_short_206_is_continued_never_taken_for_the_end(server: ScriptedServer, tmp_path: Path) -> None:
    server.on("GET", "/f", _broken_off(), _range(1000, 1500, "2000"), _range(1500, 2000, "2000"))
    got = docs(server.url, retries=3).download("/f", to=tmp_path / "o.bin", resume=True)
    assert (tmp_path / "o.bin").read_bytes() == SMALL and got.size == 2000
    assert [r.header("Range") for r in server.requests_to("/f")] == [None, "bytes=1000-", "bytes=1500-"]
    server.clear()
    server.on("GET", "/f", _broken_off(), _range(1000, 1500, "2000"))
    with pytest.raises(IntegrityError, match="1500 of 2000 bytes"):
        docs(server.url, retries=1).download("/f", to=tmp_path / "p.bin", resume=True)
    assert leftovers(tmp_path) == ["o.bin"]


def test_a_content_encoded_body_is_started_again_not_ranged(server: ScriptedServer, tmp_path: Path) -> None:
    zipped = gzip.compress(DATA[:200_000])
    headers = {"ETag": '"z"', "Accept-Ranges": "bytes", "Content-Encoding": "gzip"}
    kind = "application/octet-stream"
    broken = Scripted(body=zipped, headers=headers, content_type=kind, truncate=len(zipped) // 2)
    whole = Scripted(body=zipped, headers=headers, content_type=kind)
    server.on("GET", "/f", broken, whole)
    got = docs(server.url, retries=2).download("/f", to=tmp_path / "o.bin", resume=True)
    assert (tmp_path / "o.bin").read_bytes() == DATA[:200_000] and got.size == 200_000
    assert [r.header("Range") for r in server.requests_to("/f")] == [None, None]


def test_a_callers_own_range_is_refused_before_sending(server: ScriptedServer, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="sends its own Range"):
        docs(server.url).download("/f", to=tmp_path / "o.bin", headers={"Range": "bytes=0-9"})
    assert server.received == [] and leftovers(tmp_path) == []


class _Chunked(BaseHTTPRequestHandler):
    """``/f``: :data:`SMALL` sent chunked (total unknown), ranges offered; the first answer
    breaks off (``cut`` bytes, no closing chunk), a ``Range`` gets at most ``piece`` bytes
    with ``bytes a-b/*``, and a range past the end a 416 ``bytes */2000``."""

    protocol_version = "HTTP/1.1"
    cut = 1000
    piece = 500
    ranges: list[str | None] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        asked = self.headers.get("Range")
        type(self).ranges.append(asked)
        if asked is None:
            self.send_response(200)
            self.send_header("ETag", '"c"')
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"%x\r\n%s\r\n" % (self.cut, SMALL[: self.cut]))
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        start = int(asked.removeprefix("bytes=").rstrip("-"))
        if start >= len(SMALL):
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(SMALL)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        part = SMALL[start : start + self.piece]
        self.send_response(206)
        self.send_header("ETag", '"c"')
        self.send_header("Content-Range", f"bytes {start}-{start + len(part) - 1}/*")
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        self.wfile.write(part)


@contextmanager
def _chunked(cut: int) -> Iterator[tuple[str, list[str | None]]]:
    handler = type("Handler", (_Chunked,), {"cut": cut, "ranges": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler.ranges
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("cut", [1000, len(SMALL)])
def test_ranges_of_an_unknown_total_go_on_until_the_server_says_none_is_left(
    cut: int, tmp_path: Path
) -> None:
    with _chunked(cut) as (url, ranges):
        got = docs(url, retries=1).download("/f", to=tmp_path / "o.bin", resume=True)
    assert (tmp_path / "o.bin").read_bytes() == SMALL and got.size == len(SMALL)
    # a 206 of "bytes a-b/*" proves nothing: the next range is asked for until a 416 says
    # the body is whole; only the first break counted against the retries
    assert ranges == [None, *[f"bytes={n}-" for n in range(cut, len(SMALL) + 1, 500)]]
