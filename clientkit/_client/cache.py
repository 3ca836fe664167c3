"""HTTP caching with requests-cache: backends, isolation (see :func:`cached_http`), the
fresh-hit :class:`Shortcut`, invalidation by writes, statistics. GET answers with an ``ETag``
or ``Last-Modified`` are stored and, once expired (by default at once), revalidated. A
backend failure raises :class:`~clientkit.errors.CacheError`.
"""

from __future__ import annotations

import copy
import datetime as dt
import email.utils
import functools
import hashlib
import os
import re
import secrets
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import attrs
import requests

from clientkit._client.auth import Keyed
from clientkit._declarations.errors import (
    CacheError,
    DeclarationError,
    redacted_cause,
)
from clientkit._declarations.options import CacheConfig
from clientkit._declarations.redaction import SENSITIVE_NAME, fingerprint, header_text, scrub


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/clientkit`` (``~/.cache/clientkit`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "clientkit"


_KEY_NAME = "clientkit-identity-key"
#: the key of requests that are never stored (writes): computing it needs no backend
_UNSTORED = "unstored"
_P = ParamSpec("_P")
_T = TypeVar("_T")


@attrs.define
class CacheStats:
    """Counts of cacheable requests since the session opened."""

    hits: int = 0
    revalidations: int = 0
    misses: int = 0
    _lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False, eq=False)

    def record(self, response: requests.Response) -> None:
        from_cache = bool(getattr(response, "from_cache", False))
        with self._lock:
            if from_cache and getattr(response, "revalidated", False):
                self.revalidations += 1
            elif from_cache:
                self.hits += 1
            else:
                self.misses += 1


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


def _private_file(path: Path) -> None:
    _private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _backend(config: CacheConfig, name: str) -> Any:
    from requests_cache.backends.base import BaseCache
    from requests_cache.backends.filesystem import FileCache
    from requests_cache.backends.sqlite import SQLiteCache

    if isinstance(config.backend, BaseCache):
        return config.backend
    if config.backend == "memory":
        return BaseCache()
    if config.backend == "sqlite":
        path = Path(config.location) if config.location else default_cache_dir() / f"{name}.sqlite"
        _private_file(path)
        return SQLiteCache(str(path), wal=True)
    if config.backend == "filesystem":
        directory = Path(config.location) if config.location else default_cache_dir() / name
        _private_dir(directory)
        os.chmod(directory, 0o700)
        return FileCache(str(directory))
    if config.backend == "redis":
        try:
            from redis import Redis
            from requests_cache.backends.redis import RedisCache
        except ImportError as exc:
            raise DeclarationError("the redis cache backend needs the redis package") from exc
        connection = Redis.from_url(str(config.location)) if config.location else Redis()
        return RedisCache(namespace=f"clientkit-{name}", connection=connection)
    raise DeclarationError(f"unknown cache backend {config.backend!r}")


@functools.cache
def _backend_errors() -> tuple[type[BaseException], ...]:
    """What a backend raises when it fails: files, SQLite, and Redis when installed."""
    try:
        from redis.exceptions import RedisError
    except ImportError:
        return (OSError, sqlite3.Error)
    return (OSError, sqlite3.Error, RedisError)


def _backend_call(doing: str) -> Callable[[Callable[_P, _T]], Callable[_P, _T]]:
    """Make a backend's own failures in ``call`` a :class:`CacheError` (cause redacted)."""

    def wrap(call: Callable[_P, _T]) -> Callable[_P, _T]:
        @functools.wraps(call)
        def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _T:
            try:
                return call(*args, **kwargs)
            except requests.RequestException:
                raise  # the network (an OSError too), reading a streamed body to store it
            except _backend_errors() as exc:
                failure = exc  # raised below, so the original is only the redacted cause
            message = scrub(f"the cache backend failed {doing}: {type(failure).__name__}: {failure}")
            raise CacheError(message) from redacted_cause(failure)

        return guarded

    return wrap


def identity_key(cache: Any) -> bytes:
    """The random HMAC key of credential identities, kept with the cache itself (a SQLite
    table, a file of the cache folder, a Redis key; else per backend object): every process
    opening the cache reads the same key, and without it the identities in keys cannot be
    checked against guessed credentials."""
    from requests_cache.backends.filesystem import FileCache
    from requests_cache.backends.redis import RedisCache
    from requests_cache.backends.sqlite import SQLiteCache

    fresh = secrets.token_hex(32)
    if isinstance(cache, SQLiteCache) and not cache.responses.connection_kwargs.get("uri"):
        return _sqlite_key(str(cache.db_path), fresh)
    if isinstance(cache, FileCache):
        return _sqlite_key(str(Path(cache.cache_dir) / f"{_KEY_NAME}.sqlite"), fresh)
    if isinstance(cache, RedisCache):
        storage: Any = cache.responses
        connection, name = storage.connection, f"{storage.namespace}-{_KEY_NAME}"
        connection.set(name, fresh, nx=True)
        stored = connection.get(name)
        return bytes.fromhex(stored.decode() if isinstance(stored, bytes) else str(stored))
    held: str = vars(cache).setdefault("_ck_identity_key", fresh)
    return bytes.fromhex(held)


def _sqlite_key(path: str, fresh: str) -> bytes:
    """Read (creating it once, atomically) the key stored in a SQLite file."""
    _private_file(Path(path))
    with sqlite3.connect(path, timeout=30) as db:
        db.execute("CREATE TABLE IF NOT EXISTS clientkit_keys (name TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR IGNORE INTO clientkit_keys VALUES (?, ?)", (_KEY_NAME, fresh))
        (value,) = db.execute("SELECT value FROM clientkit_keys WHERE name = ?", (_KEY_NAME,)).fetchone()
    db.close()
    return bytes.fromhex(str(value))


#: Request headers that cannot change an answer (or that requests-cache adds): the only ones
#: left out of a cache key, and the only ones whose values are kept in stored requests.
HARMLESS_HEADERS = frozenset(
    {
        "user-agent",
        "accept-encoding",
        "connection",
        "keep-alive",
        "te",
        "content-length",
        "if-none-match",
        "if-modified-since",
        "cache-control",
        "pragma",
    }
)
#: Where a stored request keeps the key it was stored under (in storage only)
_STORED_KEY = "X-Clientkit-Cache-Key"
_MASK = "REDACTED"


def cached_http(
    config: CacheConfig,
    *,
    name: str,
    identity: Callable[[Keyed], str],
    secret_names: Iterable[str] = (),
    idempotency_header: str | None = None,
    unfill: Callable[[str, str], str] | None = None,
) -> requests.Session:
    """A requests-cache session whose keys cover everything a request sends.

    The key of a GET or HEAD is the method, the URL exactly as sent and the body, plus an
    HMAC (under :func:`identity_key`) of the auth's ``identity`` and of every header sent
    but :data:`HARMLESS_HEADERS` and ``idempotency_header``. ``secret_names`` (the auth's
    own credential headers and query parameters) are left out only when ``identity`` stands
    for them (it is not ``"anonymous"``); ``unfill`` takes a credential out of a URL's path
    (keys and storage get a mark in its place). Stored requests keep only harmless header values,
    no query credential, body or cookies; stored answers no ``Set-Cookie`` or sensitive header.
    """
    from requests_cache import CachedSession

    own = tuple(dict.fromkeys(secret_names))
    harmless = HARMLESS_HEADERS | ({idempotency_header.lower()} if idempotency_header else set())
    backend = _backend_call("opening the cache")(_backend)(config, name)
    unfill = unfill or (lambda url, _: url)
    key_fn = _key_function(backend, identity, own, harmless, unfill)
    session = CachedSession(
        # requests-cache keeps the key function on the backend object: a shared one gets a
        # view of its own (same storage), or the last session's identity would key them all
        backend=copy.copy(backend) if backend is config.backend else backend,
        expire_after=config.expire_after,
        cache_control=config.cache_control,
        stale_if_error=config.stale_if_error,
        allowable_methods=("GET", "HEAD"),
        allowable_codes=(200, 203),
        ignored_parameters=own,
        key_fn=key_fn,
    )
    view = session.cache
    save = functools.partial(_save_redacted, view, own, harmless, key_fn, unfill)
    view.get_response = _backend_call("reading an answer")(view.get_response)  # type: ignore[method-assign]
    view.save_response = _backend_call("storing an answer")(save)  # type: ignore[method-assign]
    session.hooks["response"].extend([_tame_freshness, _trim_not_modified])
    session.send = _taming_requests(session.send)  # type: ignore[method-assign,assignment]
    return session


def _taming_requests(send: Callable[..., requests.Response]) -> Callable[..., requests.Response]:
    """``send`` with a caller's ``Cache-Control`` numbers capped first, as answers' are."""

    def tamed(request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        control = request.headers.get("Cache-Control")
        if control:
            request.headers["Cache-Control"] = _capped_control(control)
        return send(request, **kwargs)

    return tamed


def _key_function(
    backend: Any,
    identity: Callable[[Keyed], str],
    own: tuple[str, ...],
    harmless: frozenset[str],
    unfill: Callable[[str, str], str],
) -> Callable[..., str]:
    """The key of a request: ``<digest of method, URL, body>-<HMAC of identity and headers>``
    (hex, so the SQLite shortcut can read it), memoized."""
    from requests_cache.models.request import CachedRequest

    own_headers = frozenset(n.lower() for n in own)
    own_params = frozenset(own)
    memo: _Lru = _Lru(4096)

    @functools.cache
    def keyed() -> Keyed:  # on first use, so connect() does not reach a Redis server
        read = _backend_call("reading the identity key")(identity_key)
        return functools.partial(fingerprint, read(backend))

    def key_fn(request: Any, **kwargs: Any) -> str:
        if request.method not in ("GET", "HEAD"):
            return _UNSTORED  # never stored: no identity, no backend
        headers = request.headers or {}
        matched = kwargs.get("match_headers")
        if isinstance(request, CachedRequest):  # a stored request, for a Vary check
            stored = headers.get(_STORED_KEY)
            if not stored:
                return f"unmatched-{secrets.token_hex(8)}"  # stored before: never matches
            return f"{stored}{_vary_part(headers, matched, harmless)}"
        hmac = keyed()
        who = identity(hmac) if _carries(request, own_headers, own_params) else "anonymous"
        body = request.body
        if not isinstance(body, bytes | str | None):
            body = f"unshared:{secrets.token_hex(16)}"  # a stream: this request only
        sent = tuple((header_text(k), header_text(v)) for k, v in headers.items())
        signature = (who, request.method, request.url, body, sent)
        key = memo.get(signature)
        if key is None:
            covered = who != "anonymous"  # the identity stands for the auth's own credential
            url = _without_own(request.url or "", own_params) if covered and own_params else request.url
            if covered:  # a mark no URL holds: no key is shared with a URL sent without it
                url = unfill(url or "", "\0credential\0")
            skip = harmless | own_headers if covered else harmless
            values = sorted((k.lower(), v) for k, v in sent if k.lower() not in skip)
            scope = hmac("request", who, *(f"{k}={v}" for k, v in values))
            key = f"{_digest(request.method, url, body)}-{scope}"
            memo.put(signature, key)
        return f"{key}{_vary_part(headers, matched, harmless)}"

    return key_fn


def _carries(request: Any, headers: frozenset[str], params: frozenset[str]) -> bool:
    """Whether ``request`` carries the auth's credential (not one sent with ``auth=False``);
    true for an auth whose credential clientkit cannot see."""
    if not headers and not params:
        return True
    if any(str(k).lower() in headers for k in request.headers or {}):
        return True
    query = urlsplit(request.url or "").query
    return any(unquote_plus(item.partition("=")[0]) in params for item in query.split("&") if item)


def _vary_part(headers: Mapping[str, Any], matched: Any, harmless: frozenset[str]) -> str:
    """For a ``Vary`` check: the harmless matched headers (the key covers the others)."""
    if not matched:
        return ""
    names = sorted({n.lower() for n in (headers if matched is True else matched)} & harmless)
    shown = "\0".join(f"{n}={header_text(headers.get(n, ''))}" for n in names)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def _digest(method: str, url: str | None, body: bytes | str | None) -> str:
    """A key's first part: the digest of method, URL and body."""
    data = body.encode() if isinstance(body, str) else body or b""
    return hashlib.sha256(b"\0".join([method.encode(), (url or "").encode(), data])).hexdigest()[:32]


def _without_own(url: str, names: frozenset[str]) -> str:
    """``url`` without the one occurrence of each of ``names`` (the auth's query credential);
    a name given more than once is kept: the identity does not cover the caller's."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    items = parts.query.split("&")
    decoded = [unquote_plus(item.partition("=")[0]) for item in items]
    counts = {n: decoded.count(n) for n in decoded}
    kept = [i for i, n in zip(items, decoded, strict=True) if not (n in names and counts[n] == 1)]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _masked_url(url: str, own: tuple[str, ...]) -> str:
    """``url`` with the value of every credential parameter (``own``, sensitive names) masked."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    names = frozenset(own)
    items = []
    for item in parts.query.split("&"):
        raw_name, eq, _ = item.partition("=")
        name = unquote_plus(raw_name)
        secret = eq and (name in names or SENSITIVE_NAME.search(name))
        items.append(f"{raw_name}={_MASK}" if secret else item)
    return urlunsplit(parts._replace(query="&".join(items)))


def _save_redacted(
    cache: Any,
    own: tuple[str, ...],
    harmless: frozenset[str],
    key_fn: Callable[..., str],
    unfill: Callable[[str, str], str],
    response: requests.Response,
    key: str | None = None,
    expires: Any = None,
) -> None:
    """requests-cache's ``save_response``, keeping no secret in storage (see
    :func:`cached_http`); the stored request keeps its key, for ``Vary`` checks. A cached
    answer never sets cookies again: the live one set them once."""
    from requests.cookies import RequestsCookieJar
    from requests.structures import CaseInsensitiveDict
    from requests_cache.models.raw_response import CachedHTTPResponse
    from requests_cache.models.request import CachedRequest
    from requests_cache.models.response import CachedResponse

    stored = CachedResponse.from_response(response, expires=expires)
    sent = stored.request
    original: Any = response.request
    if isinstance(original, CachedRequest):  # a revalidated answer, stored again
        stored_key = str(sent.headers.get(_STORED_KEY) or "")
    else:
        stored_key = key_fn(original)
    headers = CaseInsensitiveDict(
        {k: (v if k.lower() in harmless else _MASK) for k, v in (sent.headers or {}).items()}
    )
    headers[_STORED_KEY] = stored_key
    sent.headers = headers
    sent.url = _masked_url(unfill(sent.url or "", _MASK), own)
    sent.body = b""
    sent.cookies = RequestsCookieJar()
    stored.url = _masked_url(unfill(stored.url or "", _MASK), own)
    stored.cookies = RequestsCookieJar()
    stored.headers = CaseInsensitiveDict(
        {
            k: v
            for k, v in stored.headers.items()
            if k.lower() not in ("set-cookie", "set-cookie2") and not SENSITIVE_NAME.search(k)
        }
    )
    stored._next = None
    stored.raw = CachedHTTPResponse.from_cached_response(stored)
    cache.responses[key or cache.create_key(response.request)] = stored


_VOLATILE = ("Date", "Connection", "Keep-Alive", "Server", "Age")


#: The largest delta-seconds a cache honours: RFC 9111 section 1.2.2 caps larger values to it.
MAX_DELTA_SECONDS = 2**31


def _tame_freshness(response: requests.Response, *_: Any, **__: Any) -> requests.Response:
    """Make hostile freshness headers harmless before requests-cache reads them (either would
    overflow inside it): a ``Cache-Control`` number is capped, as RFC 9111 says; an ``Expires``
    that is no calendar date becomes ``0``, already expired, as RFC 9111 reads an invalid date."""
    control = response.headers.get("Cache-Control")
    if control:
        response.headers["Cache-Control"] = _capped_control(control)
    expires = response.headers.get("Expires")
    if expires is not None and not _calendar_date(expires):
        response.headers["Expires"] = "0"
    return response


def _capped_control(value: str) -> str:
    """A ``Cache-Control`` value with each number out of range capped (read as requests-cache does)."""
    directives = value.split(",")
    for at, directive in enumerate(directives):
        name, equals, number = directive.partition("=")
        try:
            seconds = int(number)
        except ValueError:
            continue
        if abs(seconds) > MAX_DELTA_SECONDS:
            directives[at] = f"{name}{equals}{MAX_DELTA_SECONDS if seconds > 0 else 0}"
    return ",".join(directives)


def _calendar_date(value: str) -> bool:
    """Whether ``value`` is an integer (requests-cache: expired) or an HTTP date that
    converts to UTC without overflowing; anything else (requests-cache would raise) is not
    a usable ``Expires``."""
    if value.removeprefix("-").isdigit():  # requests-cache's own test, spaces not allowed
        return True
    try:
        email.utils.parsedate_to_datetime(value).astimezone(dt.timezone.utc)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    return True


def _trim_not_modified(response: requests.Response, *_: Any, **__: Any) -> requests.Response:
    """Drop per-message headers from a 304: requests-cache rewrites the stored answer when
    any header differs, and ``Date`` always does. Validators and freshness headers stay."""
    if response.status_code == 304:
        for name in _VOLATILE:
            response.headers.pop(name, None)
    return response


class _Lru(OrderedDict[Any, Any]):
    """A small thread-safe least-recently-used map."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            return super().get(key, default)

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self._limit:
                self.popitem(last=False)


@attrs.frozen
class _Entry:
    key: str
    expires: dt.datetime | None
    validators: tuple[tuple[str, str], ...]
    always_revalidate: bool


class Shortcut:
    """The hot paths of a cache, taken without requests-cache's per-request machinery.

    requests-cache decides what is stored, under which key and until when. This class
    remembers, per request signature, the key and validators of the answer it stored; it
    serves a certainly fresh answer straight from the backend, and revalidates a stale one
    with a plain conditional request whose ``304`` serves the stored answer (its expiry left
    as it was, so it is revalidated again next time). Anything less certain (``Vary``, no
    validators, a ``200``) falls back to requests-cache.

    Answers are read from the backend every time (another process may have replaced them);
    from SQLite the stored bytes are compared with a recently served answer's, which is
    reused when they are the same (no deserialising on hits and ``304`` answers).
    """

    _BODY_LIMIT = 256 * 1024

    def __init__(self, http: requests.Session) -> None:
        self._cache: Any = http.cache  # type: ignore[attr-defined]
        self._entries: _Lru = _Lru(4096)
        self._answers: _Lru = _Lru(256)  # key -> (stored bytes, the answer they hold)

    @_backend_call("reading an answer")
    def _stored(self, key: str) -> Any:
        raw = _raw_sqlite(self._cache.responses, key)
        if raw is None:
            return self._cache.get_response(key)
        recent = self._answers.get(key)
        if recent is not None and recent[0] == raw:
            return recent[1]
        answer = self._cache.responses.deserialize(key, raw)
        if answer is not None and len(raw) <= self._BODY_LIMIT:
            self._answers.put(key, (raw, answer))
        return answer

    def remember(self, signature: tuple[Any, ...], response: requests.Response) -> None:
        key = getattr(response, "cache_key", None)
        if not isinstance(key, str) or "Vary" in response.headers:
            return
        control = response.headers.get("Cache-Control", "").lower()
        if "no-store" in control:
            return
        validators = _validators_of(response)
        expires = getattr(response, "expires", None)
        if expires is not None and expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.timezone.utc)
        revalidate = "no-cache" in control or "must-revalidate" in control
        self._entries.put(signature, _Entry(key, expires, validators, revalidate))

    def fresh(self, signature: tuple[Any, ...]) -> requests.Response | None:
        """The stored answer, if it is certainly fresh."""
        entry = self._entries.get(signature)
        if entry is None or entry.always_revalidate or entry.expires is None:
            return None
        if entry.expires <= dt.datetime.now(dt.timezone.utc):
            return None
        cached = self._stored(entry.key)
        if cached is None or cached.is_expired:
            return None
        return cached  # type: ignore[no-any-return]

    def validators(self, signature: tuple[Any, ...]) -> dict[str, str] | None:
        """Conditional headers for a stale answer that can be revalidated."""
        entry = self._entries.get(signature)
        if entry is None or not entry.validators:
            return None
        return {_CONDITIONAL[header]: value for header, value in entry.validators}

    def revalidated(
        self, signature: tuple[Any, ...], response: requests.Response
    ) -> requests.Response | None:
        """The stored answer when ``response`` to the conditional request is a usable ``304``;
        else ``None``, the entry forgotten: requests-cache judges (and stores) what follows."""
        stored = self._not_modified(signature, response) if response.status_code == 304 else None
        if stored is None:
            self._entries.put(signature, None)
        return stored

    def _not_modified(
        self, signature: tuple[Any, ...], response: requests.Response
    ) -> requests.Response | None:
        entry = self._entries.get(signature)
        if entry is None:
            return None
        for header, value in entry.validators:
            if response.headers.get(header, value) != value:
                return None
        cached = self._stored(entry.key)
        if cached is None or _validators_of(cached) != entry.validators:
            return None  # the backend holds another answer now: requests-cache must decide
        for header in ("Cache-Control", "Expires", "Vary"):
            if header in response.headers and response.headers[header] != cached.headers.get(header):
                return None  # the server changed freshness rules: requests-cache must decide
        cached.revalidated = True
        return cached  # type: ignore[no-any-return]


_KEY_SHAPE = re.compile(r"[0-9a-f]+-[0-9a-f]+")


def _raw_sqlite(storage: Any, key: str) -> bytes | str | None:
    """The stored bytes of ``key`` in a requests-cache SQLite table (``None``: not SQLite, or
    not there); keys are inlined as requests-cache does, so only our hex keys qualify."""
    from requests_cache.backends.sqlite import SQLiteDict

    if not isinstance(storage, SQLiteDict) or not _KEY_SHAPE.fullmatch(key):
        return None
    with storage.connection() as con:
        row = con.execute(f"SELECT value FROM {storage.table_name} WHERE key='{key}'").fetchone()
    return row[0] if row is not None and isinstance(row[0], bytes | str) else None


_CONDITIONAL = {"ETag": "If-None-Match", "Last-Modified": "If-Modified-Since"}


def _validators_of(response: requests.Response) -> tuple[tuple[str, str], ...]:
    """``(header, value)`` for the validators an answer carries."""
    return tuple((header, response.headers[header]) for header in _CONDITIONAL if header in response.headers)


class Invalidations:
    """Which stored answers this session's writes made stale; each is revalidated once.

    Every write gets the next generation number and marks its path with its subtree, the
    paths above it, and the resource's declared paths and those above them. Each request
    remembers the generation at which the server last answered it; its answer is stale
    while a mark on its path is newer. Both maps are bounded and fail safe: a forgotten mark
    makes everything fetched before it stale; a forgotten request counts as fetched before every write.
    """

    def __init__(self, limit: int = 1024, requests_limit: int = 16384) -> None:
        self._lock = threading.Lock()
        self.generation = 0  # the number of the latest write
        self._floor = 0  # the newest forgotten mark: anything fetched before it is stale
        self._marks: OrderedDict[str, tuple[int, int]] = OrderedDict()  # path -> (itself, subtree)
        self._limit = limit
        self._fetched: OrderedDict[Hashable, int] = OrderedDict()
        self._requests_limit = requests_limit

    def mark(self, written: str, *declared: str) -> None:
        """A write to ``written`` (and its subtree and the paths above), changing ``declared``."""
        above = [*_ancestors(written), *(p for path in declared for p in (_normal(path), *_ancestors(path)))]
        with self._lock:
            self.generation += 1
            now = self.generation
            for path in above:
                self._put(path, now, self._marks.get(path, (0, 0))[1])
            self._put(_normal(written), now, now)
            while len(self._marks) > self._limit:
                _, (itself, subtree) = self._marks.popitem(last=False)
                self._floor = max(self._floor, itself, subtree)

    def _put(self, path: str, itself: int, subtree: int) -> None:
        self._marks[path] = (itself, subtree)
        self._marks.move_to_end(path)

    def stale(self, path: str, request: Hashable) -> bool:
        """Whether a write since ``request`` was last answered may have changed ``path``."""
        with self._lock:
            fetched = self._fetched.get(request, 0)
            if fetched >= self.generation:
                return False
            if fetched < self._floor:
                return True
            if self._marks.get(_normal(path), (0, 0))[0] > fetched:
                return True
            return any(self._marks.get(above, (0, 0))[1] > fetched for above in _ancestors(path))

    def fetched(self, request: Hashable, generation: int) -> None:
        """The server answered ``request``, sent when ``generation`` was the latest write."""
        with self._lock:
            self._fetched[request] = max(generation, self._fetched.get(request, 0))
            self._fetched.move_to_end(request)
            while len(self._fetched) > self._requests_limit:
                self._fetched.popitem(last=False)


def _normal(path: str) -> str:
    return "/" + "/".join(p for p in path.split("/") if p)


def _ancestors(path: str) -> list[str]:
    """``/a/b/c`` -> ``["/a/b", "/a", "/"]``."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:n]) for n in range(len(parts) - 1, -1, -1)]
