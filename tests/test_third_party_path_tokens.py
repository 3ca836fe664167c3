"""Tokens in paths against real servers: httpbin (PyPI) echoes the path it was sent and
answers 404 to paths it does not serve; json-server (npm) serves a bot API only under
``/bot<token>/`` (its ``--routes``). The token reaches the server and shows nowhere else: not
in exception messages, attributes or chains, reprs, log records of any logger (urllib3's and
requests-cache's included), nor the cache's keys, stored URLs and files."""

from __future__ import annotations

import logging
import pickle
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from clientkit import CacheConfig, Resource, RetryPolicy, Service, field
from clientkit._client.session import Session
from clientkit.auth import PathToken
from clientkit.errors import (
    ClientKitError,
    DecodeError,
    NotFoundError,
    TransportError,
    UnexpectedContentType,
)
from tests.support import processes
from tests.support.filed import httpbin

TOKEN = "5150-bot-secret-Zq8w"  # no ":": express routes read ":" as a parameter
PART = "bot-secret-Zq8w"


class Bot(Service):
    auth = PathToken()


@Bot.resource(one="/updates/{id}", many="/updates")
class Update(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None


@Bot.resource(one="/me", singleton=True)
class Me(Resource):
    username: str | None = None


@Bot.resource(one="/strict", singleton=True, name="StrictEcho")
class StrictEcho(Resource):
    url: int | None = None  # httpbin's echoed URL (holding the token) is no int


def clean(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text and PART not in text, text


def clean_error(error: BaseException) -> None:
    """The error, its attributes and every exception in its chain hold no token."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        exc = todo.pop()
        if exc is None or any(exc is s for s in seen):
            continue
        seen.append(exc)
        clean(str(exc), repr(exc), *map(repr, exc.args), *map(repr, vars(exc).values()))
        todo += [exc.__cause__, exc.__context__]
    clean("".join(traceback.format_exception(error)))


def clean_logs(caplog: pytest.LogCaptureFixture) -> None:
    """The client's log records hold no token (httpbin runs in this process: its server-side
    werkzeug lines, which log the path they served, are the server's, not the client's)."""
    records = [r for r in caplog.records if not r.name.startswith(("werkzeug", "httpbin"))]
    assert records
    for record in records:
        clean(record.getMessage(), repr(record.args), record.exc_text or "")
        if record.exc_info and record.exc_info[1] is not None:
            clean_error(record.exc_info[1])


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "requests_cache", "clientkit"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture(scope="module")
def bin_url() -> Iterator[str]:
    with httpbin() as url:
        yield url


def echo_bot(url: str) -> Session:
    return Bot.connect(url + "/anything/bot{token}", token=TOKEN, retries=0)


def test_httpbin_receives_the_token_where_declared(
    bin_url: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    bot = echo_bot(bin_url)
    assert bot.request("GET", "/getMe").json()["url"] == f"{bin_url}/anything/bot{TOKEN}/getMe"
    sent = bot.request("POST", "/sendMessage", json={"text": "hi"}).json()
    assert sent["url"].endswith(f"/bot{TOKEN}/sendMessage") and sent["json"] == {"text": "hi"}
    assert bot.request("GET", "/version", auth=False).json()["url"].endswith("/bot{token}/version")
    clean(repr(bot), repr(bot.transport.auth), bot.transport.base_url, repr(Bot.auth))
    assert TOKEN.encode() not in pickle.dumps(bot.transport.auth)
    clean_logs(debug_logs)
    assert any("/bot***/getMe" in r.getMessage() for r in debug_logs.records if r.name.startswith("urllib3"))


def test_httpbin_echoing_the_token_in_errors_leaks_nothing(
    bin_url: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    bot = echo_bot(bin_url)
    with pytest.raises(UnexpectedContentType) as wrong_type:  # its excerpt is the echo
        bot.request("GET", "/getMe", accept="text/csv")
    with pytest.raises(DecodeError) as undecodable:  # the echoed URL is not an int
        bot.get(StrictEcho)
    for caught in (wrong_type, undecodable):
        assert isinstance(caught.value, ClientKitError)
        clean_error(caught.value)
    assert "/anything/bot***/strict" in str(undecodable.value)  # the echoed value, scrubbed
    clean_logs(debug_logs)


def test_httpbin_not_found_and_unreachable_leak_nothing(
    bin_url: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    bot = Bot.connect(bin_url + "/bot{token}", token=TOKEN, retries=0)
    with pytest.raises(NotFoundError) as missing:  # Flask's 404 for a path httpbin does not serve
        bot.get(Update, 9)
    assert missing.value.status == 404 and "/bot***/updates/9" in str(missing.value.url)
    clean_error(missing.value)
    closed = f"http://127.0.0.1:{processes.free_port()}/bot{{token}}"
    gone = Bot.connect(closed, token=TOKEN, retries=RetryPolicy(retries=1, backoff=0.01))
    with pytest.raises(TransportError) as unreachable:
        gone.request("GET", "/getMe")
    clean_error(unreachable.value)
    clean_logs(debug_logs)


@pytest.fixture
def bot_server(tmp_path: Path) -> Iterator[str]:
    data = {"me": {"username": "clientkit_bot"}, "updates": [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}]}
    with processes.json_server(tmp_path, data, routes={f"/bot{TOKEN}/*": "/$1"}) as url:
        yield url


def test_json_server_under_the_token_with_the_cache_on(
    bot_server: str, tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    place = tmp_path / "cache"
    place.mkdir()
    config = CacheConfig(location=place / "bot.sqlite", expire_after=600)
    with pytest.raises(NotFoundError):  # json-server serves the bot only under its token
        Bot.connect(bot_server + "/bot{token}", token="0000-wrong-token", retries=0).get(Me)
    bot = Bot.connect(bot_server + "/bot{token}", token=TOKEN, retries=0, cache=config)
    assert bot.get(Me).username == "clientkit_bot"
    assert [u.text for u in bot.list(Update)] == ["a", "b"]
    bot.get(Me)
    bot.get(Update, 2)
    stats = bot.cache_stats  # json-server says no-cache: the stored answers are revalidated
    assert stats.hits + stats.revalidations >= 1
    responses = bot.transport.http.cache.responses  # type: ignore[attr-defined]
    keys = list(responses.keys())
    stored = [responses[k] for k in keys]
    bot.close()
    assert len(keys) >= 3
    clean(*keys, *(s.url or "" for s in stored), *(s.request.url or "" for s in stored))
    for found in place.iterdir():
        data = found.read_bytes()
        assert TOKEN.encode() not in data and PART.encode() not in data
    clean_logs(debug_logs)
    assert any(r.name.startswith("requests_cache") for r in debug_logs.records)
