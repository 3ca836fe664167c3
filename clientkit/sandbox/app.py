"""The sandbox: a stateful emulator of a declared service, as a WSGI application.

Every declared path of every resource answers in the service's own dialect: its
envelope, identity, expansion levels, paging style, error shape and auth. State
persists across requests (in memory, or in a SQLite file). On top of that the
sandbox keeps a journal of what it received, injects faults on demand, and accepts
extra routes for operations special to a service.
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import hashlib
import json
import random
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import attrs
from requests.structures import CaseInsensitiveDict

from clientkit._client.auth import Authenticator, PasswordLogin
from clientkit._declarations.convert import conforms, field_types, level_type
from clientkit._declarations.errors import InvalidRequestError
from clientkit._declarations.identity import spec_of
from clientkit._declarations.jobs import Job
from clientkit._declarations.keypaths import set_path
from clientkit._declarations.resource import Resource, ResourceSpec, fields_of
from clientkit._declarations.service import Service
from clientkit.sandbox import registry
from clientkit.sandbox.accounts import Accounts
from clientkit.sandbox.actions import ActionHandler, ServedAction, find, served_actions
from clientkit.sandbox.checks import report_failure
from clientkit.sandbox.envelopes import response_path, unwrap_request, wrap_response
from clientkit.sandbox.errors import render_error
from clientkit.sandbox.faults import BODY_KINDS, Fault, FaultPlan, broken_body
from clientkit.sandbox.files import Content, FileBody, file_response
from clientkit.sandbox.jobs import ServedJob
from clientkit.sandbox.journal import Entry, Journal, secret_names_of
from clientkit.sandbox.levels import read_level
from clientkit.sandbox.overrides import internals, refuse_overrides
from clientkit.sandbox.paging import PageQuery, serve_count, serve_page
from clientkit.sandbox.principals import caller_of, login_answer, path_credentials
from clientkit.sandbox.references import is_id, shown, store_ids
from clientkit.sandbox.scopes import accepts_int, place, read_table, seed_scope, seed_tables, typed
from clientkit.sandbox.store import MemoryStore, Record, SqliteStore
from clientkit.sandbox.uploads import FILES_PATH, Part, Uploads, drain, is_multipart, parse, payload, summary
from clientkit.sandbox.writes import ACKNOWLEDGED, acknowledges

try:
    from werkzeug.exceptions import MethodNotAllowed, NotFound
    from werkzeug.routing import Map, Rule
    from werkzeug.wrappers import Request, Response
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError("the sandbox needs werkzeug: pip install 'clientkit[sandbox]'") from exc

StartResponse = Callable[..., Any]


@attrs.define
class Reply:
    """What a sandbox handler answers: a status, a JSON body (or raw bytes), headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = attrs.field(factory=dict)
    content_type: str = "application/json"
    raw: bool = False


def _answering(handler: Handler, status: int | None) -> Handler:
    """An action's route answering its success with the status it declares (``Action(status=)``)."""
    if status is None:
        return handler

    def answer(req: SandboxRequest) -> Reply:
        result = handler(req)
        reply = result if isinstance(result, Reply) else Reply(200, result)
        return attrs.evolve(reply, status=status) if reply.status == 200 else reply

    return answer


@attrs.define
class SandboxRequest:
    """What a handler sees: the request, its path values, the caller, the sandbox."""

    request: Request
    params: dict[str, str]
    principal: str | None
    sandbox: Sandbox
    form: list[Part] | None = None  # the parts of a multipart/form-data body

    @property
    def json(self) -> Any:
        if not self.request.get_data():
            return None
        try:
            return json.loads(self.request.get_data())
        except ValueError:
            return None

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.args

    def error(self, status: int, message: str, field_errors: Mapping[str, list[str]] | None = None) -> Reply:
        return self.sandbox.error(status, message, field_errors)


Handler = Callable[[SandboxRequest], Any]


def _http_date(when: float) -> str:
    return email.utils.formatdate(when, usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    bare = etag.removeprefix("W/")
    candidates = [c.strip() for c in header.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == bare for c in candidates)


def _wire_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


@attrs.frozen
class _Bound:
    """A resource's handler, bound to its class and declaration (which its answers follow)."""

    op: Callable[[type[Resource], ResourceSpec, SandboxRequest], Reply]
    cls: type[Resource]
    spec: ResourceSpec

    def __call__(self, req: SandboxRequest) -> Reply:
        return self.op(self.cls, self.spec, req)


@attrs.define
class _Route:
    handler: Handler
    public: bool
    operation: str


class Sandbox:
    """A local, stateful emulator of ``service``, served on 127.0.0.1.

    Args:
        service: the service declaration.
        data: seed records: ``{"ResourceName": [wire dicts...]}``, or a JSON file of that.
        store: a SQLite file to keep state in across restarts (default: memory).
        accounts: tokens and logins the sandbox accepts (default: token ``sandbox-token``
            and login ``demo`` / ``demo-password``).
        seed: the seed of fault injection's random draws.
        page_size: the page size when a request names none.
        create_status, delete_status, validation_status: the statuses the service uses.
        resources: the resource classes to serve (default: every one the service declares).
        prefix: a path the service lives under (``"/api"`` when clients use ``{url}/api``;
            ``"/bot{token}"`` for a :class:`~clientkit.auth.PathToken`'s segment).
        keep_unknown: store fields a client sends that the model does not declare (as a
            lenient server does); ``False`` drops them (for services whose clients reject
            unknown fields in answers); a set of resource names keeps them for those only
            (schemaless records beside strict models).

    Example:
        >>> with Sandbox(Shop, data={"Product": [{"id": 1, "name": "Lamp"}]}) as url:
        ...     shop = Shop.connect(url, token="sandbox-token")
        ...     shop.get(Product, 1)
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A service's sandbox may not redefine the base's internals (``_route``, ``_routes``...)."""
        super().__init_subclass__(**kwargs)
        refuse_overrides(cls, Sandbox, _INTERNALS)

    def __init__(
        self,
        service: type[Service],
        data: Mapping[str, Iterable[Mapping[str, Any]]] | str | Path | None = None,
        *,
        store: str | Path | None = None,
        accounts: Accounts | None = None,
        seed: int = 0,
        page_size: int = 20,
        max_page_size: int | None = None,
        create_status: int = 201,
        delete_status: int = 204,
        validation_status: int = 422,
        resources: Iterable[type[Resource]] | None = None,
        prefix: str = "",
        keep_unknown: bool | AbstractSet[str] = True,
    ) -> None:
        self.service = service
        self.prefix = prefix.rstrip("/")
        self.keep_unknown = keep_unknown
        self.accounts = accounts or Accounts()
        self.faults = FaultPlan(seed)
        self._ids = random.Random(seed)
        self.store: MemoryStore = SqliteStore(store) if store else MemoryStore()
        self.uploads = Uploads()
        self.page_size = page_size
        self.max_page_size = max_page_size
        self.create_status = create_status
        self.delete_status = delete_status
        self.validation_status = validation_status
        self._map = Map(strict_slashes=False, merge_slashes=False)  # the routes added by hand
        self._declared = Map(strict_slashes=False, merge_slashes=False)  # those the declarations give
        self._routes: dict[str, _Route] = {}
        self._actions: dict[tuple[str, str], ServedAction] = {}
        self._server: Any = None
        self.resources = list(resources if resources is not None else service.resources.values())
        declared_secret = {f.wire.lower() for r in self.resources for f in r.__ck_fields__ if f.secret}
        self.journal = Journal(
            secret_names_of(service.auth) | declared_secret,
            self.accounts.secrets,
            self.accounts.fingerprint_key,
        )
        registry.check(service, self.resources)
        self._install_auth()
        self._add(FILES_PATH, ["GET"], _Route(self._uploaded, public=False, operation="download"))
        for cls in self.resources:
            self._install_resource(cls)
        self._install_token_checks()  # after the resources: a declared one on the same path wins
        if data is not None:
            self.seed(data)

    # -- routes ---------------------------------------------------------------------------

    def route(
        self,
        path: str,
        methods: Iterable[str] = ("GET",),
        *,
        public: bool = False,
        operation: str = "action",
        prefixed: bool = True,
    ) -> Callable[[Handler], Handler]:
        """Add a route for an operation special to the service.

        ``path`` uses ``{name}`` placeholders like resource paths. The handler gets a
        :class:`SandboxRequest` and returns a :class:`Reply`, or a JSON-able value sent
        as a 200 as it is. Routes require auth unless ``public``. ``prefixed=False`` puts the
        route outside ``prefix`` (a web app's assets beside an API under ``/v1``).

        Example:
            >>> @sandbox.route("/tasks/{code}", methods=["POST"])
            ... def run_task(req):
            ...     return {"id": "job-1", "status": "queued"}
        """

        def register(handler: Handler) -> Handler:
            route = _Route(handler, public, operation)
            self._add(path, [m.upper() for m in methods], route, mine=True, prefixed=prefixed)
            return handler

        return register

    def serve_file(
        self,
        path: str,
        content: Content,
        *,
        content_type: str = "application/octet-stream",
        filename: str | None = None,
        ranges: bool = True,
        public: bool = False,
    ) -> None:
        """Answer ``GET path`` with a file: ``content`` is bytes, a file path, ``Generated``
        bytes, or a function of the :class:`SandboxRequest` giving one of those. Bodies are
        streamed; ``Range`` requests get 206 (``ranges=False``: the server ignores them)."""

        def answer(req: SandboxRequest) -> Reply:
            source = content(req) if callable(content) else content
            return Reply(200, FileBody(source, filename, ranges), content_type=content_type, raw=True)

        self.route(path, ["GET", "HEAD"], public=public)(answer)

    def serve_job(self, job: Job, **behaviour: Any) -> ServedJob:
        """Serve a declared :class:`Job`'s start and status routes: jobs that run for a while
        and finish or fail (``duration``, ``fail``, ``result``, ``hint``, ``hidden_for``...:
        see :class:`ServedJob`)."""
        served = ServedJob(self, job, **behaviour)
        for template, method, answer in served.routes():
            self._add(template, [method], _Route(_replying(answer), False, "job"), mine=True)
        return served

    def action(self, resource: type[Resource], name: str) -> Callable[[ActionHandler], ActionHandler]:
        """Give the declared action ``name`` of ``resource`` behaviour, keeping its lookup.

        On one record, the handler gets a copy of the record found in its parents' scope (a
        404 answers first) and the request; a change it makes is stored (a new ``ETag``)
        unless it answers an error. On the collection it gets the scope's stored records.
        It returns a :class:`Reply`, a JSON value, or ``None`` for the default answer.

        Example:
            >>> @sandbox.action(Task, "close")
            ... def close(task, req):
            ...     task["done"] = True
        """

        served = find(self._actions, resource, name)  # refused now, not when decorating

        def register(handler: ActionHandler) -> ActionHandler:
            served.handler = handler
            return handler

        return register

    def _add(
        self, template: str, methods: list[str], route: _Route, *, mine: bool = False, prefixed: bool = True
    ) -> None:
        """Add a route; one added by hand (``mine``: ``route``, ``serve_file``, ``serve_job``)
        answers before any the declarations give, so it replaces one on the same path."""
        rule_path = ((self.prefix if prefixed else "") + template).replace("{", "<").replace("}", ">")
        endpoint = f"r{len(self._routes)}"
        (self._map if mine else self._declared).add(Rule(rule_path, endpoint=endpoint, methods=methods))
        self._routes[endpoint] = route

    def _install_auth(self) -> None:
        declared = self.service.auth
        for auth in declared.parts() if isinstance(declared, Authenticator) else ():
            if isinstance(auth, PasswordLogin):
                login, refresh = functools.partial(self._login, auth), functools.partial(self._refresh, auth)
                self._add(auth.path, [auth.method], _Route(login, public=True, operation="login"))
                if auth.refresh_path:
                    route = _Route(refresh, public=True, operation="login")
                    self._add(auth.refresh_path, [auth.method], route)

    def _install_token_checks(self) -> None:
        """The routes of ``PasswordLogin(check_token=...)``, answering who a token is."""
        declared = self.service.auth
        for auth in declared.parts() if isinstance(declared, Authenticator) else ():
            check = auth.token_check() if isinstance(auth, PasswordLogin) else None
            if check is not None:
                route = _Route(_whoami, public=False, operation="login")
                self._add(check.path, [check.method.upper()], route)

    def _install_resource(self, cls: type[Resource]) -> None:
        spec = spec_of(cls)

        def bind(op: Callable[[type[Resource], ResourceSpec, SandboxRequest], Reply]) -> Handler:
            return _Bound(op, cls, spec)

        if spec.many is not None:
            self._add(spec.many.template, ["GET"], _Route(bind(self._list), False, "list"))
            count = spec.paginator_in(self.service).count
            if count is not None and count.suffix:
                path = spec.many.template.rstrip("/") + count.suffix
                self._add(path, [count.method], _Route(bind(self._count), False, "count"))
        if spec.create is not None:
            self._add(spec.create.template, [spec.create_method], _Route(bind(self._create), False, "create"))
        if spec.one is not None:
            self._add(spec.one.template, ["GET"], _Route(bind(self._get), False, "get"))
        if spec.update is not None:
            if spec.update_method != spec.patch_method:  # the update verb replaces
                self._add(
                    spec.update.template, [spec.update_method], _Route(bind(self._update), False, "update")
                )
            self._add(spec.update.template, [spec.patch_method], _Route(bind(self._patch), False, "patch"))
        if spec.delete is not None:
            self._add(spec.delete.template, [spec.delete_method], _Route(bind(self._delete), False, "delete"))
        for served in served_actions(cls, _document):
            self._actions[(spec.name, served.name)] = served
            answer = _answering(served, spec.action_statuses.get(served.name))
            self._add(served.template.template, [served.method], _Route(answer, False, served.name))

    # -- seeding and state ---------------------------------------------------------------------

    def seed(self, data: Mapping[str, Iterable[Mapping[str, Any]]] | str | Path) -> None:
        """Add records: ``{"ResourceName": [wire dicts, ...]}`` or a JSON file of that.

        Records of nested resources carry their parent values under the parent's name
        (``{"store": "s1", "sku": "a"}``); those keys are used for placement only. Data of
        another shape (a key naming no resource, records that are not objects) raises
        :class:`~clientkit.errors.InvalidRequestError` naming the key and the file.
        """
        where = f"seed file {data}" if isinstance(data, str | Path) else "seed data"
        by_name = {spec_of(c).name: c for c in self.resources}
        for name, records in seed_tables(data, where, self.service.__name__, sorted(by_name)):
            cls = by_name[name]
            spec = spec_of(cls)
            for raw in records:
                body = store_ids(cls, dict(raw))
                context = {k: v for k, v in self.service.context.items() if _uses(spec, k)}
                fixed = {k: v for k, v in spec.path_params.items() if _uses(spec, k)}
                scope = seed_scope(cls, spec, body, {**context, **fixed})
                table = self._table(spec, scope)
                self._fill_identity(cls, spec, body, table, {})
                self.store.put(table, self._key(cls, spec, body), body)

    def scopes(self, resource: str | type[Resource]) -> list[dict[str, str]]:
        """The path values (parents, context values in the path) under which the store holds
        records of ``resource``: ``[{"book": "1"}]``, ``[{}]`` for a top-level one, ``[]`` when empty."""
        spec = spec_of(resource if isinstance(resource, type) else self._named(resource))
        names = {n for t in (spec.one, spec.many, spec.create) if t is not None for n in t.names}
        names |= set(spec.parents)
        found = [read_table(t, spec.name, names) for t in self.store.tables() if self.store.records(t)]
        return [scope for scope in found if scope is not None]

    def _named(self, name: str) -> type[Resource]:
        found = [c for c in self.resources if spec_of(c).name == name]
        if not found:
            known = sorted(spec_of(c).name for c in self.resources)
            raise InvalidRequestError(
                f"no resource named {name!r} in {self.service.__name__} (known: {known})"
            )
        return found[0]

    def records(self, resource: str | type[Resource], **scope: Any) -> list[dict[str, Any]]:
        """The stored wire bodies of a resource (in a parent scope, for nested ones)."""
        spec = spec_of(resource if isinstance(resource, type) else self._named(resource))
        return [r.body for r in self.store.records(self._table(spec, {k: str(v) for k, v in scope.items()}))]

    def _table(self, spec: ResourceSpec, values: Mapping[str, str]) -> str:
        scope = sorted((k, v) for k, v in values.items() if k not in spec.identity)
        return spec.name + "".join(f"|{k}={v}" for k, v in scope)

    def _wire(self, cls: type[Resource], name: str) -> str:
        return next((f.wire for f in fields_of(cls) if f.name == name), name)

    def _key(self, cls: type[Resource], spec: ResourceSpec, body: Mapping[str, Any]) -> str:
        return "|".join(str(body.get(self._wire(cls, n))) for n in spec.identity)

    def _fill_identity(
        self,
        cls: type[Resource],
        spec: ResourceSpec,
        body: dict[str, Any],
        table: str,
        values: Mapping[str, str],
    ) -> None:
        types = field_types(cls)
        for name in spec.identity:
            wire = self._wire(cls, name)
            if name in values:
                body[wire] = typed(values[name], types[name])
            elif body.get(wire) is None:
                body[wire] = self.store.next_id(table) if accepts_int(types[name]) else self.new_id()

    def new_id(self) -> str:
        """A fresh 24-hex-digit id (reproducible: drawn from the sandbox's seed)."""
        return f"{self._ids.getrandbits(96):024x}"

    # -- the generic operations -----------------------------------------------------------------

    def _level(self, spec: ResourceSpec, request: Request) -> int | tuple[str, ...] | None:
        if spec.expansion is None:
            return None
        param = spec.expansion.param
        return read_level(spec.expansion, {param: request.args.getlist(param)}, self.service.query)

    def render(
        self, cls: type[Resource], body: Mapping[str, Any], level: int | tuple[str, ...] | None
    ) -> dict[str, Any]:
        """A stored record as the service returns it at ``level`` (write-only fields dropped;
        a list field not yet covered by the level becomes its count where the type allows)."""
        spec = spec_of(cls)
        out = dict(body)
        types = field_types(cls)
        for info in fields_of(cls):
            covered = spec.expansion is None or spec.expansion.covers(level, info.level, info.name, info.wire)
            if info.write_only:
                out.pop(info.wire, None)
            elif info.reference and out.get(info.wire) is not None:
                out[info.wire] = shown(self, types[info.name], out[info.wire], covered and info.level > 0)
            elif not covered:
                value = out.get(info.wire)
                if isinstance(value, list) and accepts_int(types[info.name]):
                    out[info.wire] = len(value)
                else:
                    out.pop(info.wire, None)
        return out

    def _etag(self, table: str, key: str, record: Record) -> str:
        """The record's ETag: new on every change (a write, or an edit by a custom route), and
        not repeated by a record deleted and created again with other content."""
        digest = hashlib.sha1(f"{table}\0{key}\0{record.digest}".encode()).hexdigest()[:10]
        return f'"{digest}-v{record.version}"'

    def _one(
        self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest
    ) -> tuple[str, str, Record | None]:
        table = self._table(spec, req.params)
        body = {
            self._wire(cls, n): typed(req.params[n], field_types(cls)[n])
            for n in spec.identity
            if n in req.params
        }
        key = self._key(cls, spec, body)
        return table, key, self.store.get(table, key)

    def _resource_reply(
        self,
        cls: type[Resource],
        spec: ResourceSpec,
        req: SandboxRequest,
        table: str,
        key: str,
        record: Record,
        operation: str,
        status: int = 200,
    ) -> Reply:
        level = self._level(spec, req.request)
        headers = {"ETag": self._etag(table, key, record), "Last-Modified": _http_date(record.modified)}
        if acknowledges(spec, self.service, operation):
            if operation == "create" and spec.one is not None:
                values = {f.name: record.body.get(f.wire) for f in fields_of(cls)}
                headers["Location"] = self.prefix + spec.one.expand(
                    {**req.params, **values}, spec.segments_in(self.service)
                )
            return Reply(status, dict(ACKNOWLEDGED), headers=headers)
        payload = self.render(cls, record.body, level)
        envelope = spec.envelope_in(self.service)
        return Reply(status, wrap_response(envelope, payload, operation), headers=headers)

    def _get(self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest) -> Reply:
        table, key, record = self._one(cls, spec, req)
        if record is None:
            return self.error(404, f"{spec.name} {key} not found")
        return self._resource_reply(cls, spec, req, table, key, record, "get")

    def matching(self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest) -> list[dict[str, Any]]:
        """The records a list request's filters (query parameters naming fields) select; a
        service's sandbox may override it (BAPP narrows them by ``search``)."""
        level = self._level(spec, req.request)
        reserved = {spec.expansion.param} if spec.expansion else set()
        filters = {f.wire for f in fields_of(cls)}
        wanted = [(k, v) for k, v in req.request.args.items() if k in filters and k not in reserved]
        return [
            self.render(cls, r.body, level)
            for r in self.store.records(self._table(spec, req.params))
            if all(_wire_text(r.body.get(k)).lower() == v.lower() for k, v in wanted)
        ]

    def _count(self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest) -> Reply:
        """A declared ``CountRequest``'s own route: the number of matching records."""
        count = spec.paginator_in(self.service).count
        assert count is not None
        body, headers = serve_count(count, len(self.matching(cls, spec, req)))
        return Reply(200, body, headers=headers)

    def _list(self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest) -> Reply:
        table = self._table(spec, req.params)
        paginator = spec.paginator_in(self.service)
        items = self.matching(cls, spec, req)
        body_in = req.json if isinstance(req.json, Mapping) else {}
        served = serve_page(
            paginator,
            PageQuery(
                query=dict(req.request.args),
                body=body_in,
                url=req.request.url,
                default_size=self.page_size,
                max_size=self.max_page_size,
            ),
            items,
        )
        envelope = spec.envelope_in(self.service)
        items_path = paginator.items if isinstance(paginator.items, str) else response_path(envelope, "list")
        if items_path is None:
            body: Any = list(served.items)
        else:
            body = {}
            set_path(body, items_path, list(served.items))
            for path, value in served.meta.items():
                set_path(body, path, value)
        headers = dict(served.headers)
        count = paginator.count
        if count is not None and not count.suffix and count.method == req.request.method:
            headers.update(serve_count(count, len(items))[1])  # the count on the list's own path
            if count.at is not None and isinstance(body, dict):
                set_path(body, count.at, len(items))
        modified = self.store.modified(table)
        if modified:
            headers["Last-Modified"] = _http_date(modified)
        return Reply(200, body, headers=headers)

    def _payload(self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest, operation: str) -> Any:
        if req.form is not None:  # a form is never enveloped
            types = field_types(cls)
            return payload(req.form, {f.wire: types[f.name] for f in fields_of(cls)})
        return unwrap_request(spec.envelope_in(self.service), req.json, operation)

    def _uploaded(self, req: SandboxRequest) -> Reply:
        """An uploaded file, as it was received, streamed from disk (ranges too)."""
        file = self.uploads.get(req.params["id"])
        if file is None:
            return self.error(404, "no such file")
        ctype = file.content_type or "application/octet-stream"
        return Reply(200, FileBody(file.path, file.filename), content_type=ctype, raw=True)  # streamed

    def _invalid(
        self, cls: type[Resource], payload: Mapping[str, Any], *, creating: bool, request: Request
    ) -> dict[str, list[str]]:
        """Field errors of a written body; at a level that shows a field in full, a count
        in place of its list does not fit (it would replace the list)."""
        errors: dict[str, list[str]] = {}
        types = field_types(cls)
        spec = spec_of(cls)
        level = self._level(spec, request)
        for info in fields_of(cls):
            if info.read_only and not info.identity:
                continue
            if info.wire in payload:
                written = types[info.name]
                if spec.expansion is None or spec.expansion.covers(level, info.level, info.name, info.wire):
                    written = level_type(written, info.level)
                value = payload[info.wire]
                if not (self._fits(value, written) or (info.reference and is_id(value))):
                    errors[info.wire] = [f"Expected {_type_name(written)}."]
            elif creating and info.required:
                errors[info.wire] = ["This field is required."]
        return errors

    def _fits(self, value: Any, written: Any) -> bool:
        """Whether ``value`` has the JSON shape of ``written``, or the service's own converter
        hooks (a ``Money`` read from a number) accept it."""
        if conforms(value, written):
            return True
        try:
            self.service.converter.value(value, written)
        except Exception:  # any refusal of a hook means the value does not fit
            return False
        return True

    def _writable(self, cls: type[Resource], payload: Mapping[str, Any]) -> dict[str, Any]:
        """What a write stores: no read-only fields, and no count sent back in place of its
        list (the level the client wrote at showed the count; writing it changes nothing)."""
        infos = fields_of(cls)
        read_only = {f.wire for f in infos if f.read_only}
        declared = {f.wire for f in infos}
        types = field_types(cls)
        counts = {
            f.wire
            for f in infos
            if f.wire in payload
            and level_type(types[f.name], f.level) is not types[f.name]
            and not conforms(payload[f.wire], level_type(types[f.name], f.level))
        }
        context = spec_of(cls).context_in(self.service, "body")
        dropped = read_only | counts | (set(context) - declared)  # context: who asks
        keep = self.keep_unknown
        keep = keep if isinstance(keep, bool) else spec_of(cls).name in keep
        kept = {k: v for k, v in payload.items() if k not in dropped and (keep or k in declared)}
        return store_ids(cls, kept)

    def _create(self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest) -> Reply:
        payload = self._payload(cls, spec, req, "create")
        if not isinstance(payload, Mapping):
            return self.error(400, "the body must be a JSON object")
        errors = self._invalid(cls, payload, creating=True, request=req.request)
        if errors:
            return self.error(self.validation_status, "validation failed", errors)
        table = self._table(spec, req.params)
        body = self._writable(cls, payload)
        misplaced = place(cls, spec, body, req.params)
        if misplaced:
            return self.error(self.validation_status, "validation failed", misplaced)
        self._fill_identity(cls, spec, body, table, req.params)
        key = self._key(cls, spec, body)
        if self.store.get(table, key) is not None:
            return self.error(409, f"{spec.name} {key} already exists")
        record = self.store.put(table, key, body)
        return self._resource_reply(cls, spec, req, table, key, record, "create", self.create_status)

    def _update(self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest) -> Reply:
        return self._write(cls, spec, req, replace=True)

    def _patch(self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest) -> Reply:
        return self._write(cls, spec, req, replace=False)

    def _existing(
        self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest
    ) -> tuple[str, str, Record] | Reply:
        """The record a write targets, or the 404/412 answer that stops the write."""
        table, key, record = self._one(cls, spec, req)
        if record is None:
            return self.error(404, f"{spec.name} {key} not found")
        wanted = req.request.headers.get("If-Match")
        if wanted is not None and not _etag_matches(wanted, self._etag(table, key, record)):
            return self.error(412, "the resource changed since it was loaded (If-Match failed)")
        return table, key, record

    def _write(self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest, *, replace: bool) -> Reply:
        found = self._existing(cls, spec, req)
        if isinstance(found, Reply):
            return found
        table, key, record = found
        operation = "update" if replace else "patch"
        payload = self._payload(cls, spec, req, operation)
        if not isinstance(payload, Mapping):
            return self.error(400, "the body must be a JSON object")
        errors = self._invalid(cls, payload, creating=False, request=req.request)
        if errors:
            return self.error(self.validation_status, "validation failed", errors)
        kept = {f.wire for f in fields_of(cls) if f.read_only or f.identity or f.create_only}
        base = {k: v for k, v in record.body.items() if k in kept} if replace else dict(record.body)
        base.update(self._writable(cls, payload))
        for name in spec.identity:  # identity never changes through a write
            base[self._wire(cls, name)] = record.body.get(self._wire(cls, name))
        misplaced = place(cls, spec, base, req.params)
        if misplaced:
            return self.error(self.validation_status, "validation failed", misplaced)
        record = self.store.put(table, key, base)
        return self._resource_reply(cls, spec, req, table, key, record, operation)

    def _delete(self, cls: type[Resource], spec: ResourceSpec, req: SandboxRequest) -> Reply:
        found = self._existing(cls, spec, req)
        if isinstance(found, Reply):
            return found
        table, key, _ = found
        self.store.delete(table, key)
        return Reply(self.delete_status, None if self.delete_status == 204 else {})

    # -- auth -------------------------------------------------------------------------------------

    def _login(self, auth: PasswordLogin, req: SandboxRequest) -> Reply:
        failure = self.accounts.login_failure()
        if failure is not None:
            status, body = failure
            return Reply(status, body) if body is not None else self.error(status, "try again later")
        answer = login_answer(auth, req.json, self.accounts)
        return Reply(200, answer) if answer is not None else self.error(401, "invalid credentials")

    def _refresh(self, auth: PasswordLogin, req: SandboxRequest) -> Reply:
        answer = login_answer(auth, req.json, self.accounts, refresh=True)
        return Reply(200, answer) if answer is not None else self.error(401, "invalid refresh token")

    def _authenticate(self, request: Request, in_path: Mapping[str, str]) -> tuple[str | None, Reply | None]:
        auth = self.service.auth
        principal = "anonymous"
        if isinstance(auth, Authenticator):
            headers = CaseInsensitiveDict(request.headers.items())
            query = {**request.args, **in_path} if in_path else request.args
            found = caller_of(auth, request.method, headers, query, self.accounts)
            if found is None:
                return None, self.error(401, "authentication credentials were not provided or are invalid")
            principal = found
        for header, (_, used) in self.service.header_templates().items():
            value = request.headers.get(header)
            if value is None or not used:
                continue
            if not all(self.accounts.context_allowed(name, value) for name in used):
                return principal, self.error(403, f"{header} {value!r} is not allowed for this caller")
        return principal, None

    # -- answering ----------------------------------------------------------------------------------

    def error(self, status: int, message: str, field_errors: Mapping[str, list[str]] | None = None) -> Reply:
        """An error answer in the service's error shape."""
        request_id = secrets.token_hex(12)
        body = render_error(
            self.service.errors, status, message, field_errors=field_errors, request_id=request_id
        )
        return Reply(status, body, headers={"X-Request-Id": request_id})

    def finish(self, reply: Reply, req: SandboxRequest | None) -> Reply:
        """Last touch on every answer; service packages override it (a common envelope...)."""
        return reply

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        raw_path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(request.path)).split("?")[0]
        faults = self.faults.draw(request.method, unquote(raw_path))
        early = next((f for f in faults if f.kind in ("status", "drop", "html", "redirect")), None)
        routed = self._route(request, raw_path) if early is None else None
        refused = isinstance(routed, Reply)  # no route or no access: its files are never stored
        form, body = self._received(request, store=not refused)
        entry = self.journal.record(
            request.method,
            unquote(raw_path),
            environ.get("QUERY_STRING", ""),
            dict(request.headers.items()),
            body,
        )
        start_response = self._journaled(entry, start_response)
        for fault in faults:
            if fault.kind == "latency":
                time.sleep(fault.delay)
        if early is not None:
            self.uploads.discard(form or ())
            return self._early_fault(early, environ, start_response)
        assert routed is not None  # routed whenever no fault answers first
        reply, req = self._run(routed, request, form)
        if form and reply.status >= 400:
            self.uploads.discard(form)  # a write that failed keeps none of its files
        response = self._response(self.finish(self._reported(routed, reply), req), request)
        late = next((f for f in faults if f.kind in ("truncate", *BODY_KINDS)), None)
        if late is not None:
            return self._late_fault(late, response, environ, start_response)
        return response(environ, start_response)

    def _journaled(self, entry: Entry, start_response: StartResponse) -> StartResponse:
        """``start_response`` that first records the status in ``entry``'s journal, before any
        of the answer is sent (a dropped connection never starts one: its status stays ``None``)."""

        def answering(status: str, headers: Any, exc_info: Any = None) -> Any:
            self.journal.answered(entry, int(status.split(" ", 1)[0]))
            return start_response(status, headers, exc_info)

        return answering

    def _received(self, request: Request, store: bool = True) -> tuple[list[Part] | None, bytes]:
        """The parts of a multipart body (files stored as they stream in) and what the
        journal keeps of the body: the whole body, or a form's summary. Unless ``store``,
        a multipart body is read and dropped (a request refused before its route runs)."""
        if not is_multipart(request):
            return None, request.get_data()
        if not store:
            drain(request)
            return None, b""
        try:
            form = parse(request, self.uploads)
        except ValueError:
            return None, b""
        return form, summary(form)

    def _route(self, request: Request, raw_path: str) -> tuple[_Route, dict[str, str], str | None] | Reply:
        """The route of a request, its path values and its caller; or the refusal (no route,
        a method it does not allow, no access)."""
        try:
            endpoint, values = self._match(request, raw_path)
        except NotFound:
            return self.error(404, f"no route for {request.method} {unquote(raw_path)}")
        except MethodNotAllowed:
            return self.error(405, f"{request.method} is not allowed on {unquote(raw_path)}")
        route = self._routes[str(endpoint)]
        principal: str | None = None
        values = dict(values)
        in_path = {k: unquote(v) for k, v in path_credentials(self.service.auth, values).items()}
        if not route.public:
            principal, refused = self._authenticate(request, in_path)
            if refused is not None:
                return refused
        spec = getattr(route.handler, "spec", None)
        codec = spec.segments_in(self.service) if isinstance(spec, ResourceSpec) else self.service.segments
        return route, {k: codec.decode(str(v)) for k, v in values.items()}, principal

    def _match(self, request: Request, raw_path: str) -> tuple[Any, Mapping[str, Any]]:
        """The endpoint of a request and its path values: the routes added by hand first, then
        the declared ones; a 405 when some route takes the path but not the method."""
        refused: NotFound | MethodNotAllowed = NotFound()
        for rules in (self._map, self._declared):
            try:
                return rules.bind("sandbox", path_info=raw_path, url_scheme=request.scheme).match(
                    method=request.method
                )
            except MethodNotAllowed as exc:
                refused = exc
            except NotFound:
                pass
        raise refused

    def _run(
        self,
        routed: tuple[_Route, dict[str, str], str | None] | Reply,
        request: Request,
        form: list[Part] | None,
    ) -> tuple[Reply, SandboxRequest | None]:
        """The answer of a routed request: its handler's, or the refusal."""
        if isinstance(routed, Reply):
            return routed, None
        if form is None and is_multipart(request):
            return self.error(400, "the multipart body is malformed"), None
        route, params, principal = routed
        req = SandboxRequest(request=request, params=params, principal=principal, sandbox=self, form=form)
        result = route.handler(req)
        return (result if isinstance(result, Reply) else Reply(200, result)), req

    def _reported(self, routed: tuple[_Route, dict[str, str], str | None] | Reply, reply: Reply) -> Reply:
        """A refusal as the route's answer check reports it (the resource's, else the service's)."""
        spec = getattr(routed[0].handler, "spec", None) if isinstance(routed, tuple) else None
        check = spec.check_in(self.service) if isinstance(spec, ResourceSpec) else self.service.answer_check
        if check is None or reply.status < 400 or reply.raw:
            return reply
        error = self.service.errors.error_for(
            status=reply.status, body=reply.body, text="", headers={}, method="", url=""
        )
        status, body = report_failure(check, reply.status, reply.body, error.reason)
        return attrs.evolve(reply, status=status, body=body)

    def _response(self, reply: Reply, request: Request) -> Response:
        headers = dict(reply.headers)
        headers.setdefault("X-Request-Id", secrets.token_hex(12))
        if isinstance(reply.body, FileBody):
            return file_response(reply.body, reply.status, headers, reply.content_type, request)  # type: ignore[no-any-return]
        if reply.status == 204 or (reply.body is None and not reply.raw):
            return Response(b"", status=reply.status, headers=headers)
        if reply.raw:
            data = reply.body.encode() if isinstance(reply.body, str) else bytes(reply.body)
        else:
            data = json.dumps(reply.body, separators=(",", ":")).encode()
        if request.method in ("GET", "HEAD") and reply.status == 200:
            etag = headers.setdefault("ETag", f'"{hashlib.sha1(data).hexdigest()[:16]}"')
            inm = request.headers.get("If-None-Match")
            ims = request.headers.get("If-Modified-Since")
            modified = headers.get("Last-Modified")
            if inm is not None and _etag_matches(inm, etag):
                return Response(b"", status=304, headers=headers)
            if inm is None and ims and modified and _not_after(modified, ims):
                return Response(b"", status=304, headers=headers)
        return Response(data, status=reply.status, headers=headers, content_type=reply.content_type)

    def _early_fault(
        self, fault: Fault, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        if fault.kind == "drop":
            _close(environ)
            return []
        if fault.kind == "redirect":
            return Response(b"", status=302, headers={"Location": fault.location})(environ, start_response)
        if fault.kind == "html":
            page = f"<html><body><h1>{fault.status} Bad Gateway</h1><p>nginx</p></body></html>"
            return Response(
                page, status=fault.status if fault.status != 503 else 502, content_type="text/html"
            )(environ, start_response)
        reply = self.error(fault.status, "injected fault")
        if fault.retry_after is not None:
            reply.headers["Retry-After"] = fault.retry_after
        return self._response(self.finish(reply, None), Request(environ))(environ, start_response)

    def _late_fault(
        self, fault: Fault, response: Response, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        if fault.kind == "truncate":
            data = response.get_data()
            response.set_data(data[: max(1, len(data) // 2)])
            return response(environ, start_response)
        length = response.headers.get("Content-Length")
        chunks: Iterable[bytes]
        if length is None:
            data = response.get_data()
            chunks, size = [data], len(data)
        else:
            chunks, size = response.iter_encoded(), int(length)
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        headers.append(("Content-Length", str(size)))
        start_response(response.status, headers)
        return broken_body(fault, chunks, size, environ.get("werkzeug.socket"))

    # -- serving -------------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns the base URL."""
        from clientkit.sandbox.server import ServerThread

        self._server = ServerThread(self, host=host, port=port)
        return str(self._server.start())

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running; use start() or a with block")
        return str(self._server.url)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.store.close()
        self.uploads.close()


def _document(data: bytes, content_type: str) -> Reply:
    """An answer of ``data`` as a file of ``content_type``."""
    return Reply(200, FileBody(data), content_type=content_type, raw=True)


def _whoami(req: SandboxRequest) -> Reply:
    """The answer of a login's declared token check: who the token stands for."""
    return Reply(200, {"principal": req.principal})


def _replying(answer: Callable[[SandboxRequest], tuple[int, Any, dict[str, str]]]) -> Handler:
    return lambda req: Reply(*answer(req))


def _uses(spec: ResourceSpec, name: str) -> bool:
    return any(t is not None and name in t.names for t in (spec.one, spec.many, spec.create))


def _type_name(t: Any) -> str:
    return getattr(t, "__name__", None) or str(t).replace("typing.", "")


def _not_after(modified: str, since: str) -> bool:
    try:
        m = email.utils.parsedate_to_datetime(modified)
        s = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return m <= s


def _close(environ: Mapping[str, Any]) -> None:
    sock: socket.socket | None = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


_INTERNALS = internals(Sandbox)

__all__ = ["Reply", "Sandbox", "SandboxRequest"]
