"""Answers as values: the outcome of an RPC call (its HTTP status, the code and message its
:class:`AnswerCheck` reads, its payload) returned rather than raised, for official clients
whose calls answer a result object with ``is_ok()``."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
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
    :class:`APIError` class :meth:`raise_for` raises. Read by ``Session.outcome``.

    Example:
        >>> class CallResult(Outcome, check=Rpc.answer_check, payload="payload"):
        ...     http_status: int
        ...     code: Any
        ...     message: str
        ...     payload: Any
    """

    check: ClassVar[AnswerCheck]
    payload_at: ClassVar[Locator] = None
    error: ClassVar[type[APIError]] = AnswerError

    def __init_subclass__(
        cls, *, check: AnswerCheck, payload: Locator = None, error: type[APIError] = AnswerError
    ) -> None:
        super().__init_subclass__()
        if not isinstance(check, AnswerCheck) or not issubclass(error, APIError):
            raise DeclarationError(f"{cls.__name__}: check= is an AnswerCheck, error= an APIError class")
        cls.check, cls.payload_at, cls.error = check, payload, error
        dataclasses.dataclass(cls)
        if len(dataclasses.fields(cls)) != 4:  # type: ignore[arg-type]
            raise DeclarationError(f"{cls.__name__} names four fields: status, code, message, payload")

    def parts(self) -> tuple[int, Any, str, Any]:
        """The status, code, message and payload, whatever their names."""
        return dataclasses.astuple(self)  # type: ignore[call-overload, no-any-return]

    def is_ok(self) -> bool:
        """Success: a 2xx status and a code the check counts as success."""
        status, code = self.parts()[:2]
        return 200 <= status <= 299 and self.check.passes(code)

    def raise_for(self, text: str) -> None:
        """Raise the declared ``error`` with ``text`` (the official message) unless :meth:`is_ok`."""
        if not self.is_ok():
            status, code, _, payload = self.parts()
            raise self.error(text, status=status, code=code, body=payload, text=text)

    @classmethod
    def read(cls: type[OC], status: int, body: Any, reason: str = "") -> OC:
        """The outcome of an answer: ``body`` decoded (or its text); a missing code reads as the
        first success code, a missing message as ``reason`` (``""`` for a 2xx)."""
        found = body if isinstance(body, Mapping) else {}
        code = locate(found, cls.check.code)
        if code is ABSENT:
            code = cls.check.ok[0] if cls.check.ok else None
        message = locate(found, cls.check.message) if cls.check.message else ABSENT
        if not isinstance(message, str):
            message = "" if 200 <= status <= 299 else reason or phrase_of(status)
        payload = locate(body, cls.payload_at) if isinstance(body, Mapping) else body
        return cls(status, code, message, None if payload is ABSENT else payload)  # type: ignore[call-arg]
