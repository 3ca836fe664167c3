"""clientkit_services.bragerone's session handling over real HTTP: the retry's own error (B2), one
limit on every request (B7), the login answer and its token fallback (B10), the duplicate-entry
login retry, the trace and its redaction (B23), and ``verify=`` with an ``ssl.SSLContext``."""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from clientkit.errors import ConnectError, InvalidRequestError
from clientkit.sandbox import ServerThread
from clientkit_services.bragerone import ApiError, BragerOneApiClient, Token
from clientkit_services.bragerone.sandbox import DEMO, EMAIL, PASSWORD, BragerOneSandbox
from tests.support.scripted import Reply, ScriptedServer
from tests.support.tls import https_server, self_signed

DEVID = "FTTCTBSLCE"


@pytest.fixture
def box() -> Iterator[BragerOneSandbox]:
    sandbox = BragerOneSandbox()
    with sandbox:
        yield sandbox


def client_for(url: str, **options: Any) -> BragerOneApiClient:
    return BragerOneApiClient(api_base=url + "/v1", one_base=url, **options)


def sent(box: BragerOneSandbox) -> list[str]:
    return [f"{e.method} {e.path}" for e in box.journal.entries()]


class Counting:
    """The sandbox behind a WSGI layer that holds each request a while and counts how many
    are in flight at once."""

    def __init__(self, app: Any, hold: float = 0.05) -> None:
        self.app, self.hold = app, hold
        self.now = self.most = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(self.hold)
            return list(self.app(environ, start_response))
        finally:
            with self._lock:
                self.now -= 1


def test_the_retry_after_a_401_raises_its_own_error_b2(box: BragerOneSandbox) -> None:
    answers = iter([(EMAIL, PASSWORD), (EMAIL, "changed-since")])
    c = client_for(box.url, validate_on_start=False, creds_provider=lambda: next(answers))
    c.get_user()
    box.accounts.revoke_all()
    with pytest.raises(ApiError) as login:
        c.get_objects()  # 401, then the new login fails: its error, not the first 401
    assert login.value.status == 401 and login.value.data == {"message": "Invalid credentials"}
    assert sent(box)[2:] == ["GET /v1/objects", "POST /v1/auth/user"]

    again = client_for(box.url, validate_on_start=False, creds_provider=lambda: (EMAIL, PASSWORD))
    again.get_user()
    box.accounts.revoke_all()
    with pytest.raises(ApiError) as retried:
        again.get_module_card("NOPE")  # 401, a new login, then the retry's 404
    assert retried.value.status == 404 and retried.value.data == {"message": "Module not found"}
    card = "GET /v1/modules/NOPE/card"
    assert sent(box)[-3:] == [card, "POST /v1/auth/user", card]


@pytest.mark.parametrize("limit", [1, 2])
def test_concurrency_bounds_every_request_of_the_client_b7(limit: int) -> None:
    sandbox = BragerOneSandbox()
    counting = Counting(sandbox)
    with ServerThread(counting) as url:
        c = client_for(url, concurrency=limit)
        c.ensure_auth(EMAIL, PASSWORD)
        calls: list[Callable[[], Any]] = [
            c.get_objects,
            lambda: c.get_modules(1234),
            c.get_user,
            lambda: c.get_module_card(DEVID),
            lambda: c.fetch_text_one("assets/index-4f2a.js"),
            lambda: c.get_bytes(url + "/assets/index-4f2a.js"),
            lambda: c.modules_parameters_prime([DEVID]),
            c.get_system_version,
        ]
        failed: list[BaseException] = []

        def run(call: Callable[[], Any]) -> None:
            try:
                call()
            except BaseException as exc:  # reported below
                failed.append(exc)

        threads = [threading.Thread(target=run, args=(call,)) for call in calls * 2]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failed == [] and counting.most == limit


def test_the_token_carries_the_login_answers_account_and_objects(box: BragerOneSandbox) -> None:
    class Saved:
        def __init__(self) -> None:
            self.saved: list[Token] = []

        def load(self) -> None:
            return None

        def save(self, token: Token) -> None:
            self.saved.append(token)

        def clear(self) -> None:
            pass

    store = Saved()
    token = client_for(box.url, token_store=store).ensure_auth(EMAIL, PASSWORD)
    assert token.user_id == 1 and [o["id"] for o in token.objects] == [1234, 1235]
    assert store.saved == [token]


def test_a_login_answer_with_token_only_and_with_no_token_b10() -> None:
    server = ScriptedServer().start()
    try:
        server.on("POST", "/v1/auth/user", Reply(json={"token": "tok-fallback-b10", "user": {"id": 5}}))
        server.on("GET", "/v1/user", Reply(json={"user": {**DEMO["user"], "id": 5, "name": "Jan"}}))
        c = client_for(server.url, creds_provider=lambda: (EMAIL, PASSWORD))
        assert c.get_user().name == "Jan" and c.access_token == "tok-fallback-b10"
        assert server.requests_to("/v1/user")[0].header("Authorization") == "Bearer tok-fallback-b10"
        assert c.ensure_auth().user_id == 5
        server.set("POST", "/v1/auth/user", Reply(json={"user": {"id": 5}}))
        with pytest.raises(ApiError) as info:
            client_for(server.url).ensure_auth(EMAIL, PASSWORD)
        assert (info.value.status, info.value.data) == (500, {"message": "No accessToken in login payload"})
    finally:
        server.stop()


def test_only_the_duplicate_entry_race_retries_a_login(box: BragerOneSandbox) -> None:
    box.accounts.fail_logins(1, status=500, body={"message": "Internal error"})
    with pytest.raises(ApiError) as info:
        client_for(box.url).ensure_auth(EMAIL, PASSWORD)
    assert info.value.status == 500 and sent(box) == ["POST /v1/auth/user"]
    box.accounts.fail_logins(2, status=500)  # {"message": "ER_DUP_ENTRY: Duplicate entry ..."}
    assert client_for(box.url).ensure_auth(EMAIL, PASSWORD).access_token
    assert sent(box) == ["POST /v1/auth/user"] * 4


def test_the_trace_is_clientkits_log_and_never_shows_a_secret_b23(
    box: BragerOneSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        quiet = client_for(box.url)
        quiet.ensure_auth(EMAIL, PASSWORD)
        quiet.get_objects()
        assert [r for r in caplog.records if r.name == "clientkit.http"] == []
        traced = client_for(box.url, enable_http_trace=True, redact_secrets=False)
        token = traced.ensure_auth(EMAIL, PASSWORD).access_token
        traced.get_objects()
    lines = [r.getMessage() for r in caplog.records if r.name == "clientkit.http"]
    assert [line.split(" ")[0] for line in lines] == ["POST", "GET"]
    assert "/v1/objects -> 200" in lines[1] and "Authorization" in lines[1]
    shown = "\n".join(r.getMessage() for r in caplog.records)
    assert token and token not in shown and PASSWORD not in shown  # redact_secrets=False refused


def test_verify_takes_an_ssl_context(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with https_server(BragerOneSandbox(), cert, key) as url:
        c = client_for(url, verify=ssl.create_default_context(cafile=str(cert)))
        assert c.get_system_version().version == "1.04.05"
        with pytest.raises(ConnectError, match="TLS failure"):
            client_for(url).get_system_version()
    with pytest.raises(InvalidRequestError, match=r"ssl\.SSLContext"):
        client_for("https://127.0.0.1:1", verify=1)  # type: ignore[arg-type]
