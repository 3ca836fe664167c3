"""The ``Resource`` base and the declaration of a resource's paths and identity.

A resource is an attrs class. Subclassing :class:`Resource` makes it one (no
decorator needed for the data part); :func:`resource` (or ``Service.resource``)
adds where it lives: path templates for one / many / create / update / delete,
custom actions, the identity field, parent placeholders, singletons, the
expansion levels and per-resource envelope or pagination.

Each loaded instance remembers the body it came from. That snapshot is what makes
change tracking exact (including in-place edits of lists and dicts) and what lets
fields the model does not declare travel back to the server untouched.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

from clientkit._declarations.errors import DeclarationError, InvalidRequestError
from clientkit._declarations.expansion import Expansion
from clientkit._declarations.paths import PathTemplate

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover
    from typing_extensions import dataclass_transform

if TYPE_CHECKING:
    from clientkit._declarations.envelope import Envelope
    from clientkit._declarations.paging import Paginator

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

    @property
    def writable(self) -> bool:
        return not self.read_only


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
    local: bool = False,
    converter: Callable[[Any], Any] | None = None,
    validator: Callable[[Any, Any, Any], Any] | None = None,
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
        local: a client-side setting kept on the object, never sent or read from the wire
            (an immutable default only).
        converter, validator: attrs' own, run on construction and assignment.

    Example:
        >>> class User(Resource):
        ...     email: str | None = field(identity=True)
        ...     first_name: str | None = field(wire="firstName")
        ...     roles: list[str] | None = field(level=1)
    """
    info = {
        "wire": wire,
        "read_only": read_only,
        "write_only": write_only,
        "identity": identity,
        "level": level,
        "secret": secret,
        "required": required,
        "create_only": create_only,
        "send_null": send_null,
    }
    if local and factory is not None:
        raise DeclarationError("a local field takes an immutable default, not a factory")
    info["local"] = local
    extra: dict[str, Any] = {"converter": converter, "validator": validator}
    extra = {k: v for k, v in extra.items() if v is not None}
    if factory is not None:
        return attrs.field(factory=factory, metadata={_META: info}, repr=repr and not secret, **extra)
    return attrs.field(default=default, metadata={_META: info}, repr=repr and not secret, **extra)


def expansion(level: int = 1, **kwargs: Any) -> Any:
    """A field that appears (or becomes richer) from expansion ``level`` on."""
    return field(level=level, **kwargs)


@attrs.frozen
class Action:
    """A custom operation on a resource: ``Action("POST", "/apps/{id}/publish")``."""

    method: str
    path: str
    status: int | None = None


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


@dataclass_transform(field_specifiers=(field, expansion, attrs.field), kw_only_default=True)
class Resource:
    """Base class of declared resources; subclasses become attrs classes.

    Fields are keyword-only. A subclass is usable as a plain data class; decorate it
    with ``Service.resource(...)`` to give it paths.
    """

    __ck_fields__: ClassVar[tuple[FieldInfo, ...]] = ()
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
        for a in attrs.fields(cls):  # type: ignore[arg-type]
            if a.metadata.get(_META, {}).get("local"):
                # loaded instances skip __init__; the class attribute is their default
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
    """``setter`` (attrs' or object's), recording which fields of a loaded object are assigned.

    Loaded objects never run ``__init__``, so only the caller's assignments are recorded
    (into a set in the instance dict, created at the first one); the record lasts until
    the object is next loaded or saved. Fields without validators, converters or
    descriptors are stored straight into the instance dict (an assignment costs a dict
    write, not a second call).
    """
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


def spec_of(cls_or_obj: type[Resource] | Resource) -> ResourceSpec:
    """The path declaration of a resource (raises when it has none)."""
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    spec: ResourceSpec | None = cls.__dict__.get("__ck_spec__") or getattr(cls, "__ck_spec__", None)
    if spec is None:
        raise DeclarationError(
            f"{cls.__name__} has no paths; decorate it with Service.resource(...) or clientkit.resource(...)"
        )
    return spec


def identity_of(obj: Resource) -> Any:
    """The identity value of ``obj`` (a tuple for composite identities)."""
    spec = spec_of(obj)
    values = tuple(getattr(obj, name) for name in spec.identity)
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def is_new(obj: Resource) -> bool:
    """Whether ``obj`` was built locally and never loaded from or saved to the server."""
    return obj._ck_raw is None


def extra(obj: Resource) -> dict[str, Any]:
    """The fields the server sent that the model does not declare (mutable)."""
    if obj._ck_extra is None:
        obj.__dict__["_ck_extra"] = {}
    assert obj._ck_extra is not None
    return obj._ck_extra


def loaded_level(obj: Resource) -> int | tuple[str, ...] | None:
    """The expansion level whose fields ``obj`` holds as the server has them (``None``: unknown
    or default): the level it was fetched at, lowered when a write's answer disagrees with an
    expanded field."""
    return obj._ck_level


def etag_of(obj: Resource) -> str | None:
    """The ``ETag`` the server sent with ``obj``, used for ``If-Match``."""
    return obj._ck_etag


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
    name: str | None = None,
) -> Callable[[type[R]], type[R]]:
    """Declare where a resource lives. Mistakes raise :class:`DeclarationError` here.

    Args:
        service: the service class the resource belongs to.
        one: path of one resource (``/app/{id}``); also the default for update and delete.
        many: path of the collection (``/apps``); also the default for create.
        create, update, delete: paths that differ from those defaults.
        actions: named custom operations, ``{"publish": Action("POST", "/app/{id}/publish")}``.
        identity: the identifying field(s); defaults to fields marked ``identity=True``,
            else a field named ``id``.
        singleton: the resource has no identity (``/version``, ``/me``).
        parents: placeholders given at call time that are not fields (``/apps/{app}/items``).
        path_params: placeholders with fixed values for this class.
        expansion: how to ask for more detail, if the resource has levels.
        envelope, pagination: overrides of the service's declarations.
        save: how ``save()`` sends changes: ``"PATCH"`` (the changed fields, with
            ``patch_method``) or ``"PUT"`` (the whole resource, with ``update_method``).
        create_method, update_method, patch_method: the verbs of create, full update and
            partial update (an API that takes partial updates by PUT declares
            ``patch_method="PUT"``).

    Example:
        >>> @Shop.resource(one="/products/{id}", many="/products")
        ... class Product(Resource):
        ...     id: int | None = field(read_only=True)
        ...     name: str | None = None
    """

    def decorate(cls: type[R]) -> type[R]:
        spec: ResourceSpec = _build_spec(
            cls,
            service=service,
            one=one,
            many=many,
            create=create,
            update=update,
            delete=delete,
            actions=actions or {},
            identity=identity,
            singleton=singleton,
            parents=tuple(parents),
            path_params=dict(path_params or {}),
            expansion=expansion,
            envelope=envelope,
            pagination=pagination,
            save=save,
            create_method=create_method,
            update_method=update_method,
            patch_method=patch_method,
            name=name or cls.__name__,
        )
        cls.__ck_spec__ = spec
        if service is not None and hasattr(service, "_register"):
            service._register(cls)
        return cls

    return decorate


_VERBS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def _template(cls: type, label: str, value: str | None) -> PathTemplate | None:
    if value is None:
        return None
    try:
        return PathTemplate(value)
    except DeclarationError as exc:
        raise DeclarationError(f"{cls.__name__} {label}: {exc.message}") from None


def _build_spec(
    cls: type,
    *,
    service: type | None,
    one: str | None,
    many: str | None,
    create: str | None,
    update: str | None,
    delete: str | None,
    actions: Mapping[str, Action],
    identity: str | Iterable[str] | None,
    singleton: bool,
    parents: tuple[str, ...],
    path_params: dict[str, Any],
    expansion: Expansion | None,
    envelope: Envelope | None,
    pagination: Paginator | None,
    save: str,
    create_method: str,
    update_method: str,
    patch_method: str,
    name: str,
) -> ResourceSpec:
    if not (isinstance(cls, type) and issubclass(cls, Resource)):
        raise DeclarationError(f"{cls!r} must subclass clientkit.Resource to be declared a resource")
    infos = cls.__ck_fields__
    field_names = {f.name for f in infos}
    if expansion is None and service is not None:
        expansion = getattr(service, "expansion", None)
    if expansion is not None and not isinstance(expansion, Expansion):
        raise DeclarationError(f"{cls.__name__}: expansion must be an Expansion")

    if singleton:
        ident: tuple[str, ...] = ()
        if identity:
            raise DeclarationError(f"{cls.__name__}: a singleton has no identity")
    elif identity is not None:
        ident = (identity,) if isinstance(identity, str) else tuple(identity)
    else:
        marked = tuple(f.name for f in infos if f.identity)
        ident = marked or (("id",) if "id" in field_names else ())
    for n in ident:
        if n not in field_names:
            raise DeclarationError(f"{cls.__name__}: identity field {n!r} is not a declared field")

    tpl_one = _template(cls, "one", one)
    tpl_many = _template(cls, "many", many)
    tpl_create = _template(cls, "create", create) or tpl_many
    tpl_update = _template(cls, "update", update) or tpl_one
    tpl_delete = _template(cls, "delete", delete) or tpl_one
    if not any((tpl_one, tpl_many, tpl_create, actions)):
        raise DeclarationError(f"{cls.__name__}: declare at least one path (one=, many= or create=)")
    if not singleton and not ident and (tpl_one is not None):
        raise DeclarationError(
            f"{cls.__name__}: no identity field; mark one with field(identity=True), "
            "pass identity=, or declare singleton=True"
        )

    context = tuple(getattr(service, "context", {}) or {}) if service is not None else ()
    known = field_names | set(parents) | set(path_params) | set(context)
    action_specs: dict[str, tuple[str, PathTemplate]] = {}
    for act_name, act in actions.items():
        if not isinstance(act, Action):
            raise DeclarationError(f"{cls.__name__}: action {act_name!r} must be an Action")
        if act.method.upper() not in _VERBS:
            raise DeclarationError(f"{cls.__name__}: action {act_name!r} has unknown method {act.method!r}")
        tpl = _template(cls, f"action {act_name}", act.path)
        assert tpl is not None
        action_specs[act_name] = (act.method.upper(), tpl)

    labelled = [
        ("one", tpl_one),
        ("many", tpl_many),
        ("create", tpl_create),
        ("update", tpl_update),
        ("delete", tpl_delete),
    ]
    labelled += [(f"action {n}", t) for n, (_, t) in action_specs.items()]
    for label, tpl in labelled:
        if tpl is None:
            continue
        for placeholder in tpl.names:
            if placeholder not in known:
                raise DeclarationError(
                    f"{cls.__name__} {label} path {tpl.template!r}: placeholder {{{placeholder}}} "
                    "is not a field, a parent, a path parameter or a service context name"
                )
    if tpl_one is not None and not singleton:
        missing = [n for n in ident if n not in tpl_one.names]
        if missing:
            raise DeclarationError(
                f"{cls.__name__}: the one path {tpl_one.template!r} does not contain identity {missing}"
            )

    if expansion is not None and expansion.style != "list":
        for f in infos:
            if f.level > expansion.max_level:
                raise DeclarationError(
                    f"{cls.__name__}.{f.name}: level {f.level} exceeds the expansion's "
                    f"max_level {expansion.max_level}"
                )
    elif expansion is None:
        leveled = [f.name for f in infos if f.level > 0]
        if leveled:
            raise DeclarationError(
                f"{cls.__name__}: fields {leveled} declare a level but the resource has no expansion"
            )

    save = save.upper()
    if save not in ("PATCH", "PUT"):
        raise DeclarationError(f"{cls.__name__}: save must be PATCH or PUT, not {save!r}")
    verbs = (
        ("create_method", create_method),
        ("update_method", update_method),
        ("patch_method", patch_method),
    )
    for verb_name, verb in verbs:
        if verb.upper() not in _VERBS:
            raise DeclarationError(f"{cls.__name__}: {verb_name} {verb!r} is not an HTTP method")
    return ResourceSpec(
        name=name,
        service=service,
        one=tpl_one,
        many=tpl_many,
        create=tpl_create,
        update=tpl_update,
        delete=tpl_delete,
        actions=action_specs,
        identity=ident,
        singleton=singleton,
        parents=parents,
        path_params=path_params,
        expansion=expansion,
        envelope=envelope,
        pagination=pagination,
        save_method=save,
        create_method=create_method.upper(),
        update_method=update_method.upper(),
        patch_method=patch_method.upper(),
    )
