"""Keeping secrets out of logs, reprs, messages and pickles.

Every credential clientkit handles is a :class:`Secret`, whose value stays registered
while it lives; :func:`redact` removes every registered value (raw, percent-encoded,
JSON- or repr-escaped) from any text, and :func:`scrub` also masks the values of
sensitive-named query parameters.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import threading
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus, urlencode, urlsplit, urlunsplit

MASK = "***"
_MIN_SECRET_LENGTH = 4
_MAX_LOOSE = 4096
_GROWTH = 2  # a segment absorbs the next one while it is at most this many times its size

_ALONE = r"(?<![a-z0-9]){}(?![a-z0-9])"  # a whole word: underscores and hyphens separate
# "auth" but not "author" ("authority", "co-author"), though "authorization" and "authorize"
_ANYWHERE = (
    r"auth(?!or(?!i[sz]))|token|secret|passw|pass[-_]?phrase|passcode|api[-_]?key|apikey|access[-_]?key"
    r"|private[-_]?key|signing[-_]?key|cookie|session|signature|credential|nonce"
    + "".join(f"|{_ALONE.format(word)}" for word in ("pin", "pin[-_]?code", "otp", "totp", "mfa", "sig"))
)
#: the one rule for names (headers, query parameters, body keys, login credentials) whose
#: values are credentials (a bare ``key`` too); use :func:`is_sensitive_name`.
SENSITIVE_NAME = re.compile(rf"{_ANYWHERE}|^key$", re.IGNORECASE)
_NAME_CHAR = r"[^=&#\s'\"]"
_QUERY_SECRET = re.compile(
    rf"([?&;](?:{_NAME_CHAR}*?(?:{_ANYWHERE}){_NAME_CHAR}*|key)=)([^&#\s'\")]+)", re.IGNORECASE
)


def is_sensitive_name(name: str) -> bool:
    """Whether values under ``name`` (a header, query parameter, body key or login
    credential) are credentials: ``Authorization``, ``api_key``, ``password``, ``pin``..."""
    return bool(SENSITIVE_NAME.search(name))


def fingerprint(key: bytes, *parts: str) -> str:
    """HMAC-SHA256 of ``parts`` under ``key``: a stable id of a credential that holds no
    secret and cannot be brute-forced offline without the key (cache keys, the journal)."""
    message = "\0".join(f"{len(part)}:{part}" for part in ("clientkit", *parts))
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


def _forms(value: str) -> set[str]:
    """The spellings of ``value`` a text may carry: raw, JSON- and repr-escaped (each of
    their characters may also be percent-encoded, see :func:`_char_regex`)."""
    if len(value) < _MIN_SECRET_LENGTH:
        return set()
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1], repr(value)[1:-1]}
    return {f for f in forms if len(f) >= _MIN_SECRET_LENGTH}


def _literal_pattern(values: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching any of ``values`` (the longest at each place), each character also
    in its escaped spellings (:func:`_char_regex`); an all-digit value (a PIN) only as a whole
    number. A prefix tree keeps the work per position independent of the number of values."""
    numbers = {v for v in values if v.isdigit() and v.isascii()}
    texts = set(values) - numbers
    branches = [_alternatives(texts)] if texts else []
    if numbers:
        branches.append(rf"(?<![0-9])(?:{_alternatives(numbers)})(?![0-9])")
    return re.compile("|".join(branches))


def _alternatives(values: set[str]) -> str:
    trie: dict[str, Any] = {}
    for value in values:
        node = trie
        for char in value:
            node = node.setdefault(char, {})
        node[""] = {}
    try:
        body = _trie_regex(trie)
        re.compile(body)
        return body
    except (RecursionError, re.error):
        flat = sorted(values, key=len, reverse=True)
        return "|".join("".join(map(_char_regex, v)) for v in flat)


@functools.lru_cache(maxsize=1024)
def _char_regex(char: str) -> str:
    """``char``, raw or in the spellings URLs and escaped JSON give it."""
    if char.isascii() and (char.isalnum() or char in "-._~"):
        return re.escape(char)
    spellings = [re.escape(char)]
    encoded = char.encode("utf-8", "surrogatepass")
    spellings.append("".join(f"%{_hex_regex(byte >> 4)}{_hex_regex(byte & 15)}" for byte in encoded))
    if char == " ":
        spellings.append(r"\+")
    if char == "/":
        spellings.append(r"\\/")
    return "(?:" + "|".join(spellings) + ")"


def _hex_regex(digit: int) -> str:
    text = f"{digit:X}"
    return text if text.isdigit() else f"[{text}{text.lower()}]"


def _trie_regex(node: dict[str, Any]) -> str:
    """The regex of a prefix-tree node; chains of single children become plain literals."""
    branches = []
    for char, child in sorted(node.items()):
        if not char:
            continue
        literal, tail = [char], child
        while len(tail) == 1 and "" not in tail:
            ((next_char, tail),) = tail.items()
            literal.append(next_char)
        branches.append("".join(map(_char_regex, literal)) + _trie_regex(tail))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


class _Held:
    """The values one owner holds, and the finalizer that releases them."""

    __slots__ = ("finalizer", "forms", "values")

    def __init__(self) -> None:
        self.values: set[str] = set()
        self.forms: set[str] = set()
        self.finalizer: weakref.finalize[Any, Any] | None = None

    def owned_by(self, owner: object) -> bool:
        alive = self.finalizer.peek() if self.finalizer is not None else None
        return alive is not None and alive[0] is owner


class _Segment:
    """Some registered forms and their pattern; released forms stay compiled, listed in
    ``dead``, until enough of them make a rebuild worth it."""

    __slots__ = ("dead", "forms", "pattern")

    def __init__(self, forms: set[str]) -> None:
        self.forms = forms
        self.dead: set[str] = set()
        self.pattern: re.Pattern[str] | None = None


def _is_dead(found: str, dead: set[str]) -> bool:
    """Whether matched text ``found`` is a spelling of a released form (percent-, plus- or
    slash-escaped). Missing one only leaves a released value masked a little longer."""
    if found in dead:
        return True
    unslashed = found.replace("\\/", "/")
    return any(text in dead for text in (unquote(found), unquote_plus(found), unslashed, unquote(unslashed)))


class _Registry:
    """The secret values alive in this process.

    A value stays registered until every owner holding it is collected. Weak-reference
    callbacks only queue a release (they may run while the lock is held); it is applied at
    the next use. Values without an owner sit in a bounded list that never evicts an owned one.

    Forms are compiled in log-structured segments: new forms make a new segment, which an
    older one at most twice its size absorbs, so n registrations compile each form O(log n)
    times and a text meets O(log n) patterns. Once texts scanned number an eighth of the
    forms, all are compacted into one pattern. A released form leaves its segment when the
    segment is rebuilt: when released forms outnumber live ones, or when a text shows one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._owners: dict[int, _Held] = {}
        self._loose: OrderedDict[str, None] = OrderedDict()
        self._released: deque[tuple[int, _Held]] = deque()
        self._pending: set[str] = set()
        self._segments: list[_Segment] = []
        self._where: dict[str, _Segment] = {}
        self._ready: tuple[_Segment, ...] | None = ()
        self._scans = 0  # texts redacted since the segments were last compacted into one
        self._compact_after = 64  # compact after this many (an eighth of the forms)
        #: how many forms have been compiled into patterns, in total (the work done)
        self.compiled = 0

    def hold(self, value: str, owner: object) -> None:
        held = self._owners.get(id(owner))
        if held is not None and value in held.values and held.owned_by(owner):
            return  # the common case: an object saved again
        forms = _forms(value)
        if not forms:
            return
        with self._lock:
            self._drain()
            held = self._owners.get(id(owner))
            if held is None or not held.owned_by(owner):
                held = _Held()
                held.finalizer = weakref.finalize(owner, self._released.append, (id(owner), held))
                self._owners[id(owner)] = held  # after finalize: it raises for a non-weakrefable owner
            held.values.add(value)
            for form in forms - held.forms:
                held.forms.add(form)
                count = self._counts.get(form, 0)
                self._counts[form] = count + 1
                if not count and form not in self._loose:
                    self._gained(form)

    def add(self, value: str) -> None:
        forms = _forms(value)
        with self._lock:
            for form in forms:
                if form in self._loose:
                    self._loose.move_to_end(form)
                    continue
                self._loose[form] = None
                if form not in self._counts:
                    self._gained(form)
            while len(self._loose) > _MAX_LOOSE:
                evicted, _ = self._loose.popitem(last=False)
                if evicted not in self._counts:
                    self._lost(evicted)

    def _drain(self) -> None:
        while self._released:
            key, held = self._released.popleft()
            if self._owners.get(key) is held:
                del self._owners[key]
            for form in held.forms:
                count = self._counts.get(form, 0) - 1
                if count > 0:
                    self._counts[form] = count
                    continue
                self._counts.pop(form, None)
                if form not in self._loose:
                    self._lost(form)

    def _gained(self, form: str) -> None:
        """``form`` became registered (under the lock)."""
        segment = self._where.get(form)
        if segment is not None and form in segment.dead:
            segment.dead.discard(form)  # released, then registered again: still compiled
            segment.forms.add(form)
            return
        self._pending.add(form)
        self._ready = None

    def _lost(self, form: str) -> None:
        """``form`` is no longer registered (under the lock)."""
        if form in self._pending:
            self._pending.discard(form)
            return
        segment = self._where.get(form)
        if segment is None:
            return
        segment.forms.discard(form)
        segment.dead.add(form)
        if len(segment.dead) > len(segment.forms):
            self._ready = None

    def _settle(self) -> None:
        if self._released:
            with self._lock:
                self._drain()

    def holds(self, text: str) -> bool:
        """Whether ``text`` is itself a registered secret (or one of its forms)."""
        self._settle()
        return text in self._counts or text in self._loose

    def segments(self) -> tuple[_Segment, ...]:
        """The compiled segments, brought up to date."""
        self._settle()
        ready = self._ready
        if ready is not None and (len(ready) <= 1 or self._scans < self._compact_after):
            return ready
        with self._lock:
            self._drain()
            return self._rebuild()

    def _rebuild(self) -> tuple[_Segment, ...]:
        segments = [self._replace(seg) if len(seg.dead) > len(seg.forms) else seg for seg in self._segments]
        if self._pending:
            segments.append(self._replace(_Segment(self._pending)))
            self._pending = set()
        segments = [seg for seg in segments if seg.forms]
        i = len(segments) - 1
        while i >= 1:
            if len(segments[i - 1].forms) <= _GROWTH * len(segments[i].forms):
                segments[i - 1 : i + 1] = [self._replace(segments[i - 1], segments[i])]
                i = min(i, len(segments) - 1)
            else:
                i -= 1
        self._compact_after = max(64, sum(len(segment.forms) for segment in segments) // 8)
        if len(segments) > 1 and self._scans >= self._compact_after:
            # the texts scanned since the last compaction pay for compiling all at once (one
            # pattern scans several times faster than several)
            segments = [self._replace(*segments)]
            self._scans = 0
        for segment in segments:
            self._compile(segment)
        self._segments = segments
        self._ready = tuple(segments)
        return self._ready

    def _replace(self, *old: _Segment) -> _Segment:
        """A new segment of the live forms of ``old`` (under the lock). The old ones are not
        changed: a text being redacted meanwhile is still scanned with their patterns."""
        new = _Segment(set().union(*(segment.forms for segment in old)))
        for segment in old:
            for form in segment.dead:
                if self._where.get(form) is segment:
                    del self._where[form]
        for form in new.forms:
            self._where[form] = new
        return new

    def _compile(self, segment: _Segment) -> None:
        if segment.pattern is None and segment.forms:
            segment.pattern = _literal_pattern(segment.forms)
            self.compiled += len(segment.forms)

    def _refreshed(self, segment: _Segment) -> _Segment:
        """``segment`` without its released forms (a text showed one), compiled."""
        with self._lock:
            self._drain()
            if segment in self._segments:
                fresh = self._replace(segment)
                self._segments = [fresh if seg is segment else seg for seg in self._segments]
                if self._ready is not None:
                    self._ready = tuple(self._segments)
            else:  # already replaced: a one-off copy for this text
                live = {form for form in segment.forms if form in self._counts or form in self._loose}
                fresh = _Segment(live)
            self._compile(fresh)
            return fresh

    def sub(self, text: str, replace: Callable[[str], str] | None) -> str:
        """``text`` with every registered form replaced by ``replace(found)`` (``***``)."""
        segments = self.segments()
        if not segments:
            return text
        self._scans += 1
        spans = self._spans(text, segments)
        if not spans:
            return text
        out, last = [], 0
        for begin, end in spans:
            out.append(text[last:begin])
            out.append(MASK if replace is None else replace(text[begin:end]))
            last = end
        out.append(text[last:])
        return "".join(out)

    def _spans(self, text: str, segments: Iterable[_Segment]) -> list[tuple[int, int]]:
        """Where registered forms are in ``text``: from every segment, at every place the
        longest form found there, overlapping ones joined (so none shows in part)."""
        found: list[tuple[int, int]] = []
        for given in segments:
            segment, pos = given, 0
            while segment.pattern is not None and (match := segment.pattern.search(text, pos)) is not None:
                if segment.dead and _is_dead(match.group(), segment.dead):
                    segment = self._refreshed(segment)
                    continue
                found.append(match.span())
                pos = match.start() + 1
        found.sort()
        spans: list[tuple[int, int]] = []
        for begin, end in found:
            if spans and begin < spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((begin, end))
        return spans

    def __len__(self) -> int:
        with self._lock:
            self._drain()
            return len({*self._counts, *self._loose})


_registry = _Registry()


def register_secret(value: str | int | float, owner: object | None = None) -> None:
    """Remember ``value`` so that :func:`redact` removes it from any text: while ``owner``
    (weak-referenceable) lives, else in a bounded list of recent values. A number (a PIN)
    is registered as text; :func:`scrub_value` also masks the number itself."""
    if not isinstance(value, str):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        try:
            value = str(value)
        except ValueError:  # an int over the digit limit
            return
        if value in ("nan", "inf", "-inf"):
            return
    if owner is not None:
        try:
            _registry.hold(value, owner)
            return
        except TypeError:
            pass
    _registry.add(value)


def redact(text: str) -> str:
    """Return ``text`` with every registered secret replaced by ``***``."""
    return _registry.sub(text, None) if text else text


def redact_with(text: str, replace: Callable[[str], str]) -> str:
    """Return ``text`` with every registered secret replaced by ``replace(secret)``."""
    return _registry.sub(text, replace) if text else text


def scrub(text: str) -> str:
    """:func:`redact`, plus the values of sensitive-named query parameters in any URL in ``text``."""
    text = redact(text)
    if "=" in text:
        text = _QUERY_SECRET.sub(rf"\g<1>{MASK}", text)
    return text


def clipped(text: str, limit: int) -> str:
    """``text`` scrubbed, then cut to ``limit`` characters (cutting first could leave a
    part of a secret that no longer matches)."""
    return scrub(text)[:limit]


def scrub_value(value: Any) -> Any:
    """A copy of ``value`` (text, number, bytes or JSON-like containers) with secrets scrubbed;
    a number equal to a registered secret (a PIN) becomes a masked number of its type."""
    if isinstance(value, str):
        return scrub(value)
    if value is None or isinstance(value, bool | MaskedInt | MaskedFloat):
        return value
    if isinstance(value, int | float):
        if not _equals_secret(value):
            return value
        return MaskedFloat() if isinstance(value, float) else MaskedInt()
    if isinstance(value, bytes):
        return scrub(value.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
    if isinstance(value, Mapping):
        return {scrub_value(k): scrub_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(scrub_value(v) for v in value)
    return value


def _equals_secret(number: int | float) -> bool:
    try:
        texts = {str(number)}
        if isinstance(number, float) and number.is_integer():
            texts.add(str(int(number)))
    except (ValueError, OverflowError):  # over the digit limit, or an infinity
        return False
    return any(_registry.holds(text) for text in texts)


class _Masked:
    """Shown as ``***`` however it is printed, formatted or pickled."""

    __slots__ = ()

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return MASK

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), ())


class MaskedInt(_Masked, int):
    """An integer that was equal to a secret (an echoed PIN): ``0``, shown as ``***``."""


class MaskedFloat(_Masked, float):
    """A float that was equal to a secret: ``0.0``, shown as ``***``."""


class Secret(_Masked):
    """A credential that never shows itself by accident: only :meth:`reveal` returns it.

    A number (a numeric PIN) is kept as given for the wire and registered as text.

    Example:
        >>> s = Secret("hunter2-token")
        >>> s
        Secret('***')
        >>> s.reveal()
        'hunter2-token'
    """

    __slots__ = ("__weakref__", "_given", "_value")

    def __init__(self, value: str | int | float | Secret) -> None:
        if isinstance(value, Secret):
            value = value._given
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError(f"a secret must be a str or a number, not {type(value).__name__}")
        self._given: str | int | float = value
        self._value = value if isinstance(value, str) else str(value)
        register_secret(self._value, self)

    def reveal(self) -> str:
        """The secret value itself, as text."""
        return self._value

    def reveal_as_given(self) -> str | int | float:
        """The secret value with the type it was given (a number stays a number in JSON)."""
        return self._given

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return hmac.compare_digest(self._value.encode(), other._value.encode())
        return NotImplemented

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickled_secret, ())


def _unpickled_secret() -> Secret:
    return Secret("")


def header_text(value: Any) -> str:
    """A header name or value as text (requests accepts bytes, read as Latin-1)."""
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def redact_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    """A copy of ``headers`` fit for a log line or an exception."""
    return {name: MASK if is_sensitive_name(name) else redact(header_text(v)) for name, v in headers.items()}


def redact_url(url: str) -> str:
    """``url`` with sensitive query values masked and registered secrets removed."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        masked = [(k, MASK if is_sensitive_name(k) else v) for k, v in pairs]
        parts = parts._replace(query=urlencode(masked, safe="*"))
    if parts.password:
        host = parts.netloc.rpartition("@")[2]  # as written: a bad port must not raise here
        parts = parts._replace(netloc=f"{parts.username}:{MASK}@{host}")
    return redact(urlunsplit(parts))


def redact_data(value: Any, names: Iterable[str] = ()) -> Any:
    """A deep copy of JSON-like ``value`` with sensitive keys masked (for logs)."""
    extra = {n.lower() for n in names}
    if isinstance(value, Mapping):
        masked = {k for k in value if isinstance(k, str) and (is_sensitive_name(k) or k.lower() in extra)}
        return {k: MASK if k in masked else redact_data(v, extra) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(v, extra) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value
