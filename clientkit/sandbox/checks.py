"""Refusals as a service that reports failure in 2xx answers sends them: the sandbox's half
of ``AnswerCheck`` (the client's half, ``AnswerCheck.failure``, reads them back)."""

from __future__ import annotations

import functools
from typing import Any

from clientkit._declarations.checks import AnswerCheck
from clientkit._declarations.keypaths import set_path
from clientkit.sandbox.halves import NoServerHalf

#: statuses that keep their status: they drive the client's renewal and retries
KEPT = frozenset({401, 407, 429})


@functools.singledispatch
def report_failure(check: object, status: int, body: Any, message: str) -> tuple[int, Any]:  # noqa: ARG001
    """The status and body of a refusal (``status``, error ``body``, ``message``) under ``check``."""
    raise NoServerHalf(check, report_failure)


@report_failure.register
def _report(check: AnswerCheck, status: int, body: Any, message: str) -> tuple[int, Any]:
    """A 4xx refusal (but those in :data:`KEPT`) becomes a 200 whose body carries a failure
    code (the first of ``failed``, else the HTTP status) and the message; others stay."""
    if not 400 <= status < 500 or status in KEPT:
        return status, body
    out = dict(body) if isinstance(body, dict) else {}
    code = check.failed[0] if check.failed else status if status not in check.ok else "error"
    set_path(out, check.code[0], code)
    if check.message:
        set_path(out, check.message[0], message)
    return 200, out
