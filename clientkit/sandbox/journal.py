"""Every request a sandbox received, for tests that assert on the wire."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl

import attrs

from clientkit.redaction import SENSITIVE_NAME


def _mask(name: str, value: str) -> str:
    """A secret header shown as its scheme plus a short fingerprint, so tests can compare."""
    if not SENSITIVE_NAME.search(name):
        return value
    scheme, sep, rest = value.partition(" ")
    secret = rest if sep and scheme.isalpha() and len(scheme) <= 10 else value
    digest = hashlib.sha256(secret.encode()).hexdigest()[:10]
    return f"{scheme} ***{digest}" if secret is rest else f"***{digest}"


@attrs.frozen
class Entry:
    """One received request. Secret headers are masked as ``Bearer ***<fingerprint>``."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        """The body decoded as JSON (``None`` when empty or not JSON)."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @property
    def params(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


class Journal:
    """The requests a sandbox received, oldest first."""

    def __init__(self) -> None:
        self._entries: list[Entry] = []
        self._lock = threading.Lock()

    def record(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Entry:
        entry = Entry(
            method=method,
            path=path,
            query=query,
            headers={k: _mask(k, v) for k, v in headers.items()},
            body=body,
            at=time.time(),
        )
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self, method: str | None = None, path: str | None = None) -> list[Entry]:
        """The recorded requests, optionally those with this method and/or path."""
        with self._lock:
            found = list(self._entries)
        return [
            e for e in found if (method is None or e.method == method) and (path is None or e.path == path)
        ]

    @property
    def last(self) -> Entry | None:
        with self._lock:
            return self._entries[-1] if self._entries else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())
