"""Bytes on the wire: JSON bodies, query strings and key paths into bodies.

Services differ in small ways that matter for wire parity: separators and ASCII
escaping in JSON bodies, how booleans and lists are spelled in a query string.
:class:`JsonCodec` and :class:`QueryStyle` declare those choices.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import math
import uuid
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs

from clientkit.redaction import Secret

_orjson: Any
try:  # optional speed-up, installed with the ``fast`` extra
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised when the extra is absent
    _orjson = None

_MISSING = object()


def dig(obj: Any, path: str | None) -> Any:
    """The value at dotted ``path`` inside ``obj`` (``None`` when any step is missing).

    ``""``, ``"$"`` and ``None`` mean ``obj`` itself; integer steps index lists.

    Example:
        >>> dig({"data": {"items": [1, 2]}}, "data.items.1")
        2
    """
    if path in (None, "", "$"):
        return obj
    assert path is not None
    current = obj
    for step in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(step, _MISSING)
        elif isinstance(current, list) and step.lstrip("-").isdigit():
            index = int(step)
            current = current[index] if -len(current) <= index < len(current) else _MISSING
        else:
            return None
        if current is _MISSING:
            return None
    return current


def has_path(obj: Any, path: str) -> bool:
    """Whether every step of dotted ``path`` exists in ``obj`` (even with a null value)."""
    if path in ("", "$"):
        return True
    current = obj
    for step in path.split("."):
        if isinstance(current, Mapping) and step in current:
            current = current[step]
        else:
            return False
    return True


def put_path(payload: Any, path: str | None) -> Any:
    """Wrap ``payload`` so that it sits at dotted ``path`` (the inverse of :func:`dig`)."""
    if path in (None, "", "$"):
        return payload
    assert path is not None
    for step in reversed(path.split(".")):
        payload = {step: payload}
    return payload


@attrs.frozen
class JsonCodec:
    """How JSON bodies are written; decoding is the same for every service.

    The defaults reproduce ``requests``' ``json=`` bytes (``", "`` and ``": "``
    separators, ASCII escapes); ``JsonCodec(compact=True, ensure_ascii=False)``
    reproduces the compact UTF-8 of JavaScript-style clients.
    """

    compact: bool = False
    ensure_ascii: bool = True
    content_type: str = "application/json"

    def dumps(self, value: Any) -> bytes:
        """Encode ``value``; NaN and infinities are refused, as JSON demands."""
        if self.compact and not self.ensure_ascii and _orjson is not None:
            try:
                out = bytes(_orjson.dumps(value))
            except TypeError:
                pass  # ints beyond 64 bits, or the stdlib's precise error message
            else:
                if b"null" not in out or not any(non_finite(value)):
                    return out  # orjson writes NaN as null; those go through the stdlib
        separators = (",", ":") if self.compact else (", ", ": ")
        try:
            text = json.dumps(value, separators=separators, ensure_ascii=self.ensure_ascii, allow_nan=False)
        except ValueError as exc:
            if not all(isinstance(f, EchoedFloat) for f in non_finite(value)):
                from clientkit.errors import InvalidRequestError

                raise InvalidRequestError(f"body is not valid JSON: {exc}") from exc
            text = json.dumps(value, separators=separators, ensure_ascii=self.ensure_ascii)
        except TypeError as exc:
            from clientkit.errors import InvalidRequestError

            raise InvalidRequestError(f"body cannot be encoded as JSON: {exc}") from exc
        return text.encode("utf-8")


class EchoedFloat(float):
    """A NaN or infinity the server sent, sent back unchanged in the server's own spelling.

    JSON has no such numbers and bodies refuse them; a value the server itself wrote
    (Python servers write ``NaN``) is echoed rather than making its resource unsavable.
    """


def non_finite(value: Any) -> Iterator[float]:
    """The NaN and infinite floats anywhere inside ``value``."""
    if isinstance(value, float):
        if not math.isfinite(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from non_finite(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from non_finite(item)


_DIGITS = bytes(49 if 48 <= b <= 57 else 48 for b in range(256))  # digit -> "1", else "0"
_LONG_DIGIT_RUN = b"1" * 19


def beyond_64_bits(content: bytes | str) -> bool:
    """Whether ``content`` may hold an integer outside 64 bits (which orjson rounds through float).

    Such an integer needs at least 19 digits in a row; this finds any run of 19 digits
    (in strings and fractions too, which only costs a slower, still exact, decode).
    """
    data = content if isinstance(content, bytes) else content.encode("utf-8", "replace")
    return _LONG_DIGIT_RUN in data.translate(_DIGITS)


def loads(content: bytes | str) -> Any:
    """Decode a JSON document exactly (orjson when installed, the stdlib otherwise).

    Integers keep every digit: documents that may hold one beyond 64 bits, which orjson
    would turn into a float, go through the stdlib.
    """
    if _orjson is not None and not beyond_64_bits(content):
        try:
            return _orjson.loads(content)
        except _orjson.JSONDecodeError:
            pass  # the stdlib accepts a few documents orjson refuses (NaN, Infinity)
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig")
    return json.loads(content)


BoolSpelling = tuple[str, str]


@attrs.frozen
class QueryStyle:
    """How Python values are spelled in a query string.

    Attributes:
        booleans: the spelling of ``True`` and ``False`` (``("true", "false")``,
            or ``("True", "False")`` for clients that pass Python values to requests).
        arrays: ``"repeat"`` (``a=1&a=2``), ``"comma"`` (``a=1,2``) or
            ``"brackets"`` (``a[]=1&a[]=2``).
    """

    booleans: BoolSpelling = ("true", "false")
    arrays: Literal["repeat", "comma", "brackets"] = "repeat"

    def encode(self, params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> list[tuple[str, str]]:
        """Flatten ``params`` into ordered pairs; ``None`` values are dropped."""
        if not params:
            return []
        items = params.items() if isinstance(params, Mapping) else params
        pairs: list[tuple[str, str]] = []
        for key, value in items:
            self._add(pairs, str(key), value)
        return pairs

    def _add(self, pairs: list[tuple[str, str]], key: str, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for sub, inner in value.items():
                self._add(pairs, f"{key}[{sub}]", inner)
            return
        if isinstance(value, list | tuple | set | frozenset):
            values = [self.scalar(v) for v in value if v is not None]
            if self.arrays == "comma":
                pairs.append((key, ",".join(values)))
            else:
                name = f"{key}[]" if self.arrays == "brackets" else key
                pairs.extend((name, v) for v in values)
            return
        pairs.append((key, self.scalar(value)))

    def scalar(self, value: Any) -> str:
        """The text of one query value."""
        if isinstance(value, bool):
            return self.booleans[0] if value else self.booleans[1]
        if isinstance(value, Secret):
            return value.reveal()
        if isinstance(value, enum.Enum):
            return self.scalar(value.value)
        if isinstance(value, _dt.datetime | _dt.date | _dt.time):
            return value.isoformat()
        if isinstance(value, str | int | float | Decimal | uuid.UUID):
            return str(value)
        if attrs.has(type(value)):
            from clientkit.resource import identity_of

            return str(identity_of(value))
        return str(value)


def check_header_value(name: str, value: str) -> None:
    """Refuse header names or values that could split or smuggle a request."""
    from clientkit.errors import InvalidRequestError

    if not name or any(c in name for c in "\r\n:\0 ") or not name.isascii():
        raise InvalidRequestError(f"invalid header name {name!r}")
    if any(c in value for c in "\r\n\0"):
        raise InvalidRequestError(f"header {name!r} contains a line break or NUL; refused")
