"""The ``Resource`` base and the declaration of a resource's paths and identity.

Subclassing :class:`Resource` makes an attrs class; :func:`resource` adds where it lives.
Each loaded instance keeps the body it came from: that snapshot makes change tracking
exact (in-place edits too) and carries undeclared fields back to the server untouched.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

import attrs

from clientkit._declarations.answers import Answer, Kind
from clientkit._declarations.arguments import annotated
from clientkit._declarations.checks import AnswerCheck
from clientkit._declarations.context import ContextValue, merged, own_values
from clientkit._declarations.errors import DeclarationError, InvalidRequestError
from clientkit._declarations.expansion import Expansion
from clientkit._declarations.keywords import checked_keywords, checked_options
from clientkit._declarations.loaders import CHECK
from clientkit._declarations.paths import PLACEHOLDER, PathTemplate, SegmentCodec
from clientkit._declarations.writes import write_answers_of

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover
    from typing_extensions import dataclass_transform

if TYPE_CHECKING:
    from clientkit._declarations.envelope import Envelope
    from clientkit._declarations.paging import Paginator
    from clientkit._declarations.service import Service

_META = "clientkit"
R = TypeVar("R", bound="Resource")
T = TypeVar("T")


@attrs.frozen
class FieldInfo:
    """What clientkit knows about one declared field."""

    name: str
    wire: str
    read_only: bool = False
    write_only: bool = False
    identity: bool = False
    level: int = 0
    secret: bool = False
    required: bool = False
    create_only: bool = False
    send_null: bool = False
    reference: bool | str = False

    @property
    def writable(self) -> bool:
        return not self.read_only


def replaceable(info: FieldInfo) -> bool:
    """Whether a full replace sends (or, left out, erases) this field; a patch may change it."""
    return info.writable and not info.create_only


@checked_options
def field(
    *,
    wire: str | None = None,
    default: Any = None,
    factory: Callable[[], Any] | None = None,
    read_only: bool = False,
    write_only: bool = False,
    identity: bool = False,
    level: int = 0,
    secret: bool = False,
    required: bool = False,
    create_only: bool = False,
    send_null: bool = False,
    reference: bool | str = False,
    local: bool = False,
    converter: Callable[[Any], Any] | None = None,
    validator: Callable[[Any, Any, Any], Any] | None = None,
    check: Callable[[str, Any], Any] | bool | None = None,
    repr: bool = True,
) -> Any:
    """Declare a resource field with its wire name and role.

    Args:
        wire: the name on the wire, when it differs from the Python name.
        default: the value when the server did not send the field (``None``).
        factory: a callable producing the default (for lists and dicts).
        read_only: set by the server; never sent on create, update or save.
        write_only: sent but never returned (a password).
        identity: this field identifies the resource in its paths.
        level: the expansion level at which the server starts returning it.
        secret: kept out of ``repr`` and pickles; its values (loaded or sent, text or
            numbers) are masked in logs, errors and the sandbox journal.
        required: must be given on create (the sandbox answers a validation error otherwise).
        create_only: sent when the resource is created, never in an update.
        send_null: sent even when ``None`` (as ``null``) in create and set-field updates.
        reference: a nested resource sent as its id (``True``: its identity; a name: that
            field of it), while answers may hold the id or the whole object.
        local: a client-side setting kept on the object, never sent or read from the wire
            (an immutable default only).
        converter, validator: attrs' own, run on construction and assignment.
        check: ``check(name, value) -> value`` for values given in Python (construction and
            assignment): raises for a bad one, returns the value to keep; ``True``: fits the
            annotation (as ``check_arguments`` checks). Loads skip it, so they stay fast.

    Example:
        >>> class User(Resource):
        ...     email: str | None = field(identity=True)
        ...     first_name: str | None = field(wire="firstName")
        ...     roles: list[str] | None = field(level=1)
    """
    info = {k: v for k, v in locals().items() if k in _ROLES}
    if not isinstance(reference, bool | str) or reference == "":
        raise DeclarationError("reference= takes True or the name of the nested resource's id field")
    if local and factory is not None:
        raise DeclarationError("a local field takes an immutable default, not a factory")
    initial: dict[str, Any] = {"default": default} if factory is None else {"factory": factory}
    meta: dict[str, Any] = {_META: info, CHECK: check not in (None, False)}
    convert = converter if check in (None, False) else _as_converter(check, converter)
    shown = repr and not secret
    return attrs.field(**initial, converter=convert, validator=validator, metadata=meta, repr=shown)


def _as_converter(check: Callable[[str, Any], Any] | bool, converter: Any) -> Any:
    """A field's ``check`` as the attrs converter that runs it (with the field's name)."""
    if converter is not None:
        raise DeclarationError("a field takes a converter or a check, not both")
    if check is True:
        return attrs.Converter(
            lambda v, obj, a: annotated(type(obj), a.name, v), takes_self=True, takes_field=True
        )
    if not callable(check):
        raise DeclarationError("check= takes a callable or True")
    return attrs.Converter(lambda v, _, a: check(a.name, v), takes_self=True, takes_field=True)


#: The arguments of :func:`field` kept in the attribute's metadata.
_ROLES = frozenset(attrs.fields_dict(FieldInfo)) - {"name"} | {"local"}


def expansion(level: int = 1, **kwargs: Any) -> Any:
    """A field that appears (or becomes richer) from expansion ``level`` on."""
    return field(level=level, **kwargs)


@checked_keywords
@attrs.frozen
class Action:
    """A custom operation on a resource: ``Action("POST", "/apps/{id}/publish")``.

    ``answer`` is what it answers (``"json"``, ``"bytes"``, ``"text"`` or ``"stream"``) and
    ``accept`` the media types it takes (``"application/pdf"``); another type raises
    :class:`~clientkit.errors.UnexpectedContentType`. ``origin`` names one of the service's
    declared ``origins`` the action is sent to (``None``: the base URL's). ``status``: the one
    2xx status it must answer; another raises :class:`~clientkit.errors.UnexpectedStatus`.
    """

    method: str
    path: str
    status: int | None = None
    answer: Kind = "json"
    accept: str | tuple[str, ...] = ()
    origin: str | None = None

    @property
    def answers(self) -> Answer:
        """The declared answer as one value."""
        return Answer(self.answer, self.accept)


@attrs.frozen
class ResourceSpec:
    """Everything a session needs to know about where a resource lives."""

    name: str
    service: type | None
    one: PathTemplate | None
    many: PathTemplate | None
    create: PathTemplate | None
    update: PathTemplate | None
    delete: PathTemplate | None
    actions: Mapping[str, tuple[str, PathTemplate]]
    answers: Mapping[str, Answer]
    identity: tuple[str, ...]
    singleton: bool
    parents: tuple[str, ...]
    path_params: Mapping[str, Any]
    expansion: Expansion | None
    envelope: Envelope | None
    pagination: Paginator | None
    save_method: str
    create_method: str
    update_method: str
    patch_method: str = "PATCH"
    write_answers: Mapping[str, str] = attrs.field(factory=dict)
    answer_check: AnswerCheck | Literal[False] | None = None
    delete_method: str = "DELETE"
    segments: SegmentCodec | None = None
    parent_fields: tuple[str, ...] = ()
    action_origins: Mapping[str, str] = attrs.field(factory=dict)
    expandable: Mapping[str, str] = attrs.field(factory=dict)
    action_statuses: Mapping[str, int] = attrs.field(factory=dict)
    context_query: Mapping[str, Any] | bool | None = None
    context_body: Mapping[str, Any] | bool | None = None

    def template(self, operation: str) -> PathTemplate:
        """The path template of ``operation`` (an action name works too)."""
        if operation in self.actions:
            return self.actions[operation][1]
        tpl = {
            "get": self.one,
            "list": self.many,
            "create": self.create,
            "update": self.update,
            "patch": self.update,
            "delete": self.delete,
            "refresh": self.one,
        }.get(operation)
        if tpl is None:
            raise InvalidRequestError(f"{self.name} declares no path for {operation}")
        return tpl

    def envelope_in(self, service: type[Service]) -> Envelope:
        """The envelope in effect under ``service``: the resource's own, else the service's."""
        return self.envelope or service.envelope

    def write_answer_in(self, service: type[Service], operation: str) -> str:
        """What the ``operation`` write answers: the resource's declaration, else the service's."""
        declared = self.write_answers.get(operation)
        if declared is None:
            declared = write_answers_of(service.write_answers, service.__name__).get(operation)
        return declared or "representation"

    def check_in(self, service: type[Service]) -> AnswerCheck | None:
        """The answer check in effect: the resource's, none (``answer_check=False``), else the service's."""
        if self.answer_check is False:
            return None
        return self.answer_check if isinstance(self.answer_check, AnswerCheck) else service.answer_check

    def context_in(self, service: type[Service], where: Literal["query", "body"]) -> dict[str, Any]:
        """The context values of the resource's requests: the service's ``context_query`` (or
        ``context_body``) with the resource's own over them (``False``: none)."""
        own = self.context_query if where == "query" else self.context_body
        return merged(getattr(service, f"context_{where}"), own)

    def segments_in(self, service: type[Service]) -> SegmentCodec:
        """How path values become segments: the resource's codec, else the service's."""
        return self.segments or service.segments

    def paginator_in(self, service: type[Service]) -> Paginator:
        """The paging style in effect under ``service``: the resource's own, else the service's."""
        return self.pagination or service.pagination


# field() is not named a field specifier: checkers would then count a field as required
# unless its call passes default=, while every field() has a default when it runs.
@dataclass_transform(field_specifiers=(attrs.field,), kw_only_default=True)
class Resource:
    """Base class of declared resources; subclasses become attrs classes.

    Fields are keyword-only. A subclass is usable as a plain data class; decorate it
    with ``Service.resource(...)`` to give it paths.
    """

    __ck_fields__: ClassVar[tuple[FieldInfo, ...]] = ()
    __ck_local__: ClassVar[frozenset[str]] = frozenset()  # local fields: kept across reloads
    __ck_spec__: ClassVar[ResourceSpec | None] = None

    _ck_raw: ClassVar[Mapping[str, Any] | None] = None
    _ck_level: ClassVar[int | tuple[str, ...] | None] = None
    _ck_extra: ClassVar[dict[str, Any] | None] = None
    _ck_etag: ClassVar[str | None] = None
    _ck_parents: ClassVar[Mapping[str, Any] | None] = None
    _ck_whole: ClassVar[bool] = False
    _ck_assigned: ClassVar[AbstractSet[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        attrs.define(cls, slots=False, kw_only=True, eq=True, order=False)
        cls.__ck_fields__ = _collect_fields(cls)
        setter = cls.__setattr__
        cls.__setattr__ = _tracking(cls, getattr(setter, "_ck_setter", setter))  # type: ignore[method-assign]
        local = [a for a in attrs.fields(cls) if a.metadata.get(_META, {}).get("local")]  # type: ignore[arg-type]
        cls.__ck_local__ = frozenset(a.name for a in local)
        for a in local:  # loaded instances skip __init__; the class attribute is their default
            setattr(cls, a.name, None if a.default is attrs.NOTHING else a.default)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if "_ck_assigned" in state:
            state["_ck_assigned"] = set(state["_ck_assigned"])  # a copy records on its own
        secrets = [f for f in type(self).__ck_fields__ if f.secret]
        for info in secrets:
            state[info.name] = None
        raw = state.get("_ck_raw")
        if secrets and isinstance(raw, Mapping):
            state["_ck_raw"] = {k: v for k, v in raw.items() if k not in {s.wire for s in secrets}}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def _tracking(cls: type, setter: Callable[[Any, str, Any], None]) -> Callable[[Any, str, Any], None]:
    """``setter`` (attrs' or object's), recording which fields of a loaded object the caller
    assigns (loaded objects skip ``__init__``) until it is next loaded or saved. Fields without
    validators, converters or descriptors go straight into the instance dict (no second call)."""
    names = frozenset(a.name for a in attrs.fields(cls))
    direct = (
        frozenset(n for n in names if not any(hasattr(k.__dict__.get(n), "__set__") for k in cls.__mro__))
        if setter is object.__setattr__
        else frozenset()
    )

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if name in direct:
            state = self.__dict__
            state[name] = value
        else:
            setter(self, name, value)
            if name not in names:
                return
            state = self.__dict__
        if "_ck_raw" in state:
            record = state.get("_ck_assigned")
            if record is None:
                state["_ck_assigned"] = {name}
            else:
                record.add(name)

    __setattr__._ck_tracks = True  # type: ignore[attr-defined]
    __setattr__._ck_setter = setter  # type: ignore[attr-defined]
    return __setattr__


def assigned(obj: Resource, name: str) -> bool:
    """Whether field ``name`` of ``obj`` was assigned since ``obj`` was last loaded or saved."""
    return name in obj._ck_assigned


def _collect_fields(cls: type) -> tuple[FieldInfo, ...]:
    infos: list[FieldInfo] = []
    wires: dict[str, str] = {}
    for a in attrs.fields(cls):
        meta = dict(a.metadata.get(_META, {}))
        if meta.pop("local", False):
            continue
        wire = meta.pop("wire", None) or a.name
        if wire in wires:
            raise DeclarationError(
                f"{cls.__name__}: fields {wires[wire]!r} and {a.name!r} share the wire name {wire!r}"
            )
        wires[wire] = a.name
        level = meta.get("level", 0)
        if not isinstance(level, int) or level < 0:
            raise DeclarationError(f"{cls.__name__}.{a.name}: level must be a non-negative int")
        infos.append(FieldInfo(name=a.name, wire=wire, **meta))
    return tuple(infos)


def fields_of(cls_or_obj: type[Resource] | Resource) -> tuple[FieldInfo, ...]:
    """The declared fields of a resource class or instance."""
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    return cls.__ck_fields__


def is_new(obj: Resource) -> bool:
    """Whether ``obj`` was built locally and never loaded from or saved to the server."""
    return obj._ck_raw is None


def extra(obj: Resource) -> dict[str, Any]:
    """The fields the server sent that the model does not declare (mutable)."""
    if obj._ck_extra is None:
        obj.__dict__["_ck_extra"] = {}
    return obj.__dict__["_ck_extra"]  # type: ignore[no-any-return]


def loaded_level(obj: Resource) -> int | tuple[str, ...] | None:
    """The expansion level whose fields ``obj`` holds as the server has them (``None``: unknown
    or default): the level it was fetched at, lowered when a write's answer disagrees with an
    expanded field."""
    return obj._ck_level


def etag_of(obj: Resource) -> str | None:
    """The ``ETag`` the server sent with ``obj``, used for ``If-Match``."""
    return obj._ck_etag


@checked_options
def resource(
    service: type | None = None,
    *,
    one: str | None = None,
    many: str | None = None,
    create: str | None = None,
    update: str | None = None,
    delete: str | None = None,
    actions: Mapping[str, Action] | None = None,
    identity: str | Iterable[str] | None = None,
    singleton: bool = False,
    parents: Iterable[str] = (),
    path_params: Mapping[str, Any] | None = None,
    expansion: Expansion | None = None,
    envelope: Envelope | None = None,
    pagination: Paginator | None = None,
    save: str = "PATCH",
    create_method: str = "POST",
    update_method: str = "PUT",
    patch_method: str = "PATCH",
    delete_method: str = "DELETE",
    name: str | None = None,
    write_answers: str | Mapping[str, str] | None = None,
    answer_check: AnswerCheck | Literal[False] | None = None,
    segments: SegmentCodec | None = None,
    context_query: Mapping[str, ContextValue | None] | Literal[False] | None = None,
    context_body: Mapping[str, ContextValue | None] | Literal[False] | None = None,
) -> Callable[[type[R]], type[R]]:
    """Declare where a resource lives. Mistakes raise :class:`DeclarationError` here.

    Args:
        service: the service class the resource belongs to.
        one: path of one resource (``/app/{id}``); also the default for update and delete.
        many: path of the collection (``/apps``); also the default for create.
        create, update, delete: paths that differ from those defaults.
        actions: named custom operations, ``{"publish": Action("POST", "/app/{id}/publish")}``.
        identity: the identifying field(s): fields marked ``identity=True``, else ``id``.
        singleton: the resource has no identity (``/version``, ``/me``).
        parents: placeholders given at call time (``/apps/{app}/items``); a field may be one.
        path_params: placeholders with fixed values for this class.
        expansion, envelope, pagination, write_answers, answer_check, segments, context_query,
            context_body: overrides of the service's (``answer_check=False``: none; context
            values add to the service's, ``{"env": None}`` drops one, ``False`` all).
        save: how ``save()`` sends changes: ``"PATCH"`` (the changed fields, with
            ``patch_method``) or ``"PUT"`` (the whole resource, with ``update_method``).
        create_method, update_method, patch_method, delete_method: the verbs of create, full
            update, partial update and delete (``patch_method="PUT"``, ``delete_method="POST"``).

    Example: ``@Shop.resource(one="/products/{id}", many="/products")`` on a resource class.
    """

    declared = dict(locals())  # the arguments above, by name

    def decorate(cls: type[R]) -> type[R]:
        cls.__ck_spec__ = _build_spec(cls, declared)
        if service is not None and hasattr(service, "_register"):
            service._register(cls)
        return cls

    return decorate


_VERBS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def _build_spec(cls: type, declared: Mapping[str, Any]) -> ResourceSpec:
    """Check the arguments of :func:`resource` against ``cls``, in order, and build its spec."""
    if not (isinstance(cls, type) and issubclass(cls, Resource)):
        raise DeclarationError(f"{cls!r} must subclass clientkit.Resource to be declared a resource")
    service, singleton = declared["service"], declared["singleton"]
    expansion = _expansion(cls, service, declared["expansion"])
    ident = _identity(cls, declared["identity"], singleton)
    paths = _paths(cls, declared, ident)
    actions = _actions(cls, declared["actions"] or {})
    parents, path_params = tuple(declared["parents"]), dict(declared["path_params"] or {})
    context = tuple(getattr(service, "context", {}) or {}) if service is not None else ()
    known = {f.name for f in cls.__ck_fields__} | set(parents) | set(path_params) | set(context)
    known |= set(_path_credentials(service))
    _check_paths(cls, {**paths, **{f"action {n}": t for n, (_, t) in actions.items()}}, known, ident)
    _check_levels(cls, expansion)
    spec = ResourceSpec(
        name=declared["name"] or cls.__name__,
        service=service,
        **paths,
        actions=actions,
        answers=_answers(cls, declared["actions"] or {}),
        identity=ident,
        singleton=singleton,
        parents=parents,
        path_params=path_params,
        expansion=expansion,
        envelope=declared["envelope"],
        pagination=declared["pagination"],
        **_methods(cls, declared),
        **_answering(cls, declared),
        segments=_segments(cls, declared["segments"]),
        parent_fields=_parent_fields(cls, paths, parents, ident),
        action_origins=_action_origins(cls, service, declared["actions"] or {}),
        expandable=_expandable(cls),
        action_statuses=_action_statuses(cls, declared["actions"] or {}),
        context_query=own_values(declared["context_query"], context, f"{cls.__name__} context_query"),
        context_body=own_values(declared["context_body"], context, f"{cls.__name__} context_body"),
    )
    _check_routes(cls, spec)
    return spec


def _answering(cls: type, declared: Mapping[str, Any]) -> dict[str, Any]:
    """What the resource's writes answer and how its answers are checked, as declared."""
    check = declared["answer_check"]
    if not (check is None or check is False or isinstance(check, AnswerCheck)):
        raise DeclarationError(f"{cls.__name__}: answer_check must be an AnswerCheck or False")
    given = declared["write_answers"]
    answers = {} if given is None else write_answers_of(given, cls.__name__)
    return {"write_answers": answers, "answer_check": check}


def _segments(cls: type, segments: Any) -> SegmentCodec | None:
    if segments is not None and not isinstance(segments, SegmentCodec):
        raise DeclarationError(f"{cls.__name__}: segments must be a SegmentCodec")
    return segments


def _parent_fields(
    cls: type[Resource],
    paths: Mapping[str, PathTemplate | None],
    parents: tuple[str, ...],
    ident: tuple[str, ...],
) -> tuple[str, ...]:
    """Fields that also place the record (``project_id`` in ``/projects/{project_id}/tasks``):
    declared parents that are fields, and fields other than the identity in its paths."""
    names = {f.name for f in cls.__ck_fields__}
    used = [n for tpl in paths.values() if tpl is not None for n in tpl.names]
    return tuple(n for n in dict.fromkeys([*parents, *used]) if n in names and n not in ident)


def _template(cls: type, label: str, value: str | None) -> PathTemplate | None:
    if value is None:
        return None
    try:
        return PathTemplate(value)
    except DeclarationError as exc:
        raise DeclarationError(f"{cls.__name__} {label}: {exc.message}") from None


def _expansion(cls: type[Resource], service: type | None, expansion: Any) -> Expansion | None:
    """The resource's expansion, else its service's."""
    if expansion is None and service is not None:
        expansion = getattr(service, "expansion", None)
    if expansion is not None and not isinstance(expansion, Expansion):
        raise DeclarationError(f"{cls.__name__}: expansion must be an Expansion")
    return expansion


def _identity(cls: type[Resource], identity: str | Iterable[str] | None, singleton: bool) -> tuple[str, ...]:
    """The identifying fields: as given, else those marked ``identity=True``, else ``id``."""
    names = {f.name for f in cls.__ck_fields__}
    if singleton:
        if identity:
            raise DeclarationError(f"{cls.__name__}: a singleton has no identity")
        return ()
    if identity is not None:
        ident = (identity,) if isinstance(identity, str) else tuple(identity)
    else:
        ident = tuple(f.name for f in cls.__ck_fields__ if f.identity) or (("id",) if "id" in names else ())
    for n in ident:
        if n not in names:
            raise DeclarationError(f"{cls.__name__}: identity field {n!r} is not a declared field")
    return ident


def _paths(cls: type, declared: Mapping[str, Any], ident: tuple[str, ...]) -> dict[str, Any]:
    """The five path templates; create defaults to many, update and delete to one."""
    one, many = _template(cls, "one", declared["one"]), _template(cls, "many", declared["many"])
    paths = {
        "one": one,
        "many": many,
        "create": _template(cls, "create", declared["create"]) or many,
        "update": _template(cls, "update", declared["update"]) or one,
        "delete": _template(cls, "delete", declared["delete"]) or one,
    }
    if not any((one, many, paths["create"], declared["actions"])):
        raise DeclarationError(f"{cls.__name__}: declare at least one path (one=, many= or create=)")
    if not declared["singleton"] and not ident and one is not None:
        raise DeclarationError(
            f"{cls.__name__}: no identity field; mark one with field(identity=True), "
            "pass identity=, or declare singleton=True"
        )
    return paths


def _actions(cls: type, actions: Mapping[str, Action]) -> dict[str, tuple[str, PathTemplate]]:
    """Each custom operation as ``(method, template)``."""
    routes: dict[str, tuple[str, PathTemplate]] = {}
    for name, act in actions.items():
        if not isinstance(act, Action):
            raise DeclarationError(f"{cls.__name__}: action {name!r} must be an Action")
        if act.method.upper() not in _VERBS:
            raise DeclarationError(f"{cls.__name__}: action {name!r} has unknown method {act.method!r}")
        tpl = _template(cls, f"action {name}", act.path)
        assert tpl is not None
        routes[name] = (act.method.upper(), tpl)
    return routes


def _action_origins(cls: type, service: Any, actions: Mapping[str, Action]) -> dict[str, str]:
    """The declared origin of each action sent elsewhere than the base URL."""
    declared = getattr(service, "origins", None) if service is not None else None
    for name, act in actions.items():
        if act.origin is not None and declared is not None and act.origin not in declared:
            raise DeclarationError(f"{cls.__name__}: action {name!r} names undeclared origin {act.origin!r}")
    return {name: act.origin for name, act in actions.items() if act.origin is not None}


def _action_statuses(cls: type, actions: Mapping[str, Action]) -> dict[str, int]:
    """The one success status each action declares it must answer."""
    for name, act in actions.items():
        if act.status is not None and (type(act.status) is not int or not 200 <= act.status <= 299):
            raise DeclarationError(
                f"{cls.__name__}: action {name!r} status must be a 2xx int, not {act.status!r}"
            )
    return {name: act.status for name, act in actions.items() if act.status is not None}


def _answers(cls: type, actions: Mapping[str, Action]) -> dict[str, Answer]:
    """What each custom operation answers."""
    try:
        return {name: act.answers for name, act in actions.items()}
    except DeclarationError as exc:
        raise DeclarationError(f"{cls.__name__}: {exc.message}") from None


def _path_credentials(service: Any) -> tuple[str, ...]:
    """Placeholders the service's auth fills in declared paths (``PathToken(in_paths=True)``)."""
    holder = getattr(getattr(service, "auth", None), "path_placeholders", None)
    return tuple(holder()) if callable(holder) else ()


def _check_paths(
    cls: type, labelled: Mapping[str, PathTemplate | None], known: set[str], ident: tuple[str, ...]
) -> None:
    """Every placeholder names something known; the one path holds the whole identity."""
    for label, tpl in labelled.items():
        if tpl is None:
            continue
        for placeholder in tpl.names:
            if placeholder not in known:
                raise DeclarationError(
                    f"{cls.__name__} {label} path {tpl.template!r}: placeholder {{{placeholder}}} "
                    "is not a field, a parent, a path parameter or a service context name"
                )
    one = labelled["one"]
    if one is not None and (missing := [n for n in ident if n not in one.names]):
        raise DeclarationError(
            f"{cls.__name__}: the one path {one.template!r} does not contain identity {missing}"
        )


def _expandable(cls: type[Resource]) -> dict[str, str]:
    """The names (Python and wire) of the fields a list level may name, to their wire names."""
    return {n: f.wire for f in cls.__ck_fields__ if f.level > 0 for n in (f.name, f.wire)}


def _check_levels(cls: type[Resource], expansion: Expansion | None) -> None:
    """Field levels fit the expansion; without one, no field may declare a level."""
    if expansion is None:
        leveled = [f.name for f in cls.__ck_fields__ if f.level > 0]
        if leveled:
            raise DeclarationError(
                f"{cls.__name__}: fields {leveled} declare a level but the resource has no expansion"
            )
    elif expansion.style == "list" and expansion.default is not None:
        try:
            expansion.normalize(None, _expandable(cls))
        except InvalidRequestError as exc:
            raise DeclarationError(f"{cls.__name__}: the expansion's default {exc.message}") from None
    elif expansion.style != "list":
        for f in cls.__ck_fields__:
            if f.level > expansion.max_level:
                raise DeclarationError(
                    f"{cls.__name__}.{f.name}: level {f.level} exceeds the expansion's "
                    f"max_level {expansion.max_level}"
                )


def _methods(cls: type, declared: Mapping[str, Any]) -> dict[str, Any]:
    """The HTTP verbs of save, create, full and partial update and delete, upper-cased."""
    verbs = {"save_method": declared["save"].upper()}
    if verbs["save_method"] not in ("PATCH", "PUT"):
        raise DeclarationError(f"{cls.__name__}: save must be PATCH or PUT, not {verbs['save_method']!r}")
    for name in ("create_method", "update_method", "patch_method", "delete_method"):
        verbs[name] = str(declared[name]).upper()
        if verbs[name] not in _VERBS:
            raise DeclarationError(f"{cls.__name__}: {name} {declared[name]!r} is not an HTTP method")
    return verbs


def _check_routes(cls: type, spec: ResourceSpec) -> None:
    """No two operations share a method and a path: a server could not tell them apart."""
    routes: dict[tuple[str, str], str] = {}
    ops = [("get", "GET", spec.one), ("list", "GET", spec.many), ("create", spec.create_method, spec.create)]
    ops += [("update", spec.update_method, spec.update), ("patch", spec.patch_method, spec.update)]
    ops += [("delete", spec.delete_method, spec.delete)]
    ops += [(f"action {n}", m, t) for n, (m, t) in spec.actions.items()]
    for operation, method, tpl in ops:
        if tpl is None or (operation == "patch" and method == spec.update_method):
            continue  # a patch by the update verb is the update's own route (a merging update)
        earlier = routes.setdefault((method, PLACEHOLDER.sub("{}", tpl.template)), operation)
        if earlier != operation:
            raise DeclarationError(
                f"{cls.__name__}: {operation} and {earlier} are both {method} {tpl.template}; "
                "declare another path or method for one of them"
            )
