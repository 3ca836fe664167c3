"""Run every Python example of the guides against the sandbox, one namespace per page.

A page whose examples share a running example (a ``Shop`` and a started ``sandbox``) sets it
up in an ``<!-- invisible-code-block: python -->`` comment, shown nowhere on the site. A
block that cannot run here (one that talks to a real host) is marked
``<!-- skip: next "why" -->`` just above it; sybil reports it as skipped with that reason."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

from clientkit import Session
from clientkit.sandbox import Sandbox


def _enter(namespace: dict[str, Any]) -> None:
    """Each guide runs in a fresh working directory (its cache too), so the files it writes vanish."""
    namespace["_ck_cwd"] = os.getcwd()
    namespace["_ck_tmp"] = tempfile.TemporaryDirectory(prefix="clientkit-docs-")
    os.chdir(namespace["_ck_tmp"].name)
    namespace["_ck_xdg"] = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = namespace["_ck_tmp"].name  # cache=True writes here, not in ~


def _leave(namespace: dict[str, Any]) -> None:
    """Stop the sandboxes and close the sessions a page left running, then leave its folder."""
    for value in list(namespace.values()):
        if isinstance(value, Sandbox):
            value.stop()
        elif isinstance(value, Session):
            value.close()
    os.chdir(namespace["_ck_cwd"])
    if namespace["_ck_xdg"] is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = namespace["_ck_xdg"]
    namespace["_ck_tmp"].cleanup()


pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(), SkipParser()],
    patterns=["*.md", "services/*.md"],
    setup=_enter,
    teardown=_leave,
).pytest()
