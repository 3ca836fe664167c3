"""HTTP caching with requests-cache: backends, revalidation, isolation, statistics.

GET answers that carry an ``ETag`` or ``Last-Modified`` are stored and, once
expired (by default at once), revalidated with ``If-None-Match`` /
``If-Modified-Since``; a ``304`` serves the stored body. ``Cache-Control: no-cache``
answers are stored and always revalidated.

Isolation: every cache key includes an HMAC (under a random key kept with the cache, see
:func:`identity_key`) of every credential the request carries: the declared auth's whole
credential, each header and query parameter with a sensitive name
(:data:`clientkit.redaction.SENSITIVE_NAME`: ``Authorization``, ``X-API-Key``, ``Cookie``,
``client_secret``...), and the context headers (tenant, app, workspace), so two credentials
or two tenants sharing one cache never see each other's answers, whether or not the service
sends ``Vary: Authorization``. Credentials themselves are never part of a key in clear and
are redacted from stored requests. A backend failure raises :class:`~clientkit.errors.CacheError`.
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
from typing import Any, Literal, ParamSpec, TypeVar
from urllib.parse import parse_qsl, urlsplit

import attrs
import requests

from clientkit.auth import Keyed, fingerprint
from clientkit.errors import CacheError, DeclarationError, InvalidRequestError, redacted_cause
from clientkit.redaction import SENSITIVE_NAME, scrub

Backend = Literal["sqlite", "memory", "filesystem", "redis"]
_KEY_NAME = "clientkit-identity-key"
#: the key of requests that are never stored (writes): computing it needs no backend
_UNSTORED = "unstored"
_P = ParamSpec("_P")
_T = TypeVar("_T")


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/clientkit`` (``~/.cache/clientkit`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "clientkit"


@attrs.frozen
class CacheConfig:
    """Where and how responses are cached.

    Attributes:
        backend: ``"sqlite"`` (default, persistent), ``"memory"``, ``"filesystem"``,
            ``"redis"`` (needs the ``redis`` package), or a requests-cache backend object.
        location: the SQLite file or cache directory (default: under
            :func:`default_cache_dir`, named after the service); for Redis, a URL.
        expire_after: seconds (or a timedelta) an answer is fresh without asking the
            server; ``0`` (the default) revalidates every time, which is always correct.
        cache_control: honour the server's ``Cache-Control``/``Expires`` headers.
        stale_if_error: serve a stored answer when the server fails.

    Example:
        >>> Shop.connect(token="...", cache=CacheConfig(expire_after=60))
    """

    backend: Backend | Any = "sqlite"
    location: str | os.PathLike[str] | None = None
    expire_after: float | dt.timedelta = 0
    cache_control: bool = True
    stale_if_error: bool = False

    @classmethod
    def of(cls, value: CacheConfig | bool | str | os.PathLike[str] | None) -> CacheConfig | None:
        """Accept a config, ``True`` (defaults), ``False``/``None`` (off) or a SQLite path."""
        if value is None or value is False:
            return None
        if value is True:
            return cls()
        if isinstance(value, CacheConfig):
            return value
        if isinstance(value, str | os.PathLike):
            return cls(location=value)
        raise InvalidRequestError(f"cache must be a CacheConfig, a path, True or False, not {value!r}")


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
    """The random HMAC key of credential identities, kept with the cache itself.

    Every process that opens the same persistent cache reads the same key (the first one
    creates it), so the same credential finds its entries again; the identities stored in
    keys cannot be checked against guessed credentials without it. SQLite keeps it in a
    table of the cache file, the filesystem backend in a file of the cache folder, Redis
    in a key next to the cache's; other backends get a key per backend object.
    """
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


def cached_http(
    config: CacheConfig,
    *,
    name: str,
    identity: Callable[[Keyed], str],
    scope_headers: Iterable[str],
    secret_names: Iterable[str] = (),
) -> requests.Session:
    """A requests-cache session whose keys are scoped to every credential and a context.

    ``secret_names`` are the headers and query parameters that carry the declared auth's
    own credential: ``identity`` stands for them. Every other header or query parameter
    with a sensitive name is HMAC-ed into the key. All of them are left out of the plain
    part of the key and redacted from stored requests.
    """
    from requests_cache import CachedSession

    own = tuple(dict.fromkeys(secret_names))
    plain = tuple(h.lower() for h in scope_headers if not SENSITIVE_NAME.search(h))
    backend = _backend_call("opening the cache")(_backend)(config, name)
    key_fn = _key_function(backend, identity, plain, own)
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
    save = functools.partial(_save_redacted, view, own)
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
    backend: Any, identity: Callable[[Keyed], str], plain: tuple[str, ...], own: tuple[str, ...]
) -> Callable[..., str]:
    """requests-cache's key of a request, plus a digest of its identity and context."""
    from requests_cache.cache_keys import create_key

    covered = frozenset(n.lower() for n in own)  # the auth's identity stands for these
    memo: _Lru = _Lru(4096)

    @functools.cache
    def keyed() -> Keyed:  # on first use, so connect() does not reach a Redis server
        read = _backend_call("reading the identity key")(identity_key)
        return functools.partial(fingerprint, read(backend))

    def key_fn(request: Any, **kwargs: Any) -> str:
        if request.method not in ("GET", "HEAD"):
            return _UNSTORED  # never stored: no identity, no backend
        headers = request.headers or {}
        carried = _credentials(request.url or "", headers)
        hmac = keyed()
        others = [
            hmac(kind, name.lower(), value) for kind, name, value in carried if name.lower() not in covered
        ]
        scope = "\0".join([identity(hmac), *others, *(f"{h}={headers.get(h, '')}" for h in plain)])
        matched = kwargs.get("match_headers")
        shown = tuple(sorted(headers.items())) if matched else ()
        body = request.body if isinstance(request.body, bytes | str | None) else id(request.body)
        signature = (request.method, request.url, body, scope, repr(matched), shown)
        key = memo.get(signature)
        if key is None:
            hidden = (*own, *(name for _, name, _ in carried))
            digest = hashlib.sha256(scope.encode()).hexdigest()[:24]
            key = f"{create_key(request, **{**kwargs, 'ignored_parameters': hidden})}-{digest}"
            memo.put(signature, key)
        return str(key)

    return key_fn


def _credentials(url: str, headers: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(kind, name, value)`` of each header and query parameter with a sensitive name."""
    found = [("header", name, str(value)) for name, value in headers.items() if SENSITIVE_NAME.search(name)]
    query = urlsplit(url).query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        found.extend(("param", name, value) for name, value in pairs if SENSITIVE_NAME.search(name))
    return sorted(found)


def _save_redacted(
    cache: Any, own: tuple[str, ...], response: requests.Response, key: str | None = None, expires: Any = None
) -> None:
    """requests-cache's ``save_response``, redacting every credential of the stored request:
    the auth's own names and every sensitive-named header and query parameter. (No redirect
    aliases: clientkit follows redirects itself.)"""
    from requests_cache.cache_keys import redact_response
    from requests_cache.models.response import CachedResponse

    stored = CachedResponse.from_response(response, expires=expires)
    sent = stored.request
    carried = [*_credentials(sent.url or "", sent.headers or {}), *_credentials(stored.url or "", {})]
    redact_response(stored, (*own, *(name for _, name, _ in carried)))
    cache.responses[key or cache.create_key(response.request)] = stored


_VOLATILE = ("Date", "Connection", "Keep-Alive", "Server", "Age")


#: The largest delta-seconds a cache honours: RFC 9111 section 1.2.2 caps larger values to it.
MAX_DELTA_SECONDS = 2**31


def _tame_freshness(response: requests.Response, *_: Any, **__: Any) -> requests.Response:
    """Make hostile freshness headers harmless before requests-cache reads them.

    A ``Cache-Control`` number beyond :data:`MAX_DELTA_SECONDS` (``max-age=99999999999999999999``)
    is capped to it, as RFC 9111 says; an ``Expires`` that is no date a calendar holds (a year
    of twenty digits, a zone of millions of hours) becomes ``0``: already expired, as RFC 9111
    reads an invalid date. Either would otherwise overflow inside requests-cache.
    """
    control = response.headers.get("Cache-Control")
    if control:
        response.headers["Cache-Control"] = _capped_control(control)
    expires = response.headers.get("Expires")
    if expires is not None and not _calendar_date(expires):
        response.headers["Expires"] = "0"
    return response


def _capped_control(value: str) -> str:
    """A ``Cache-Control`` value with each number out of range capped."""
    return ",".join(_capped(directive) for directive in value.split(","))


def _capped(directive: str) -> str:
    """One ``Cache-Control`` directive with a number out of range capped (read as requests-cache does)."""
    name, equals, value = directive.partition("=")
    try:
        seconds = int(value)
    except ValueError:
        return directive
    if -MAX_DELTA_SECONDS <= seconds <= MAX_DELTA_SECONDS:
        return directive
    return f"{name}{equals}{MAX_DELTA_SECONDS if seconds > 0 else 0}"


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
    """Drop per-message headers from a 304 so an unchanged answer is not rewritten.

    requests-cache merges a 304's headers into the stored answer and rewrites it when any
    differs; ``Date`` always does. Validators and freshness headers are kept, so a 304
    that changes them still updates the stored answer.
    """
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


def _stale(expires: dt.datetime) -> bool:
    aware = expires if expires.tzinfo is not None else expires.replace(tzinfo=dt.timezone.utc)
    return aware <= dt.datetime.now(dt.timezone.utc)


@attrs.frozen
class _Entry:
    key: str
    expires: dt.datetime | None
    validators: tuple[tuple[str, str], ...]
    always_revalidate: bool


class Shortcut:
    """The hot paths of a cache, taken without requests-cache's per-request machinery.

    requests-cache decides what is stored, under which key and until when. This class
    remembers, per request signature (URL, query, headers), the key and validators of the
    answer it stored, and then:

    - serves an answer that is certainly fresh straight from the backend;
    - revalidates a stale answer with a plain conditional request; on ``304`` the stored
      answer is served (its stored expiry is left as it was, so it is revalidated again
      next time, which is always correct).

    Anything less certain (``Vary``, no validators, a ``200`` to a conditional request)
    falls back to requests-cache, which stores and decides as usual.

    Answers are read from the backend every time: another session or process sharing it
    may have replaced them, and what is served is never older than what it holds. From
    SQLite the stored bytes are read and compared with those of a recently served answer,
    which is reused when they are the same (no deserialising on hits and on ``304`` answers).
    """

    _BODY_LIMIT = 256 * 1024

    def __init__(self, http: requests.Session) -> None:
        self._cache = getattr(http, "cache", None)
        self._entries: _Lru = _Lru(4096)
        self._answers: _Lru = _Lru(256)  # key -> (stored bytes, the answer they hold)

    @_backend_call("reading an answer")
    def _stored(self, key: str) -> Any:
        if self._cache is None:
            return None
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
        revalidate = "no-cache" in control or "must-revalidate" in control
        self._entries.put(signature, _Entry(key, expires, validators, revalidate))

    def forget(self, signature: tuple[Any, ...]) -> None:
        self._entries.put(signature, None)

    def fresh(self, signature: tuple[Any, ...]) -> requests.Response | None:
        """The stored answer, if it is certainly fresh."""
        entry = self._entries.get(signature)
        if entry is None or self._cache is None or entry.always_revalidate:
            return None
        if entry.expires is None or _stale(entry.expires):
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
        return dict(entry.validators)

    def not_modified(
        self, signature: tuple[Any, ...], response: requests.Response
    ) -> requests.Response | None:
        """The stored answer for a ``304`` to a conditional request (``None``: fall back)."""
        entry = self._entries.get(signature)
        if entry is None or self._cache is None:
            return None
        for request_header, value in entry.validators:
            header = "ETag" if request_header == "If-None-Match" else "Last-Modified"
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
    """The stored bytes of ``key`` in a requests-cache SQLite table (``None``: not SQLite,
    or not there). Keys are inlined as requests-cache does; only our hex keys qualify."""
    from requests_cache.backends.sqlite import SQLiteDict

    if not isinstance(storage, SQLiteDict) or not _KEY_SHAPE.fullmatch(key):
        return None
    with storage.connection() as con:
        row = con.execute(f"SELECT value FROM {storage.table_name} WHERE key='{key}'").fetchone()
    return row[0] if row is not None and isinstance(row[0], bytes | str) else None


def _validators_of(response: requests.Response) -> tuple[tuple[str, str], ...]:
    """``(conditional request header, value)`` for the validators an answer carries."""
    return tuple(
        (request_header, response.headers[header])
        for header, request_header in (("ETag", "If-None-Match"), ("Last-Modified", "If-Modified-Since"))
        if header in response.headers
    )


class Invalidations:
    """Which stored answers this session's writes made stale; each is revalidated once.

    Every write gets the next generation number. A write to ``/docs/1/publish`` marks the
    path itself and everything under it (``/docs/1/publish/...``) and each path above it
    (``/docs/1``, ``/docs``, ``/``); a resource operation also marks the resource's declared
    paths and the paths above them. Each request (method, URL, query, headers, cookies)
    remembers the generation at which the server last answered it; its stored answer is
    stale while a mark on its path is newer. Refetching (or revalidating) it consumes the
    mark, for that request only.

    Both maps are bounded and fail safe: when a mark is forgotten, every answer fetched
    before it is revalidated once; a forgotten request counts as fetched before every write.
    """

    def __init__(self, limit: int = 1024, requests_limit: int = 16384) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._floor = 0  # the newest forgotten mark: anything fetched before it is stale
        self._marks: OrderedDict[str, tuple[int, int]] = OrderedDict()  # path -> (itself, subtree)
        self._limit = limit
        self._fetched: OrderedDict[Hashable, int] = OrderedDict()
        self._requests_limit = requests_limit

    @property
    def generation(self) -> int:
        """The number of the latest write (``0``: none yet)."""
        return self._generation

    def mark(self, written: str, *declared: str) -> None:
        """A write to ``written`` (and its subtree and the paths above), changing ``declared``."""
        with self._lock:
            self._generation += 1
            now = self._generation
            for path in _above(written, *declared):
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
            if fetched >= self._generation:
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


def _above(written: str, *declared: str) -> list[str]:
    """The paths a write marks without their subtree: those above ``written``, and each of
    ``declared`` with the paths above it."""
    return [*_ancestors(written), *(p for path in declared for p in (_normal(path), *_ancestors(path)))]


def _ancestors(path: str) -> list[str]:
    """``/a/b/c`` -> ``["/a/b", "/a", "/"]``."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:n]) for n in range(len(parts) - 1, -1, -1)]
