"""Secrets kept out of messages, logs, reprs and stored data (see docs/auth.md)."""

from clientkit._client.redacted_logging import (
    RedactingFilter,
    install_log_redaction,
)
from clientkit._declarations.frames import (
    forgets_locals,
)
from clientkit._declarations.redaction import (
    MASK,
    SENSITIVE_NAME,
    MaskedFloat,
    MaskedInt,
    Secret,
    is_sensitive_name,
    redact,
)

__all__ = [
    "MASK",
    "SENSITIVE_NAME",
    "MaskedFloat",
    "MaskedInt",
    "RedactingFilter",
    "Secret",
    "forgets_locals",
    "install_log_redaction",
    "is_sensitive_name",
    "redact",
]
