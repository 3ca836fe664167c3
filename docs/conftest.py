"""Run the Python examples of the guides that promise they run (against the sandbox)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

_RUN = ["files.md", "jobs.md", "webhooks.md", "services/bapp.md"]


def _enter(namespace: dict[str, Any]) -> None:
    """Each guide runs in a fresh working directory, so the files it writes vanish."""
    namespace["_ck_cwd"] = os.getcwd()
    namespace["_ck_tmp"] = tempfile.TemporaryDirectory(prefix="clientkit-docs-")
    os.chdir(namespace["_ck_tmp"].name)


def _leave(namespace: dict[str, Any]) -> None:
    os.chdir(namespace["_ck_cwd"])
    namespace["_ck_tmp"].cleanup()


pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser()], patterns=_RUN, setup=_enter, teardown=_leave
).pytest()
