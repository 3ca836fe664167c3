"""One ``requests`` session per client: every request clientkit sends goes through here.

The transport owns timeouts, retries, redirects, auth attachment, 401 renewal,
idempotency keys, redaction-aware logging and the mapping of failures to
clientkit's errors. Resources never touch HTTP directly.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
import uuid
from collections.abc import Iterable, Mapping
from http.cookiejar import Cookie, DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin, urlsplit

import attrs
import requests
import urllib3
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from clientkit._client.auth import Authenticator
from clientkit._client.cache import WRITE_METHODS, CacheStats, Invalidations, Shortcut
from clientkit._client.deadline import WATCHED_POOLS, DeadlineExceeded, watched
from clientkit._client.redacted_logging import install_log_redaction
from clientkit._declarations.errors import (
    APIError,
    ClientKitError,
    ConnectError,
    DecodeError,
    ErrorShape,
    InvalidRequestError,
    RedirectError,
    RequestTimeout,
    TransportError,
    excerpt_of,
    redacted_cause,
)
from clientkit._declarations.options import MAX_BODY, RequestOptions, Timeout
from clientkit._declarations.redaction import is_sensitive_name, redact_data, redact_headers, redact_url
from clientkit._declarations.retry import IDEMPOTENT_METHODS, Failure, RetryPolicy, parse_retry_after
from clientkit._declarations.wire import (
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
_WRITE_METHODS = WRITE_METHODS  # every method that is not safe (RFC 9110)
_CHUNK = 1 << 20  # decoded bytes per read of a body
_RESEND: Any = object()


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
        raise _not_a_url(exc, method, url) from redacted_cause(exc)
    return target


def _not_a_url(exc: ValueError, method: str, url: str) -> RedirectError:
    return RedirectError(
        f"the server redirected to a location that is not a URL: {exc}", method=method, url=url
    )


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


def _within(limit: float | None, deadline: float | None) -> float | None:
    """``limit`` cut to the time left before ``deadline`` (never below a millisecond)."""
    if deadline is None:
        return limit
    left = max(deadline - time.monotonic(), 0.001)
    return left if limit is None else min(limit, left)


def _read_body(resp: requests.Response, deadline: float | None, limit: int | None) -> None:
    """Read and decode the whole body in bounded chunks, checking ``deadline`` between them
    (so decompressing counts against it) and refusing more than ``limit`` decoded bytes;
    the connection returns to the pool."""
    length = _plain_length(resp)
    if resp.raw is not None and length is not None:
        if limit is not None and length > limit:
            resp.close()
            raise _too_large(resp, limit)
        resp._content = resp.raw.read(decode_content=True)  # the length bounds it; the watchdog, time
        resp._content_consumed = True  # type: ignore[attr-defined]
        return
    parts: list[bytes] = []
    size = 0
    while resp.raw is not None:
        if deadline is not None and time.monotonic() >= deadline:
            resp.close()
            raise DeadlineExceeded
        chunk = resp.raw.read(_CHUNK, decode_content=True)
        if not chunk:
            break
        size += len(chunk)
        if limit is not None and size > limit:
            resp.close()
            raise _too_large(resp, limit)
        parts.append(chunk)
    resp._content = b"".join(parts)
    resp._content_consumed = True  # type: ignore[attr-defined]


def _plain_length(resp: requests.Response) -> int | None:
    """The ``Content-Length`` of a body sent as it is (no ``Content-Encoding``), if valid.

    Such a body is read in one call (no chunk list to join, the fastest way): its length
    bounds the read, it has nothing to decompress, and the watchdog bounds its time.
    """
    encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
    declared = resp.headers.get("Content-Length", "")
    if encoding != "identity" or "Transfer-Encoding" in resp.headers or not _has_body(resp):
        return None  # chunked framing ignores the length; a HEAD, 204 or 304 sends none
    if not declared.isdigit() or len(declared) > 18:
        return None
    return int(declared)


def _has_body(resp: requests.Response) -> bool:
    method = resp.request.method if resp.request is not None else None
    return method != "HEAD" and resp.status_code >= 200 and resp.status_code not in (204, 304)


def _too_large(resp: requests.Response, limit: int) -> DecodeError:
    method = resp.request.method if resp.request is not None else ""
    return DecodeError(
        f"the decoded body is larger than max_body ({limit} bytes)",
        status=resp.status_code,
        content_type=resp.headers.get("Content-Type") or None,
        method=method or "",
        url=resp.url,
    )


def _reader(deadline: float | None, limit: int | None) -> Any:
    """A response hook that reads the body (before requests-cache reads it) by ``deadline``
    and within ``limit``."""

    def hook(resp: requests.Response, *_: Any, **__: Any) -> requests.Response:
        if not resp._content_consumed and resp.raw is not None:  # type: ignore[attr-defined]
            _read_body(resp, deadline, limit)
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


class _Adapter(HTTPAdapter):
    """Pooled connections the deadline watchdog can shut (:mod:`clientkit.deadline`)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if type(manager) is urllib3.ProxyManager:
            manager.pool_classes_by_scheme = WATCHED_POOLS
        return manager


@attrs.define
class _Call:
    """One logical request and its progress through attempts, hops and renewals."""

    method: str
    url: str
    own: bool
    query: list[tuple[str, str]]
    call_headers: dict[str, str | None]
    headers: dict[str, str | None]
    body: Any
    files: Any
    json: Any
    opts: RequestOptions
    invalidates: tuple[str, ...]
    idempotent: bool
    policy: RetryPolicy
    limits: Timeout
    deadline: float | None
    rewinder: _Rewinder
    signature: tuple[Any, ...]
    generation: int
    cache_args: dict[str, Any]
    stream: bool = False
    authenticate: bool = True
    raise_for_status: bool = True
    conditional: dict[str, str] | None = None
    auth: Any = None
    started: float = 0.0
    attempt: int = 0
    hops: int = 0
    renewed: bool = False
    previous: Exception | None = None


def _budget(call: _Call) -> str:
    """The deadline a call missed, in words."""
    total = call.limits.total
    return f"{total}s in total" if total else "the deadline of the call it was made for"


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
        self.options = RequestOptions(timeout=Timeout(), retry=RetryPolicy(), max_body=MAX_BODY).merge(
            options
        )
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
        self._calls = threading.local()  # the deadline of this thread's call in progress
        adapter = _Adapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
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
        deadline: float | None = None,
    ) -> requests.Response:
        """Send one logical request (retried as policy allows) and return its response.

        A write (any method but GET, HEAD, OPTIONS and TRACE) makes the cached answers of
        its path, the paths above and below it and ``invalidates`` (other paths the caller knows it changes)
        stale, before it is sent, whatever its outcome. ``deadline`` (a ``time.monotonic()``
        instant) is an outer call's deadline this one must meet too (a login made for it).

        Raises:
            APIError: (a subclass per status) for a final status of 400 or more.
            TransportError: when no usable response arrived.
            RedirectError: for a redirected write or too many redirects.
        """
        call = self._prepare(
            method, target, params, json, data, files, headers, options, allow_foreign, invalidates
        )
        call.stream, call.authenticate, call.raise_for_status = stream, authenticate, raise_for_status
        if deadline is not None:
            call.deadline = deadline if call.deadline is None else min(call.deadline, deadline)
        hit = self._fresh_hit(call)
        if hit is not None:
            return hit
        outer = getattr(self._calls, "deadline", None)
        self._calls.deadline = call.deadline
        try:
            return self._exchange(call)
        finally:
            self._calls.deadline = outer

    def _prepare(
        self,
        method: str,
        target: str,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None,
        json: Any,
        data: Any,
        files: Any,
        headers: Mapping[str, str | None] | None,
        options: RequestOptions | None,
        allow_foreign: bool,
        invalidates: Iterable[str],
    ) -> _Call:
        """Everything one call sends, checked, before anything is sent."""
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
        body = self._body(json, data, hdrs)
        idempotent = self._idempotent(method, own, opts, hdrs)
        query = self.query.encode(params) + self.query.encode(opts.params)
        limits = opts.timeout or Timeout()
        signature = self._signature(method, url, query, hdrs)
        return _Call(
            method=method,
            url=url,
            own=own,
            query=query,
            call_headers=call_headers,
            headers=hdrs,
            body=body,
            files=files,
            json=json,
            opts=opts,
            invalidates=invalidates,
            idempotent=idempotent,
            policy=opts.retry or RetryPolicy(),
            limits=limits,
            deadline=time.monotonic() + limits.total if limits.total else None,
            rewinder=_Rewinder(body, files),
            signature=signature,
            generation=self.invalidations.generation,
            cache_args=self._cache_args(method, url, opts.cache, signature),
        )

    def _body(self, json: Any, data: Any, headers: dict[str, str | None]) -> Any:
        """The body to send: ``json`` encoded (with its Content-Type) or the raw ``data``."""
        body = _raw_body(data)
        if json is not _UNSET:
            body = self.codec.dumps(json)
            if not _has(headers, "Content-Type"):
                headers["Content-Type"] = self.codec.content_type
        return body

    def _idempotent(
        self, method: str, own: bool, opts: RequestOptions, headers: dict[str, str | None]
    ) -> bool:
        """Whether the call may be retried as idempotent; adds the declared idempotency key."""
        idempotent = method in IDEMPOTENT_METHODS if opts.idempotent is None else opts.idempotent
        if self.idempotency_header and method in ("POST", "PATCH") and own:
            if not _has(headers, self.idempotency_header):
                headers[self.idempotency_header] = uuid.uuid4().hex
            idempotent = opts.idempotent is not False
        return idempotent

    def _fresh_hit(self, call: _Call) -> requests.Response | None:
        """A fresh answer from the shortcut (nothing sent); else arm its conditional request."""
        shortcut = self.shortcut
        if shortcut is None or call.method != "GET" or call.stream or call.cache_args or call.opts.cache:
            return None
        hit = shortcut.fresh(call.signature)
        if hit is not None:
            self.cache_stats.record(hit)
            return hit
        call.conditional = shortcut.validators(call.signature)
        return None

    def _exchange(self, call: _Call) -> requests.Response:
        """Attempts until one gives the call's answer (or its error)."""
        while True:
            if call.deadline is not None and time.monotonic() >= call.deadline:
                raise RequestTimeout(
                    f"the call took longer than {_budget(call)}",
                    method=call.method,
                    url=call.url,
                ) from (redacted_cause(call.previous) if call.previous is not None else None)
            resp = self._attempt(call)
            answer = self._answer(call, resp) if resp is not None else None
            if answer is not None:
                return answer

    def _attempt(self, call: _Call) -> requests.Response | None:
        """Send once: the response, or ``None`` when a failure is to be retried."""
        method, url = call.method, call.url
        call.rewinder.rewind()
        call.auth = (self.auth if call.authenticate else None) if call.own else _OFF_ORIGIN
        call.started = time.monotonic()
        failure: Failure | None = None
        error: ClientKitError | None = None
        cause: Exception | None = None
        try:
            with watched(call.deadline):
                return self._send_once(call)
        except DeadlineExceeded as exc:
            failure, cause = "timeout", exc
            error = RequestTimeout(f"the response took longer than {_budget(call)}", method=method, url=url)
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
                _not_a_url(exc, method, url)
                if _reading_redirect(exc)
                else InvalidRequestError(f"cannot send {method} {redact_url(url)}: {exc}")
            )
        self._fail(call, failure, error, cause)
        return None

    def _fail(
        self, call: _Call, failure: Failure | None, error: ClientKitError | None, cause: Exception | None
    ) -> None:
        """Wait before retrying a failed attempt, or raise its error.

        Raised here, outside the except blocks, so no chained original (its URL may carry a
        query key) survives in ``__context__``; only a redacted summary does.
        """
        policy = call.policy
        if (
            failure is not None
            and call.rewinder.replayable
            and policy.should_retry(call.attempt, idempotent=call.idempotent, failure=failure)
        ):
            self._wait(policy, call.attempt, call.method, call.url, failure, None, call.deadline)
            call.attempt += 1
            call.previous = cause
            return
        if call.method in _WRITE_METHODS:
            self.invalidate(call.url, *call.invalidates)  # the write may still be applied
        assert error is not None
        raise error from (redacted_cause(cause) if cause is not None else None)

    def _send_once(self, call: _Call) -> requests.Response:
        """One exchange on the wire, its body read (unless streamed) within the deadline."""
        timeout = (_within(call.limits.connect, call.deadline), _within(call.limits.read, call.deadline))
        limit = call.opts.max_body
        if call.conditional is not None:
            headers = {**call.headers, **call.conditional}
            return self._send_plain(
                call.method, call.url, call.query, headers, call.auth, timeout, call.deadline, limit
            )
        resp = self.http.request(
            call.method,
            call.url,
            params=call.query,
            data=call.body,
            files=call.files,
            headers=call.headers,
            auth=call.auth,
            timeout=timeout,
            allow_redirects=False,
            stream=call.stream or not self.cached,
            **call.cache_args,
            **self._body_hooks(call.stream, call.deadline, limit),
        )
        if not call.stream and not self.cached:
            _read_body(resp, call.deadline, limit)
        return resp

    def _answer(self, call: _Call, resp: requests.Response) -> requests.Response | None:
        """What a response means for the call: its answer, or ``None`` to send again
        (a redirect hop, a renewed login, a retry, the shortcut's follow-up)."""
        if log.isEnabledFor(logging.DEBUG):
            self._log_exchange(resp, call.json, (time.monotonic() - call.started) * 1000)
        if call.conditional is not None:
            call.conditional = None
            stored = self._conditional_outcome(call, resp)
            if stored is not None:
                return stored if stored is not _RESEND else None
        self._bookkeep(call, resp)
        if resp.status_code in _REDIRECTS and "location" in resp.headers:
            self._redirect(call, resp)
            return None
        if self._renewed(call, resp):
            return None
        if resp.status_code >= 400 or resp.status_code in call.policy.statuses:
            return self._status(call, resp)
        return resp

    def _conditional_outcome(self, call: _Call, resp: requests.Response) -> Any:
        """After the shortcut's conditional request: the stored answer on a usable 304,
        ``_RESEND`` to let requests-cache decide, ``None`` for a changed answer."""
        shortcut = self.shortcut
        assert shortcut is not None
        if resp.status_code == 304:
            stored = shortcut.not_modified(call.signature, resp)
            if stored is not None:
                self.cache_stats.record(stored)
                self.invalidations.fetched(call.signature, call.generation)
                return stored
            shortcut.forget(call.signature)
            return _RESEND  # a full conditional request through requests-cache
        shortcut.forget(call.signature)  # a changed answer: requests-cache stores it next time
        return None

    def _bookkeep(self, call: _Call, resp: requests.Response) -> None:
        """Cache statistics, the shortcut's memory and invalidations, for one response."""
        method, shortcut = call.method, self.shortcut
        if self.cached and method in ("GET", "HEAD"):
            self.cache_stats.record(resp)
            opts = call.opts
            remembers = method == "GET" and not call.stream and opts.cache is None and resp.status_code < 300
            if shortcut is not None and remembers:
                shortcut.remember(call.signature, resp)
            if opts.cache != "bypass" and _stored_now(resp):
                self.invalidations.fetched(call.signature, call.generation)
        if method in _WRITE_METHODS:
            # again: a read during the write may hold the old answer
            self.invalidate(call.url, *call.invalidates)

    def _redirect(self, call: _Call, resp: requests.Response) -> None:
        """Point the call at a redirect's target; ``RedirectError`` for a write or too many hops."""
        location = _location(resp, call.method, call.url)
        resp.close()
        if call.method in _WRITE_METHODS:
            error = RedirectError(
                f"the server redirected a {call.method} ({resp.status_code}) to "
                f"{redact_url(location)}; writes are not re-sent to another location",
                method=call.method,
                url=call.url,
            )
            error.response = resp
            raise error
        call.hops += 1
        if call.hops > self.max_redirects:
            raise RedirectError(f"more than {self.max_redirects} redirects", method=call.method, url=call.url)
        call.url, call.query = location, []
        call.own = self.is_own(location)
        call.headers = self._headers(call.call_headers, call.own)
        # the target's answer is cached (and invalidated) as the target's, never the origin's
        call.signature = self._signature(call.method, location, [], call.headers)
        call.cache_args = self._cache_args(call.method, location, call.opts.cache, call.signature)
        call.conditional = None

    @staticmethod
    def _renewed(call: _Call, resp: requests.Response) -> bool:
        """Whether a 401 made the authenticator renew its credential (once per call)."""
        auth = call.auth
        if resp.status_code != 401 or call.renewed or not isinstance(auth, Authenticator):
            return False
        call.renewed = True
        if resp.request is not None and auth.renew(resp.request):
            resp.close()
            return True
        return False

    def _status(self, call: _Call, resp: requests.Response) -> requests.Response | None:
        """A retryable or failed status: ``None`` after waiting to retry, else the response
        (or its typed error). A ``Retry-After`` too long, or past the deadline, is not waited."""
        policy, status = call.policy, resp.status_code
        retry_after = parse_retry_after(resp.headers)
        too_long = retry_after is not None and (
            retry_after > policy.max_retry_after
            or (call.deadline is not None and time.monotonic() + retry_after > call.deadline)
        )
        retry = policy.should_retry(call.attempt, idempotent=call.idempotent, status=status)
        if not too_long and retry and call.rewinder.replayable:
            resp.close()
            self._wait(
                policy, call.attempt, call.method, call.url, f"status {status}", retry_after, call.deadline
            )
            call.attempt += 1
            return None
        if call.raise_for_status and status >= 400:
            raise self.error_for(resp, call.method)
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
        limit: int | None = None,
    ) -> requests.Response:
        """Send past the cache layer (for the shortcut's own conditional requests)."""
        prepared = self.http.prepare_request(
            requests.Request(method, url, params=query, headers=dict(headers), auth=auth)
        )
        resp = requests.Session.send(self.http, prepared, timeout=timeout, allow_redirects=False, stream=True)
        _read_body(resp, deadline, limit)
        return resp

    def _body_hooks(self, stream: bool, deadline: float | None, limit: int | None) -> dict[str, Any]:
        """Through the cache, requests-cache's own read of a body goes through :func:`_read_body`.

        A request's hooks replace the session's in requests, so the session's own response
        hooks (the cache's header fixes) are kept after the reader.
        """
        if stream or not self.cached:
            return {}
        return {"hooks": {"response": [_reader(deadline, limit), *self.http.hooks["response"]]}}

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
        """How a login flow reaches the service: no auth, no renewal, same errors, and
        within the deadline of the call it is made for, if any."""
        deadline = getattr(self._calls, "deadline", None)
        resp = self.request(method, path, json=body, authenticate=False, deadline=deadline)
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
        err.retry_after = parse_retry_after(resp.headers)
        return err

    def close(self) -> None:
        self.http.close()
