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
import re
import secrets
import uuid
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs

from clientkit._declarations.errors import InvalidRequestError, redacted_cause
from clientkit._declarations.identity import identity_of
from clientkit._declarations.keywords import checked_keywords
from clientkit._declarations.redaction import Secret, clipped

_orjson: Any
try:  # optional speed-up, installed with the ``fast`` extra
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised when the extra is absent
    _orjson = None

#: The deepest nesting of arrays and objects clientkit reads or writes (see docs/errors.md).
#: Copying, comparing and redacting JSON recurse, two frames a level on Python 3.11, so a
#: deeper document could exhaust the interpreter's recursion limit; no real API nests so deep.
MAX_DEPTH = 256

_SKELETON = bytes.maketrans(b"{}", b"[]")
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')


def nesting_exceeds(content: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """Whether a JSON document nests arrays and objects deeper than ``limit``.

    A scan at C speed (about a quarter of orjson's parse time on a page of records): a
    document with few brackets passes at once; otherwise escapes and strings are dropped,
    then innermost bracket pairs removed level by level, ``limit`` times at most. Brackets
    left unclosed (a truncated document) count as levels too.
    """
    if len(content) <= limit:
        return False
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    if b"\\" in data:  # escapes: only their quotes matter
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    quoted = data.translate(_SKELETON, _NOT_STRUCTURE)
    if quoted.count(b"[") <= limit:
        return False
    # a bracket lies inside a string when an odd number of quotes precede it: dropping
    # adjacent quotes keeps that parity, and leaves few quotes for the split
    quoted = quoted.replace(b'""""', b"").replace(b'""', b"")
    skeleton = b"".join(quoted.split(b'"')[::2]) if b'"' in quoted else quoted
    levels = 0
    while skeleton and levels <= limit:
        inner = skeleton.replace(b"[]", b"")
        if len(inner) == len(skeleton):
            return levels + skeleton.count(b"[") > limit
        skeleton = inner
        levels += 1
    return levels > limit


def _too_deep(limit: int) -> str:
    return f"nesting deeper than {limit} levels of arrays and objects"


@checked_keywords
@attrs.frozen
class JsonCodec:
    """How JSON bodies are written; decoding is the same for every service.

    The defaults reproduce ``requests``' ``json=`` bytes (``", "`` and ``": "``
    separators, ASCII escapes); ``JsonCodec(compact=True, ensure_ascii=False)``
    reproduces the compact UTF-8 of JavaScript-style clients. ``max_depth`` bounds the
    nesting of arrays and objects in bodies sent and answers read (see docs/errors.md).
    """

    compact: bool = False
    ensure_ascii: bool = True
    content_type: str = "application/json"
    max_depth: int = MAX_DEPTH

    def dumps(self, value: Any) -> bytes:
        """Encode ``value``; NaN, infinities, text that is not valid Unicode, values JSON
        has no type for and nesting deeper than ``max_depth`` raise ``InvalidRequestError``."""
        try:
            out = self._encode(value)
        except RecursionError as exc:
            raise InvalidRequestError(
                f"body cannot be encoded as JSON: {_too_deep(self.max_depth)}"
            ) from redacted_cause(exc)
        except (ValueError, TypeError) as exc:
            raise InvalidRequestError(f"body cannot be encoded as JSON: {exc}") from redacted_cause(exc)
        if nesting_exceeds(out, self.max_depth):
            raise InvalidRequestError(f"body cannot be encoded as JSON: {_too_deep(self.max_depth)}")
        return out

    def _encode(self, value: Any) -> bytes:
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
        except ValueError:
            found = list(non_finite(value))
            if not found:
                raise
            if not all(isinstance(f, EchoedFloat) for f in found):
                raise ValueError("NaN and infinities are not valid JSON") from None
            spelled: dict[str, str] = {}
            value = _spell(value, spelled, f"\0clientkit-echo-{secrets.token_hex(8)}-")
            text = json.dumps(value, separators=separators, ensure_ascii=self.ensure_ascii)
            for token, spelling in spelled.items():
                text = text.replace(json.dumps(token), spelling)
        return text.encode("utf-8")


class SpelledFloat(float):
    """A NaN or infinity read from a JSON document, with the document's spelling of it
    (``NaN``, ``-Infinity``, or a literal beyond a double's range such as ``1e400``)."""

    spelling: str

    def __new__(cls, value: float, spelling: str | None = None) -> SpelledFloat:
        self = super().__new__(cls, value)
        if spelling is None:
            spelling = "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")  # noqa: PLR0124
        self.spelling = spelling
        return self


class EchoedFloat(SpelledFloat):
    """A NaN or infinity the server sent, sent back unchanged in the server's own spelling.

    JSON has no such numbers and bodies refuse them; a value the server itself wrote
    (Python servers write ``NaN``) is echoed rather than making its resource unsavable.
    Only the converter makes these, for a value unchanged at the place the server sent it.
    """


def _spelled_constant(text: str) -> float:
    return SpelledFloat(float(text), text)


def _spelled_float(text: str) -> float:
    value = float(text)
    return value if math.isfinite(value) else SpelledFloat(value, text)


#: a literal that may overflow a double: an exponent of three digits, or 309 digits in a row
_MAY_OVERFLOW = re.compile(rb"[eE]\+?0*[1-9][0-9]{2}|[0-9]{309}")


def _spell(value: Any, spelled: dict[str, str], prefix: str) -> Any:
    """``value`` with each echoed float replaced by a unique token, its spelling in ``spelled``."""
    if isinstance(value, EchoedFloat):
        token = f"{prefix}{len(spelled)}\0"
        spelled[token] = value.spelling
        return token
    if isinstance(value, Mapping):
        return {k: _spell(v, spelled, prefix) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_spell(v, spelled, prefix) for v in value]
    return value


def non_finite(value: Any) -> Iterator[float]:
    """The NaN and infinite floats anywhere inside JSON-like ``value`` (iteratively; each
    container is visited once, so a structure that contains itself ends too)."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                yield item
        elif isinstance(item, Mapping | list | tuple) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, Mapping) else item)


def shape_problem(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """Why JSON-like ``value`` cannot be encoded without recursing to Python's limit: it
    contains itself, or nests deeper than ``limit``; ``None`` when it can. Iterative, so a
    hostile value is refused before any recursive encoder sees it."""
    stack: list[tuple[Any, int, tuple[int, ...]]] = [(value, 0, ())]
    while stack:
        item, depth, path = stack.pop()
        fields = attrs.fields(type(item)) if attrs.has(type(item)) else None
        if fields is None and not isinstance(item, Mapping | list | tuple | set | frozenset):
            continue
        if id(item) in path:
            return "it contains itself (a circular reference)"
        if depth >= limit:
            return _too_deep(limit)
        inner = (*path, id(item))
        if fields is not None:
            children: Any = [getattr(item, f.name) for f in fields]
        else:
            children = item.values() if isinstance(item, Mapping) else item
        stack.extend((child, depth + 1, inner) for child in children)
    return None


_DIGITS = bytes(49 if 48 <= b <= 57 else 48 for b in range(256))  # digit -> "1", else "0"
_LONG_DIGIT_RUN = b"1" * 19


def beyond_64_bits(content: bytes | str) -> bool:
    """Whether ``content`` has a run of 19 digits, which an integer outside 64 bits (that orjson
    rounds through float) needs; a run in a string or fraction only costs a slower decode."""
    data = content if isinstance(content, bytes) else content.encode("utf-8", "replace")
    return _LONG_DIGIT_RUN in data.translate(_DIGITS)


def loads(content: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Decode a JSON document exactly: orjson when installed, the stdlib for integers beyond
    64 bits; ``ValueError`` for anything that is not JSON or nests deeper than ``max_depth``."""
    if nesting_exceeds(content, max_depth):
        raise ValueError(f"refused: {_too_deep(max_depth)}")
    if _orjson is not None and not beyond_64_bits(content):
        try:
            return _orjson.loads(content)
        except _orjson.JSONDecodeError:
            pass  # the stdlib accepts a few documents orjson refuses (NaN, Infinity)
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    parse_float = _spelled_float if _MAY_OVERFLOW.search(data) else None
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig")
    try:
        return json.loads(content, parse_constant=_spelled_constant, parse_float=parse_float)
    except RecursionError:  # a backstop: the scan above refuses deep documents first
        raise ValueError(f"refused: {_too_deep(max_depth)}") from None


@checked_keywords
@attrs.frozen
class QueryStyle:
    """How Python values are spelled in a query string.

    Attributes:
        booleans: the spelling of ``True`` and ``False`` (``("true", "false")``,
            or ``("True", "False")`` for clients that pass Python values to requests).
        arrays: ``"repeat"`` (``a=1&a=2``), ``"comma"`` (``a=1,2``) or
            ``"brackets"`` (``a[]=1&a[]=2``).
    """

    booleans: tuple[str, str] = ("true", "false")
    arrays: Literal["repeat", "comma", "brackets"] = "repeat"

    def encode(self, params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> list[tuple[str, str]]:
        """Flatten ``params`` into ordered pairs, dropping ``None`` values; a name or value that
        cannot be sent raises ``InvalidRequestError`` naming the parameter."""
        if not params:
            return []
        pairs: list[tuple[str, str]] = []
        for key, value in pairs_of(params, "query parameters"):
            problem = shape_problem(value)
            if problem:
                raise InvalidRequestError(f"query parameter {_name_of(key)} cannot be sent: {problem}")
            try:
                self._add(pairs, key if isinstance(key, str) else str(key), value)
            except ValueError as exc:
                raise InvalidRequestError(
                    f"query parameter {_name_of(key)} cannot be sent: {exc}"
                ) from redacted_cause(exc)
        for name, text in pairs:
            if not (is_utf8(name) and is_utf8(text)):
                raise InvalidRequestError(
                    f"query parameter {_name_of(name)} is not valid Unicode (a lone surrogate)"
                )
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
            return str(identity_of(value))
        return str(value)


def pairs_of(values: Any, what: str) -> list[tuple[Any, Any]]:
    """``values`` (a mapping or an iterable of name-value pairs) as a list of pairs;
    anything else (a number, a string, an item that is not a pair) is ``InvalidRequestError``."""
    if isinstance(values, Mapping):
        return list(values.items())
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidRequestError(
            f"{what} must be a mapping or name-value pairs, not {type(values).__name__}"
        )
    pairs = list(values)
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise InvalidRequestError(f"{what} must be name-value pairs, not a {type(pair).__name__}")
    return [(name, value) for name, value in pairs]


def checked_chunks(chunks: Iterable[Any]) -> Iterator[Any]:
    """The chunks of a streamed body (``data=`` an iterator), each checked to be bytes or text
    as it is sent; another value raises ``InvalidRequestError`` (the request is broken off)."""
    for chunk in chunks:
        if not isinstance(chunk, bytes | bytearray | memoryview | str):
            kind = type(chunk).__name__
            raise InvalidRequestError(f"a streamed body (data=) yields bytes or text, not {kind}")
        yield chunk


def check_form(data: Any) -> None:
    """Refuse a form body (``data=`` as a mapping or pairs) that is not flat: each value a
    scalar or a list of scalars, as ``application/x-www-form-urlencoded`` spells them."""
    for name, value in pairs_of(data, "a form body (data=)"):
        values = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(v, Mapping | list | tuple | set | frozenset) for v in values):
            raise InvalidRequestError(
                f"form field {_name_of(name)} nests lists or mappings; a form body is flat"
            )


def is_utf8(text: str) -> bool:
    """Whether ``text`` encodes to UTF-8 (no lone surrogates)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _name_of(name: Any) -> str:
    """A printable mention of a parameter or header name, whatever it is."""
    if isinstance(name, str):
        return ascii(clipped(name, 100))
    return f"of type {type(name).__name__}"


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def is_token(text: Any) -> bool:
    """Whether ``text`` is an HTTP token (RFC 9110): a method or a header name."""
    return isinstance(text, str) and _TOKEN.fullmatch(text) is not None


def check_header_name(name: Any) -> None:
    """Refuse a header name that is not an HTTP token (RFC 9110), text or otherwise."""
    if not is_token(name):
        raise InvalidRequestError(f"invalid header name {_name_of(name)}: header names are ASCII tokens")


def check_header_value(name: Any, value: Any) -> None:
    """Refuse header names or values that could split or smuggle a request, or that HTTP
    cannot carry: a value is text of Latin-1 characters without CR, LF or NUL."""
    check_header_name(name)
    if not isinstance(value, str):
        raise InvalidRequestError(f"header {_name_of(name)} must be text, not {type(value).__name__}")
    if any(c in value for c in "\r\n\0"):
        raise InvalidRequestError(f"header {_name_of(name)} contains a line break or NUL; refused")
    if not value.isascii():
        try:
            value.encode("latin-1")
        except UnicodeEncodeError as exc:
            raise InvalidRequestError(
                f"header {_name_of(name)} has a character HTTP headers cannot carry (outside Latin-1)"
            ) from redacted_cause(exc)
