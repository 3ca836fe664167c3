"""Every request a sandbox received, for tests that assert on the wire.

The journal never holds a secret: credentials are replaced by a short fingerprint
(``***<10 hex digits>``, the scheme kept for ``Authorization``), so a test can still
check that two requests carried the same credential. Fingerprints are keyed (HMAC under
a random key of the journal), so they cannot be reversed by hashing guesses.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote_plus

import attrs

from clientkit._declarations.redaction import fingerprint, is_sensitive_name, redact_with

_FORM = "application/x-www-form-urlencoded"


def secret_names_of(auth: Any) -> set[str]:
    """Header, query and login-body names that carry a credential under ``auth``."""
    from clientkit._client.auth import Authenticator, PasswordLogin, secret_names

    names = set(secret_names(auth))
    for part in auth.parts() if isinstance(auth, Authenticator) else ():
        if isinstance(part, PasswordLogin):
            names |= part.secret_fields()
    return {n.lower() for n in names}


class Masker:
    """Replaces credentials in what a sandbox received by their fingerprints.

    Masked: values under sensitive names (headers, query parameters, JSON and form
    body keys, plus ``names``), and anywhere in the path, query, headers or body,
    the ``known`` secrets (the sandbox's tokens, passwords and issued tokens, in
    their percent-encoded forms too) and every secret registered in the process.
    """

    def __init__(self, names: Iterable[str] = (), known: Iterable[str] = (), key: bytes = b"") -> None:
        self.key = key or secrets.token_bytes(32)
        self.names = {n.lower() for n in names}
        forms: dict[str, str] = {}
        for value in known:
            if len(value) >= 4:
                for form in (value, quote(value, safe=""), quote_plus(value), quote(value)):
                    forms.setdefault(form, value)
        self.forms = sorted(forms.items(), key=lambda kv: len(kv[0]), reverse=True)
        self.known = set(forms.values())

    def fingerprint(self, secret: str) -> str:
        """``***`` plus a short HMAC of ``secret``: comparable within a journal, not reversible."""
        return "***" + fingerprint(self.key, "journal", secret)[:10]

    def sensitive(self, name: str) -> bool:
        return is_sensitive_name(name) or name.lower() in self.names

    def text(self, text: str) -> str:
        for form, value in self.forms:
            if form in text:
                text = text.replace(form, self.fingerprint(value))
        return redact_with(text, self.fingerprint)

    def header(self, name: str, value: str) -> str:
        """A secret header shown as its scheme plus a fingerprint, so tests can compare."""
        if not self.sensitive(name):
            return self.text(value)
        scheme, sep, rest = value.partition(" ")
        if sep and scheme.isalpha() and len(scheme) <= 10:
            return f"{scheme} {self.fingerprint(rest)}"
        return self.fingerprint(value)

    def query(self, query: str) -> str:
        parts = []
        for pair in query.split("&"):
            name, sep, value = pair.partition("=")
            if sep and value and self.sensitive(unquote_plus(name)):
                parts.append(f"{name}={self.fingerprint(unquote_plus(value))}")
            else:
                parts.append(self.text(pair))
        return "&".join(parts)

    def data(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                k: self.fingerprint(str(v))
                if self.sensitive(str(k)) and v not in (None, "")
                else self.data(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and str(value) in self.known:
            return self.fingerprint(str(value))
        return value

    def body(self, body: bytes, content_type: str) -> bytes:
        if not body:
            return body
        try:
            data = json.loads(body)
        except ValueError:
            text = body.decode("utf-8", "surrogateescape")
            masked = self.query(text) if content_type.startswith(_FORM) else self.text(text)
            return body if masked == text else masked.encode("utf-8", "surrogateescape")
        masked_data = self.data(data)
        return body if masked_data == data else json.dumps(masked_data).encode()


@attrs.frozen
class Entry:
    """One received request, credentials masked (``Bearer ***<fingerprint>``, ``***<fingerprint>``),
    and the ``status`` the sandbox answered (``None`` while it is answered, or when no answer
    was sent: a dropped connection)."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    at: float
    status: int | None = None

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

    def __init__(
        self,
        secret_names: Iterable[str] = (),
        known: Callable[[], Iterable[str]] | None = None,
        key: bytes | None = None,
    ) -> None:
        """``secret_names``: names that carry credentials besides the sensitive-looking ones;
        ``known``: the current secret values to mask wherever they appear; ``key``: the
        fingerprint key (random by default; the sandbox passes its accounts' key)."""
        self._key = key or secrets.token_bytes(32)
        self._entries: list[Entry] = []
        self._lock = threading.Lock()
        self._names = set(secret_names)
        self._known = known

    def record(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Entry:
        """Keep one request, every credential in it replaced by its fingerprint."""
        masker = Masker(self._names, self._known() if self._known else (), self._key)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        entry = Entry(
            method=method,
            path=masker.text(path),
            query=masker.query(query),
            headers={k: masker.header(k, v) for k, v in headers.items()},
            body=masker.body(body, content_type),
            at=time.time(),
        )
        with self._lock:
            self._entries.append(entry)
        return entry

    def answered(self, entry: Entry, status: int) -> None:
        """Record the status the sandbox answered ``entry`` with (entries are immutable: it is
        replaced by a copy with its status)."""
        with self._lock:
            for index in range(len(self._entries) - 1, -1, -1):  # most often the latest
                if self._entries[index] is entry:
                    self._entries[index] = attrs.evolve(entry, status=status)
                    return

    def entries(self, method: str | None = None, path: str | None = None) -> list[Entry]:
        """The recorded requests, optionally those with this method and/or path."""
        with self._lock:
            found = list(self._entries)
        return [
            e for e in found if (method is None or e.method == method) and (path is None or e.path == path)
        ]

    @property
    def last(self) -> Entry:
        """The latest request; :class:`LookupError` when none was received (or since ``clear()``)."""
        with self._lock:
            if not self._entries:
                raise LookupError(
                    "the sandbox journal is empty: no request was received since it started or was cleared"
                )
            return self._entries[-1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())
