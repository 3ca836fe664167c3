"""Answers that report failure in their body: where a 2xx answer keeps its outcome code
and message, and which codes mean success (``{"resultCode": 3, "resultMessage": ...}``).
The declaration beside :class:`~clientkit.errors.ErrorShape`, which reads error statuses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from clientkit._declarations.errors import DeclarationError
from clientkit._declarations.keypaths import ABSENT, locate
from clientkit._declarations.keywords import checked_keywords

Path = str | tuple[str, ...]


def _paths(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """Key paths as a tuple of alternatives."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _values(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, tuple | list | set | frozenset) else (value,)


@attrs.frozen
class Failure:
    """What a failed answer reports: its code and message."""

    code: Any
    message: str
    missing: bool = False


@checked_keywords
@attrs.frozen
class AnswerCheck:
    """Where an answer keeps its outcome, and which values of it mean success.

    Attributes:
        code: the dotted key path of the outcome code (``"resultCode"``, ``"status"``), or
            alternatives tried in order.
        ok: the codes that mean success; any other code is a failure.
        failed: instead of ``ok``, the codes that mean failure; any other code is a success.
        message: the key path(s) of the failure's message.
        required: every answer with a body carries the code; one without it (a list, ``{}``)
            is malformed (``Failure.missing``), which the session raises as ``DecodeError``
            (also the ``ErrorShape``'s ``mixin``). An empty body (a 204) passes.

    Unless ``required``, an answer without the code (a list, a bare record) passes. Codes compare with their
    JSON type: ``0`` is not ``"0"`` and ``true`` is not ``1``.

    Example:
        >>> AnswerCheck(code="resultCode", ok=0, message="resultMessage")
        >>> AnswerCheck(code="status", failed="error", message=("message", "error"))
    """

    code: tuple[str, ...] = attrs.field(converter=_paths)
    ok: tuple[Any, ...] = attrs.field(default=(), converter=_values)
    failed: tuple[Any, ...] = attrs.field(default=(), converter=_values)
    message: tuple[str, ...] = attrs.field(default=(), converter=_paths)
    required: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.code or not all(isinstance(p, str) and p for p in self.code):
            raise DeclarationError("AnswerCheck(code=...) must name the key path of the outcome code")
        if bool(self.ok) == bool(self.failed):
            raise DeclarationError("AnswerCheck takes either ok= (success codes) or failed= (failure codes)")
        if not all(isinstance(p, str) and p for p in self.message):
            raise DeclarationError("AnswerCheck(message=...) must be key paths")

    def passes(self, code: Any) -> bool:
        """Whether ``code`` means success."""
        return not _among(code, self.failed) if self.failed else _among(code, self.ok)

    def failure(self, body: Any) -> Failure | None:
        """What ``body`` reports as a failure, or ``None`` when it passes."""
        code = locate(body, self.code) if isinstance(body, Mapping) else ABSENT
        if code is ABSENT:
            named = " or ".join(repr(p) for p in self.code)
            return (
                Failure(None, f"the answer holds no {named}", missing=True)
                if self.required and body is not None
                else None
            )
        if self.passes(code):
            return None
        found = locate(body, self.message) if self.message else ABSENT
        text = found if isinstance(found, str) and found else f"the answer reports {self.code[0]} {code!r}"
        return Failure(code, text)


def _among(code: Any, values: tuple[Any, ...]) -> bool:
    """Whether ``code`` is one of ``values``, comparing JSON types too."""
    return any(type(v) is type(code) and v == code for v in values)


def refuse_field_codes(check: AnswerCheck, name: str, payloads: Iterable[Any], wires: Iterable[str]) -> None:
    """Refuse a check that reads a field of resource ``name`` as its outcome code where its
    answers are the bare record (a response ``payloads`` locator of ``None``): a record that
    merely holds a failure value (``status: "error"``) would raise on ``get`` and not on ``list``."""
    if not any(p is None or (isinstance(p, tuple | list) and None in p) for p in payloads):
        return
    clash = sorted({path.split(".")[0] for path in check.code} & set(wires))
    if clash:
        raise DeclarationError(
            f"{name}: the AnswerCheck reads its outcome code from {clash[0]!r}, a field of the "
            f"bare record {name} answers; a record holding a failure value would raise AnswerError. "
            f"Declare answer_check=False on {name}, or an Envelope whose response payload sits under a key"
        )
