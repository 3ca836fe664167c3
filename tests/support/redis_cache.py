"""Redis helpers for the cache tests: credentials, a scripted /docs/1, a client in another process, a dump."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from typing import Any

from tests.support import processes
from tests.support.scripted import Received, Reply, ScriptedServer

TOKEN_A = "tok-redis-aaaa-secret"


TOKEN_B = "tok-redis-bbbb-secret"


PASSWORD = "pw-right-9876"


WRONG = "pw-wrong-5432"


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
