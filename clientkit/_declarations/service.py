"""A service's declaration: where it lives and the dialect it speaks, checked when the
class is created; :meth:`Service.connect` opens a session through the client layer."""

from __future__ import annotations

import difflib
import inspect
import os
import ssl
from collections import abc
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Concatenate, ParamSpec, TypeVar, cast

from clientkit._declarations.checks import AnswerCheck, refuse_field_codes
from clientkit._declarations.context import ContextValue, made_values, refuse_collisions
from clientkit._declarations.convert import Converter
from clientkit._declarations.envelope import Envelope
from clientkit._declarations.errors import DeclarationError, ErrorShape, InvalidRequestError
from clientkit._declarations.expansion import Expansion
from clientkit._declarations.options import MAX_BODY, CacheConfig, Timeout
from clientkit._declarations.origins import Environment, Origin, check_places, check_url
from clientkit._declarations.paging import Paginator
from clientkit._declarations.paths import PERCENT, PLACEHOLDER, SegmentCodec
from clientkit._declarations.resource import Resource, fields_of, resource
from clientkit._declarations.retry import RetryPolicy
from clientkit._declarations.wire import JsonCodec, QueryStyle, check_header_value
from clientkit._declarations.writes import refuse_lost_identity, write_answers_of

if TYPE_CHECKING:
    import requests
    from requests.auth import AuthBase

    from clientkit._client.session import Session

R = TypeVar("R", bound=Resource)
P = ParamSpec("P")
T = TypeVar("T")
_OPENERS: list[Callable[..., Session]] = []


def opens_sessions(opener: Callable[..., Session]) -> Callable[..., Session]:
    """Register the client layer's session opener, which ``Service.connect`` calls (the
    declarations cannot import the client that is built on them)."""
    _OPENERS[:] = [opener]
    return opener


def _options_of(
    declare: Callable[Concatenate[Any, P], T],
) -> Callable[[Callable[..., T]], Callable[Concatenate[Any, P], T]]:
    """A method with the options of ``declare`` (whose first argument the method fills), so
    checkers know every option of ``Service.resource(...)`` (and a lambda's types), as
    ``help()`` does."""

    def typed(method: Callable[..., T]) -> Callable[Concatenate[Any, P], T]:
        setattr(method, "__signature__", inspect.signature(declare))  # noqa: B010
        return method

    return typed


_DECLARATIONS: dict[str, tuple[type, ...]] = {
    "base_url": (str,),
    "environments": (Mapping,),
    "origins": (Mapping,),
    "auth": (cast(type, abc.Callable), type(None)),  # a requests auth: called with each prepared request
    "envelope": (Envelope,),
    "errors": (ErrorShape,),
    "pagination": (Paginator,),
    "expansion": (Expansion, type(None)),
    "headers": (Mapping,),
    "context": (Mapping,),
    "context_query": (Mapping,),
    "context_body": (Mapping,),
    "context_body_first": (bool,),
    "json": (JsonCodec,),
    "query": (QueryStyle,),
    "retry": (RetryPolicy,),
    "timeout": (Timeout,),
    "max_body": (int,),
    "idempotency_header": (str, type(None)),
    "user_agent": (str, type(None)),
    "cache": (CacheConfig, type(None)),
    "write_answers": (str, Mapping),
    "answer_check": (AnswerCheck, type(None)),
    "segments": (SegmentCodec,),
}


class Service:
    """Base class of service declarations.

    Attributes:
        base_url: the default base URL (``connect(base_url=...)`` overrides it).
        environments: named presets, chosen with ``connect(environment=...)``: a base URL
            or an :class:`Environment` (with its own URLs for declared origins).
        origins: other origins calls may reach by name (``origin="files"``): a URL or an
            :class:`Origin` (``credentials=True`` to send it the credential and headers).
        auth: the auth strategy, declared without credentials.
        envelope: where payloads sit in bodies.
        errors: the shape of error bodies.
        pagination: the list paging style.
        expansion: how to ask for more detail (resources may override).
        headers: headers on every request to the service; values may name context
            entries (``{"x-tenant-id": "{tenant}"}``) and are left out while those are ``None``.
        context: the per-session values (tenant, app, workspace) and their defaults.
        context_query, context_body: parameters added to every request's query, and keys
            added to every JSON object body: templates of context names
            (``{"userId": "{user}"}``) or callables of the context (or of nothing), left
            out while ``None``; a call's own key with another value is refused.
        context_body_first: put ``context_body`` keys before a JSON body's own keys (the key
            order an official client sends), rather than after them.
        json, query: body and query-string spelling.
        retry, timeout: transport defaults.
        max_body: the largest decoded response body accepted, in bytes (256 MiB);
            a larger one raises ``DecodeError``.
        idempotency_header: a header carrying a fresh key per POST/PATCH, which makes
            those retryable.
        cache: the default :class:`~clientkit.CacheConfig` (``None``: no cache).
        write_answers: what writes answer (``"representation"``, ``"none"``, ``"refetch"``),
            for every write or per operation; resources may override it.
        answer_check: where 2xx answers report failure (an :class:`AnswerCheck`); resources
            may override it.
        segments: how path values become segments (:class:`SegmentCodec`; percent-encoding).

    Example:
        >>> class Shop(Service):
        ...     base_url = "https://shop.example.com/api"
        ...     auth = TokenAuth(scheme="Bearer")
        ...     envelope = Envelope(response="data")
        ...     headers = {"X-Store": "{store}"}
        ...     context = {"store": None}
    """

    base_url: ClassVar[str] = ""
    environments: ClassVar[Mapping[str, str | Environment]] = {}
    origins: ClassVar[Mapping[str, str | Origin]] = {}
    auth: ClassVar[AuthBase | None] = None
    envelope: ClassVar[Envelope] = Envelope()
    errors: ClassVar[ErrorShape] = ErrorShape()
    pagination: ClassVar[Paginator] = Paginator()
    expansion: ClassVar[Expansion | None] = None
    headers: ClassVar[Mapping[str, str | None]] = {}
    context: ClassVar[Mapping[str, Any]] = {}
    context_query: ClassVar[Mapping[str, ContextValue]] = {}
    context_body: ClassVar[Mapping[str, ContextValue]] = {}
    context_body_first: ClassVar[bool] = False
    json: ClassVar[JsonCodec] = JsonCodec()
    query: ClassVar[QueryStyle] = QueryStyle()
    retry: ClassVar[RetryPolicy] = RetryPolicy()
    timeout: ClassVar[Timeout] = Timeout()
    max_body: ClassVar[int] = MAX_BODY
    idempotency_header: ClassVar[str | None] = None
    user_agent: ClassVar[str | None] = None
    cache: ClassVar[CacheConfig | None] = None
    write_answers: ClassVar[str | Mapping[str, str]] = "representation"
    answer_check: ClassVar[AnswerCheck | None] = None
    segments: ClassVar[SegmentCodec] = PERCENT

    converter: ClassVar[Converter]
    resources: ClassVar[dict[str, type[Resource]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _validate(cls)
        cls.converter = Converter()
        cls.configure_converter(cls.converter)
        cls.resources = {}

    @classmethod
    def configure_converter(cls, converter: Converter) -> None:
        """Override to register cattrs hooks for the service's own types."""

    @classmethod
    @_options_of(resource)
    def resource(cls, **kwargs: Any) -> Callable[[type[R]], type[R]]:
        """Declare a resource of this service; see :func:`clientkit.model.resource`."""
        return resource(cls, **kwargs)

    @classmethod
    def _register(cls, resource_cls: type[Resource]) -> None:
        spec = resource_cls.__ck_spec__
        name = spec.name if spec is not None else resource_cls.__name__
        if spec is not None and (check := spec.check_in(cls)) is not None:
            envelope = spec.envelope_in(cls)
            payloads = [envelope.for_op(op).response for op in ("get", "create", "update", "patch")]
            refuse_field_codes(check, name, payloads, [f.wire for f in fields_of(resource_cls)])
        if spec is not None and (spec.many or spec.create) is not None:
            assigned = [f.name for f in fields_of(resource_cls) if f.name in spec.identity and f.read_only]
            refuse_lost_identity(name, spec.write_answer_in(cls, "create"), assigned)
        if spec is not None:
            sent = [f.wire for f in fields_of(resource_cls) if not f.read_only]
            params = [spec.expansion.param] if spec.expansion is not None else []
            refuse_collisions(name, spec.context_in(cls, "body"), spec.context_in(cls, "query"), sent, params)
        cls.resources[name] = resource_cls

    @classmethod
    def header_templates(cls) -> dict[str, tuple[str | None, tuple[str, ...]]]:
        """Header name -> (template, context names it uses)."""
        return {k: (v, tuple(PLACEHOLDER.findall(v)) if v else ()) for k, v in cls.headers.items()}

    @classmethod
    def connect(
        cls,
        base_url: str | None = None,
        *,
        environment: str | None = None,
        auth: AuthBase | None = None,
        timeout: Timeout | float | tuple[float | None, float | None] | None = None,
        retries: RetryPolicy | int | None = None,
        headers: Mapping[str, str | None] | None = None,
        cache: CacheConfig | bool | str | os.PathLike[str] | None = None,
        http: requests.Session | None = None,
        pool_size: int = 10,
        verify: bool | str | ssl.SSLContext | None = None,
        origins: Mapping[str, str] | None = None,
        trace: bool = True,
        **kwargs: Any,
    ) -> Session:
        """Open a session to the service.

        Keyword arguments named in ``context`` set the session context; the others
        are credentials for the declared auth strategy (``token=``, ``username=`` and
        ``password=``...). ``auth=`` replaces the declared strategy entirely. ``origins=``
        moves declared origins for this session (``{"files": "http://127.0.0.1:8001"}``).
        ``trace=False`` leaves the session's exchanges out of the ``clientkit.http`` log.
        ``cache=True`` stores answers on disk in ``~/.cache/clientkit/<service>.sqlite`` (lower case)
        (``$XDG_CACHE_HOME/clientkit`` when set); ``cache="path.sqlite"`` or
        ``CacheConfig(location=...)`` picks another place, ``CacheConfig(backend="memory")`` none.

        Example:
            >>> session = Shop.connect("https://shop.example.com/api", token="...", store="eu")
        """
        options = {k: v for k, v in locals().items() if k not in ("cls", "kwargs")}
        if not _OPENERS:
            raise DeclarationError("no session opener: import clientkit (not only its declarations)")
        return _OPENERS[0](cls, **options, **kwargs)


def _validate(cls: type[Service]) -> None:
    for name, value in vars(cls).items():
        if name.startswith("_") or name.isupper():
            continue
        if name in _DECLARATIONS:
            expected = _DECLARATIONS[name]
            if not isinstance(value, expected):
                names = " or ".join(t.__name__ for t in expected)
                raise DeclarationError(f"{cls.__name__}.{name} must be {names}, not {type(value).__name__}")
            continue
        if callable(value) or isinstance(value, classmethod | staticmethod | property):
            continue
        guess = difflib.get_close_matches(name, list(_DECLARATIONS), n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        raise DeclarationError(f"{cls.__name__}.{name} is not a service declaration{hint}")
    if "base_url" in vars(cls) and cls.base_url:
        check_url(cls.base_url, f"{cls.__name__}.base_url")
    check_places(cls.__name__, cls.environments, cls.origins)
    for header, value in cls.headers.items():
        try:
            check_header_value(header, value or "")
        except InvalidRequestError as exc:
            raise DeclarationError(f"{cls.__name__}.headers: {exc.message}") from None
        for used in PLACEHOLDER.findall(value or ""):
            if used not in cls.context:
                raise DeclarationError(
                    f"{cls.__name__}.headers[{header!r}] uses {{{used}}}, which is not in context"
                )
    write_answers_of(cls.write_answers, cls.__name__)
    for name in ("context_query", "context_body"):
        made_values(getattr(cls, name), cls.context, f"{cls.__name__}.{name}")
    for key in cls.context:
        if not isinstance(key, str) or not key.isidentifier():
            raise DeclarationError(f"{cls.__name__}.context keys must be identifiers, not {key!r}")
    accepts = getattr(cls.auth, "accepts", None)
    credentials = set(accepts()) if callable(accepts) and accepts() else set()
    clash = credentials & set(cls.context)
    if clash:
        raise DeclarationError(f"{cls.__name__}: context names {sorted(clash)} clash with credentials")
    taken = (credentials | set(cls.context)) & _CONNECT_PARAMETERS
    if taken:
        raise DeclarationError(f"{cls.__name__}: {sorted(taken)} are connect()'s own arguments")


_CONNECT_PARAMETERS = frozenset(inspect.signature(Service.connect).parameters) - {"kwargs"}
