"""Scrubbing secrets from log records: clientkit's own and the HTTP stack's.

:func:`install_log_redaction` wraps the log record factory once, so every record of
clientkit, requests, urllib3 and requests-cache is scrubbed (with
:func:`clientkit._declarations.redaction.scrub`) before any handler sees it; :class:`RedactingFilter`
does the same for the handlers a user chooses.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from clientkit._declarations.redaction import scrub

#: loggers whose records (and their children's) are scrubbed: clientkit's and the HTTP stack's.
REDACTED_LOGGERS = ("clientkit", "requests", "urllib3", "requests_cache")
_install_lock = threading.Lock()


def scrub_record(record: logging.LogRecord) -> None:
    """Scrub a log record in place, changing only what would show a secret.

    The template and each argument are scrubbed (the template is kept, so handlers can still
    group by it); only when that cannot give a clean message is the record flattened to its
    scrubbed text. An exception whose rendered traceback shows a secret is replaced by a
    redacted summary of it (with its traceback); any other ``exc_info`` is kept.
    """
    _scrub_message(record)
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.exc_info and record.exc_info[1] is not None:
        _scrub_exc_info(record, record.exc_info)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)


def _scrub_message(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError, KeyError):
        message = f"{record.msg} {record.args!r}"
    scrubbed = scrub(message)
    if scrubbed == message:
        return
    msg = scrub(record.msg) if isinstance(record.msg, str) else _Scrubbed.of(record.msg)
    args = record.args
    if isinstance(args, Mapping):
        args = {k: _Scrubbed.of(v) for k, v in args.items()}
    elif isinstance(args, tuple):
        args = tuple(_Scrubbed.of(v) for v in args)
    record.msg, record.args = msg, args
    try:
        clean = scrub(record.getMessage()) == record.getMessage()
    except (TypeError, ValueError, KeyError):
        clean = False
    if not clean:
        record.msg, record.args = scrubbed, ()


class _Scrubbed:
    """A log argument whose ``str`` or ``repr`` showed a secret, scrubbed (for ``%s``, ``%r``)."""

    __slots__ = ("_repr", "_str")

    def __init__(self, text: str, representation: str) -> None:
        self._str, self._repr = text, representation

    @classmethod
    def of(cls, value: Any) -> Any:
        """``value`` itself when it shows no secret, else a scrubbed stand-in."""
        if isinstance(value, str):
            return scrub(value)
        try:
            text, representation = str(value), repr(value)
        except Exception:
            return value
        if scrub(text) == text and scrub(representation) == representation:
            return value
        return cls(scrub(text), scrub(representation))

    def __str__(self) -> str:
        return self._str

    def __repr__(self) -> str:
        return self._repr


_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _scrub_exc_info(record: logging.LogRecord, exc_info: _ExcInfo) -> None:
    """Keep ``exc_info`` unless its rendered text shows a secret; then a redacted stand-in."""
    text = "".join(traceback.format_exception(*exc_info)).rstrip("\n")
    if scrub(text) == text:
        return
    from clientkit._declarations.errors import redacted_cause

    stand_in = redacted_cause(exc_info[1])
    record.exc_info = (type(stand_in), stand_in, exc_info[2])
    record.exc_text = scrub(text)


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs secrets from every record it sees (it never drops one).

    clientkit scrubs the records of its own loggers and of the HTTP stack itself; put
    this filter on a handler to scrub records of other loggers too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


def _redacting_factory(inner: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = inner(*args, **kwargs)
        if any(record.name == root or record.name.startswith(f"{root}.") for root in REDACTED_LOGGERS):
            scrub_record(record)
        return record

    factory._ck_redacting = True  # type: ignore[attr-defined]
    return factory


def install_log_redaction() -> None:
    """Scrub the records of clientkit, requests, urllib3 and requests-cache, at every level.

    The record factory is wrapped once, so records of these loggers and their children are
    scrubbed before any handler or filter sees them. The named loggers also get a
    :class:`RedactingFilter` in case the factory is later replaced without chaining.
    """
    if getattr(logging.getLogRecordFactory(), "_ck_redacting", False):
        return
    with _install_lock:
        current = logging.getLogRecordFactory()
        if getattr(current, "_ck_redacting", False):
            return
        logging.setLogRecordFactory(_redacting_factory(current))
        for name in REDACTED_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, RedactingFilter) for f in logger.filters):
                logger.addFilter(RedactingFilter())
