"""A declared query: the parameters a call takes, in their wire order, each of its type and
encoding, so nothing is silently dropped and the order does not depend on the caller's."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from clientkit._declarations.errors import DeclarationError, InvalidRequestError
from clientkit._declarations.keywords import checked_keywords


def json_base64url(value: Any) -> str:
    """``value`` as JSON (``json.dumps`` defaults), UTF-8, in base64url with ``=`` padding."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def from_json_base64url(text: str) -> Any:
    """What :func:`json_base64url` encoded (``ValueError`` when ``text`` is not that)."""
    try:
        return json.loads(base64.urlsafe_b64decode(text.encode()))
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None


@checked_keywords
@attrs.frozen
class Param:
    """One query parameter: the type its value must have, the types converted to it when the
    conversion loses nothing (``int`` ids to ``str``, ``"12"`` to ``12``), and how the value is
    written (``encode``) and read back by the server half (``decode``)."""

    kind: type
    converts: tuple[type, ...] = ()
    encode: Callable[[Any], Any] | None = None
    decode: Callable[[str], Any] | None = None

    def checked(self, key: str, value: Any) -> Any:
        """``value``, converted when declared, or ``InvalidRequestError`` naming ``key``."""
        if (
            not isinstance(value, self.kind)
            and isinstance(value, self.converts)
            and not isinstance(value, bool)
        ):
            try:
                converted = self.kind(value)
                value = converted if type(value)(converted) == value else value  # type: ignore[call-arg]
            except (TypeError, ValueError):
                pass
        if not isinstance(value, self.kind):
            raise InvalidRequestError(f"query parameter {key!r} must be {self.kind.__name__}, got {value!r}")
        return self.encode(value) if self.encode else value


def _params(value: Mapping[str, type | Param]) -> dict[str, Param]:
    params = {k: v if isinstance(v, Param) else Param(v) for k, v in value.items()}
    if not params or not all(isinstance(p.kind, type) for p in params.values()):
        raise DeclarationError("QueryTable maps each parameter name to a type or a Param")
    return params


@checked_keywords
@attrs.frozen
class QueryTable:
    """The query parameters a call takes, in the order they are sent (whatever the caller's
    order); ``None`` values are left out, an unknown name or a value of another type is refused.

    Example:
        >>> PDF = QueryTable({"page": int, "filter": Param(dict, encode=json_base64url)})
        >>> PDF.encode({"filter": {"a": 1}, "page": 2})
        [('page', 2), ('filter', 'eyJhIjogMX0=')]
    """

    params: Mapping[str, Param] = attrs.field(converter=_params)

    def encode(self, values: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
        """The pairs to send for ``values`` (give them to a call's ``params=``)."""
        given = {k: v for k, v in (values or {}).items() if v is not None}
        unknown = [k for k in given if k not in self.params]
        if unknown:
            raise InvalidRequestError(
                f"no query parameter {unknown[0]!r}; this call takes {', '.join(self.params)}"
            )
        return [(k, p.checked(k, given[k])) for k, p in self.params.items() if k in given]

    def decode(self, query: Mapping[str, str]) -> dict[str, Any]:
        """The server half: the declared parameters of a received query, as their types."""
        out: dict[str, Any] = {}
        for key, param in self.params.items():
            if key in query:
                text = query[key]
                try:
                    out[key] = _read(param, text)
                except ValueError as exc:
                    raise InvalidRequestError(
                        f"query parameter {key!r} is not a {param.kind.__name__}: {exc}"
                    ) from None
        return out


def _read(param: Param, text: str) -> Any:
    if param.decode:
        return param.decode(text)
    if param.kind is bool:
        if text.lower() not in ("true", "false"):
            raise ValueError(repr(text))
        return text.lower() == "true"
    return param.kind(text)
