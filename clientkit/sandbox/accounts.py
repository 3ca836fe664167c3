"""Who may call a sandbox: static tokens and keys, login credentials, issued tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any

import attrs


def make_jwt(claims: dict[str, Any], key: bytes) -> str:
    """A signed (HS256) JWT whose payload segment uses no ``-`` or ``_``: some clients
    decode it with the standard base64 alphabet, so a ``nonce`` claim is varied until it is."""

    def segment_bytes(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def segment(obj: Any) -> str:
        return segment_bytes(json.dumps(obj, separators=(",", ":")).encode())

    header = segment({"alg": "HS256", "typ": "JWT"})
    while True:
        payload = segment({**claims, "nonce": secrets.token_hex(6)})
        if "-" not in payload and "_" not in payload:
            break
    signed = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{segment_bytes(signed)}"


@attrs.define
class Accounts:
    """The sandbox's credentials.

    Attributes:
        tokens: static tokens and API keys -> the principal they stand for.
        logins: credential sets accepted by a login route (``{"username": ..., "password": ...}``,
            or whatever names the service's login body uses); the first value is the principal.
        token_lifetime: seconds an issued access token lives (short values exercise refresh).
        refresh_lifetime: seconds a refresh token lives.
        contexts: context name -> the values a request may carry (e.g. allowed tenants);
            other values are answered 403.
    """

    tokens: dict[str, str] = attrs.field(factory=lambda: {"sandbox-token": "demo"})
    logins: list[dict[str, str]] = attrs.field(
        factory=lambda: [{"username": "demo", "password": "demo-password"}]
    )
    token_lifetime: float = 3600.0
    refresh_lifetime: float = 86400.0
    contexts: dict[str, set[str]] = attrs.field(factory=dict)
    _key: bytes = attrs.field(factory=lambda: secrets.token_bytes(32), repr=False)
    #: the key of the journal's credential fingerprints (random per sandbox, never shown)
    fingerprint_key: bytes = attrs.field(factory=lambda: secrets.token_bytes(32), repr=False)
    _issued: dict[str, tuple[str, float]] = attrs.field(factory=dict, repr=False)
    _refresh: dict[str, tuple[str, float]] = attrs.field(factory=dict, repr=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False)
    _failing: list[tuple[int, Any]] = attrs.field(factory=list, repr=False)

    def fail_logins(self, times: int = 1, status: int = 503, body: Any = None) -> None:
        """Answer the next ``times`` login requests with ``status`` (and ``body``, else the
        service's error shape) whatever their credentials: a service that is briefly unable
        to log anyone in, or (a 200 or 400 with a ``body`` holding a code) asks to try again."""
        with self._lock:
            self._failing += [(status, body)] * times

    def login_failure(self) -> tuple[int, Any] | None:
        """The next planned login failure, spent; ``None`` when the login is to be answered."""
        with self._lock:
            return self._failing.pop(0) if self._failing else None

    def principal_for_token(self, token: str | None) -> str | None:
        """The principal of a static token/key or of a live issued token."""
        if not token:
            return None
        if token in self.tokens:
            return self.tokens[token]
        with self._lock:
            found = self._issued.get(token)
        if found is None or found[1] <= time.time():
            return None
        return found[0]

    def check_login(self, credentials: Mapping[str, Any]) -> str | None:
        """The principal whose credential set matches exactly, if any."""
        for login in self.logins:
            if all(str(credentials.get(k)) == v for k, v in login.items()):
                return next(iter(login.values()))
        return None

    def issue(self, principal: str) -> dict[str, Any]:
        """A new access token (a JWT with ``exp``) and refresh token for ``principal``."""
        now = time.time()
        expires = now + self.token_lifetime
        access = make_jwt({"sub": principal, "iat": int(now), "exp": int(expires)}, self._key)
        refresh = secrets.token_urlsafe(24)
        with self._lock:
            self._issued[access] = (principal, expires)
            self._refresh[refresh] = (principal, now + self.refresh_lifetime)
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": int(self.token_lifetime),
            "expires_at": int(expires),
        }

    def use_refresh(self, token: str | None) -> str | None:
        """The principal of a live refresh token, which is then spent."""
        with self._lock:
            found = self._refresh.pop(token or "", None)
        if found is None or found[1] <= time.time():
            return None
        return found[0]

    def revoke(self, token: str) -> None:
        """Invalidate one issued access token (a stored token the service no longer accepts)."""
        with self._lock:
            self._issued.pop(token, None)

    def revoke_all(self) -> None:
        """Invalidate every issued token (static tokens stay valid)."""
        with self._lock:
            self._issued.clear()
            self._refresh.clear()

    def secrets(self) -> list[str]:
        """Every credential value the sandbox knows: static tokens and keys, login secrets
        (all but the principal), issued access and refresh tokens."""
        with self._lock:
            issued = [*self._issued, *self._refresh]
        logins = [str(v) for login in self.logins for v in list(login.values())[1:]]
        return [*self.tokens, *logins, *issued]

    def context_allowed(self, name: str, value: str) -> bool:
        allowed = self.contexts.get(name)
        return allowed is None or value in allowed
