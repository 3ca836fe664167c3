from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

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
def other_server() -> Iterator[ScriptedServer]:
    """A second scripted server, on another port (another origin)."""
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


# Hypothesis: "ci" (the default) is bounded and reproducible; HYPOTHESIS_PROFILE=long explores.
# Nothing is written into the repository: no example database, caches in the temp directory.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "clientkit-hypothesis"))
_HYPOTHESIS = {"deadline": None, "derandomize": True, "database": None, "print_blob": False}
settings.register_profile("ci", max_examples=100, **_HYPOTHESIS)
settings.register_profile("long", max_examples=2500, **_HYPOTHESIS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
