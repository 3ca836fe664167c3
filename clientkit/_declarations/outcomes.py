"""Answers as values: the outcome of an RPC call (its HTTP status, the code and message its
:class:`AnswerCheck` reads, its payload) returned rather than raised, for official clients
whose calls answer a result object with ``is_ok()``."""

from __future__ import annotations

import dataclasses
import inspect
import sys
from collections.abc import Mapping
from types import EllipsisType
from typing import Any, ClassVar, TypeVar

from clientkit._declarations.checks import AnswerCheck
from clientkit._declarations.errors import AnswerError, APIError, DeclarationError, phrase_of
from clientkit._declarations.keypaths import ABSENT, Locator, locate

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover
    from typing_extensions import dataclass_transform

OC = TypeVar("OC", bound="Outcome")


@dataclass_transform()
class Outcome:
    """The outcome of one call, a data class whose four fields a subclass names, in this order:
    the HTTP status, the outcome code, the message and the payload. Class keywords: ``check``,
    the service's :class:`AnswerCheck` (where the code and message sit, which codes succeed);
    ``payload``, the key path of the payload (``None``: the whole body); ``error``, the
    :class:`APIError` class :meth:`raise_for` raises. A subclass keeps the settings it does
    not give. Read by ``Session.outcome``.

    Example:
        >>> class CallResult(Outcome, check=Rpc.answer_check, payload="payload"):
        ...     http_status: int
        ...     code: Any
        ...     message: str
        ...     payload: Any
    """

    _ck_check: ClassVar[AnswerCheck]
    _ck_payload: ClassVar[Locator] = None
    _ck_error: ClassVar[type[APIError]] = AnswerError

    def __init_subclass__(
        cls,
        *,
        check: AnswerCheck | None = None,
        payload: Locator | EllipsisType = ...,
        error: type[APIError] | None = None,
    ) -> None:
        super().__init_subclass__()
        check = check or getattr(cls, "_ck_check", None)  # a subclass keeps its parent's settings
        if not isinstance(check, AnswerCheck) or not (error is None or issubclass(error, APIError)):
            raise DeclarationError(f"{cls.__name__}: check= is an AnswerCheck, error= an APIError class")
        cls._ck_check, cls._ck_error = check, error or cls._ck_error
        cls._ck_payload = cls._ck_payload if payload is ... else payload
        if clash := set(inspect.get_annotations(cls)) & _METHODS:
            raise DeclarationError(f"{cls.__name__} names {sorted(clash)}, which are methods of Outcome")
        dataclasses.dataclass(cls)
        if len(dataclasses.fields(cls)) != 4:  # type: ignore[arg-type]
            raise DeclarationError(f"{cls.__name__} names four fields: status, code, message, payload")

    def parts(self) -> tuple[int, Any, str, Any]:
        """The status, code, message and payload, whatever their names."""
        return dataclasses.astuple(self)  # type: ignore[call-overload, no-any-return]

    def is_ok(self) -> bool:
        """Success: a 2xx status and a code the check counts as success."""
        status, code = self.parts()[:2]
        return 200 <= status <= 299 and self._ck_check.passes(code)

    def raise_for(self, text: str) -> None:
        """Raise the declared ``error`` with ``text`` (the official message) unless :meth:`is_ok`."""
        if not self.is_ok():
            status, code, _, payload = self.parts()
            raise self._ck_error(text, status=status, code=code, body=payload, text=text)

    @classmethod
    def read(cls: type[OC], status: int, body: Any, reason: str = "") -> OC:
        """The outcome of an answer: ``body`` decoded (or its text); a missing code reads as the
        first success code, a missing message as ``reason`` (``""`` for a 2xx)."""
        found = body if isinstance(body, Mapping) else {}
        check = cls._ck_check
        code = locate(found, check.code)
        if code is ABSENT:
            code = check.ok[0] if check.ok else None
        message = locate(found, check.message) if check.message else ABSENT
        if message is ABSENT:  # a message the answer gives is kept as it is, null included
            message = "" if 200 <= status <= 299 else reason or phrase_of(status)
        payload = locate(body, cls._ck_payload) if isinstance(body, Mapping) else body
        return cls(status, code, message, None if payload is ABSENT else payload)  # type: ignore[call-arg]


_METHODS = frozenset(n for n in vars(Outcome) if not n.startswith("__"))
