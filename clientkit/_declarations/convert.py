"""Converting between wire JSON and resources, with cattrs: one :class:`Converter` per
service loads bodies (keeping each as the object's snapshot) and derives payloads from it."""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import math
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar, Union, get_args, get_origin

import attrs
import cattrs

from clientkit._declarations.errors import (
    ClientKitError,
    DeclarationError,
    InvalidRequestError,
    redacted_cause,
)
from clientkit._declarations.files import File, is_file, local_files
from clientkit._declarations.loaders import copy_json, is_union, loader_for, split_optional
from clientkit._declarations.redaction import register_secret
from clientkit._declarations.references import reference_key, reference_of, sent_reference
from clientkit._declarations.resource import FieldInfo, Resource, replaceable
from clientkit._declarations.strict import decimal_of, register_strict_hooks
from clientkit._declarations.wire import EchoedFloat, non_finite, shape_problem

R = TypeVar("R", bound=Resource)
P = ParamSpec("P")
T = TypeVar("T")
_NoneType = type(None)
_JSON_SCALARS = frozenset({str, int, float, bool, _NoneType})


def _sendable(build: Callable[P, T]) -> Callable[P, T]:
    """A payload builder whose unsendable values raise ``InvalidRequestError``."""

    @functools.wraps(build)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
        obj: Any = args[1]
        values = [getattr(obj, f.name) for f in attrs.fields(type(obj))]
        problem = next(filter(None, map(shape_problem, [*values, obj._ck_extra])), None)
        if problem:
            raise InvalidRequestError(f"{type(obj).__name__} cannot be sent: {problem}")
        try:
            return build(*args, **kwargs)
        except ClientKitError:
            raise
        except RecursionError as exc:
            raise InvalidRequestError(
                f"{type(obj).__name__} cannot be sent: its data nests too deep"
            ) from redacted_cause(exc)
        except (TypeError, ValueError) as exc:
            raise InvalidRequestError(
                f"{type(obj).__name__} cannot be sent: {type(exc).__name__}: {exc}"
            ) from redacted_cause(exc)

    return guarded


def parse_datetime(value: Any) -> _dt.datetime:
    """An aware datetime from ISO 8601 text (``Z`` allowed) or a Unix timestamp."""
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a datetime: {value!r}")
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 2e10 else value
        return _dt.datetime.fromtimestamp(seconds, tz=_dt.timezone.utc)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = _dt.datetime.fromisoformat(text)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=_dt.timezone.utc)
    raise ValueError(f"not a datetime: {value!r}")


def _format_datetime(value: _dt.datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _json_matcher(t: Any) -> Callable[[Any], bool]:
    """A predicate telling whether a JSON value has the shape of type ``t``."""
    origin = get_origin(t) or t
    if t is Any or t is object or t is File:  # a File field reads back what the server says
        return lambda _: True
    if origin is typing.Literal:
        allowed = get_args(t)
        return lambda v: v in allowed
    if origin is bool:
        return lambda v: isinstance(v, bool)
    if origin is int:
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if origin is float:
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    if isinstance(origin, type) and issubclass(origin, enum.Enum):
        values = {m.value for m in origin}
        return lambda v: v in values
    if origin is Decimal:
        return _is_decimal
    if origin in (str, uuid.UUID, _dt.date):
        return lambda v: isinstance(v, str)
    if origin is _dt.datetime:
        return lambda v: isinstance(v, str | int | float) and not isinstance(v, bool)
    if isinstance(origin, type) and (attrs.has(origin) or issubclass(origin, Mapping)):
        return lambda v: isinstance(v, dict)
    if origin in (list, tuple, set, frozenset) or (
        isinstance(origin, type) and issubclass(origin, Sequence) and origin is not str
    ):
        return lambda v: isinstance(v, list)
    return lambda _: False


def _is_decimal(value: Any) -> bool:
    try:
        decimal_of(value)
    except ValueError:
        return False
    return True


def conforms(value: Any, t: Any) -> bool:
    """Whether JSON ``value`` has the shape type ``t`` declares (strictly: no coercions)."""
    if is_union(t):
        return any(conforms(value, member) for member in get_args(t))
    if t is _NoneType:
        return value is None
    origin = get_origin(t) or t
    args = get_args(t)
    if origin in (list, tuple, set, frozenset):
        if not isinstance(value, list):
            return False
        item = args[0] if args else Any
        return all(conforms(v, item) for v in value)
    if isinstance(origin, type) and issubclass(origin, Mapping):
        if not isinstance(value, dict):
            return False
        item = args[1] if len(args) == 2 else Any
        return all(conforms(v, item) for v in value.values())
    if origin is _dt.datetime:
        try:
            parse_datetime(value)
        except (ValueError, TypeError, OverflowError):
            return False
        return True
    return _json_matcher(t)(value)


def _conforms_to(t: Any, value: Any) -> bool:
    return conforms(value, t)


class Converter:
    """Wire JSON <-> resources for one service.

    ``cattrs`` holds the underlying :class:`cattrs.Converter`; register hooks on it
    (``Service.configure_converter``) for service-specific types.
    """

    def __init__(self) -> None:
        conv = cattrs.Converter()
        self.cattrs = conv
        self._loaders: dict[type, Callable[[Any, Any], Any]] = {}
        conv.register_structure_hook_func(lambda t: t is Any or t is object, lambda v, _: copy_json(v))
        register_strict_hooks(conv)
        conv.register_structure_hook(File, lambda v, _: copy_json(v))  # a File is only ever sent
        conv.register_structure_hook(_dt.datetime, lambda v, _: parse_datetime(v))
        conv.register_unstructure_hook(_dt.datetime, _format_datetime)
        conv.register_structure_hook(
            _dt.date, lambda v, _: v if isinstance(v, _dt.date) else _dt.date.fromisoformat(v)
        )
        conv.register_unstructure_hook(_dt.date, lambda v: v.isoformat())
        conv.register_structure_hook(uuid.UUID, lambda v, _: v if isinstance(v, uuid.UUID) else uuid.UUID(v))
        conv.register_unstructure_hook(uuid.UUID, str)
        conv.register_unstructure_hook(Decimal, lambda v: v)  # spelled per field by _wire_value
        conv.register_unstructure_hook(set, self._dump_set)
        conv.register_unstructure_hook(frozenset, self._dump_set)
        conv.register_structure_hook_factory(
            lambda t: is_union(t) and not split_optional(t)[1], self._union_hook
        )
        conv.register_structure_hook_factory(
            lambda t: isinstance(t, type) and issubclass(t, Resource), self._resource_hook
        )
        conv.register_unstructure_hook_func(
            lambda t: isinstance(t, type) and issubclass(t, Resource), self.dump
        )

    # -- loading -------------------------------------------------------------

    def _union_hook(self, t: Any) -> Callable[[Any, Any], Any]:
        members = [m for m in get_args(t) if m is not _NoneType]
        optional = len(members) != len(get_args(t))
        lists = [m for m in members if (get_origin(m) or m) in (list, tuple, set, frozenset)]
        matchers = [  # several list members (list[str] | list[Tag]): told apart by their items
            (m, functools.partial(_conforms_to, m) if len(lists) > 1 and m in lists else _json_matcher(m))
            for m in members
        ]
        structure = self.cattrs.structure

        def hook(value: Any, _: Any) -> Any:
            if value is None and optional:
                return None
            for member, matches in matchers:
                if matches(value):
                    return structure(value, member)
            raise ValueError(f"{value!r} matches none of {t}")

        return hook

    def _resource_hook(self, cls: type[Resource]) -> Callable[[Any, Any], Any]:
        load = self.loader(cls)
        return lambda value, _: load(value, None)

    def loader(self, cls: type[R]) -> Callable[[Any, Any], R]:
        """The raw load function for ``cls`` (for tight loops over list pages)."""
        cached = self._loaders.get(cls)
        if cached is not None:
            return cached
        try:
            attrs.resolve_types(cls)  # type: ignore[type-var]
        except NameError as exc:
            raise DeclarationError(
                f"cannot resolve the field types of {cls.__name__}: {exc}; types a resource "
                "refers to must be importable from its module"
            ) from redacted_cause(exc)
        load = loader_for(cls, self)
        load = _registering(cls, load)
        self._loaders[cls] = load
        return load

    def load(self, raw: Any, cls: type[R], level: Any = None, etag: str | None = None) -> R:
        """A resource of ``cls`` from a wire object, remembering it as the snapshot."""
        obj: R = self.loader(cls)(raw, level)
        if etag is not None:
            obj.__dict__["_ck_etag"] = etag
        return obj

    def reload(self, obj: Resource, raw: Any, level: Any = None, etag: str | None = None) -> None:
        """Replace ``obj``'s state with a fresh load of ``raw`` (after a write or refresh);
        its local fields, which the wire never holds, keep their values."""
        fresh = self.load(raw, type(obj), level, etag)
        parents = obj._ck_parents
        local = {name: obj.__dict__[name] for name in obj.__ck_local__ if name in obj.__dict__}
        obj.__dict__.clear()
        obj.__dict__.update(fresh.__dict__, **local)
        if parents:
            obj.__dict__["_ck_parents"] = parents
        _register_secrets(obj, raw)  # owned by the object kept, not the fresh load

    def merge(
        self,
        obj: Resource,
        answer: Mapping[str, Any],
        sent: Mapping[str, Any],
        level: Any = None,
        etag: str | None = None,
        keep: frozenset[str] = frozenset(),
    ) -> None:
        """Reload ``obj`` after a write from its snapshot, what was sent and the answer.

        Servers often answer only what changed. A field the answer gives, even as
        ``null``, takes the answer's value; one it leaves out, or one in ``keep`` (an
        expanded value that a lower-level answer agrees with), keeps what the server is
        known to have: the value just sent, else the snapshot.
        """
        snapshot = obj._ck_raw or {}
        raw = {**snapshot, **copy_json(dict(sent))}
        raw.update({k: v for k, v in answer.items() if k not in keep or k not in raw})
        raw.update(_same_references(obj, snapshot, raw))
        self.reload(obj, raw, level, etag)

    def mark_saved(self, obj: Resource, payload: Mapping[str, Any]) -> None:
        """Record ``payload`` as accepted by the server (when a write answered no body)."""
        obj.__dict__["_ck_raw"] = {**(obj._ck_raw or {}), **copy_json(dict(payload))}
        obj.__dict__.pop("_ck_assigned", None)

    def value(self, raw: Any, t: Any) -> Any:
        """Structure one wire value into type ``t``."""
        return self.cattrs.structure(raw, t)

    # -- dumping -------------------------------------------------------------

    def dump_value(self, value: Any, annotation: Any = Any) -> Any:
        """One Python value (of a field annotated ``annotation``) as JSON-ready data; a file
        to upload (a :class:`File`, an open file, a ``pathlib.Path`` in a field declared to
        hold a ``File``) is a :class:`File` or itself, for the multipart body."""
        value = local_files(value, annotation)
        if type(value) not in _JSON_SCALARS and is_file(value):
            return value
        return self.cattrs.unstructure(value)

    def _dump_set(self, value: Any) -> list[Any]:
        """A set as a JSON array, sorted when its elements compare (a stable payload)."""
        items = [self.cattrs.unstructure(v) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items

    def dump(self, obj: Resource, *, writable_only: bool = False) -> dict[str, Any]:
        """Every field of ``obj`` under its wire name, plus the extra fields."""
        return self._selected(obj, lambda info, _: not (writable_only and info.read_only))

    def _selected(self, obj: Resource, takes: Callable[[FieldInfo, Any], bool]) -> dict[str, Any]:
        """The fields ``takes(info, value)`` selects, dumped under their wire names, plus extras:
        the one walk behind :meth:`dump` and the payloads."""
        out: dict[str, Any] = {}
        types_ = field_types(type(obj))
        for info in obj.__ck_fields__:
            value = getattr(obj, info.name)
            if takes(info, value):
                out[info.wire] = self._wire_value(obj, info, value, types_[info.name])
        return _with_extras(obj, out)

    def _wire_value(self, obj: Resource, info: FieldInfo, value: Any, annotation: Any) -> Any:
        """A field's value as it is sent: a reference as its id, decimals spelled as the
        server spelled them."""
        if info.reference:
            where = f"{type(obj).__name__}.{info.name}"
            value = sent_reference(value, reference_key(info, annotation), where)
        dumped = self.dump_value(value, annotation)
        if _holds_decimal(annotation):
            dumped = decimals_as_sent(dumped, (obj._ck_raw or {}).get(info.wire))
        return dumped

    def create_payload(self, obj: Resource) -> dict[str, Any]:
        """What a create sends: writable fields that hold a value, plus extras."""
        return self.set_payload(obj, creating=True)

    @_sendable
    def set_payload(self, obj: Resource, *, creating: bool = False) -> dict[str, Any]:
        """Writable fields that hold a value (or are declared ``send_null``), plus extras;
        create-only fields only when ``creating``."""

        def takes(info: FieldInfo, value: Any) -> bool:
            sendable = info.writable and (creating or not info.create_only)
            return sendable and (info.send_null or value is not None) and not self._shown_count(obj, info)

        return _outgoing(obj, self._selected(obj, takes))

    def _shown_count(self, obj: Resource, info: FieldInfo) -> bool:
        """Whether ``info`` holds the count a lower level shows in place of its list: never
        sent, since a write takes only the list (the server keeps its list)."""
        value = getattr(obj, info.name)
        if info.level <= 0 or value is None:
            return False
        t = field_types(type(obj))[info.name]
        full = level_type(t, info.level)
        return full is not t and not conforms(self.dump_value(value, t), full)

    @_sendable
    def full_payload(self, obj: Resource) -> dict[str, Any]:
        """What a full replace (PUT) sends: every writable field that is known, plus extras."""
        raw = obj._ck_raw or {}
        known = self._selected(obj, lambda info, v: replaceable(info) and (v is not None or info.wire in raw))
        return _outgoing(obj, known)

    @_sendable
    def changes(self, obj: Resource) -> dict[str, Any]:
        """Wire name -> new value for everything changed since ``obj`` was loaded.

        Compares structured values, so an in-place ``append`` to a list field or an
        edit inside a dict counts, and a datetime re-spelled by the server does not.
        """
        raw = obj._ck_raw
        if raw is None:
            return self.create_payload(obj)
        attrs.resolve_types(type(obj))  # type: ignore[type-var]
        types_ = attrs.fields_dict(type(obj))  # type: ignore[arg-type]
        out: dict[str, Any] = {}
        for info in filter(replaceable, obj.__ck_fields__):
            current = getattr(obj, info.name)
            if info.wire in raw and info.reference:
                sent = self._wire_value(obj, info, current, types_[info.name].type)
                if _differs(sent, reference_of(raw[info.wire], reference_key(info, types_[info.name].type))):
                    out[info.wire] = sent
            elif info.wire in raw:
                original = self.value(raw[info.wire], types_[info.name].type)
                if _differs(current, original):
                    out[info.wire] = self._wire_value(obj, info, current, types_[info.name].type)
            elif _differs(current, _default_of(types_[info.name])):
                out[info.wire] = self._wire_value(obj, info, current, types_[info.name].type)
        declared = {f.wire for f in obj.__ck_fields__}
        for key, val in (obj._ck_extra or {}).items():
            if key not in declared and (key not in raw or _differs(val, raw[key])):
                out[key] = copy_json(val)
        return _outgoing(obj, out)


def _same_references(obj: Resource, snapshot: Mapping[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot's values of reference fields that ``raw`` (after a write) names by the same
    id: an expanded object stays an object when the write sent or answered its id."""
    kept: dict[str, Any] = {}
    references = [f for f in obj.__ck_fields__ if f.reference]
    types_ = field_types(type(obj)) if references else {}
    for info in references:
        if info.wire in snapshot and info.wire in raw:
            key = reference_key(info, types_[info.name])
            before, after = reference_of(snapshot[info.wire], key), reference_of(raw[info.wire], key)
            bare = after == raw[info.wire] and before != snapshot[info.wire]  # an id where it had the object
            if bare and not _differs(before, after):
                kept[info.wire] = snapshot[info.wire]
    return kept


def _holds_decimal(t: Any) -> bool:
    """Whether type ``t`` is or contains ``Decimal`` (``Decimal | None``, ``list[Decimal]``)."""
    return t is Decimal or any(_holds_decimal(a) for a in get_args(t))


def decimals_as_sent(value: Any, sent: Any) -> Any:
    """``value`` with each ``Decimal`` spelled as the server sent the value at its place: a
    JSON number where it sent a number, else text (``"12.50"``), which keeps every digit."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"the decimal {value} is not a finite number")
        if isinstance(sent, int | float) and not isinstance(sent, bool):
            return _decimal_number(value, integral=isinstance(sent, int))
        return str(value)
    if isinstance(value, dict):
        inner = sent if isinstance(sent, dict) else {}
        return {k: decimals_as_sent(v, inner.get(k)) for k, v in value.items()}
    if isinstance(value, list):
        items = sent if isinstance(sent, list) else []
        return [decimals_as_sent(v, items[i] if i < len(items) else None) for i, v in enumerate(value)]
    return value


def _decimal_number(value: Decimal, *, integral: bool) -> int | float:
    """``value`` as a JSON number of the same value: an integer, or a float that spells it."""
    whole = value == value.to_integral_value()
    if whole and (integral or abs(value) >= 2**53):
        return int(value)
    number = float(value)
    if Decimal(repr(number)) == value:
        return number
    raise ValueError(
        f"the decimal {value} cannot be sent as a JSON number without rounding "
        "(more than 15 significant digits); the server sent this field as a number"
    )


def _with_extras(obj: Resource, out: dict[str, Any]) -> dict[str, Any]:
    """``out`` plus the fields the server sent that the model does not declare."""
    for key, val in (obj._ck_extra or {}).items():
        out.setdefault(key, copy_json(val))
    return out


def _outgoing(obj: Resource, out: dict[str, Any]) -> dict[str, Any]:
    """``out`` ready to send: its secrets registered, the server's own non-finite numbers echoed."""
    _register_secrets(obj, out)
    _echo_server_non_finite(out, obj._ck_raw)
    return out


def _register_secrets(obj: Resource, payload: Mapping[str, Any]) -> None:
    """Register the values (leaves too) of ``obj``'s secret fields in ``payload`` while ``obj`` lives."""
    for info in obj.__ck_fields__:
        if info.secret and info.wire in payload:
            _register_leaves(payload[info.wire], obj)


def _register_leaves(value: Any, owner: Resource) -> None:
    if isinstance(value, str | int | float):
        register_secret(value, owner=owner)
    elif isinstance(value, Mapping):
        for item in value.values():
            _register_leaves(item, owner)
    elif isinstance(value, list | tuple):
        for item in value:
            _register_leaves(item, owner)


def _registering(cls: type[Resource], load: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``load``, registering the loaded values of ``secret=True`` fields (a server may echo them)."""
    if not any(f.secret for f in cls.__ck_fields__):
        return load

    def load_registering(raw: Any, level: Any) -> Any:
        obj = load(raw, level)
        _register_secrets(obj, obj._ck_raw)
        return obj

    return load_registering


def _differs(a: Any, b: Any) -> bool:
    if type(a) is not type(b) and not (isinstance(a, int | float) and isinstance(b, int | float)):
        return True
    try:
        return bool(a != b) and not _same_with_nan(a, b)
    except Exception:  # exotic values that refuse comparison count as changed
        return True


def _same_with_nan(a: Any, b: Any) -> bool:
    """Equality where NaN equals NaN (a NaN the server sent is not a change)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (a != a and b != b)  # noqa: PLR0124 - the NaN test
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_with_nan(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_with_nan(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _echo_server_non_finite(payload: dict[str, Any], raw: Mapping[str, Any] | None) -> None:
    """A NaN or infinity unchanged at the very place the server sent it is echoed in the
    server's spelling; any other stays a plain float, which the codec refuses."""
    for key, value in payload.items():
        if any(non_finite(value)):
            payload[key] = _as_echo(value, raw.get(key, _ABSENT) if raw else _ABSENT)


_ABSENT = object()


def _as_echo(value: Any, sent: Any) -> Any:
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        if isinstance(sent, float) and _same_with_nan(float(value), float(sent)):
            return EchoedFloat(value, getattr(sent, "spelling", None))
        return float(value)
    if isinstance(value, dict):
        inner = sent if isinstance(sent, dict) else {}
        return {k: _as_echo(v, inner.get(k, _ABSENT)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = sent if isinstance(sent, list | tuple) else ()
        return [_as_echo(v, items[i] if i < len(items) else _ABSENT) for i, v in enumerate(value)]
    return value


def _default_of(a: attrs.Attribute[Any]) -> Any:
    default: Any = a.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()
    return None if default is attrs.NOTHING else default


def field_types(cls: type[Resource]) -> Mapping[str, Any]:
    """Python name -> annotated type, forward references resolved."""
    attrs.resolve_types(cls)  # type: ignore[type-var]
    return {a.name: a.type for a in attrs.fields(cls)}  # type: ignore[arg-type]


def level_type(t: Any, level: int) -> Any:
    """The type a field holds at its own ``level``: without the count member.

    A field declared ``int | list[X]`` at ``level > 0`` shows the count of its list
    below that level; at its level (and in every write) only the list is its value.
    """
    if level <= 0 or not is_union(t):
        return t
    members = get_args(t)
    has_list = any((get_origin(m) or m) in (list, tuple, set, frozenset) for m in members)
    if not has_list or int not in members:
        return t
    kept = tuple(m for m in members if m is not int)
    return kept[0] if len(kept) == 1 else Union[kept]  # noqa: UP007 - built from a tuple


default_converter = Converter()


def changes(obj: Resource) -> dict[str, Any]:
    """What ``save()`` would send for ``obj``: wire name -> new value."""
    spec = obj.__ck_spec__
    converter = getattr(spec.service, "converter", None) if spec is not None else None
    return (converter or default_converter).changes(obj)
