"""Wire parity: the official py-bragerone 2026.10.1 (asynchronous, run in a Python 3.13
subprocess by bragerone_official.py) and clientkit_services.bragerone, against the sandbox. Each
scenario runs once with each client against a fresh sandbox, and the requests the sandbox
received are compared: method, path, query (order included), body bytes, and the headers
that matter. Corrected bugs (B1, B3, B4, B5...) are tested in test_bragerone.py."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clientkit.sandbox import Accounts, Entry
from clientkit_services.bragerone import BragerOneApiClient
from clientkit_services.bragerone.sandbox import EMAIL, PASSWORD, BragerOneSandbox

HERE = Path(__file__).parent
RUNNER = HERE / "bragerone_official.py"
HEADERS = ("Accept", "Origin", "Referer", "Content-Type", "X-Requested-With", "If-None-Match",
           "If-Modified-Since")  # fmt: skip


def official_python() -> Path | None:
    """The Python 3.13 with py-bragerone: $BRAGERONE_PYTHON, else a .venv313 beside the
    repository's or the running interpreter's venv (made by .ci/official-clients)."""
    given = os.environ.get("BRAGERONE_PYTHON")
    places = [Path(given)] if given else []
    places += [HERE.parents[1] / ".venv313/bin/python", Path(sys.prefix).parent / ".venv313/bin/python"]
    return next((p for p in places if p.exists()), None)


PYTHON = official_python()
if PYTHON is None:  # pragma: no cover
    pytest.skip("no Python 3.13 with py-bragerone (run .ci/official-clients)", allow_module_level=True)


def _runner() -> Any:
    spec = importlib.util.spec_from_file_location("bragerone_official", RUNNER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SPEC = _runner()


class Synchronous:
    """Our client behind the runner's ``await c.method(...)`` calls."""

    def __init__(self, client: BragerOneApiClient) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return method(*args, **kwargs)

        return call


def wire(entry: Entry, url: str) -> tuple[Any, ...]:
    """The parts that matter, with what differs between runs replaced: the sandbox's URL and
    the token; and the login's email, which the journal masks as a credential once clientkit
    has held it as a secret (the password's fingerprint is compared)."""
    auth = entry.header("Authorization")
    bearer = None if auth is None else auth.split(" ")[0] + " <token>"
    length = entry.header("Content-Length") if entry.method == "POST" and not entry.body else None
    body = re.sub(rb'^\{"email": "[^"]*"', b'{"email": "<email>"', entry.body)
    headers = [None if h is None else h.replace(url, "<url>") for h in map(entry.header, HEADERS)]
    return (entry.method, entry.path, entry.query, body, bearer, length, *headers)


def box() -> BragerOneSandbox:
    accounts = Accounts(tokens={}, logins=[{"email": EMAIL, "password": PASSWORD}], fingerprint_key=b"p" * 32)
    return BragerOneSandbox(accounts=accounts)


def theirs(name: str) -> list[tuple[Any, ...]]:
    sandbox = box()
    with sandbox as url:
        subprocess.run([str(PYTHON), str(RUNNER), url, name], check=True, timeout=60, capture_output=True)
        return [wire(e, url) for e in sandbox.journal.entries()]


def mine(name: str) -> list[tuple[Any, ...]]:
    sandbox = box()
    with sandbox as url:
        client = BragerOneApiClient(api_base=url + "/v1", one_base=url)
        asyncio.run(_run(client, url, name))
        return [wire(e, url) for e in sandbox.journal.entries()]


async def _run(client: BragerOneApiClient, url: str, name: str) -> None:
    c = Synchronous(client)
    if name not in SPEC.PUBLIC and name != "1 login":
        await c.ensure_auth(SPEC.EMAIL, SPEC.PASSWORD)
    await SPEC.SCENARIOS[name](c, url)
    client.close()


@pytest.mark.parametrize("name", list(SPEC.SCENARIOS))
def test_both_clients_send_the_same_requests(name: str) -> None:
    expected = theirs(name)
    assert expected  # the scenario did reach the server
    assert mine(name) == expected
