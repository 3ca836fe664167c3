"""Access tokens, their expiry, and where they are kept between runs."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs

from clientkit._declarations.redaction import Secret

log = logging.getLogger("clientkit.auth")


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT, in Unix seconds; ``None`` when it has none or is not a JWT.
    Padding is computed, so (unlike some official clients) a payload with ``-`` or ``_`` decodes."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    segment = parts[1]
    try:
        payload = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, TypeError):
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        return None
    return float(exp)


def _optional_secret(value: str | Secret | None) -> Secret | None:
    return None if value is None or value == "" else Secret(value)


@attrs.define
class Token:
    """An access token with what is known of its lifetime (the values are :class:`Secret`);
    ``answer``: the rest of the login answer that issued it, its secrets left out (the
    account, its objects), not kept by stores."""

    access_token: Secret = attrs.field(converter=Secret)
    refresh_token: Secret | None = attrs.field(default=None, converter=_optional_secret)
    expires_at: float | None = None
    token_type: str = "Bearer"
    answer: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    def expiring(self, leeway: float = 0.0, now: float | None = None) -> bool:
        """Whether the token has expired, or will within ``leeway`` seconds."""
        if self.expires_at is None:
            return False
        return (time.time() if now is None else now) + leeway >= self.expires_at

    def to_json(self) -> dict[str, Any]:
        """The token as plain data, secrets revealed (for a token store only)."""
        return {
            "access_token": self.access_token.reveal(),
            "refresh_token": self.refresh_token.reveal() if self.refresh_token else None,
            "expires_at": self.expires_at,
            "token_type": self.token_type,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Token:
        exp = data.get("expires_at")
        return cls(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token"),
            expires_at=float(exp) if isinstance(exp, int | float) else None,
            token_type=str(data.get("token_type") or "Bearer"),
        )


@runtime_checkable
class TokenStore(Protocol):
    """Somewhere a token outlives the process (or not)."""

    def load(self) -> Token | None: ...

    def save(self, token: Token) -> None: ...

    def clear(self) -> None: ...


class MemoryTokenStore:
    """Keeps the token for the life of the object (the default)."""

    def __init__(self) -> None:
        self._token: Token | None = None
        self._lock = threading.Lock()

    def load(self) -> Token | None:
        with self._lock:
            return self._token

    def save(self, token: Token) -> None:
        with self._lock:
            self._token = token

    def clear(self) -> None:
        with self._lock:
            self._token = None

    def __repr__(self) -> str:
        return "MemoryTokenStore()"

    def __reduce__(self) -> tuple[Any, ...]:
        return (MemoryTokenStore, ())


class FileTokenStore:
    """A JSON file readable by its owner only (mode 0600), replaced atomically on save."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()

    def load(self) -> Token | None:
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("token file %s is readable by others; ignoring it", self.path)
            return None
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return Token.from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("token file %s is unreadable; ignoring it", self.path)
            return None

    def save(self, token: Token) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".token-", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(token.to_json(), fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"
