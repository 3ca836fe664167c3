"""Fixtures of the client tests: a real redis-server, started once per module, flushed per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import processes


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
