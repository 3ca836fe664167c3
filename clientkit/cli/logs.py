"""``CLIENTKIT_LOG=debug|info``: request logging on standard error through clientkit's own
loggers, whose records are scrubbed of secrets as they are created.

``debug`` shows every exchange with its (redacted) headers and body; ``info`` shows one line
per exchange (method, URL, status, time) and the retries and renewals.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

from clientkit.errors import InvalidRequestError
from clientkit.redaction import RedactingFilter, install_log_redaction

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_EXCHANGE = "%s %s -> %s (%.1f ms)"


class _Brief(logging.Filter):
    """At ``info``: clientkit's records of INFO and above, and each exchange in one short line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        if not (isinstance(record.msg, str) and record.msg.startswith(_EXCHANGE)):
            return False
        record.msg, record.args = _EXCHANGE, tuple(record.args or ())[:4]
        return True


def configure(environ: Mapping[str, str]) -> str | None:
    """Turn request logging on as ``CLIENTKIT_LOG`` asks; returns the level's name, if any."""
    logger = logging.getLogger("clientkit")
    for old in [h for h in logger.handlers if getattr(h, "_ck_command", False)]:
        logger.removeHandler(old)
    wanted = environ.get("CLIENTKIT_LOG", "").strip().lower()
    if not wanted:
        return None
    if wanted not in LEVELS:
        raise InvalidRequestError(f"CLIENTKIT_LOG={wanted!r}: use debug or info")
    install_log_redaction()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    handler._ck_command = True  # type: ignore[attr-defined]
    if wanted == "info":
        handler.addFilter(_Brief())
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return wanted
