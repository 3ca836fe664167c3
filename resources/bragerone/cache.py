"""The official ``HttpCache`` of ``get_bytes``, and the bridge from an official token store
to the one clientkit's login keeps its token in."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Mapping

from clientkit.tokens import Token as KitToken
from clientkit_services.bragerone.models import Token, TokenStore


class HttpCache:
    """Bodies of URLs with their ``ETag`` / ``Last-Modified``, for conditional requests;
    only answers with a validator are kept, at most ``size`` of them (B24)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[str | None, str | None, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def headers_for(self, url: str) -> dict[str, str]:
        etag, modified, _ = self._entries.get(url, (None, None, b""))
        found = {"If-None-Match": etag, "If-Modified-Since": modified}
        return {k: v for k, v in found.items() if v}

    def update(self, url: str, headers: Mapping[str, str], body: bytes) -> None:
        etag, modified = headers.get("ETag"), headers.get("Last-Modified")
        with self._lock:
            if not (etag or modified):
                self._entries.pop(url, None)
                return
            self._entries[url] = (etag, modified, body)
            self._entries.move_to_end(url)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get_body(self, url: str) -> bytes | None:
        entry = self._entries.get(url)
        return entry[2] if entry else None


class Store:
    """clientkit's token store over an official one (or none); ``current`` is the token in
    use, as the official client sees it."""

    def __init__(self, inner: TokenStore | None) -> None:
        self.inner = inner
        self.current: Token | None = None

    @staticmethod
    def official(token: KitToken) -> Token:
        expires = dt.datetime.fromtimestamp(token.expires_at, dt.timezone.utc) if token.expires_at else None
        refresh = token.refresh_token.reveal() if token.refresh_token else None
        user = token.answer.get("user")
        user_id = user.get("id") if isinstance(user, dict) else None
        objects = token.answer.get("objects")
        return Token(
            token.access_token.reveal(), refresh, token.token_type.lower(), expires,
            user_id=user_id or None, objects=objects if isinstance(objects, list) else [],
        )  # fmt: skip

    def load(self) -> KitToken | None:
        try:
            found = self.inner.load() if self.inner is not None else None
        except Exception:  # the official client reads a failing store as empty
            found = None
        if not isinstance(found, Token) or not found.access_token:
            return None
        self.current = found
        expires = found.expires_at.timestamp() if found.expires_at else None
        return KitToken(found.access_token, found.refresh_token, expires, "Bearer")

    def save(self, token: KitToken) -> None:
        self.current = self.official(token)
        try:
            if self.inner is not None:
                self.inner.save(self.current)
        except Exception:  # as the official client: a failing store never fails a login
            pass

    def clear(self) -> None:
        self.current = None
        if self.inner is not None:
            self.inner.clear()
