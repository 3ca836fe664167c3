"""The Redis cache backend against a real ``redis-server`` the tests start themselves.

Sessions in separate processes share one Redis cache: the same credential finds its
entries (a hit or a ``304``), another credential never does, and no secret is stored.
Without ``redis-server`` on PATH the module is skipped, except under CI, where it fails.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from clientkit._declarations.options import CacheConfig
from clientkit.errors import AuthenticationError
from tests.support import processes
from tests.support.cache_client import Doc, Docs
from tests.support.scripted import Received, Reply, ScriptedServer

TOKEN_A = "tok-redis-aaaa-secret"
TOKEN_B = "tok-redis-bbbb-secret"
PASSWORD = "pw-right-9876"
WRONG = "pw-wrong-5432"

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if processes.redis_server_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not on PATH; CI must install it (see .ci/run)")
        pytest.skip("redis-server is not on PATH (apt-get install redis-server): Redis cache tests skipped")
    with processes.redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis(redis_url: str) -> Iterator[Any]:
    from redis import Redis

    client = Redis.from_url(redis_url)
    client.flushall()
    try:
        yield client
    finally:
        client.close()


def serve_docs(server: ScriptedServer) -> None:
    """``/docs/1`` titled after its caller; ETags honoured; a wrong password gets a 401."""

    def get(rec: Received, req: Any) -> Reply:
        sent = rec.header("Authorization") or ""
        if sent.startswith("Basic "):
            user, _, password = base64.b64decode(sent[6:]).decode().partition(":")
            if password != PASSWORD:
                return Reply(401, json={"message": "bad credentials"})
            who = user
        else:
            who = sent.removeprefix("Bearer ")[-11:-7]  # "aaaa" or "bbbb"
        etag = f'"{who}-v1"'
        if rec.header("If-None-Match") == etag:
            return Reply(304, headers={"ETag": etag})
        return Reply(json={"data": {"id": 1, "title": f"doc for {who}"}}, headers={"ETag": etag})

    server.on("GET", "/docs/1", get)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def in_process(server: ScriptedServer, redis_url: str, expire: float, **credentials: str) -> dict[str, Any]:
    """Run ``tests.support.cache_client`` in a new Python process; its JSON report."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.support.cache_client",
            server.url,
            redis_url,
            str(expire),
            json.dumps(credentials),
        ],
        cwd=processes.ROOT,
        env={**os.environ, "PYTHONPATH": str(processes.ROOT)},
        capture_output=True,
        timeout=60,
        check=True,
    )
    report: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return report


def dump(redis: Any) -> bytes:
    """Every key and every stored value in Redis, as one blob."""
    parts: list[bytes] = []
    for key in redis.keys("*"):
        parts.append(key)
        kind = redis.type(key)
        if kind == b"string":
            parts.append(redis.get(key))
        elif kind == b"hash":
            for name, value in redis.hgetall(key).items():
                parts.extend((name, value))
        else:
            raise AssertionError(f"unexpected Redis type {kind!r} at {key!r}")
    return b"\n".join(parts)


def test_redis_backend_stores_and_revalidates(server: ScriptedServer, redis: Any, redis_url: str) -> None:
    serve_docs(server)
    with Docs.connect(
        server.url, token=TOKEN_A, cache=CacheConfig(backend="redis", location=redis_url)
    ) as api:
        assert api.get(Doc, 1).title == "doc for aaaa"
        assert api.get(Doc, 1).title == "doc for aaaa"
        assert (api.cache_stats.misses, api.cache_stats.revalidations) == (1, 1)
    assert server.received[1].header("If-None-Match") == '"aaaa-v1"'
    assert any(key.startswith(b"clientkit-docs") for key in redis.keys("*"))
    fresh = CacheConfig(backend="redis", location=redis_url, expire_after=600)
    with Docs.connect(server.url, token=TOKEN_A, cache=fresh) as api:
        api.get(Doc, 1)  # stored with a 600 s lifetime
        assert api.get(Doc, 1).title == "doc for aaaa"
        assert api.cache_stats.hits == 1
    assert len(server.received) == 3


@pytest.mark.parametrize(("expire", "shared_as"), [(0, "revalidations"), (600, "hits")])
def test_same_credential_in_two_processes_shares_redis_entries(
    server: ScriptedServer, redis: Any, redis_url: str, expire: int, shared_as: str
) -> None:
    serve_docs(server)
    first = in_process(server, redis_url, expire, token=TOKEN_A)
    second = in_process(server, redis_url, expire, token=TOKEN_A)
    assert first["outcome"] == second["outcome"] == "doc for aaaa"
    assert second[shared_as] == 1
    if expire:
        assert len(server.received) == 1  # the second process sent nothing
    else:
        assert server.received[1].header("If-None-Match") == '"aaaa-v1"'


def test_other_credentials_in_another_process_never_see_the_entries(
    server: ScriptedServer, redis: Any, redis_url: str
) -> None:
    serve_docs(server)
    assert in_process(server, redis_url, 600, token=TOKEN_A)["outcome"] == "doc for aaaa"
    assert in_process(server, redis_url, 600, token=TOKEN_B)["outcome"] == "doc for bbbb"
    alice = in_process(server, redis_url, 600, username="alice", password=PASSWORD)
    intruder = in_process(server, redis_url, 600, username="alice", password=WRONG)
    assert alice["outcome"] == "doc for alice"
    assert intruder["outcome"] == AuthenticationError.__name__
    sent = [r.header("Authorization") for r in server.received]
    assert sent == [
        f"Bearer {TOKEN_A}",
        f"Bearer {TOKEN_B}",
        basic("alice", PASSWORD),
        basic("alice", WRONG),
    ]


def test_no_secret_is_stored_in_redis(server: ScriptedServer, redis: Any, redis_url: str) -> None:
    serve_docs(server)
    in_process(server, redis_url, 600, token=TOKEN_A)
    in_process(server, redis_url, 0, username="alice", password=PASSWORD)
    in_process(server, redis_url, 0, username="alice", password=PASSWORD)  # a 304 rewrites nothing secret
    stored = dump(redis)
    assert b"doc for aaaa" in stored and b"doc for alice" in stored  # the dump does see the answers
    for secret in (TOKEN_A, PASSWORD, basic("alice", PASSWORD).removeprefix("Basic ")):
        assert secret.encode() not in stored


def test_unreachable_redis_is_typed_error(server: ScriptedServer) -> None:
    import socket

    from clientkit.errors import CacheError, TransportError

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server.on("POST", "/docs", Reply(json={"data": {"id": 2}}))
    cache = CacheConfig(backend="redis", location=f"redis://127.0.0.1:{port}/0")
    with Docs.connect(server.url, token=TOKEN_A, cache=cache, retries=0) as api:
        with pytest.raises(CacheError) as caught:
            api.get(Doc, 1)
        assert isinstance(caught.value, TransportError) and TOKEN_A not in str(caught.value)
        assert server.received == []  # nothing was sent
        api.request("POST", "/docs", json={})  # writes are never stored: they need no cache
    assert [r.method for r in server.received] == ["POST"]
