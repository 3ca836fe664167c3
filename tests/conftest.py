from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import processes
from tests.support.scripted import ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def json_server(tmp_path: Path) -> Iterator[str]:
    data = {
        "posts": [
            {"id": i, "title": f"Post {i}", "author": "ann" if i % 2 else "bob", "views": i * 10}
            for i in range(1, 24)
        ],
        "profile": {"name": "typicode"},
    }
    with processes.json_server(tmp_path, data) as url:
        yield url


@pytest.fixture(scope="session")
def drf_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with processes.drf_server(tmp_path_factory.mktemp("drf")) as url:
        yield url
