"""One ``requests`` session per client: every request clientkit sends goes through here.

The transport owns timeouts, retries, redirects, auth attachment, 401 renewal,
idempotency keys, redaction-aware logging and the mapping of failures to
clientkit's errors. Resources never touch HTTP directly.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
import uuid
from collections.abc import Iterable, Mapping
from http.cookiejar import Cookie, DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from clientkit.auth import Authenticator
from clientkit.cache import CacheStats, Invalidations, Shortcut
from clientkit.errors import (
    APIError,
    ClientKitError,
    ConnectError,
    DecodeError,
    ErrorShape,
    InvalidRequestError,
    RateLimitError,
    RedirectError,
    RequestTimeout,
    TransportError,
    excerpt_of,
    redacted_cause,
)
from clientkit.options import RequestOptions, Timeout
from clientkit.redacted_logging import install_log_redaction
from clientkit.redaction import (
    is_sensitive_name,
    redact_data,
    redact_headers,
    redact_url,
)
from clientkit.retry import IDEMPOTENT_METHODS, Failure, RetryPolicy, parse_retry_after
from clientkit.wire import (
    JsonCodec,
    QueryStyle,
    check_form,
    check_header_name,
    check_header_value,
    checked_chunks,
    is_token,
    is_utf8,
    loads,
    pairs_of,
)

log = logging.getLogger("clientkit.http")

_UNSET: Any = object()
_REDIRECTS = (301, 302, 303, 307, 308)
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def origin_of(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with default ports made explicit."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidRequestError(f"invalid URL: {exc}") from redacted_cause(exc)
    scheme = parts.scheme.lower()
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return (scheme, (parts.hostname or "").lower(), port)


def _location(resp: requests.Response, method: str, url: str) -> str:
    """The absolute URL a redirect points to; ``RedirectError`` when it is not a usable URL."""
    location = resp.headers["location"]
    try:
        target = urljoin(resp.url, location)
        origin_of(target)
    except ValueError as exc:  # "http://[::1", a port out of range
        raise RedirectError(
            f"the server redirected to a location that is not a URL: {exc}", method=method, url=url
        ) from redacted_cause(exc)
    return target


def _raw_body(data: Any) -> Any:
    """``data`` as requests takes it (bytes, text, a form mapping, pairs, a file or an
    iterator of chunks); anything else is refused before sending."""
    if isinstance(data, str) and not data.isascii():
        try:
            data.encode("latin-1")  # what http.client does with a text body
        except UnicodeEncodeError as exc:
            raise InvalidRequestError(
                "a text body (data=) must be Latin-1; pass bytes for UTF-8"
            ) from redacted_cause(exc)
    if isinstance(data, Mapping | list | tuple):
        check_form(data)
    if data is None or isinstance(data, bytes | bytearray | memoryview | str | Mapping | list | tuple):
        return data
    if hasattr(data, "read"):
        if getattr(data, "closed", False) is True:
            raise InvalidRequestError("a raw body (data=) is a closed file")
        return data
    if hasattr(data, "__iter__"):
        return data if hasattr(data, "__len__") else checked_chunks(data)
    raise InvalidRequestError(f"a raw body (data=) cannot be a {type(data).__name__}")


def _reading_redirect(exc: ValueError) -> bool:
    """Whether ``exc`` arose in requests' reading of a redirect's ``Location``."""
    frames = traceback.extract_tb(exc.__traceback__)
    return any(frame.name in ("resolve_redirects", "get_redirect_target") for frame in frames)


class _DeadlineExceeded(Exception):
    pass


def _within(limit: float | None, deadline: float | None) -> float | None:
    """``limit`` cut to the time left before ``deadline`` (never below a millisecond)."""
    if deadline is None:
        return limit
    left = max(deadline - time.monotonic(), 0.001)
    return left if limit is None else min(limit, left)


def _read_body(resp: requests.Response, deadline: float | None = None, read: float | None = None) -> None:
    """Read the whole body (in one call when there is no deadline: faster than requests'
    chunked ``content`` and it holds no chunk list); the connection returns to the pool."""
    if resp.raw is None:
        data = b""
    elif deadline is None:
        data = resp.raw.read(decode_content=True)
    else:
        data = _read_by(resp, deadline, read)
    resp._content = data or b""
    resp._content_consumed = True  # type: ignore[attr-defined]


def _read_by(resp: requests.Response, deadline: float, read: float | None) -> bytes:
    """The body read in small reads, each waiting no longer than the time left, so a
    server that trickles bytes cannot hold the call past ``deadline``."""
    raw = resp.raw
    read_some, size = (raw.read1, 65536) if hasattr(raw, "read1") else (raw.read, 1024)  # urllib3 1.x
    parts: list[bytes] = []
    while True:
        if time.monotonic() >= deadline:
            resp.close()
            raise _DeadlineExceeded
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is not None:
            sock.settimeout(_within(read, deadline))
        try:
            chunk = read_some(size, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError:
            if time.monotonic() < deadline:
                raise
            resp.close()
            raise _DeadlineExceeded from None
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)


def _reader(deadline: float, read: float | None) -> Any:
    """A response hook that reads the body by ``deadline`` (before requests-cache reads it)."""

    def hook(resp: requests.Response, *_: Any, **__: Any) -> requests.Response:
        if not resp._content_consumed and resp.raw is not None:  # type: ignore[attr-defined]
            _read_body(resp, deadline, read)
        return resp

    return hook


def merge_headers(
    *layers: Mapping[str, str | None] | Iterable[tuple[str, str | None]] | None,
) -> dict[str, str | None]:
    """Later layers (mappings or name-value pairs) win, whatever the case of a header's name."""
    merged: dict[str, str | None] = {}
    for layer in layers:
        for name, value in pairs_of(layer or {}, "headers"):
            check_header_name(name)
            for existing in [k for k in merged if k.lower() == name.lower()]:
                del merged[existing]
            merged[name] = value
    return merged


def _has(headers: Mapping[str, Any], name: str) -> bool:
    lowered = name.lower()
    return any(k.lower() == lowered and v is not None for k, v in headers.items())


def _stored_now(resp: requests.Response) -> bool:
    """Whether the backend now holds what the server just said for this request: a
    revalidated answer, or a new 200/203 that requests-cache stored."""
    if not hasattr(resp, "from_cache"):
        return False  # sent past requests-cache (the shortcut's conditional request)
    if resp.from_cache:
        return bool(getattr(resp, "revalidated", False))
    sent = resp.request.headers if resp.request is not None else {}
    control = f"{resp.headers.get('Cache-Control', '')} {sent.get('Cache-Control', '')}"
    no_store = "no-store" in control.lower()
    return resp.status_code in (200, 203) and not no_store


def _never_sent(exc: requests.exceptions.ConnectionError) -> bool:
    """Whether a connection error happened before any byte of the request left."""
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError)


class _OffOrigin(requests.auth.AuthBase):
    """Applied to requests off the service's origin, after requests adds its cookie jar's
    cookies: removes them (the jar matches by domain, not port) and any credential header."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        for name in [n for n in r.headers if is_sensitive_name(n)]:
            del r.headers[name]
        return r


class _OwnOriginCookies(DefaultCookiePolicy):
    """Cookies are only taken from, and given to, the service's own origin (scheme, host, port)."""

    def __init__(self, origin: tuple[str, str, int | None]) -> None:
        super().__init__()
        self.origin = origin

    def _own(self, request: Any) -> bool:
        try:
            return origin_of(request.get_full_url()) == self.origin
        except InvalidRequestError:
            return False

    def set_ok(self, cookie: Cookie, request: Any) -> bool:
        return self._own(request) and super().set_ok(cookie, request)

    def return_ok(self, cookie: Cookie, request: Any) -> bool:
        return self._own(request) and super().return_ok(cookie, request)


_OFF_ORIGIN = _OffOrigin()


class _NotReplayable:
    def tell(self) -> int:
        raise OSError("not replayable")


class _Rewinder:
    """Puts file-like bodies back at their start before each attempt."""

    def __init__(self, *bodies: Any) -> None:
        self._marks: list[tuple[Any, int]] = []
        self.replayable = True
        for body in bodies:
            for stream in self._streams(body):
                try:
                    self._marks.append((stream, stream.tell()))
                except (AttributeError, OSError):
                    self.replayable = False

    @staticmethod
    def _streams(body: Any) -> Iterable[Any]:
        if body is None or isinstance(body, bytes | str | bytearray | Mapping | list | tuple):
            return _Rewinder._nested(body)
        if hasattr(body, "read"):
            return [body]
        return [_NotReplayable()]  # a generator or iterator is consumed by the first attempt

    @staticmethod
    def _nested(body: Any) -> Iterable[Any]:
        if body is None or isinstance(body, bytes | str | bytearray):
            return []
        values = body.values() if isinstance(body, Mapping) else body if isinstance(body, list) else []
        found = []
        for value in values:
            item = value[1] if isinstance(value, tuple) and len(value) > 1 else value
            if hasattr(item, "read"):
                found.append(item)
        return found

    def rewind(self) -> None:
        for stream, position in self._marks:
            stream.seek(position)


class Transport:
    """Sends requests for one service connection.

    Environment settings (proxies, CA bundle) are resolved once here, and
    ``.netrc`` is never consulted, so a configured credential always wins and each
    request skips requests' per-call environment lookups.
    """

    def __init__(
        self,
        *,
        base_url: str,
        auth: requests.auth.AuthBase | None = None,
        codec: JsonCodec | None = None,
        query: QueryStyle | None = None,
        errors: ErrorShape | None = None,
        options: RequestOptions | None = None,
        headers: Mapping[str, str | None] | None = None,
        idempotency_header: str | None = None,
        http: requests.Session | None = None,
        pool_size: int = 10,
        max_redirects: int = 5,
        verify: bool | str | None = None,
    ) -> None:
        """Configure the transport; a given ``http`` session is adjusted in place
        (``trust_env`` off, proxies and CA bundle resolved once, pooled adapters)."""
        if not isinstance(base_url, str) or not is_utf8(base_url):
            raise InvalidRequestError(f"base URL must be text, not {excerpt_of(base_url, 80)}")
        base = base_url.rstrip("/")
        self.origin = origin_of(base)  # InvalidRequestError for "http://[::1", a bad port
        if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).hostname:
            raise InvalidRequestError(f"base URL must be an absolute http(s) URL, not {base_url!r}")
        self.base_url = base
        self.auth = auth
        self.codec = codec or JsonCodec()
        self.query = query or QueryStyle()
        self.errors = errors or ErrorShape()
        self.options = RequestOptions(timeout=Timeout(), retry=RetryPolicy()).merge(options)
        self.headers: dict[str, str | None] = dict(headers or {})
        for name, value in self.headers.items():
            if value is not None:
                check_header_value(name, value)
        self.idempotency_header = idempotency_header
        self.max_redirects = max_redirects
        self.http = http if http is not None else requests.Session()
        install_log_redaction()
        if type(getattr(self.http.cookies, "_policy", None)) is DefaultCookiePolicy:
            self.http.cookies.set_policy(_OwnOriginCookies(self.origin))
        self.http.trust_env = False
        self.http.proxies.update(requests.utils.get_environ_proxies(base))
        env_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        self.http.verify = verify if verify is not None else (env_bundle or True)
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)
        if isinstance(auth, Authenticator):
            auth.prepare(self._send_unauthenticated)
        self.cache_stats = CacheStats()
        self.invalidations = Invalidations()
        self.shortcut = Shortcut(self.http) if self.cached else None

    # -- URLs and headers ------------------------------------------------------

    def url_for(self, target: str) -> str:
        """An absolute URL for a path under the base URL, or an absolute URL as given."""
        if not isinstance(target, str) or not is_utf8(target):
            raise InvalidRequestError(f"a request path must be valid Unicode text: {excerpt_of(target, 80)}")
        if target.startswith(("http://", "https://")):
            return target
        if not target.startswith("/"):
            raise InvalidRequestError(f"request paths start with '/', not {target!r}")
        return self.base_url + target

    def is_own(self, url: str) -> bool:
        """Whether ``url`` is on the service's own origin (scheme, host and port)."""
        return origin_of(url) == self.origin

    def _headers(self, overrides: Mapping[str, str | None], own: bool) -> dict[str, str | None]:
        """The headers of one request; another origin gets none of the service's or caller's.

        A ``None`` value removes the header, requests' own defaults included.
        """
        if not own:
            return {k: v for k, v in self.headers.items() if k.lower() == "user-agent" and v}
        merged: dict[str, str | None] = dict(self.headers)
        for name, value in overrides.items():
            if value is not None:
                check_header_value(name, value)
            for existing in [k for k in merged if k.lower() == name.lower()]:
                del merged[existing]
            merged[name] = value
        return merged

    # -- sending ---------------------------------------------------------------

    def request(
        self,
        method: str,
        target: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        json: Any = _UNSET,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str | None] | None = None,
        options: RequestOptions | None = None,
        stream: bool = False,
        authenticate: bool = True,
        raise_for_status: bool = True,
        allow_foreign: bool = False,
        invalidates: Iterable[str] = (),
    ) -> requests.Response:
        """Send one logical request (retried as policy allows) and return its response.

        A write (POST, PUT, PATCH, DELETE) makes the cached answers of its path, the paths
        above and below it and ``invalidates`` (other paths the caller knows it changes)
        stale, before it is sent, whatever its outcome.

        Raises:
            APIError: (a subclass per status) for a final status of 400 or more.
            TransportError: when no usable response arrived.
            RedirectError: for a redirected write or too many redirects.
        """
        if not is_token(method):
            raise InvalidRequestError(f"invalid HTTP method {excerpt_of(method, 40)}")
        method = method.upper()
        opts = self.options.merge(options)
        url = self.url_for(target)
        own = self.is_own(url)
        if not own and not allow_foreign:
            raise InvalidRequestError(
                f"refusing to send a request to {redact_url(url)}: not the service's origin"
            )
        invalidates = tuple(invalidates)
        if method in _WRITE_METHODS:
            self.invalidate(url, *invalidates)
        call_headers = merge_headers(opts.headers, headers)
        hdrs = self._headers(call_headers, own)
        body = _raw_body(data)
        if json is not _UNSET:
            body = self.codec.dumps(json)
            if not _has(hdrs, "Content-Type"):
                hdrs["Content-Type"] = self.codec.content_type
        idempotent = method in IDEMPOTENT_METHODS if opts.idempotent is None else opts.idempotent
        if self.idempotency_header and method in ("POST", "PATCH") and own:
            if not _has(hdrs, self.idempotency_header):
                hdrs[self.idempotency_header] = uuid.uuid4().hex
            idempotent = opts.idempotent is not False
        query = self.query.encode(params) + self.query.encode(opts.params)
        policy = opts.retry or RetryPolicy()
        limits = opts.timeout or Timeout()
        deadline = time.monotonic() + limits.total if limits.total else None
        rewinder = _Rewinder(body, files)
        signature = self._signature(method, url, query, hdrs)
        generation = self.invalidations.generation
        cache_args = self._cache_args(method, url, opts.cache, signature)
        conditional: dict[str, str] | None = None
        shortcut = self.shortcut
        if shortcut is not None and method == "GET" and not stream and not cache_args and opts.cache is None:
            hit = shortcut.fresh(signature)
            if hit is not None:
                self.cache_stats.record(hit)
                return hit
            conditional = shortcut.validators(signature)
        attempt = 0
        hops = 0
        renewed = False
        previous: Exception | None = None
        while True:
            if deadline is not None and time.monotonic() >= deadline:
                raise RequestTimeout(
                    f"the call took longer than its total deadline of {limits.total}s", method=method, url=url
                ) from (redacted_cause(previous) if previous is not None else None)
            timeout = (_within(limits.connect, deadline), _within(limits.read, deadline))
            rewinder.rewind()
            auth = (self.auth if authenticate else None) if own else _OFF_ORIGIN
            started = time.monotonic()
            failure: Failure | None = None
            error: ClientKitError | None = None
            cause: Exception | None = None
            try:
                if conditional is not None:
                    resp = self._send_plain(
                        method, url, query, {**hdrs, **conditional}, auth, timeout, deadline, limits.read
                    )
                else:
                    resp = self.http.request(
                        method,
                        url,
                        params=query,
                        data=body,
                        files=files,
                        headers=hdrs,
                        auth=auth,
                        timeout=timeout,
                        allow_redirects=False,
                        stream=stream or not self.cached,
                        **cache_args,
                        **self._deadline_hooks(stream, deadline, limits.read),
                    )
                    if not stream and not self.cached:
                        _read_body(resp, deadline, limits.read)
            except _DeadlineExceeded as exc:
                failure, cause = "timeout", exc
                error = RequestTimeout(
                    f"the response took longer than {limits.total}s in total", method=method, url=url
                )
            except requests.exceptions.ConnectTimeout as exc:
                failure, cause = "connect", exc
                error = RequestTimeout(f"connect timed out: {exc}", method=method, url=url)
            except requests.exceptions.ReadTimeout as exc:
                failure, cause = "timeout", exc
                error = RequestTimeout(f"read timed out: {exc}", method=method, url=url)
            except requests.exceptions.SSLError as exc:
                cause, error = exc, ConnectError(f"TLS failure: {exc}", method=method, url=url)
            except requests.exceptions.ConnectionError as exc:
                failure, cause = ("connect" if _never_sent(exc) else "read"), exc
                error = ConnectError(f"connection failed: {exc}", method=method, url=url)
            except urllib3.exceptions.ReadTimeoutError as exc:
                failure, cause = "timeout", exc
                error = RequestTimeout(f"read timed out: {exc}", method=method, url=url)
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
                urllib3.exceptions.HTTPError,
            ) as exc:
                failure, cause = "read", exc
                error = ConnectError(f"response broken off: {exc}", method=method, url=url)
            except (
                requests.exceptions.InvalidURL,
                requests.exceptions.InvalidHeader,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
            ) as exc:
                cause = exc
                error = InvalidRequestError(f"cannot send {method} {redact_url(url)}: {exc}")
            except ClientKitError:
                raise  # from the auth object (a failed login) or a hook: already typed
            except UnicodeEncodeError as exc:  # http.client: a header or cookie outside Latin-1
                cause = exc
                error = InvalidRequestError(
                    f"cannot send {method} {redact_url(url)}: a header or cookie holds a character "
                    "outside Latin-1, which HTTP headers cannot carry"
                )
            except requests.exceptions.RequestException as exc:
                cause, error = exc, TransportError(f"request failed: {exc}", method=method, url=url)
            except ValueError as exc:  # requests reads a redirect's Location even when not following
                cause = exc
                error = (
                    RedirectError(
                        f"the server redirected to a location that is not a URL: {exc}",
                        method=method,
                        url=url,
                    )
                    if _reading_redirect(exc)
                    else InvalidRequestError(f"cannot send {method} {redact_url(url)}: {exc}")
                )
            if error is not None:
                # raised here, outside the except blocks, so no chained original (its URL may
                # carry a query key) survives in __context__; only a redacted summary does
                if (
                    failure is not None
                    and rewinder.replayable
                    and policy.should_retry(attempt, idempotent=idempotent, failure=failure)
                ):
                    self._wait(policy, attempt, method, url, failure, None, deadline)
                    attempt += 1
                    previous = cause
                    continue
                if method in _WRITE_METHODS:
                    self.invalidate(url, *invalidates)  # the write may still be applied
                raise error from (redacted_cause(cause) if cause is not None else None)

            if log.isEnabledFor(logging.DEBUG):
                self._log_exchange(resp, json, (time.monotonic() - started) * 1000)
            if conditional is not None and shortcut is not None and signature is not None:
                conditional = None
                if resp.status_code == 304:
                    stored = shortcut.not_modified(signature, resp)
                    if stored is not None:
                        self.cache_stats.record(stored)
                        self.invalidations.fetched(signature, generation)
                        return stored
                    shortcut.forget(signature)
                    continue  # let requests-cache decide, with a full conditional request
                shortcut.forget(signature)  # a changed answer: requests-cache stores it next time
            if self.cached and method in ("GET", "HEAD"):
                self.cache_stats.record(resp)
                remembers = method == "GET" and not stream and opts.cache is None and resp.status_code < 300
                if shortcut is not None and remembers:
                    shortcut.remember(signature, resp)
                if opts.cache != "bypass" and _stored_now(resp):
                    self.invalidations.fetched(signature, generation)
            if method in _WRITE_METHODS:
                self.invalidate(url, *invalidates)  # again: a read during the write may hold the old answer

            if resp.status_code in _REDIRECTS and "location" in resp.headers:
                location = _location(resp, method, url)
                resp.close()
                if method in _WRITE_METHODS:
                    raise RedirectError(
                        f"the server redirected a {method} ({resp.status_code}) to "
                        f"{redact_url(location)}; writes are not re-sent to another location",
                        method=method,
                        url=url,
                    )
                hops += 1
                if hops > self.max_redirects:
                    raise RedirectError(f"more than {self.max_redirects} redirects", method=method, url=url)
                url, query = location, []
                own = self.is_own(url)
                hdrs = self._headers(call_headers, own)
                continue

            renewable = isinstance(auth, Authenticator) and not renewed
            if resp.status_code == 401 and renewable and isinstance(auth, Authenticator):
                renewed = True
                if resp.request is not None and auth.renew(resp.request):
                    resp.close()
                    continue

            if resp.status_code >= 400 or resp.status_code in policy.statuses:
                retry_after = parse_retry_after(resp.headers)
                too_long = retry_after is not None and retry_after > policy.max_retry_after
                status = resp.status_code
                retry = policy.should_retry(attempt, idempotent=idempotent, status=status)
                if not too_long and retry and rewinder.replayable:
                    resp.close()
                    self._wait(policy, attempt, method, url, f"status {status}", retry_after, deadline)
                    attempt += 1
                    continue
                if raise_for_status and resp.status_code >= 400:
                    raise self.error_for(resp, method)
            return resp

    def _send_plain(
        self,
        method: str,
        url: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str | None],
        auth: Any,
        timeout: Any,
        deadline: float | None = None,
        read: float | None = None,
    ) -> requests.Response:
        """Send past the cache layer (for the shortcut's own conditional requests)."""
        prepared = self.http.prepare_request(
            requests.Request(method, url, params=query, headers=dict(headers), auth=auth)
        )
        resp = requests.Session.send(self.http, prepared, timeout=timeout, allow_redirects=False, stream=True)
        _read_body(resp, deadline, read)
        return resp

    def _deadline_hooks(self, stream: bool, deadline: float | None, read: float | None) -> dict[str, Any]:
        """With a total deadline, requests-cache's own read of a body goes through :func:`_read_by`."""
        if deadline is None or stream or not self.cached:
            return {}
        return {"hooks": {"response": [_reader(deadline, read)]}}

    @property
    def cached(self) -> bool:
        """Whether responses go through a requests-cache backend."""
        return hasattr(self.http, "cache")

    def _cache_args(
        self, method: str, url: str, mode: str | None, signature: tuple[Any, ...]
    ) -> dict[str, Any]:
        if not self.cached or method not in ("GET", "HEAD"):
            return {}
        if mode == "bypass":
            from requests_cache import DO_NOT_CACHE

            return {"expire_after": DO_NOT_CACHE}
        if mode == "refresh" or self.invalidations.stale(urlsplit(url).path, signature):
            return {"refresh": True}
        return {}

    def _signature(
        self, method: str, url: str, query: list[tuple[str, str]], headers: Mapping[str, str | None]
    ) -> tuple[Any, ...]:
        """What tells one cached request from another in this session: method, URL, query,
        headers and the cookies the jar holds (they are part of the cache identity)."""
        if not self.cached or method not in ("GET", "HEAD"):
            return ()
        cookies = tuple((c.domain, c.path, c.name, c.value) for c in self.http.cookies)
        return (method, url, tuple(query), tuple(sorted(headers.items(), key=lambda kv: kv[0])), cookies)

    def invalidate(self, written: str, *declared: str) -> None:
        """Make later GETs revalidate once: of ``written``, the paths above and below it, and
        of ``declared`` (the paths a resource operation knows it changes)."""
        if self.cached:
            self.invalidations.mark(*(urlsplit(self.url_for(p)).path for p in (written, *declared)))

    def _wait(
        self,
        policy: RetryPolicy,
        attempt: int,
        method: str,
        url: str,
        why: str,
        retry_after: float | None,
        deadline: float | None = None,
    ) -> None:
        """Sleep before a retry; never past the call's total deadline."""
        delay = retry_after if retry_after is not None else policy.delay(attempt)
        if deadline is not None:
            delay = max(0.0, min(delay, deadline - time.monotonic()))
        log.info(
            "retrying %s %s after %s in %.2fs (retry %d of %d)",
            method,
            redact_url(url),
            why,
            delay,
            attempt + 1,
            policy.retries,
        )
        policy.sleep(delay)

    @staticmethod
    def _log_exchange(resp: requests.Response, body: Any, elapsed_ms: float) -> None:
        """One DEBUG line per exchange, from what was really sent (auth included, redacted)."""
        sent = resp.request
        log.debug(
            "%s %s -> %s (%.1f ms) headers=%s%s",
            sent.method,
            redact_url(sent.url or ""),
            resp.status_code,
            elapsed_ms,
            redact_headers(sent.headers),
            "" if body is _UNSET else f" body={redact_data(body)!r}",
        )

    def _send_unauthenticated(self, method: str, path: str, body: Any) -> Any:
        """How a login flow reaches the service: no auth, no renewal, same errors."""
        resp = self.request(method, path, json=body, authenticate=False)
        return self.json_of(resp, method)

    # -- responses ---------------------------------------------------------------

    def json_of(self, resp: requests.Response, method: str = "GET") -> Any:
        """The JSON body of ``resp``; ``None`` for an empty body; :class:`DecodeError` otherwise."""
        content = resp.content
        if not content or not content.strip():
            return None
        ctype = resp.headers.get("Content-Type", "")
        try:
            return loads(content, self.codec.max_depth)
        except ValueError as exc:
            failure = exc  # raised below, with a redacted cause: the original holds the whole body
        raise DecodeError(
            f"expected a JSON body ({failure})",
            status=resp.status_code,
            content_type=ctype or None,
            excerpt=excerpt_of(content),
            method=method,
            url=resp.url,
        ) from redacted_cause(failure)

    def error_for(self, resp: requests.Response, method: str) -> APIError:
        """The typed error for a failed response."""
        content = resp.content or b""
        text = content.decode(resp.encoding or "utf-8", "replace") if content else ""
        body: Any = None
        if content.strip():
            try:
                body = loads(content, self.codec.max_depth)
            except ValueError:
                body = None
        err = self.errors.error_for(
            status=resp.status_code,
            body=body,
            text=text,
            headers=resp.headers,
            method=method,
            url=resp.url,
            reason=resp.reason or "",
            response=resp,
        )
        if isinstance(err, RateLimitError):
            err.retry_after = parse_retry_after(resp.headers)
        return err

    def close(self) -> None:
        self.http.close()
