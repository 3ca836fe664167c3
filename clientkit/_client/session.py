"""The generic operations on any declared resource: a :class:`Session` maps them onto the
paths, envelope, expansion and paging each resource declares, and offers
:meth:`Session.request` for anything else, all through the same transport."""

from __future__ import annotations

import functools
import operator
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import parse_qsl, urljoin, urlsplit

import attrs
import requests

from clientkit._client import jobs
from clientkit._client.ambient import ambient
from clientkit._client.answers import accepted, refuse_unaccepted, text_of
from clientkit._client.auth import path_marks
from clientkit._client.cache import CacheStats
from clientkit._client.decisions import SAFE_METHODS
from clientkit._client.downloads import (
    Downloaded,
    Plan,
    checked_plan,
    download,
    one_deadline,
    refuse_own_ranges,
    target_of,
)
from clientkit._client.multipart import body_for
from clientkit._client.pager import Pager, by_fields
from clientkit._client.streams import CHUNK, Stream, open_response, open_stream
from clientkit._client.transport import SIDE_EXCHANGES, UNSET, Transport
from clientkit._declarations.answers import Answer
from clientkit._declarations.checks import AnswerCheck
from clientkit._declarations.completeness import answer_level, mark_whole, plan_merge, refuse_erasing
from clientkit._declarations.context import Made, made_values, values_of, with_body
from clientkit._declarations.convert import Converter
from clientkit._declarations.errors import (
    AnswerError,
    APIError,
    DecodeError,
    InvalidRequestError,
    PaginationError,
    RedirectError,
    UnexpectedStatus,
    as_official,
    excerpt_of,
    redacted_cause,
    repr_excerpt,
)
from clientkit._declarations.expansion import Level
from clientkit._declarations.files import has_files, without_files
from clientkit._declarations.frames import forgets_locals
from clientkit._declarations.identity import spec_of
from clientkit._declarations.jobs import Job, JobStatus
from clientkit._declarations.options import (
    CALL_OPTIONS,
    CallOptions,
    RequestOptions,
    Timeout,
    merge_headers,
    options_of,
    split_options,
)
from clientkit._declarations.outcomes import Outcome
from clientkit._declarations.paging import PageRequest, Paginator
from clientkit._declarations.parents import fill_parents, path_values, with_parents
from clientkit._declarations.paths import PLACEHOLDER
from clientkit._declarations.progress import Cancel, OnProgress, deadline_after
from clientkit._declarations.redaction import redact_url
from clientkit._declarations.resource import Resource, ResourceSpec, etag_of, extra, fields_of, is_new
from clientkit._declarations.retry import IDEMPOTENT_METHODS, RetryPolicy
from clientkit._declarations.wire import is_token, pairs_of
from clientkit._declarations.writes import refuse_foreign

if sys.version_info >= (3, 11):
    from typing import Unpack
else:  # pragma: no cover
    from typing_extensions import Unpack

if TYPE_CHECKING:
    from clientkit._declarations.service import Service

R = TypeVar("R", bound=Resource)
P = ParamSpec("P")
OC = TypeVar("OC", bound=Outcome)
T = TypeVar("T")


def _forgets_on_failure(operation: Callable[P, T]) -> Callable[P, T]:
    """An operation that fails before it sends anything leaves ``last_response`` empty,
    not showing an earlier call's answer; a :class:`DecodeError` after one of its writes
    succeeded says that the write went through (retrying it would write twice). Its errors
    leave no local variables in their traceback (:func:`forgets_locals`)."""

    @functools.wraps(operation)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        local = args[0]._local  # type: ignore[attr-defined]
        sent, written = getattr(local, "sent", 0), getattr(local, "written", None)
        try:
            return operation(*args, **kwargs)
        except DecodeError as err:
            done = getattr(local, "written", None)
            if done is not written and done is not None and done.status_code < 400:
                err.after_write(done.request.method or "", done.status_code)
            raise
        except BaseException:
            if getattr(local, "sent", 0) == sent:
                local.response = None
            raise

    return forgets_locals(wrapper)


class Session:
    """A connection to one service, shared by every resource of it; built by
    ``Service.connect(...)``, used as a context manager (or :meth:`close` it).

    Example:
        >>> with Shop.connect(token="...") as shop:
        ...     product = shop.get(Product, 42)
        ...     product.price = 10
        ...     shop.save(product)          # PATCH {"price": 10}
    """

    def __init__(
        self,
        service: type[Service],
        transport: Transport,
        *,
        context: Mapping[str, Any] | None = None,
        options: RequestOptions | None = None,
    ) -> None:
        self.service = service
        self.transport = transport
        self.converter: Converter = service.converter
        self._context: dict[str, Any] = dict(context or {})
        self._options = options or RequestOptions()
        self._local = threading.local()
        self._templates = service.header_templates()
        self._in_query = made_values(service.context_query, service.context, "context_query")
        self._in_body = made_values(service.context_body, service.context, "context_body")
        self._per_resource: dict[int, tuple[ResourceSpec, Made, Made]] = {}
        # (service's options, context generation, merged): rebuilt when either changes
        self._layer: tuple[RequestOptions, int, RequestOptions] | None = None
        self._generation = 0
        self._context_lock = threading.Lock()

    @property
    def context(self) -> Mapping[str, Any]:
        """The session's context values (tenant, app, workspace...)."""
        return dict(self._context)

    def set_context(self, **values: Any) -> None:
        """Change context values; later requests carry the new headers and paths."""
        unknown = set(values) - set(self.service.context)
        if unknown:
            raise InvalidRequestError(
                f"{sorted(unknown)} are not context names of {self.service.__name__} "
                f"(known: {sorted(self.service.context)})"
            )
        with self._context_lock:
            self._context.update(values)
            self._generation += 1

    def with_options(
        self,
        *,
        params: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        **options: Unpack[CallOptions],
    ) -> Session:
        """A session with these defaults that shares this one's connection pool and auth."""
        extra = options_of(options, params, caller="with_options")
        derived = Session(
            self.service, self.transport, context=self._context, options=self._options.merge(extra)
        )
        if context:
            derived.set_context(**context)
        return derived

    def close(self) -> None:
        """Close the connection pool."""
        self.transport.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Session {self.service.__name__} {self.transport.base_url} auth={self.transport.auth!r}>"

    def __getstate__(self) -> Any:
        raise TypeError("a clientkit Session cannot be pickled; pickle the resources instead")

    @property
    def cache_stats(self) -> CacheStats:
        """Cache hits, revalidations (304) and misses of this session's connection."""
        return self.transport.cache_stats

    @property
    def last_response(self) -> requests.Response | None:
        """The raw response of this thread's most recent call."""
        return getattr(self._local, "response", None)

    def _resolve(self, call: RequestOptions | None) -> RequestOptions:
        """The one merge of a call's options: the service's < this session's (its context's
        headers first) < the call's. The transport takes them as they are."""
        base, layer = self.transport.options, self._layer
        if layer is None or layer[0] is not base or layer[1] != self._generation:
            with self._context_lock:
                generation, context = self._generation, dict(self._context)
            rendered: dict[str, str | None] = {}
            for name, (template, used) in self._templates.items():
                if template is None or any(context.get(u) is None for u in used):
                    rendered[name] = None
                else:
                    rendered[name] = _fill(template, context)
            own = attrs.evolve(self._options, headers=merge_headers(rendered, self._options.headers))
            layer = self._layer = (base, generation, base.merge(own))
        return layer[2].merge(call)

    @_forgets_on_failure
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        json: Any = UNSET,
        data: Any = None,
        files: Any = None,
        stream: bool = False,
        raise_for_status: bool = True,
        accept: str | Sequence[str] = (),
        origin: str | None = None,
        credentials: bool = True,
        **options: Unpack[CallOptions],
    ) -> requests.Response:
        """Send any request through the session's auth, retries, errors and logging; the raw
        response. ``path`` is relative to the base URL (quote its values with ``quote_segment``),
        or to the declared ``origin``'s (``origin="files"``).
        ``accept``: the media types the answer may have (another raises ``UnexpectedContentType``).
        ``json`` holding files is sent as ``multipart/form-data``, as for ``action``.
        With ``stream=True`` the body is read as it arrives, under the call's total deadline.
        ``credentials=False``: ``path`` may be a URL on any host (one the service handed out);
        nothing of the session goes with it (credential, headers, cookies, context values)."""
        opts = self._resolve(options_of(options, caller="request"))
        answer = accepted(accept)
        body = _payload(json) if data is None and files is None else {"json": json, "data": data}
        sent = {"params": params, **body, "files": files, "raise_for_status": raise_for_status}
        sent |= {"origin": origin, "credentials": credentials}
        if stream:
            return open_response(self._send, method, path, options=opts, accept=answer, **sent)
        resp = self._send(method, path, options=opts, **sent)
        if answer is not None:
            refuse_unaccepted(resp, answer, method.upper())
        return resp

    def _send(
        self, method: str, path: str, *, spec: ResourceSpec | None = None, linked: bool = False, **kwargs: Any
    ) -> requests.Response:
        """Send through the transport; ``last_response`` becomes this call's answer: the
        response, the failing response of an HTTP error, or ``None`` when none arrived (a failed
        login's answer is not this call's). ``spec``: the resource whose context values go
        with it; ``linked``: ``path`` is a link the server gave (a next page), whose query is its own."""
        self._local.response = None
        url = self.transport.url_for(path, kwargs.get("origin"))
        trusted = kwargs.get("credentials", True) and self.transport.follows(url)
        made = self._made(spec) if trusted else ((), ())  # context goes where the headers go
        kwargs = self._with_context(path, kwargs, made, linked)
        self._local.sent = getattr(self._local, "sent", 0) + 1
        try:
            resp = self.transport.request(method, path, **kwargs)
        except (APIError, RedirectError) as exc:
            own = exc not in SIDE_EXCHANGES
            self._local.response = exc.response if own else None
            raise
        self._local.response = resp
        if method.upper() not in SAFE_METHODS:
            self._local.written = resp  # a DecodeError from here on says the write went through
        return resp

    def _made(self, spec: ResourceSpec | None) -> tuple[Made, Made]:
        """The context values of the query and of the body: the resource's, else the service's."""
        if spec is None or (spec.context_query is None and spec.context_body is None):
            return self._in_query, self._in_body
        known = self._per_resource.get(id(spec))
        if known is None or known[0] is not spec:
            names = self.service.context
            query = made_values(spec.context_in(self.service, "query"), names, "context_query")
            body = made_values(spec.context_in(self.service, "body"), names, "context_body")
            known = self._per_resource[id(spec)] = (spec, query, body)
        return known[1], known[2]

    def _with_context(
        self, path: str, kwargs: dict[str, Any], made: tuple[Made, Made], linked: bool
    ) -> dict[str, Any]:
        """The declared context values added to a request's query and body (JSON or multipart)
        beside the parameters and keys it has; one it has with another value is refused."""
        in_query, in_body = made
        upload = kwargs.pop("upload", None)
        if not (in_query or in_body):
            return kwargs if upload is None else {**kwargs, "data": body_for(upload)}
        with self._context_lock:
            context = dict(self._context)
        if upload is not None:
            form = with_body(upload, in_body, context, "context_body", form=True)
            kwargs = {**kwargs, "data": body_for(form)}
        elif "json" in kwargs:
            first = self.service.context_body_first
            body = with_body(kwargs["json"], in_body, context, "context_body", first=first)
            kwargs = {**kwargs, "json": body}
        if in_query:
            params = pairs_of(kwargs.get("params") or (), "query parameters")
            options = kwargs.get("options")
            own = parse_qsl(urlsplit(path).query, keep_blank_values=True)
            given: dict[str, list[Any]] = {}
            session = list(options.params.items()) if options else []
            for key, value in [*params, *session, *([] if linked else own)]:
                given.setdefault(key, []).append(value)
            kept = {k for k, _ in own} if linked else set()  # a server's link keeps its own query
            wanted = tuple(m for m in in_query if m[0] not in kept)
            added = values_of(wanted, context, given, "context_query", loose=True)
            kwargs = {**kwargs, "params": params + added}
        return kwargs

    def _note(self, response: requests.Response) -> None:
        """Make ``response`` this thread's ``last_response`` (a page fetched in a worker)."""
        self._local.response = response

    def json_of(self, response: requests.Response) -> Any:
        """The decoded JSON of a response (``None`` when it has no body)."""
        return self.transport.json_of(response, response.request.method or "GET")

    # -- answers that are not JSON, streams and downloads (see docs/files.md) ------------

    def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        json: Any = UNSET,
        accept: str | Sequence[str] = (),
        deadline: float | None = None,
        **options: Unpack[CallOptions],
    ) -> Stream:
        """Send a request and read its body as it arrives, in a ``with`` block; the call's
        total timeout and ``deadline`` (seconds) bound the reading too. ``json`` holding files
        is sent as ``multipart/form-data``, as for ``action``."""
        opts = self._resolve(options_of(options, caller="stream"))
        until = deadline_after(deadline, time.monotonic())
        return open_stream(
            self._send,
            method,
            path,
            options=opts,
            accept=accepted(accept),
            deadline=until,
            params=params,
            **_payload(json),
        )

    def download(
        self,
        target: str | Resource | type[Resource],
        name: str | None = None,
        /,
        *,
        to: Any,
        params: Mapping[str, Any] | None = None,
        json: Any = UNSET,
        accept: str | Sequence[str] = (),
        progress: OnProgress | None = None,
        checksum: str | None = None,
        resume: bool = False,
        deadline: float | None = None,
        cancel: Cancel | None = None,
        chunk_size: int = CHUNK,
        credentials: bool = True,
        **options: Any,
    ) -> Downloaded:
        """Download a body to ``to`` (a path, written whole or not at all, or a binary file
        object): of a path (``GET``), or of a resource's declared action ``name`` (its
        ``json`` payload sent as the body); ``accept`` replaces the action's declared types;
        ``credentials=False``: a URL on any host, sent with nothing of the session's."""
        method, url, answer, call = self._download_target(target, name, options, json)
        opts = self._resolve(call)
        refuse_own_ranges(opts.headers)
        plan = Plan(
            accept=accepted(accept) or answer,
            checksum=checksum,
            resume=resume,
            retries=(opts.retry or RetryPolicy()).retries,
            may_restart=method in IDEMPOTENT_METHODS if opts.idempotent is None else opts.idempotent,
            ranged=method == "GET",
            deadline=one_deadline(deadline, (opts.timeout or Timeout()).total),
            cancel=cancel,
            progress=progress,
            chunk_size=chunk_size,
        )
        checked_plan(plan)
        target_of(to)
        query = pairs_of(params or {}, "query parameters")
        spec = None if isinstance(target, str) else spec_of(target)

        def opener(headers: Mapping[str, str]) -> Stream:
            sent: dict[str, Any] = {
                "params": query,
                "carry": headers,
                "spec": spec,
                "credentials": credentials,
            }
            stream = open_stream(
                self._send, method, url, options=opts, deadline=plan.deadline, **sent, **_payload(json)
            )
            resumed = any(k.lower() == "range" for k in headers) and stream.response.status_code == 206
            if spec is None or name is None or resumed:
                return stream
            return self._status_checked(spec, name, stream)

        return download(opener, to, plan)

    def _download_target(
        self, target: str | Resource | type[Resource], name: str | None, options: dict[str, Any], json: Any
    ) -> tuple[str, str, Answer | None, RequestOptions | None]:
        """The method, path, declared answer and call options of a download."""
        if isinstance(target, str):
            _refuse_for_a_path(name, json, options)
            return "GET", target, None, options_of(options, caller="download")
        spec = spec_of(target)
        call, path = _split(spec, options)
        if name is None or name not in spec.actions:
            raise InvalidRequestError(f"{spec.name} declares no action {name!r} (has {sorted(spec.actions)})")
        obj = target if isinstance(target, Resource) else None
        answer = spec.answers[name]
        return (
            spec.actions[name][0],
            self._path(spec, name, obj, path),
            answer if answer.accept else None,
            call,
        )

    def _answered(self, spec: ResourceSpec, name: str, method: str, url: str, **kwargs: Any) -> Any:
        """A declared action's answer of the kind it declares, checked against its ``accept``."""
        answer = spec.answers[name]
        options = self._resolve(kwargs.pop("options"))
        if answer.kind == "stream":
            kwargs.pop("invalidates", None)
            stream = open_stream(self._send, method, url, options=options, accept=answer, spec=spec, **kwargs)
            return self._status_checked(spec, name, stream)
        resp = self._send(method, url, options=options, spec=spec, **kwargs)
        self._refuse_status(spec, name, resp)
        refuse_unaccepted(resp, answer, method)
        if answer.kind == "bytes":
            return resp.content
        if answer.kind == "text":
            return text_of(resp)
        body = self._checked(spec.check_in(self.service), self.transport.json_of(resp, method), resp)
        return None if body is None else spec.envelope_in(self.service).unwrap(body, name)

    def _status_checked(self, spec: ResourceSpec, name: str, stream: Stream) -> Stream:
        """``stream`` if its status is the action's declared one, else closed and refused."""
        try:
            self._refuse_status(spec, name, stream.response)
        except UnexpectedStatus:
            stream.close()
            raise
        return stream

    @staticmethod
    def _refuse_status(spec: ResourceSpec, name: str, resp: requests.Response) -> None:
        """An action declared to answer one status (``Action(status=)``) that answered another:
        :class:`UnexpectedStatus` naming both."""
        expected = spec.action_statuses.get(name)
        if expected is None or resp.status_code == expected:
            return
        error = UnexpectedStatus(
            f"{spec.name}.{name} answers {expected}, not {resp.status_code}",
            status=resp.status_code,
            headers=resp.headers,
            method=resp.request.method or "",
            url=resp.url,
            response=resp,
        )
        error.expected = expected
        raise error

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Iterable[tuple[str, Any]] | None,
        json: Any = UNSET,
        options: RequestOptions | None,
        invalidates: Iterable[str] = (),
        check: AnswerCheck | None = None,
        spec: ResourceSpec | None = None,
        linked: bool = False,
    ) -> tuple[Any, requests.Response]:
        resp = self._send(
            method,
            path,
            params=params,
            options=self._resolve(options),
            invalidates=invalidates,
            spec=spec,
            linked=linked,
            **_payload(json),
        )
        return self._checked(check, self.transport.json_of(resp, method), resp), resp

    def _checked(self, check: AnswerCheck | None, body: Any, resp: requests.Response) -> Any:
        """``body``, unless ``check`` finds that it reports a failure: :class:`AnswerError`."""
        failure = None if check is None else check.failure(body)
        if failure is None:
            return body
        if failure.missing:  # a malformed answer, also the service's official error
            err = DecodeError(failure.message, status=resp.status_code, method=resp.request.method or "",
                              url=resp.url, excerpt=excerpt_of(resp.content or b""))  # fmt: skip
            mixin = self.service.errors.mixin
            raise err if mixin is None else as_official(err, mixin)
        header = self.service.errors.request_id_header
        raise AnswerError(
            failure.message,
            status=resp.status_code,
            body=body,
            headers=resp.headers,
            request_id=resp.headers.get(header) if header else None,
            code=failure.code,
            method=resp.request.method or "",
            url=resp.url,
            response=resp,
        )

    def _level(
        self, spec: ResourceSpec, level: Level | None, obj: Resource | None = None
    ) -> int | tuple[str, ...] | None:
        """The level asked for; without one, the level ``obj`` was loaded at, else the default."""
        if level is None and obj is not None and obj._ck_level is not None:
            return obj._ck_level
        if spec.expansion is None:
            if level is not None:
                raise InvalidRequestError(f"{spec.name} has no expansion levels")
            return None
        return spec.expansion.normalize(level, spec.expandable)

    def _level_params(
        self, spec: ResourceSpec, level: int | tuple[str, ...] | None, operation: str
    ) -> list[tuple[str, Any]]:
        return spec.expansion.params(level, operation) if spec.expansion else []

    def _whole_answer(self, spec: ResourceSpec, params: Mapping[str, Any] | None) -> bool:
        """Whether a GET sent with ``params`` (plus the session's and the transport's own)
        answers the whole resource: any parameter but the expansion's level may shape the
        answer (sparse fields, projections), so a field it lacks is not known to be empty."""
        names = {*(params or {}), *self._options.params, *self.transport.options.params}
        if spec.expansion is not None:
            names.discard(spec.expansion.param)
        return not names

    def _path(
        self, spec: ResourceSpec, operation: str, obj: Resource | None, given: Mapping[str, Any]
    ) -> str:
        """The operation's path; an absolute URL for an action declared on another origin."""
        template = spec.template(operation)
        unknown = set(given) - set(template.names)
        if unknown:
            raise InvalidRequestError(
                f"{spec.name} {operation}: unexpected arguments {sorted(unknown)} "
                f"(the path {template.template} takes {list(template.names)})"
                + _query_hint(spec, operation, unknown)
            )
        marks = path_marks(self.service.auth)  # filled by the auth as each request is sent
        if set(given) & set(marks):
            raise InvalidRequestError(f"{spec.name} {operation}: the credential fills {sorted(marks)}")
        values = path_values(spec, template.names, obj, given, self._context, self.converter.value)
        values.update(marks)
        path = template.expand(values, spec.segments_in(self.service))
        origin = spec.action_origins.get(operation)
        return path if origin is None else self.transport.url_for(path, origin)

    @staticmethod
    def _identity_args(spec: ResourceSpec, id: Any) -> dict[str, Any]:
        if id is None:
            return {}
        if spec.singleton:
            raise InvalidRequestError(f"{spec.name} is a singleton; it takes no id")
        if len(spec.identity) == 1:
            return {spec.identity[0]: id}
        if not isinstance(id, tuple) or len(id) != len(spec.identity):
            raise InvalidRequestError(f"{spec.name} is identified by {spec.identity}; pass a tuple")
        return dict(zip(spec.identity, id, strict=True))

    @_forgets_on_failure
    def get(
        self,
        cls: type[R],
        id: Any = None,
        /,
        *,
        level: Level | None = None,
        params: Mapping[str, Any] | None = None,
        **path: Any,
    ) -> R:
        """Fetch one resource by id (or by its path placeholders), at an optional level;
        the call options (:class:`CallOptions`) are taken among ``path``."""
        spec = spec_of(cls)
        options, path = _split(spec, path)
        lvl = self._level(spec, level)
        target = self._path(spec, "get", None, {**self._identity_args(spec, id), **path})
        query = self._level_params(spec, lvl, "get") + pairs_of(params or {}, "query parameters")
        check = spec.check_in(self.service)
        body, resp = self._call("GET", target, params=query, options=options, check=check, spec=spec)
        payload = with_parents(cls, spec, spec.envelope_in(self.service).unwrap(body, "get"), path)
        obj = self.converter.load(payload, cls, lvl, etag=resp.headers.get("ETag"))
        mark_whole(obj, self._whole_answer(spec, params))
        return _remember_parents(obj, spec, path)

    @forgets_locals
    def list(
        self,
        cls: type[R],
        /,
        *,
        level: Level | None = None,
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        max_pages: int | None = None,
        **path: Any,
    ) -> Pager[R]:
        """A lazy iterator over every matching resource; nothing is sent until it is used.

        ``params`` are the list's filters; they are carried to every page.
        """
        spec = spec_of(cls)
        options, path = _split(spec, path)
        lvl = self._level(spec, level)
        target = self._path(spec, "list", None, path)
        query = tuple(self._level_params(spec, lvl, "list") + pairs_of(params or {}, "query parameters"))
        load = self.converter.loader(cls)
        make = load
        if path:

            def make(raw: Any, level: Any) -> R:
                return _remember_parents(load(with_parents(cls, spec, raw, path), level), spec, path)

        return Pager(
            self._fetcher(options, spec.check_in(self.service), spec),
            spec.paginator_in(self.service),
            PageRequest(method="GET", target=target, params=query),
            make,
            level=lvl,
            items=spec.envelope_in(self.service).for_op("list").response,
            page_size=page_size,
            max_items=max_items,
            max_pages=max_pages,
            identify=operator.attrgetter(*spec.identity) if spec.identity else None,
            note=self._note,
        )

    @forgets_locals
    def paginate(
        self,
        path: str,
        paginator: Paginator,
        *,
        method: str = "GET",
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        json: Any = None,
        items: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        max_pages: int | None = None,
        identity: str | Sequence[str] | None = None,
        **options: Unpack[CallOptions],
    ) -> Pager[Any]:
        """A lazy iterator over the raw items of any paged endpoint (no resource needed).

        ``identity`` names the item field(s) that identify an item (dotted paths allowed):
        with it, a page holding only items already seen stops the walk, whatever else in
        them changed (see the guard rails in docs/pagination.md).
        """
        call = options_of(options, caller="paginate")
        if not is_token(method):
            raise InvalidRequestError(f"invalid HTTP method {excerpt_of(method, 40)}")
        pairs = tuple(pairs_of(params or {}, "query parameters"))
        first = PageRequest(method=method.upper(), target=path, params=pairs, body=json)
        return Pager(
            self._fetcher(call, self.service.answer_check),
            paginator,
            first,
            lambda raw, _: raw,
            items=items,
            page_size=page_size,
            max_items=max_items,
            max_pages=max_pages,
            identify=by_fields((identity,) if isinstance(identity, str) else identity) if identity else None,
            note=self._note,
        )

    def _fetcher(
        self, options: RequestOptions | None, check: AnswerCheck | None, spec: ResourceSpec | None = None
    ) -> Callable[[PageRequest], tuple[Any, requests.Response]]:
        def fetch(request: PageRequest) -> tuple[Any, requests.Response]:
            self._refuse_elsewhere(request.target, "the next page", PaginationError)
            return self._call(
                request.method,
                request.target,
                params=request.params,
                json=request.body if request.body is not None else UNSET,
                options=options,
                check=check,
                spec=spec,
                linked=request.number > 0,
            )

        return fetch

    def _refuse_elsewhere(self, url: str, what: str, error: Callable[[str], Exception]) -> None:
        """The one rule for a URL an answer gives (a next page, a ``Location``): followed
        only on the service's origin or a declared origin that receives its credentials;
        anywhere else ``error`` is raised and nothing is sent."""
        if url.startswith(("http://", "https://")) and not self.transport.follows(url):
            self._local.response = None
            raise error(
                f"{what} is on another host ({redact_url(url)}); refusing to follow it with credentials"
            )

    @_forgets_on_failure
    def create(self, obj: R, *, level: Level | None = None, **path: Any) -> R:
        """Create ``obj`` on the server; ``obj`` is updated in place from the answer."""
        spec = spec_of(obj)
        options, path = _split(spec, path)
        fill_parents(obj, spec, path)
        return self._write(obj, spec, "create", self.converter.create_payload(obj), level, options, path)

    @_forgets_on_failure
    def update(
        self,
        obj: R,
        *,
        level: Level | None = None,
        only_set: bool = False,
        if_match: bool = False,
        **path: Any,
    ) -> R:
        """Replace ``obj`` on the server with every writable field (and the extra fields).

        An object that may not know every writable field (a lower level, a listing's answer,
        unassigned write-only fields) is refused with :class:`IncompleteResourceError`: a
        replace would erase them on the server. ``only_set=True`` sends just the fields that
        hold a value, for APIs whose update verb merges rather than replaces.
        """
        spec = spec_of(obj)
        options, path = _split(spec, path)
        payload = self.converter.set_payload(obj) if only_set else self._replacement(spec, obj)
        options = self._if_match(obj, if_match, options)
        return self._write(obj, spec, "update", payload, level, options, path, replaces=not only_set)

    def _replacement(self, spec: ResourceSpec, obj: Resource) -> dict[str, Any]:
        """Every writable field, for a replace; refused when ``obj`` may not know them all."""
        refuse_erasing(spec, obj, self.converter)
        return self.converter.full_payload(obj)

    @_forgets_on_failure
    def patch(self, obj: R, /, *, if_match: bool = False, **changes: Any) -> R:
        """Set ``changes`` on ``obj`` and PATCH every changed field (nothing sent if none);
        the call options (:class:`CallOptions`) are taken among ``changes``."""
        spec = spec_of(obj)
        names = {f.name for f in fields_of(obj)}
        options, changes = _split(spec, changes, names)
        for key, value in changes.items():
            if key not in names:
                raise InvalidRequestError(f"{spec.name} has no field {key!r}")
            setattr(obj, key, value)
        # an object never loaded has no snapshot: it sends what it holds, but never a
        # create-only field, which only a create may set
        payload = self.converter.set_payload(obj) if is_new(obj) else self.converter.changes(obj)
        if not payload:
            return obj
        return self._write(obj, spec, "patch", payload, None, self._if_match(obj, if_match, options), {})

    @_forgets_on_failure
    def save(self, obj: R, *, if_match: bool = False, **options: Unpack[CallOptions]) -> R:
        """Create ``obj`` if it is new; otherwise send what changed (nothing if nothing did):
        the changed fields with its partial update verb (PATCH by default), or the whole
        resource with its update verb (under the same erase guard as :meth:`update`)."""
        if is_new(obj):
            return self.create(obj, **options)
        spec = spec_of(obj)
        changed = self.converter.changes(obj)
        if not changed:
            return obj
        full = spec.save_method == "PUT"
        payload = self._replacement(spec, obj) if full else changed
        call = self._if_match(obj, if_match, options_of(options, caller="save"))
        return self._write(obj, spec, "update" if full else "patch", payload, None, call, {}, replaces=full)

    @_forgets_on_failure
    def delete(
        self,
        target: Resource | type[Resource],
        id: Any = None,
        /,
        *,
        level: Level | None = None,
        **path: Any,
    ) -> None:
        """Delete a resource, given as an instance or as a class and id; ``level`` is for
        APIs whose delete takes the expansion parameter (default: the loaded level)."""
        spec = spec_of(target)
        options, path = _split(spec, path)
        obj = target if isinstance(target, Resource) else None
        if obj is not None and id is not None:
            raise InvalidRequestError("pass an instance or a class and id, not both")
        url = self._path(spec, "delete", obj, {**self._identity_args(spec, id), **path})
        level = self._level(spec, level) if level is not None or obj is None else obj._ck_level
        query = self._level_params(spec, level, "delete")
        related = self._related(spec, obj, path)
        check = spec.check_in(self.service)
        self._call(
            spec.delete_method,
            url,
            params=query,
            options=options,
            invalidates=related,
            check=check,
            spec=spec,
        )

    @_forgets_on_failure
    def refresh(self, obj: R, *, level: Level | None = None, **options: Unpack[CallOptions]) -> R:
        """Reload ``obj`` from the server, discarding local changes."""
        spec = spec_of(obj)
        lvl = self._level(spec, level, obj)
        url = self._path(spec, "refresh", obj, {})
        call = options_of({**options, "cache": _refreshing(options)}, caller="refresh")
        return self._reload(obj, spec, url, lvl, call)

    def _reload(self, obj: R, spec: ResourceSpec, url: str, level: Any, options: RequestOptions | None) -> R:
        """GET ``obj`` at ``url`` and replace its state with the answer."""
        params = self._level_params(spec, level, "get")
        check = spec.check_in(self.service)
        body, resp = self._call("GET", url, params=params, options=options, check=check, spec=spec)
        payload = spec.envelope_in(self.service).unwrap(body, "get")
        payload = with_parents(type(obj), spec, payload, obj._ck_parents or {})
        self.converter.reload(obj, payload, level, etag=resp.headers.get("ETag"))
        mark_whole(obj, self._whole_answer(spec, None))
        return obj

    @_forgets_on_failure
    def expand(self, obj: R, level: Level) -> R:
        """Complete ``obj`` to a higher expansion level, keeping unsaved local changes."""
        spec = spec_of(obj)
        if spec.expansion is None:
            raise InvalidRequestError(f"{spec.name} has no expansion levels")
        changed = self.converter.changes(obj)
        pending = {f.name: getattr(obj, f.name) for f in fields_of(obj) if f.wire in changed}
        declared = {f.wire for f in fields_of(obj)}
        pending_extra = {k: v for k, v in changed.items() if k not in declared}
        self.refresh(obj, level=level)
        for name, value in pending.items():
            setattr(obj, name, value)
        if pending_extra:
            extra(obj).update(pending_extra)
        return obj

    @_forgets_on_failure
    def action(
        self,
        target: Resource | type[Resource],
        name: str,
        /,
        *,
        json: Any = UNSET,
        data: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        **path: Any,
    ) -> Any:
        """Run a declared custom action; returns its unwrapped payload (``None`` if empty).
        ``data``: a body already encoded, sent as it is (its type in ``headers=``)."""
        spec = spec_of(target)
        options, path = _split(spec, path)
        if name not in spec.actions:
            raise InvalidRequestError(f"{spec.name} declares no action {name!r} (has {sorted(spec.actions)})")
        if data is not None and (json is not UNSET or self._made(spec)[1]):
            raise InvalidRequestError(f"{spec.name}.{name}: data= goes as it is, no json= or context_body")
        method = spec.actions[name][0]
        obj = target if isinstance(target, Resource) else None
        url = self._path(spec, name, obj, path)
        return self._answered(
            spec,
            name,
            method,
            url,
            params=pairs_of(params or {}, "query parameters"),
            options=options,
            invalidates=self._related(spec, obj, path),
            **({"data": data} if data is not None else _payload(json)),
        )

    @_forgets_on_failure
    def outcome(self, kind: type[OC], send: Callable[[], Any], /) -> OC:
        """What ``send`` (a call through this session: an action, a request) answered, as the
        :class:`Outcome` ``kind``: an error status or an answer ``kind.check`` refuses is an
        outcome, not an exception; a malformed answer (also the service's ``mixin``) and a
        transport failure still raise."""
        self._local.response = None  # an earlier call's answer is not this one's
        try:
            send()
            if (resp := self.last_response) is None:
                raise InvalidRequestError("Session.outcome: send= made no call through this session")
            body = self._checked(kind._ck_check, self.json_of(resp), resp)  # a raw request's too
        except APIError as error:
            resp = error.response
            return kind.read(error.status, error.body, resp.reason if resp is not None else error.reason)
        except DecodeError as error:
            mixin = self.service.errors.mixin
            if mixin is None or isinstance(error, mixin):
                raise
            raise as_official(error, mixin) from None
        return kind.read(resp.status_code, body, resp.reason)

    @_forgets_on_failure
    def run_job(
        self,
        job: Job,
        /,
        *,
        json: Any = UNSET,
        params: Mapping[str, Any] | None = None,
        deadline: float | None = None,
        progress: OnProgress | None = None,
        cancel: Cancel | None = None,
        **path: Any,
    ) -> JobStatus:
        """Start a declared :class:`Job` and wait until it is done: its last status. One
        ``deadline`` (seconds) covers the start and every poll (without one, and outside bulk
        work, it polls until the job ends; see docs/jobs.md); ``json`` holding files is sent
        as multipart/form-data, as an action's payload is."""
        call = jobs.JobCall.of(self, job, path, deadline, cancel, progress)
        return jobs.run(call, _payload(json), params)

    @_forgets_on_failure
    def start_job(
        self,
        job: Job,
        /,
        *,
        json: Any = UNSET,
        params: Mapping[str, Any] | None = None,
        deadline: float | None = None,
        **path: Any,
    ) -> JobStatus:
        """Start a declared :class:`Job` without waiting: the started status (with its id);
        ``deadline`` (seconds) bounds the start request."""
        return jobs.JobCall.of(self, job, path, deadline).start(_payload(json), params)[0]

    @_forgets_on_failure
    def wait_job(
        self,
        job: Job,
        id: Any,
        /,
        *,
        deadline: float | None = None,
        progress: OnProgress | None = None,
        cancel: Cancel | None = None,
        **path: Any,
    ) -> JobStatus:
        """Poll an already started job by its ``id`` until it is done: its last status."""
        return jobs.JobCall.of(self, job, path, deadline, cancel, progress).wait(id)

    @staticmethod
    def _if_match(obj: Resource, if_match: bool, options: RequestOptions | None) -> RequestOptions | None:
        if not if_match:
            return options
        etag = etag_of(obj)
        if etag is None:
            raise InvalidRequestError("if_match=True needs a resource loaded with an ETag")
        return (options or RequestOptions()).merge(RequestOptions(headers={"If-Match": etag}))

    def _related(self, spec: ResourceSpec, obj: Resource | None, given: Mapping[str, Any]) -> tuple[str, ...]:
        """The resource's own and list paths, which a write to it (at whatever path) changes.

        The transport makes a write's own path and the paths around it stale; these are
        the ones only the declaration knows (``create="/app"`` next to ``many="/apps"``).
        """
        if not self.transport.cached:
            return ()
        paths = []
        for operation, template in (("get", spec.one), ("list", spec.many)):
            if template is None:
                continue
            args = {k: v for k, v in given.items() if k in template.names}
            try:
                paths.append(self._path(spec, operation, obj, args))
            except InvalidRequestError:
                continue
        return tuple(paths)

    def _write(
        self,
        obj: R,
        spec: ResourceSpec,
        operation: str,
        payload: dict[str, Any],
        level: Level | None,
        options: RequestOptions | None,
        path: Mapping[str, Any],
        *,
        replaces: bool = False,
    ) -> R:
        """Send a write and take in its answer as declared (``write_answers``): merged,
        kept as sent, or fetched again within the write's deadline; ``replaces``: the
        payload is the whole resource."""
        methods = {"create": spec.create_method, "update": spec.update_method, "patch": spec.patch_method}
        envelope = spec.envelope_in(self.service)
        lvl = self._level(spec, level, obj)
        url = self._path(spec, operation, obj, path)
        _remember_parents(obj, spec, {**(obj._ck_parents or {}), **path})
        mode = spec.write_answer_in(self.service, operation)
        total = (self._resolve(options).timeout or Timeout()).total
        with ambient(time.monotonic() + total if total and mode == "refetch" else None):
            body, resp = self._call(
                methods[operation],
                url,
                params=self._level_params(spec, lvl, operation),
                json=envelope.wrap(payload, operation),
                options=options,
                invalidates=self._related(spec, obj, path),
                check=spec.check_in(self.service),
                spec=spec,
            )
            taken = body is not None and mode == "representation"
            answer = envelope.unwrap(body, operation) if taken else None
            self._merge(obj, spec, operation, answer, without_files(payload), lvl, resp, replaces)
            if mode == "refetch":
                self._refetch(obj, spec, lvl, options, resp)
        return obj

    def _merge(
        self,
        obj: R,
        spec: ResourceSpec,
        operation: str,
        answer: Any,
        payload: dict[str, Any],
        lvl: Any,
        resp: requests.Response,
        replaces: bool,
    ) -> None:
        """Merge a write's answer into ``obj``; with none, what was sent (files left out) is kept."""
        if isinstance(answer, Mapping):
            refuse_foreign(spec.name, operation, answer, {f.wire for f in fields_of(obj)})
            at = answer_level(spec, lvl, operation)
            plan = plan_merge(spec, obj, at, answer, payload, replaced=replaces)
            self.converter.merge(obj, answer, payload, plan.level, resp.headers.get("ETag"), plan.keep)
            mark_whole(obj, plan.whole)
        elif answer is None:
            self.converter.mark_saved(obj, payload)
            mark_whole(obj, replaces or obj._ck_whole)
        else:
            raise DecodeError(
                f"the {operation} answer for {spec.name} is not an object", excerpt=repr_excerpt(answer)
            )

    def _refetch(
        self, obj: R, spec: ResourceSpec, lvl: Any, options: RequestOptions | None, resp: requests.Response
    ) -> None:
        """GET ``obj`` after its write: at its one path, or, when its identity is still
        unknown (a create), where the answer's ``Location`` points."""
        known = spec.singleton or all(getattr(obj, name) is not None for name in spec.identity)
        location = resp.headers.get("Location")
        url = self._path(spec, "refresh", obj, {}) if known else location and urljoin(resp.url, location)
        if not url:
            raise DecodeError(
                f"{spec.name} cannot be fetched again after its write: its identity "
                f"{list(spec.identity)} is unknown and the answer has no Location header"
            )
        where = f"the Location of {spec.name}'s {resp.request.method} answer"
        self._refuse_elsewhere(url, where, RedirectError)
        fresh = RequestOptions(headers={"If-Match": None}, cache="refresh")
        self._reload(obj, spec, url, lvl, (options or RequestOptions()).merge(fresh))


def _payload(json: Any) -> dict[str, Any]:
    """How a payload is sent: as JSON, or as multipart/form-data when it holds files (built by
    ``Session._send`` once the context's values are in it)."""
    return {"upload": json} if has_files(json) else {"json": json}


def _refuse_for_a_path(name: str | None, json: Any, options: Mapping[str, Any]) -> None:
    """What ``download(path, ...)`` cannot take: an action's name, a body, other keywords."""
    if name is not None:
        raise InvalidRequestError("download(path, ...) takes no action name; pass a resource for one")
    if json is not UNSET:
        raise InvalidRequestError(
            "download(path, ...) sends a GET, without a body; declare an action for json="
        )
    unknown = sorted(set(options) - CALL_OPTIONS)
    if unknown:
        raise InvalidRequestError(
            f"download() got unexpected arguments {unknown}; its options are {sorted(CALL_OPTIONS)}"
        )


def _query_hint(spec: ResourceSpec, operation: str, unknown: set[str]) -> str:
    """Where filters and other query parameters go, for the operations that send them."""
    if operation not in ("get", "list") and operation not in spec.actions:
        return ""
    example = ", ".join(f"{name!r}: ..." for name in sorted(unknown))
    return f"; filters and other query parameters go in params=, e.g. params={{{example}}}"


def _fill(template: str, values: Mapping[str, Any]) -> str:
    """Replace ``{name}`` placeholders; other braces stay as they are."""
    try:
        return PLACEHOLDER.sub(
            lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template
        )
    except ValueError as exc:  # an int over Python's digit limit
        raise InvalidRequestError(f"a context value cannot fill {template!r}: {exc}") from redacted_cause(exc)


def _remember_parents(obj: R, spec: ResourceSpec, given: Mapping[str, Any]) -> R:
    """Keep the parent placeholders a resource was reached through, for later writes."""
    parents = {k: v for k, v in given.items() if k in spec.parents or k in spec.parent_fields}
    if parents:
        obj.__dict__["_ck_parents"] = parents
    return obj


def _split(
    spec: ResourceSpec, given: dict[str, Any], fields: Iterable[str] = ()
) -> tuple[RequestOptions | None, dict[str, Any]]:
    """Call options among keyword arguments. A name the resource uses itself (a path
    placeholder, or a field where fields are set) stays the resource's, so declaring a
    ``{cache}`` placeholder or an ``idempotent`` field never turns it into an option."""
    if not given:
        return None, given
    templates = [spec.one, spec.many, spec.create, spec.update, spec.delete]
    templates += [tpl for _, tpl in spec.actions.values()]
    own = {name for tpl in templates if tpl is not None for name in tpl.names}.union(fields)
    kept = {k: v for k, v in given.items() if k in own}
    options, rest = split_options({k: v for k, v in given.items() if k not in own})
    return options, {**rest, **kept}


def _refreshing(options: Mapping[str, Any]) -> str:
    """``refresh()`` always revalidates; a call asking for another cache mode is refused."""
    if options.get("cache", "refresh") != "refresh":
        raise InvalidRequestError(f"refresh() always revalidates; cache={options['cache']!r} contradicts it")
    return "refresh"
