"""One ``requests`` session per client: every request clientkit sends goes through here.

A call is a chain of small steps: build it (:meth:`Transport._build`), answer it from the
cache if it can, then attempt exchanges (:meth:`Transport._attempt`) and act on what each
means (:meth:`Transport._answer`): follow a redirect, renew a login, retry or raise the
typed error. What to do is decided in :mod:`clientkit._client.decisions`, free of I/O.
The options arrive merged (service < session < call); the transport never merges them.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs
import requests
import requests.auth

from clientkit._client import decisions
from clientkit._client.ambient import ambient_cancel, ambient_deadline, earliest
from clientkit._client.auth import Authenticator, secret_names
from clientkit._client.body import Rewinder, raw_body, read_body, reader, within
from clientkit._client.cache import CacheStats, Invalidations, Shortcut
from clientkit._client.deadline import Hold, watched
from clientkit._client.decisions import SAFE_METHODS, origin_of
from clientkit._client.failures import SENDING_ERRORS, classify
from clientkit._client.http_policy import NO_JAR, OFF_ORIGIN, WithoutJar, configure
from clientkit._client.logins import login_policy, retry_answers
from clientkit._client.multipart import MultipartBody, from_requests
from clientkit._client.redacted_logging import install_log_redaction
from clientkit._declarations.errors import (
    APIError,
    ClientKitError,
    DecodeError,
    ErrorShape,
    InvalidRequestError,
    RedirectError,
    RequestTimeout,
    TransportError,
    excerpt_of,
    redacted_cause,
)
from clientkit._declarations.frames import forgets_locals
from clientkit._declarations.options import MAX_BODY, RequestOptions, Timeout
from clientkit._declarations.origins import Origin
from clientkit._declarations.progress import Cancel, check_cancel
from clientkit._declarations.redaction import redact_data, redact_headers, redact_url
from clientkit._declarations.retry import IDEMPOTENT_METHODS, RetryPolicy, parse_retry_after
from clientkit._declarations.wire import JsonCodec, QueryStyle, check_header_value, is_token, is_utf8, loads

log = logging.getLogger("clientkit.http")

UNSET: Any = object()
E = TypeVar("E", bound=ClientKitError)
MAX_REDIRECTS = 5  # hops followed for one call, as requests' own default of 30 is generous
_DEFAULTS = RequestOptions(timeout=Timeout(), retry=RetryPolicy(), max_body=MAX_BODY)
#: the errors of failed logins and token checks (their request body dropped): their response
#: is never the answer of the call they were made for
SIDE_EXCHANGES: weakref.WeakSet[APIError | RedirectError] = weakref.WeakSet()


def _checked(headers: Mapping[str, str | None]) -> dict[str, str | None]:
    for name, value in headers.items():
        if value is not None:
            check_header_value(name, value)
    return dict(headers)


def _carrying(headers: dict[str, str | None], carried: Mapping[str, str]) -> dict[str, str | None]:
    """``headers`` with a transfer's own (``Range``...) over any of the same name."""
    lowered = {name.lower() for name in carried}
    return {**{k: v for k, v in headers.items() if k.lower() not in lowered}, **_checked(carried)}


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


@attrs.define
class _Call:
    """One logical request and its progress through attempts, hops and renewals."""

    method: str
    url: str
    own: bool
    query: list[tuple[str, str]]
    headers: dict[str, str | None]
    opts: RequestOptions
    invalidates: tuple[str, ...]
    idempotent: bool
    policy: RetryPolicy
    limits: Timeout
    deadline: float | None
    signature: tuple[Any, ...]
    generation: int
    cache_args: dict[str, Any]
    body: Any = None
    files: Any = None
    json: Any = UNSET
    rewinder: Rewinder = attrs.field(factory=Rewinder)
    stream: bool = False
    hold: Hold | None = None
    carried: Mapping[str, str] = attrs.field(factory=dict)
    public: bool = False  # sent with nothing of the session's, on every hop
    authenticate: bool = True
    raise_for_status: bool = True
    conditional: dict[str, str] | None = None
    auth: Any = None
    sent_auth: Any = None
    started: float = 0.0
    attempt: int = 0
    hops: int = 0
    renewed: bool = False
    renewed_unsent: bool = False  # a 401 renewed the credential; the body could not go again
    cancel: Cancel | None = None  # the ambient one (bulk work's), looked at before each attempt
    previous: Exception | None = None

    @property
    def left(self) -> float | None:
        """Seconds until the deadline (``None``: no deadline)."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    @property
    def budget(self) -> str:
        """The deadline the call may miss, in words."""
        total = self.limits.total
        return f"{total}s in total" if total else "the deadline of the call it was made for"


def _can_renew(auth: Any) -> bool:
    """Whether ``auth`` is a strategy that can renew its credential (a login flow; never a
    static token, key or password)."""
    return isinstance(auth, Authenticator) and type(auth).renew is not Authenticator.renew


def _not_resent(call: _Call, error: APIError) -> APIError:
    """A 401 whose credential was renewed for it says why the request was not sent again."""
    if error.status == 401 and call.renewed_unsent:
        error.args = (
            f"{error.args[0]}; the credential was renewed; the request was not re-sent: "
            "its body cannot be sent again",
        )
    return error


def _gave_up(call: _Call, error: E, why: str = "") -> E:
    """``error`` with the number of ``attempts`` made, which its message tells (and ``why``
    the last was not retried) when there was more than one."""
    if isinstance(error, APIError | TransportError):
        error.attempts = call.attempt + 1
    notes = [why] if why else []
    if call.attempt:
        notes.append(f"gave up after {call.attempt + 1} attempts")
    if notes:
        error.args = (f"{error.args[0]}; {'; '.join(notes)}",)
    return error


class Transport:
    """Sends requests for one service connection.

    ``options`` are the service's defaults, headers included (a call's arrive merged over
    them). Environment settings (proxies, CA bundle) are resolved once here, and ``.netrc``
    is never consulted (:func:`clientkit._client.http_policy.configure`).
    """

    def __init__(
        self,
        *,
        base_url: str,
        origins: Mapping[str, Origin] | None = None,
        auth: requests.auth.AuthBase | None = None,
        codec: JsonCodec | None = None,
        query: QueryStyle | None = None,
        errors: ErrorShape | None = None,
        options: RequestOptions | None = None,
        idempotency_header: str | None = None,
        http: requests.Session | None = None,
        pool_size: int = 10,
        verify: bool | str | ssl.SSLContext | None = None,
        trace: bool = True,
    ) -> None:
        """Configure the transport; a given ``http`` session is adjusted in place; ``trace``:
        whether each exchange is logged (DEBUG on ``clientkit.http``)."""
        if not isinstance(base_url, str) or not is_utf8(base_url):
            raise InvalidRequestError(f"base URL must be text, not {excerpt_of(base_url, 80)}")
        base = base_url.rstrip("/")
        self.origin = origin_of(base)  # InvalidRequestError for "http://[::1", a bad port
        if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).hostname:
            raise InvalidRequestError(f"base URL must be an absolute http(s) URL, not {base_url!r}")
        self.base_url = base
        #: the other origins calls may reach by name: (base URL, whether credentials go there)
        self.origins = {name: (o.url.rstrip("/"), o.credentials) for name, o in (origins or {}).items()}
        self._reached = {origin_of(url): sent for url, sent in self.origins.values()}
        self.auth = auth
        self.trace = trace
        self.codec = codec or JsonCodec()
        self.query = query or QueryStyle()
        self.errors = errors or ErrorShape()
        self.options = options or _DEFAULTS
        #: the headers of the session opened with this transport (for a login that wants them)
        self.session_headers: Callable[[], Mapping[str, str | None]] | None = None
        _checked(self.options.headers)
        self.idempotency_header = idempotency_header
        self.http = http if http is not None else requests.Session()
        self.cached = hasattr(self.http, "cache")  # responses go through a requests-cache backend
        install_log_redaction()
        configure(self.http, base, self.origin, pool_size, verify)
        self._calls = threading.local()  # the deadline of this thread's call in progress
        if isinstance(auth, Authenticator):
            auth.prepare(self._send_unauthenticated)
        self.cache_stats = CacheStats()
        self.invalidations = Invalidations()
        self.shortcut = Shortcut(self.http) if self.cached else None

    def url_for(self, target: str, origin: str | None = None) -> str:
        """An absolute URL for a path under the base URL (or under the declared ``origin``'s),
        or an absolute URL as given."""
        if not isinstance(target, str) or not is_utf8(target):
            raise InvalidRequestError(f"a request path must be valid Unicode text: {excerpt_of(target, 80)}")
        if origin is not None and origin not in self.origins:
            raise InvalidRequestError(f"no origin {origin!r} is declared; origins are {sorted(self.origins)}")
        if target.startswith(("http://", "https://")) and origin is None:
            return target
        if not target.startswith("/"):
            raise InvalidRequestError(f"request paths start with '/', not {target!r}")
        return (self.base_url if origin is None else self.origins[origin][0]) + target

    def is_own(self, url: str) -> bool:
        """Whether ``url`` is on the service's own origin (scheme, host and port)."""
        return origin_of(url) == self.origin

    def follows(self, url: str) -> bool:
        """Whether a link an answer gives (a next page, a ``Location``) may be followed: it
        is on the service's origin or on a declared origin that receives the credentials."""
        return self._trusted(url) is True

    def _trusted(self, url: str) -> bool | None:
        """Whether a call to ``url`` carries the credential and headers: the service's own
        origin does, a declared one if declared to; ``None``: no call may go there."""
        reached = origin_of(url)
        return True if reached == self.origin else self._reached.get(reached)

    def _headers(self, opts: RequestOptions, own: bool) -> dict[str, str | None]:
        """The headers of one request; another origin gets none of the service's or caller's
        but its User-Agent. A ``None`` value removes the header, requests' own defaults included.
        """
        if not own:
            return {k: v for k, v in self.options.headers.items() if k.lower() == "user-agent" and v}
        return _checked(opts.headers)

    def request(
        self,
        method: str,
        target: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        json: Any = UNSET,
        data: Any = None,
        files: Any = None,
        options: RequestOptions | None = None,
        stream: bool = False,
        authenticate: bool = True,
        raise_for_status: bool = True,
        invalidates: Iterable[str] = (),
        deadline: float | None = None,
        hold: Hold | None = None,
        carry: Mapping[str, str] | None = None,
        origin: str | None = None,
        credentials: bool = True,
    ) -> requests.Response:
        """Send one logical request (retried as policy allows) and return its response.

        ``options`` arrive merged (default: the service's). A write (any method but the safe
        ones) makes the cached answers of its path, the paths above and below it and
        ``invalidates`` stale before it is sent, whatever its outcome. ``deadline`` (a
        ``time.monotonic()`` instant) is an outer call's deadline this one must meet too, as is
        the ambient one (:mod:`clientkit._client.ambient`). ``origin``: a declared origin's name.
        ``hold`` (with ``stream``) keeps the deadline's alarm armed for the body's reader.
        ``carry``: headers of the transfer itself (a download's ``Range``), sent to every hop,
        a redirect's target on another origin included, unlike the service's and caller's.
        ``credentials=False``: any URL, with nothing of the session's on any hop (its own too).
        Raises the typed :class:`APIError` of a final status >= 400, ``TransportError``
        when no usable response arrived, ``RedirectError`` for a redirected write.
        """
        opts = options or self.options
        call = self._build(method, target, params, opts, invalidates, carry or {}, origin, credentials)
        streamed = from_requests(data, files)
        data, files = (streamed, None) if streamed is not None else (data, files)
        call.body = self._body(json, data, call.headers)
        call.rewinder, call.files, call.json = Rewinder(call.body, files), files, json
        call.stream, call.raise_for_status, call.hold = stream, raise_for_status, hold if stream else None
        call.authenticate = authenticate and call.opts.auth is not False
        self._written(call)
        call.deadline = earliest(call.deadline, earliest(deadline, ambient_deadline()))
        call.cancel = ambient_cancel()
        hit = self._fresh_hit(call)
        if hit is not None:
            return hit
        outer = getattr(self._calls, "deadline", None)
        self._calls.deadline = call.deadline
        try:
            return self._exchange(call)
        except BaseException:
            if call.hold is not None:
                call.hold.release()
            raise
        finally:
            self._calls.deadline = outer
            if isinstance(call.body, MultipartBody):
                call.body.close()  # the files it opened, never a file object the caller passed

    def _build(
        self,
        method: str,
        target: str,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None,
        opts: RequestOptions,
        invalidates: Iterable[str],
        carried: Mapping[str, str],
        origin: str | None = None,
        credentials: bool = True,
    ) -> _Call:
        """Everything one call sends but its body, checked, before anything is sent."""
        if not is_token(method):
            raise InvalidRequestError(f"invalid HTTP method {excerpt_of(method, 40)}")
        method = method.upper()
        url = self.url_for(target, origin)
        own = self._trusted(url) if credentials else False
        if own is None:
            raise InvalidRequestError(
                f"refusing to send a request to {redact_url(url)}: "
                "not the service's origin nor a declared one"
            )
        invalidates = tuple(invalidates)
        headers = _carrying(self._headers(opts, own), carried)
        query = self.query.encode(params) + self.query.encode(opts.params)
        limits = opts.timeout or Timeout()
        signature, cache_args = self._cache_keys(method, url, query, headers, opts)
        return _Call(
            method=method,
            url=url,
            own=own,
            query=query,
            headers=headers,
            opts=opts,
            invalidates=invalidates,
            idempotent=self._idempotent(method, own, opts, headers),
            policy=opts.retry or RetryPolicy(),
            limits=limits,
            deadline=time.monotonic() + limits.total if limits.total else None,
            signature=signature,
            generation=self.invalidations.generation,
            cache_args=cache_args,
            carried=carried,
            public=not credentials,
        )

    def _body(self, json: Any, data: Any, headers: dict[str, str | None]) -> Any:
        """The body to send: ``json`` encoded (with its Content-Type) or the raw ``data``
        (a multipart body with its own Content-Type)."""
        body = raw_body(data)
        if isinstance(body, MultipartBody):  # its boundary is ours: no other Content-Type fits
            for name in [k for k in headers if k.lower() == "content-type"]:
                del headers[name]
            headers["Content-Type"] = body.content_type
        if json is not UNSET:
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
            check_cancel(call.cancel, f"{call.method} {redact_url(call.url)}")
            if call.deadline is not None and time.monotonic() >= call.deadline:
                late = RequestTimeout(
                    f"the call took longer than {call.budget}", method=call.method, url=call.url
                )
                raise _gave_up(call, late) from (
                    redacted_cause(call.previous) if call.previous is not None else None
                )
            resp = self._attempt(call)
            answer = self._answer(call, resp) if resp is not None else None
            if answer is not None:
                return answer

    def _attempt(self, call: _Call) -> requests.Response | None:
        """Send once: the response, or ``None`` when a failure is to be retried.

        The error is raised outside the except block, so no chained original (its URL may
        carry a query key) survives in ``__context__``; only a redacted summary does.
        """
        call.rewinder.rewind()
        call.auth = (self.auth if call.authenticate else NO_JAR) if call.own else OFF_ORIGIN
        call.sent_auth = call.auth if not call.own or self.is_own(call.url) else WithoutJar(call.auth)
        call.started = time.monotonic()
        if call.hold is not None:
            call.hold.release()  # a previous attempt's (a redirect, a retry)
        try:
            with watched(call.deadline, hold=call.hold is not None) as alarm:
                if call.hold is not None:
                    call.hold.alarm = alarm
                return self._send_once(call)
        except ClientKitError:
            raise  # from the auth object (a failed login), a hook or the body's limit: already typed
        except SENDING_ERRORS as exc:
            cause = exc
            failure, error = classify(exc, call.method, call.url, call.budget)
        delay = decisions.retry_failure(
            call.policy,
            call.attempt,
            failure,
            idempotent=call.idempotent,
            replayable=call.rewinder.replayable,
            left=call.left,
        )
        if delay is not None:
            self._retry(call, delay, failure or "")
            call.previous = cause
            return None
        self._written(call)  # the write may still be applied
        raise _gave_up(call, error) from redacted_cause(cause)

    def _send_once(self, call: _Call) -> requests.Response:
        """One exchange on the wire, its body read (unless streamed) within the deadline."""
        timeout = (within(call.limits.connect, call.deadline), within(call.limits.read, call.deadline))
        limit = call.opts.max_body
        if call.conditional is not None or (self.cached and (call.stream or call.opts.cache == "bypass")):
            return self._send_plain(call, timeout)
        hooks: dict[str, Any] = {}
        if self.cached and not call.stream:
            # requests-cache reads the body itself: through our reader first; a request's hooks
            # replace the session's, so the session's own (the cache's header fixes) follow it
            hooks = {"hooks": {"response": [reader(call.deadline, limit), *self.http.hooks["response"]]}}
        resp = self._through_cache(call, timeout, {**call.cache_args, **hooks})
        stored_unchecked = getattr(resp, "from_cache", False) and not getattr(resp, "revalidated", False)
        if call.cache_args.get("refresh") and stored_unchecked:  # no validators: fetch anew
            resp = self._through_cache(call, timeout, {"force_refresh": True, **hooks})
        if not call.stream and not self.cached:
            read_body(resp, call.deadline, limit)
        return resp

    def _through_cache(self, call: _Call, timeout: Any, extra: dict[str, Any]) -> requests.Response:
        return self.http.request(
            call.method,
            call.url,
            params=call.query,
            data=call.body,
            files=call.files,
            headers=call.headers,
            auth=call.sent_auth,
            timeout=timeout,
            allow_redirects=False,
            stream=call.stream or not self.cached,
            **extra,
        )

    def _answer(self, call: _Call, resp: requests.Response) -> requests.Response | None:
        """What a response means for the call: its answer, or ``None`` to send again
        (a redirect hop, a renewed login, a retry, the shortcut's follow-up)."""
        if self.trace and log.isEnabledFor(logging.DEBUG):
            self._log_exchange(resp, call.json, (time.monotonic() - call.started) * 1000)
        if call.conditional is not None and self.shortcut is not None:
            call.conditional = None
            stored = self.shortcut.revalidated(call.signature, resp)
            if stored is not None:
                self.cache_stats.record(stored)
                self.invalidations.fetched(call.signature, call.generation)
                return stored
            if resp.status_code == 304:
                return None  # send a full conditional request through requests-cache
        self._bookkeep(call, resp)
        return self._act(call, resp, self._judge(call, resp))

    def _judge(self, call: _Call, resp: requests.Response) -> decisions.Verdict:
        """The decision on ``resp``; a 401 the credential can be renewed for is renewed here
        (once per call), and a renewal that fails leaves the status to be judged again. A
        body that cannot be sent again is not re-sent, but the credential is still renewed
        (or a session that only uploads from pipes would never get a fresh one)."""
        may_renew = not call.renewed and isinstance(call.auth, Authenticator) and call.rewinder.replayable
        unsendable = not call.renewed and not call.rewinder.replayable
        if resp.status_code == 401 and unsendable and _can_renew(call.auth):
            call.renewed_unsent = self._renewed(call, resp, close=False)
        while True:
            verdict = decisions.judge(
                resp.status_code,
                resp.headers,
                policy=call.policy,
                attempt=call.attempt,
                idempotent=call.idempotent,
                replayable=call.rewinder.replayable,
                may_renew=may_renew,
                left=call.left,
            )
            if verdict.outcome != "renew" or self._renewed(call, resp):
                return verdict
            may_renew = False

    def _act(
        self, call: _Call, resp: requests.Response, verdict: decisions.Verdict
    ) -> requests.Response | None:
        """Carry out ``verdict``: the answer, or ``None`` once the next request is set up."""
        if verdict.outcome == "redirect":
            self._follow(call, resp)
        elif verdict.outcome == "retry":
            resp.close()
            self._retry(call, verdict.delay, f"status {resp.status_code}")
        elif verdict.outcome == "fail" and call.raise_for_status:
            raise _gave_up(call, _not_resent(call, self.error_for(resp, call.method)), verdict.why)
        elif verdict.outcome != "renew":
            stands_for = self.errors.status_for(resp.headers.get("Content-Type"))
            if stands_for is not None and call.raise_for_status:
                raise self.error_for(resp, call.method, status=stands_for)
            return resp
        return None

    def _bookkeep(self, call: _Call, resp: requests.Response) -> None:
        """Cache statistics, the shortcut's memory and invalidations, for one response."""
        method, shortcut = call.method, self.shortcut
        if self.cached and method in ("GET", "HEAD"):
            self.cache_stats.record(resp)
            opts = call.opts
            remembers = method == "GET" and not call.stream and opts.cache is None and resp.status_code < 300
            remembers = remembers and self.errors.status_for(resp.headers.get("Content-Type")) is None
            if shortcut is not None and remembers:
                shortcut.remember(call.signature, resp)
            if opts.cache != "bypass" and _stored_now(resp):
                self.invalidations.fetched(call.signature, call.generation)
        self._written(call)  # again: a read during the write may hold the old answer

    def _written(self, call: _Call) -> None:
        """A write makes the cached answers of its path (and the paths it declares it
        changes) stale: before it is sent, after it failed and after its answer."""
        if call.method not in SAFE_METHODS:
            self.invalidate(call.url, *call.invalidates)

    def _follow(self, call: _Call, resp: requests.Response) -> None:
        """Point the call at a redirect's target, or raise why it is not followed."""
        answer = (resp.status_code, resp.url, resp.headers["location"])  # resp.url: a path token filled
        step = decisions.hop(call.method, resp.url, answer, call.hops, MAX_REDIRECTS, self.origin)
        resp.close()
        if not isinstance(step, decisions.Hop):
            if call.method not in SAFE_METHODS:
                step.response = resp
            raise step
        call.hops += 1
        call.url, call.query, call.own = step.url, [], step.own and not call.public
        call.headers = _carrying(self._headers(call.opts, call.own), call.carried)
        # the target's answer is cached (and invalidated) as the target's, never the origin's
        keys = self._cache_keys(call.method, step.url, [], call.headers, call.opts)
        call.signature, call.cache_args = keys
        call.conditional = None

    @staticmethod
    def _renewed(call: _Call, resp: requests.Response, *, close: bool = True) -> bool:
        """Whether a 401 made the authenticator renew its credential (once per call)."""
        call.renewed = True
        if resp.request is not None and call.auth.renew(resp.request):
            if close:
                resp.close()
            return True
        return False

    def _retry(self, call: _Call, delay: float, why: str) -> None:
        """Sleep ``delay`` before the call's next attempt."""
        policy = call.policy
        log.info(
            "retrying %s %s after %s in %.2fs (retry %d of %d)",
            call.method,
            redact_url(call.url),
            why,
            delay,
            call.attempt + 1,
            policy.retries,
        )
        policy.sleep(delay)
        call.attempt += 1

    def _send_plain(self, call: _Call, timeout: Any) -> requests.Response:
        """Send past requests-cache, with the session's hooks, auth and cookies: the
        shortcut's own conditional request, and what must never touch the cache: a streamed
        body (the cache would read it whole into memory and store it, whatever its
        ``Cache-Control`` says) and a ``cache="bypass"`` call (a job's poll)."""
        headers = {**call.headers, **(call.conditional or {})}
        request = requests.Request(
            call.method,
            call.url,
            params=call.query,
            data=call.body,
            files=call.files,
            headers=headers,
            auth=call.sent_auth,
        )
        prepared = self.http.prepare_request(request)
        resp = requests.Session.send(self.http, prepared, timeout=timeout, allow_redirects=False, stream=True)
        if not call.stream:
            read_body(resp, call.deadline, call.opts.max_body)
        return resp

    def _cache_keys(
        self,
        method: str,
        url: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str | None],
        opts: RequestOptions,
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The request's signature (what tells one cached request from another in this session:
        method, URL, query, headers, the jar's cookies and whether it carries the credential)
        and requests-cache's arguments."""
        if not self.cached or method not in ("GET", "HEAD"):
            return (), {}
        cookies = tuple((c.domain, c.path, c.name, c.value) for c in self.http.cookies)
        sent = tuple(sorted(headers.items(), key=lambda kv: kv[0]))
        signature = (method, url, tuple(query), sent, cookies, opts.auth is not False)
        mode = opts.cache
        if mode == "bypass":
            from requests_cache import DO_NOT_CACHE

            return signature, {"expire_after": DO_NOT_CACHE}
        if mode == "refresh" or self.invalidations.stale(urlsplit(url).path, signature):
            return signature, {"refresh": True}
        return signature, {}

    def invalidate(self, written: str, *declared: str) -> None:
        """Make later GETs revalidate once: of ``written``, the paths above and below it, and
        of ``declared`` (the paths a resource operation knows it changes)."""
        if self.cached:
            self.invalidations.mark(*(urlsplit(self.url_for(p)).path for p in (written, *declared)))

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
            "" if body is UNSET else f" body={redact_data(body)!r}",
        )

    def _send_unauthenticated(
        self,
        method: str,
        path: str,
        body: Any,
        service_headers: bool = False,
        *,
        headers: Mapping[str, str] | None = None,
        retry_on: Collection[int] = (),
        again: Callable[[Any], bool] | None = None,
    ) -> Any:
        """How a login flow reaches the service: no auth, no renewal, same errors, and
        within the deadline of the call it is made for, if any. ``service_headers``: with the
        session's headers, but never one that carries the auth's credential (a stale token);
        ``headers``: the flow's own (a stored token to check). ``retry_on``: statuses retried
        under the session's policy; ``again``: a test of an answer meaning "try again"."""
        deadline = getattr(self._calls, "deadline", None)
        session_headers = self.session_headers if service_headers else None
        given = session_headers() if session_headers is not None else self.options.headers
        own = {name.lower() for name in secret_names(self.auth)}
        sent = {**{k: v for k, v in given.items() if k.lower() not in own}, **(headers or {})}
        options = attrs.evolve(self.options, headers=sent, auth=False)
        policy = options.retry or RetryPolicy()
        if retry_on:
            options = attrs.evolve(options, idempotent=True, retry=login_policy(policy, retry_on))

        def send() -> Any:
            sent = UNSET if body is None else body  # a token check sends no body
            resp = self.request(method, path, json=sent, options=options, deadline=deadline)
            return self.json_of(resp, method)

        try:
            return retry_answers(send, policy, again, f"{method} {path}")
        except (APIError, RedirectError) as exc:
            if exc.response is not None:  # its request holds the credentials it sent
                exc.response.request.body = None
            SIDE_EXCHANGES.add(exc)
            raise

    @forgets_locals  # a body that echoes a credential
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

    def error_for(self, resp: requests.Response, method: str, status: int | None = None) -> APIError:
        """The typed error for a failed response (``status``: the one its content type stands for)."""
        content = resp.content or b""
        try:
            body = loads(content, self.codec.max_depth) if content.strip() else None
        except ValueError:
            body = None
        err = self.errors.error_for(
            status=resp.status_code if status is None else status,
            body=body,
            text=content.decode(resp.encoding or "utf-8", "replace"),
            headers=resp.headers,
            method=method,
            url=resp.url,
            reason=(resp.reason or "") if status is None else "",  # "OK" is not a 401's phrase
            response=resp,
        )
        err.retry_after = parse_retry_after(resp.headers)
        return err

    def close(self) -> None:
        self.http.close()
