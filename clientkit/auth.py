"""Auth strategies, declared on a service without credentials (see docs/auth.md)."""

from clientkit._client.alternatives import OneOf
from clientkit._client.auth import ApiKeyAuth, Authenticator, BasicAuth, PasswordLogin, PathToken, TokenAuth

__all__ = [
    "ApiKeyAuth",
    "Authenticator",
    "BasicAuth",
    "OneOf",
    "PasswordLogin",
    "PathToken",
    "TokenAuth",
]
