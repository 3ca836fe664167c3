"""Tokens and where they are kept between runs (see docs/auth.md)."""

from clientkit._client.tokens import (
    FileTokenStore,
    MemoryTokenStore,
    Token,
    TokenStore,
    jwt_expiry,
)

__all__ = [
    "FileTokenStore",
    "MemoryTokenStore",
    "Token",
    "TokenStore",
    "jwt_expiry",
]
