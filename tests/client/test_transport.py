"""Timeouts, retries, backoff, Retry-After and idempotency over real HTTP."""

from __future__ import annotations

import email.utils
import logging
import os
import time
from pathlib import Path

import pytest

from clientkit import Action, ApiKeyAuth, BasicAuth, CacheConfig, Resource, Service, Timeout, TokenAuth
from clientkit.errors import (
    AuthenticationError,
    ClientError,
    ConnectError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    RequestTimeout,
    ServerError,
)
from clientkit.files import File
from clientkit.model import Environment, Origin
from tests.support.filed import cacheable, docs, stored
from tests.support.login import LoginApi, LoginServer, Me
from tests.support.processes import free_port
from tests.support.retried import Api, IdempotentApi, IThing, Thing, ok, policy
from tests.support.scripted import Reply, ScriptedServer
from tests.support.trickler import TricklingServer


def test_5xx_on_get_is_retried_then_succeeds(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503), Reply(502), ok())
    sleeps: list[float] = []
    thing = Api.connect(server.url, retries=policy(sleeps)).get(Thing, 1)
    assert thing.name == "x"
    assert len(server.received) == 3 and len(sleeps) == 2


def test_retries_are_bounded_and_the_last_error_raised(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(500, json={"message": "boom"}))
    sleeps: list[float] = []
    with pytest.raises(ServerError, match="boom") as info:
        Api.connect(server.url, retries=policy(sleeps, retries=2)).get(Thing, 1)
    assert info.value.status == 500
    assert len(server.received) == 3 and len(sleeps) == 2


def test_post_is_not_retried_on_5xx(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(503), ok())
    with pytest.raises(ServerError):
        Api.connect(server.url, retries=policy([])).create(Thing(name="x"))
    assert len(server.received) == 1


def test_post_with_declared_idempotency_key_is_retried_with_the_same_key(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(503), Reply(504), ok())
    session = IdempotentApi.connect(server.url, retries=policy([]))
    session.create(IThing(name="x"))
    keys = [r.header("Idempotency-Key") for r in server.received]
    assert len(keys) == 3 and keys[0] and len(set(keys)) == 1
    server.clear()
    server.on("POST", "/things", ok())
    session.create(IThing(name="y"))
    assert server.received[0].header("Idempotency-Key") not in keys  # a fresh key per call


def test_caller_can_opt_in_to_retrying_a_post(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(503), ok())
    Api.connect(server.url, retries=policy([])).create(Thing(name="x"), idempotent=True)
    assert len(server.received) == 2


def test_429_on_post_is_retried_because_it_was_refused(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(429, headers={"Retry-After": "0"}), ok())
    sleeps: list[float] = []
    Api.connect(server.url, retries=policy(sleeps)).create(Thing(name="x"))
    assert len(server.received) == 2 and sleeps == [0.0]


def test_408_is_retried(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(408), ok())
    Api.connect(server.url, retries=policy([])).get(Thing, 1)
    assert len(server.received) == 2


def test_retry_after_seconds_is_honoured(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503, headers={"Retry-After": "2"}), ok())
    sleeps: list[float] = []
    Api.connect(server.url, retries=policy(sleeps)).get(Thing, 1)
    assert sleeps == [2.0]


def test_retry_after_http_date_is_honoured(server: ScriptedServer) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.on("GET", "/things/1", Reply(429, headers={"Retry-After": when}), ok())
    sleeps: list[float] = []
    Api.connect(server.url, retries=policy(sleeps)).get(Thing, 1)
    assert len(sleeps) == 1 and 25 <= sleeps[0] <= 31


def test_retry_after_beyond_the_cap_raises_at_once(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(429, json={"message": "slow down"}, headers={"Retry-After": "3600"}))
    sleeps: list[float] = []
    with pytest.raises(RateLimitError) as info:
        Api.connect(server.url, retries=policy(sleeps, max_retry_after=60)).get(Thing, 1)
    assert info.value.retry_after == 3600 and sleeps == []
    assert len(server.received) == 1


def test_read_timeout_on_get_is_retried(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1}, delay=0.6), ok())
    sleeps: list[float] = []
    thing = Api.connect(server.url, timeout=(1, 0.2), retries=policy(sleeps)).get(Thing, 1)
    assert thing.name == "x" and len(server.received) == 2


def test_read_timeout_on_post_is_not_retried(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(json={"id": 1}, delay=0.6))
    with pytest.raises(RequestTimeout, match="read timed out"):
        Api.connect(server.url, timeout=(1, 0.2), retries=policy([])).create(Thing(name="x"))
    time.sleep(0.5)
    assert len(server.received) == 1


def test_connection_refused_is_retried_then_raised() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    sleeps: list[float] = []
    with pytest.raises(ConnectError, match="connection failed") as info:
        Api.connect(url, retries=policy(sleeps, retries=2)).create(Thing(name="x"))
    assert len(sleeps) == 2  # even a POST: nothing reached a server
    assert info.value.method == "POST"


def test_dropped_connection_on_get_is_retried(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(drop=True), ok())
    Api.connect(server.url, retries=policy([])).get(Thing, 1)
    assert len(server.received) == 2


def test_dropped_connection_on_post_is_not_retried(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(drop=True), ok())
    with pytest.raises(ConnectError):
        Api.connect(server.url, retries=policy([])).create(Thing(name="x"))
    assert len(server.received) == 1


def test_body_cut_off_mid_way_is_retried_for_get(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(json={"id": 1, "name": "long" * 100}, truncate=20), ok())
    assert Api.connect(server.url, retries=policy([])).get(Thing, 1).name == "x"
    assert len(server.received) == 2


def test_per_call_retries_override(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503), ok())
    session = Api.connect(server.url, retries=policy([]))
    with pytest.raises(ServerError):
        session.get(Thing, 1, retries=0)
    assert len(server.received) == 1


def test_callers_idempotency_key_is_kept_whatever_its_case(server: ScriptedServer) -> None:
    server.on("POST", "/things", Reply(503), ok())
    IdempotentApi.connect(server.url, retries=policy([])).request(
        "POST", "/things", json={}, headers={"idempotency-key": "mine-1"}
    )
    assert [r.header("Idempotency-Key") for r in server.received] == ["mine-1", "mine-1"]


def test_idempotent_false_stops_retrying_a_get(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503), ok())
    with pytest.raises(ServerError):
        Api.connect(server.url, retries=policy([])).request("GET", "/things/1", idempotent=False)
    assert len(server.received) == 1


def _piped(data: bytes) -> int:
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(data)
    return read_end


def test_a_401_to_a_body_that_cannot_be_re_sent_renews_but_does_not_re_send(server: ScriptedServer) -> None:
    srv = LoginServer(server, lifetime=3600)
    server.on("POST", "/me", srv.me)
    session = LoginApi.connect(server.url, username="ann", password="s3cret-pw")
    session.get(Me)
    srv.valid.clear()  # the token is revoked while an upload from a pipe is under way
    with (
        os.fdopen(_piped(b"piped " * 1000), "rb") as pipe,
        pytest.raises(
            AuthenticationError,
            match="the credential was renewed; the request was not re-sent: its body cannot be sent again",
        ),
    ):
        session.request("POST", "/me", files={"f": pipe})
    assert srv.count("/auth/login") == 2  # renewed, so the next upload from a pipe goes through
    with os.fdopen(_piped(b"again " * 1000), "rb") as pipe:
        assert session.request("POST", "/me", files={"f": pipe}).json() == {"name": "ann"}
    srv.valid.clear()
    with pytest.raises(AuthenticationError, match="cannot be sent again"):
        session.request("POST", "/me", data=iter([b"a", b"b"]))
    posts = [r for r in server.requests_to("/me") if r.method == "POST"]
    assert len(posts) == 3 and b"piped " * 1000 in posts[0].body  # each sent once, never empty
    assert b"again " * 1000 in posts[1].body and srv.count("/auth/login") == 3


class _Token(Service):
    auth = TokenAuth()


class _Key(Service):
    auth = ApiKeyAuth()


class _Basic(Service):
    auth = BasicAuth()


@pytest.mark.parametrize(
    ("service", "credential"),
    [(_Token, {"token": "wrong"}), (_Key, {"key": "wrong"}), (_Basic, {"username": "u", "password": "p"})],
)
def test_a_static_credential_never_claims_a_renewal(
    server: ScriptedServer, service: type[Service], credential: dict[str, str]
) -> None:
    server.on("POST", "/up", Reply(401, json={"message": "bad credential"}))
    session = service.connect(server.url, **credential)  # type: ignore[arg-type]
    with os.fdopen(_piped(b"x" * 10), "rb") as pipe, pytest.raises(AuthenticationError) as caught:
        session.request("POST", "/up", files={"f": pipe})
    assert str(caught.value).endswith("bad credential")  # nothing about renewing or re-sending
    assert len(server.requests_to("/up")) == 1


def _open_fds(path: Path) -> list[str]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target == str(path):
            found.append(fd)
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_an_upload_closes_the_files_it_opened_when_the_call_ends(
    server: ScriptedServer, tmp_path: Path
) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(8_000_000))
    early = b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
    refusing = TricklingServer(early, pause=0)  # answers before it reads the body
    try:
        session = Api.connect(refusing.url, retries=policy([], retries=0))
        with pytest.raises((ClientError, ConnectError)):
            session.request("PUT", "/up", files={"f": File(path)})
        assert _open_fds(path) == []  # a failed upload keeps no file open
    finally:
        refusing.stop()
    server.on("PUT", "/up", Reply(json={}))
    session = Api.connect(server.url, retries=policy([]))
    session.request("PUT", "/up", files={"f": File(path)})
    assert _open_fds(path) == [] and len(server.received[-1].body) > 8_000_000
    with open(path, "rb") as mine:
        session.request("PUT", "/up", files={"f": mine})
        assert not mine.closed  # a file object the caller passed stays the caller's


def test_carried_headers_follow_a_redirect_off_origin(
    server: ScriptedServer, other_server: ScriptedServer
) -> None:
    other_server.on("GET", "/signed", ok())
    server.on("GET", "/things/1", Reply(302, headers={"Location": f"{other_server.url}/signed"}, raw=True))
    session = docs(server.url, headers={"X-Tenant": "acme"})
    session.transport.request("GET", "/things/1", carry={"Range": "bytes=5-"}, options=session._resolve(None))
    sent = server.requests_to("/things/1")[0]
    assert sent.header("Range") == "bytes=5-" and sent.header("X-Tenant") == "acme"
    assert sent.header("Authorization") == "Bearer sandbox-token"
    there = other_server.requests_to("/signed")[0]
    assert there.header("Range") == "bytes=5-"  # the transfer's own header goes along
    assert there.header("X-Tenant") is None and there.header("Authorization") is None


def test_a_bypassed_call_is_never_stored_whatever_its_answer_says() -> None:
    with cacheable() as url:
        session = docs(url, cache=CacheConfig(backend="memory"))
        for _ in range(2):
            assert session.request("GET", "/poll", cache="bypass").json() == {"ok": True}
        assert stored(session) == 0 and session.cache_stats.hits == 0
        session.request("GET", "/poll")
        assert stored(session) == 1


def _with_files(main: str, files: Origin | str) -> type[Service]:
    class Docs(Service):
        base_url = main
        origins = {"files": files}
        auth = TokenAuth(scheme="Bearer")
        headers = {"X-Tenant": "{tenant}"}
        context = {"tenant": "t1"}

    @Docs.resource(
        one="/docs/{id}", actions={"raw": Action("GET", "/blobs/{id}", origin="files", answer="bytes")}
    )
    class Doc(Resource):
        id: int | None = None

    Docs.Doc = Doc  # type: ignore[attr-defined]
    return Docs


def test_a_declared_origin_gets_no_credential_or_headers_unless_declared_to(
    server: ScriptedServer, other_server: ScriptedServer
) -> None:
    other_server.on("GET", "/blobs/7", Reply(body=b"blob", content_type="application/octet-stream"))
    server.on("GET", "/docs/7", Reply(json={"id": 7}))
    for files, sent in ((other_server.url, None), (Origin(other_server.url, credentials=True), "Bearer t")):
        other_server.received.clear()
        Docs = _with_files(server.url, files)
        session = Docs.connect(token="t")
        assert session.action(Docs.Doc, "raw", id=7) == b"blob"  # type: ignore[attr-defined]
        assert session.request("GET", "/blobs/7", origin="files").content == b"blob"
        session.get(Docs.Doc, 7)  # type: ignore[attr-defined]
        assert [r.header("Authorization") for r in other_server.received] == [sent, sent]
        assert [r.header("X-Tenant") for r in other_server.received] == [sent and "t1"] * 2
        assert server.received[-1].header("Authorization") == "Bearer t"


def test_undeclared_origins_are_still_refused(server: ScriptedServer, other_server: ScriptedServer) -> None:
    session = _with_files(server.url, other_server.url).connect(token="t")
    with pytest.raises(InvalidRequestError, match="no origin 'blobs' is declared; origins are \\['files'\\]"):
        session.request("GET", "/x", origin="blobs")
    with pytest.raises(InvalidRequestError, match="nor a declared one"):
        session.request("GET", server.host_alias_url + "/x")
    assert server.received == [] and other_server.received == []


def test_a_url_on_an_undeclared_host_goes_without_anything_of_the_session(
    server: ScriptedServer, other_server: ScriptedServer, tmp_path: Path
) -> None:
    class Shop(Service):
        auth = TokenAuth(scheme="Bearer")
        headers = {"X-Tenant": "{tenant}"}
        context = {"tenant": "t1"}
        context_query = {"tenant": "{tenant}"}

    server.on("GET", "/login", Reply(json={}, headers={"Set-Cookie": "sid=own-session; Path=/"}))
    server.on("GET", "/back", Reply(body=b"back", content_type="text/plain"))
    other_server.on("GET", "/file.csv", Reply(body=b"a,b\n", content_type="text/csv"))
    other_server.on("GET", "/hop", Reply(302, headers={"Location": f"{server.url}/back"}))
    session = Shop.connect(server.url, token="t", retries=0)
    session.request("GET", "/login")
    with pytest.raises(InvalidRequestError, match="nor a declared one"):
        session.request("GET", f"{other_server.url}/file.csv")  # a plain call stays refused
    assert other_server.received == []
    got = session.request("GET", f"{other_server.url}/file.csv", credentials=False, headers={"X-Mine": "1"})
    assert got.content == b"a,b\n"
    session.download(f"{other_server.url}/file.csv", to=tmp_path / "f.csv", credentials=False)
    assert (tmp_path / "f.csv").read_bytes() == b"a,b\n"
    assert session.request("GET", f"{other_server.url}/hop", credentials=False).content == b"back"
    session.download(f"{other_server.url}/hop", to=tmp_path / "b", credentials=False)
    fetched = [*other_server.received, *server.received[1:]]  # the files host, then the redirects back
    assert [r.path for r in fetched] == ["/file.csv", "/file.csv", "/hop", "/hop", "/back", "/back"]
    for received in fetched:
        sent = {k.lower() for k in received.headers}
        assert not sent & {"authorization", "x-tenant", "x-mine", "cookie"}, received
        assert received.query == ""
    session.request("GET", "/login")
    assert server.received[-1].header("Cookie") == "sid=own-session"
    assert server.received[-1].header("Authorization") == "Bearer t"


def test_an_environment_brings_its_own_origins(server: ScriptedServer, other_server: ScriptedServer) -> None:
    class Api(Service):
        base_url = "https://api.example.com"
        origins = {"files": Origin("https://files.example.com", credentials=True)}
        environments = {"local": Environment(server.url, files=other_server.url)}
        auth = TokenAuth(scheme="Bearer")

    other_server.on("GET", "/f", Reply(json={"at": "files"}))
    session = Api.connect(environment="local", token="t")
    assert session.request("GET", "/f", origin="files").json() == {"at": "files"}
    assert other_server.received[0].header("Authorization") == "Bearer t"


def test_a_download_of_an_action_goes_to_its_origin(
    server: ScriptedServer, other_server: ScriptedServer, tmp_path: Path
) -> None:
    Docs = _with_files(server.url, other_server.url)
    other_server.on("GET", "/blobs/3", Reply(body=b"abc", content_type="application/octet-stream"))
    Docs.connect(token="t").download(Docs.Doc, "raw", id=3, to=tmp_path / "b")  # type: ignore[attr-defined]
    assert (tmp_path / "b").read_bytes() == b"abc"
    assert other_server.received[0].header("Authorization") is None and server.received == []


def test_trace_false_leaves_a_sessions_exchanges_out_of_the_log(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("GET", "/x", Reply(json={}))

    class Svc(Service):
        auth = TokenAuth()

    with caplog.at_level(logging.DEBUG, logger="clientkit.http"):
        Svc.connect(server.url, token="tok-traced-1234").request("GET", "/x")
        traced = [r.getMessage() for r in caplog.records if r.name == "clientkit.http"]
        caplog.clear()
        Svc.connect(server.url, token="tok-traced-1234", trace=False).request("GET", "/x")
        quiet = [r.getMessage() for r in caplog.records if r.name == "clientkit.http"]
    assert len(traced) == 1 and traced[0].startswith("GET http://127.0.0.1")
    assert "tok-traced-1234" not in traced[0]
    assert quiet == [] and len(server.requests_to("/x")) == 2


def test_the_error_after_the_last_retry_says_how_many_attempts_were_made(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503, json={"message": "busy"}))
    with pytest.raises(ServerError, match="gave up after 3 attempts") as info:
        Api.connect(server.url, retries=policy([], retries=2)).get(Thing, 1)
    assert info.value.attempts == 3 and len(server.received) == 3


def test_a_failure_not_retried_counts_one_attempt_and_says_nothing_of_retries(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(404, json={"message": "gone"}))
    with pytest.raises(NotFoundError) as info:
        Api.connect(server.url, retries=policy([])).get(Thing, 1)
    assert info.value.attempts == 1 and "attempt" not in str(info.value)


def test_a_connection_failure_says_how_many_attempts_were_made() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ConnectError, match="gave up after 3 attempts") as info:
        Api.connect(url, retries=policy([], retries=2)).get(Thing, 1)
    assert info.value.attempts == 3


def test_a_retry_after_beyond_the_maximum_says_so(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(503, json={"message": "later"}, headers={"Retry-After": "3600"}))
    with pytest.raises(ServerError) as info:
        Api.connect(server.url, retries=policy([], max_retry_after=60)).get(Thing, 1)
    assert "the server asked to wait 3600s (Retry-After)" in str(info.value)
    assert "max_retry_after of 60s" in str(info.value)
    assert info.value.retry_after == 3600 and info.value.attempts == 1 and len(server.received) == 1


def test_a_retry_after_beyond_the_deadline_says_so(server: ScriptedServer) -> None:
    server.on("GET", "/things/1", Reply(429, json={"message": "later"}, headers={"Retry-After": "30"}))
    with pytest.raises(RateLimitError, match=r"wait 30s \(Retry-After\), more than the .*left before"):
        Api.connect(server.url, retries=policy([]), timeout=Timeout(total=5)).get(Thing, 1)
