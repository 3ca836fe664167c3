"""Generated load functions: wire dicts to resources, fast.

Generic cattrs hooks dominate the cost of list pages, so one straight-line function is
generated per resource class: values that already have their declared scalar type are
taken as they are, others go through the cattrs hook of their type, and the instance is
built without ``__init__`` (classes with validators, converters or hooks keep it).
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

import attrs
from cattrs.gen import make_dict_structure_fn, override

from clientkit._declarations.errors import DecodeError, redacted_cause, repr_excerpt

if TYPE_CHECKING:
    from clientkit._declarations.convert import Converter
    from clientkit._declarations.resource import FieldInfo, Resource

Loader = Callable[[Any, Any], Any]
_SCALARS = (str, int, float, bool)
_MISSING = object()
CHECK = "ck_check"  # the metadata key marking a field's converter as its check


def needs_init(cls: type) -> bool:
    """Whether building ``cls`` must go through ``__init__`` (validators, converters, hooks;
    not a field's ``check``, which is for values given in Python)."""
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        return True
    return any(
        a.validator is not None or (a.converter is not None and not a.metadata.get(CHECK))
        for a in attrs.fields(cls)
    )


def dict_setter(cls: type) -> Callable[[Any, dict[str, Any]], None]:
    """``(obj, d)``: make ``d`` the instance dict of ``obj`` past the class's ``__setattr__``
    (a load is not an assignment for the tracking in :mod:`resource`)."""
    for klass in cls.__mro__:
        slot = klass.__dict__.get("__dict__")
        if slot is not None and hasattr(slot, "__set__"):
            return slot.__set__  # type: ignore[no-any-return]
    setattr_ = object.__setattr__
    return lambda obj, d: setattr_(obj, "__dict__", d)


def is_union(t: Any) -> bool:
    """Whether ``t`` is a union: ``X | Y`` or ``Union[X, Y]``."""
    return get_origin(t) in (Union, types.UnionType)


def split_optional(t: Any) -> tuple[Any, bool]:
    """``X | None`` as ``(X, True)``; any other type ``t`` as ``(t, False)``."""
    if is_union(t):
        args = get_args(t)
        members = [a for a in args if a is not type(None)]
        if len(members) == 1:
            return members[0], len(members) != len(args)
    return t, False


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts and lists are rebuilt, scalars shared)."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def loader_for(cls: type[Resource], converter: Converter) -> Loader:
    """The load function ``(raw, level) -> instance`` for ``cls``: generated, or through
    ``__init__`` for classes with validators, converters or hooks."""
    return _init_loader(cls, converter) if needs_init(cls) else generate(cls, converter)


def generate(cls: type[Resource], converter: Converter) -> Loader:
    """The generated load function of ``cls``."""
    fields = attrs.fields_dict(cls)  # type: ignore[arg-type]
    infos = cls.__ck_fields__
    declared = frozenset(f.wire for f in infos)
    hook_of = converter.cattrs.get_structure_hook
    env: dict[str, Any] = {
        "_M": _MISSING,
        "_new": object.__new__,
        "_adopt": dict_setter(cls),
        "_redacted": redacted_cause,
        "_cls": cls,
        "_declared": declared,
        "_copy": copy_json,
        "_len": len,
        "_type": type,
        "_list": list,
        "_dict": dict,
        "_map": map,
        "_str": str,
        "_explain": explainer(cls, hook_of),
    }
    parts = _Parts(zero_copy=all(f.wire == f.name for f in infos))
    for i, info in enumerate(infos):
        attr = fields[info.name]
        env[f"_h{i}"] = hook_of(attr.type)
        env[f"_t{i}"] = attr.type
        convert = _conversion(parts, env, i, info, attr.type, hook_of)
        parts.entries.append(
            f"        {info.name!r}: {_default(env, i, attr.default)} if (v := g({info.wire!r}, _M)) is _M "
            f"else ({convert}),"
        )
    namespace: dict[str, Any] = {}
    source = _source(parts, len(declared), bool(infos))
    exec(compile(source, f"<clientkit loader {cls.__qualname__}>", "exec"), env, namespace)
    load: Loader = namespace["load"]
    env["_fallback"] = fallback(cls, load)
    return load


def _init_loader(cls: type[Resource], converter: Converter) -> Loader:
    """The cattrs path, through ``__init__``, for classes with validators or hooks."""
    infos = cls.__ck_fields__
    renames: dict[str, Any] = {f.name: override(rename=f.wire) for f in infos if f.wire != f.name}
    wired = {f.name for f in infos}
    local = [a.name for a in attrs.fields(cls) if a.name not in wired]  # type: ignore[arg-type]
    renames.update({name: override(omit=True) for name in local})
    base = make_dict_structure_fn(
        cls,
        converter.cattrs,
        _cattrs_forbid_extra_keys=False,
        _cattrs_detailed_validation=False,
        **renames,
    )
    declared = frozenset(f.wire for f in infos)
    explain = explainer(cls, converter.cattrs.get_structure_hook)

    def load(raw: Any, level: Any) -> Any:
        if type(raw) is not dict:
            return check(raw, level)
        try:
            obj = base(raw, cls)
        except Exception as exc:
            raise explain(raw, exc) from redacted_cause(exc)
        state = obj.__dict__
        state["_ck_raw"] = raw
        state["_ck_level"] = level
        if len(raw) > len(declared) or not declared.issuperset(raw):
            state["_ck_extra"] = {k: copy_json(v) for k, v in raw.items() if k not in declared}
        return obj

    check = fallback(cls, load)
    return load


@attrs.define
class _Parts:
    """A loader's source, gathered field by field."""

    zero_copy: bool  # the instance may adopt the wire dict itself
    entries: list[str] = attrs.Factory(list)  # the general path: one dict entry a field
    checks: list[str] = attrs.Factory(list)  # the fast path's test that every value has its type
    fast: list[str] = attrs.Factory(list)  # the fast path's dict entries
    in_place: list[str] = attrs.Factory(list)  # conversions applied to the raw dict itself (zero-copy path)


def _default(env: dict[str, Any], i: int, default: Any) -> str:
    """The expression of field ``i``'s value when the wire lacks it."""
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        env[f"_d{i}"] = default.factory
        return f"_d{i}()"
    env[f"_d{i}"] = None if default is attrs.NOTHING else default
    return f"_d{i}"


def _conversion(
    parts: _Parts, env: dict[str, Any], i: int, info: FieldInfo, t: Any, hook_of: Callable[[Any], Any]
) -> str:
    """The expression converting wire value ``v`` of field ``i``; adds the field's fast-path parts."""
    base, optional = split_optional(t)
    slow = f"_h{i}(v, _t{i})"
    item = _list_item(base)
    got = f"raw[{info.wire!r}]"
    if base in _SCALARS:
        env[f"_s{i}"] = base
        parts.checks.append(f"_type({got}) is _s{i}")
        parts.fast.append(f"{info.name!r}: {got}")
        return f"v if _type(v) is _s{i} else {slow}"
    if base is dt.datetime:
        env[f"_p{i}"] = fast_datetime(hook_of(dt.datetime))
        parts.checks.append(f"_type({got}) is _str")
        parts.fast.append(f"{info.name!r}: _p{i}({got})")
        parts.in_place.append(f"{got} = _p{i}({got})")
        return f"_p{i}(v)" if not optional else f"None if v is None else _p{i}(v)"
    if base is Decimal:  # converted in place, so the instance may still adopt the wire dict
        env[f"_p{i}"] = hook_of(Decimal)
        env["_D"] = Decimal
        parts.checks.append(f"{got} is not None")
        parts.fast.append(f"{info.name!r}: _p{i}({got}, _D)")
        parts.in_place.append(f"{got} = _p{i}({got}, _D)")
        return f"_p{i}(v, _D)" if not optional else f"None if v is None else _p{i}(v, _D)"
    if item is not None:
        env[f"_e{i}"] = frozenset({item})
        copied = f"x[:] if _e{i}.issuperset(_map(_type, x := {got})) else _h{i}(x, _t{i})"
        parts.checks.append(f"_type({got}) is _list")
        parts.fast.append(f"{info.name!r}: ({copied})")
        parts.in_place.append(f"{got} = {copied}")
        return f"(v[:] if _e{i}.issuperset(_map(_type, v)) else {slow}) if _type(v) is _list else {slow}"
    parts.zero_copy = False
    parts.fast.append(f"{info.name!r}: _h{i}({got}, _t{i})")
    return slow


def _source(parts: _Parts, size: int, any_fields: bool) -> str:
    """The loader: a fast path for exact bodies (zero-copy when it can), then the general path."""
    exact = " and ".join([f"_len(raw) == {size}", "_declared.issuperset(raw)", *parts.checks])
    fast = parts.fast
    lines = [
        "def load(raw, level):",
        "    if _type(raw) is not _dict:",
        "        return _fallback(raw, level)",
        f"    if {exact}:" if any_fields else "    if False:",
        *(_zero_copy_lines(parts.in_place) if parts.zero_copy else []),
        "        try:",
        f"            d = {{{', '.join(fast)}{', ' if fast else ''}'_ck_raw': raw}}",
        "        except Exception as exc:",
        "            raise _explain(raw, exc) from _redacted(exc)",
        "        if level is not None:",
        "            d['_ck_level'] = level",
        "        obj = _new(_cls)",
        "        _adopt(obj, d)",
        "        return obj",
        "    g = raw.get",
        "    try:",
        "        d = {",
        *parts.entries,
        "            '_ck_raw': raw}",
        "    except Exception as exc:",
        "        raise _explain(raw, exc) from _redacted(exc)",
        "    if level is not None:",
        "        d['_ck_level'] = level",
        f"    if _len(raw) > {size} or not _declared.issuperset(raw):",
        "        d['_ck_extra'] = {k: _copy(v) for k, v in raw.items() if k not in _declared}",
        "    obj = _new(_cls)",
        "    _adopt(obj, d)",
        "    return obj",
    ]
    return "\n".join(lines)


def _zero_copy_lines(in_place: list[str]) -> list[str]:
    """The instance adopts the wire dict itself; the snapshot is a shallow copy taken first.

    Only for classes whose fields are all scalars, datetimes or lists of scalars under
    their own names: list values are copied for the instance, so in-place edits never
    reach the snapshot.
    """
    return [
        "        snap = raw.copy()",
        "        try:",
        *(f"            {line}" for line in in_place or ["pass"]),
        "        except Exception as exc:",
        "            raise _explain(snap, exc) from _redacted(exc)",
        "        raw['_ck_raw'] = snap",
        "        if level is not None:",
        "            raw['_ck_level'] = level",
        "        obj = _new(_cls)",
        "        _adopt(obj, raw)",
        "        return obj",
    ]


def _list_item(t: Any) -> type | None:
    """The element type of ``list[str]``-like types whose elements are plain scalars."""
    if get_origin(t) is list:
        args = get_args(t)
        if len(args) == 1 and args[0] in _SCALARS:
            return args[0]  # type: ignore[no-any-return]
    return None


def fast_datetime(slow: Callable[[Any, Any], Any]) -> Callable[[Any], Any]:
    """ISO 8601 text through ``fromisoformat`` (naive means UTC); anything else through ``slow``."""
    from_iso = dt.datetime.fromisoformat
    utc = dt.timezone.utc

    def parse(value: Any) -> Any:
        if type(value) is str:
            try:
                parsed = from_iso(value)
            except ValueError:
                return slow(value, dt.datetime)
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=utc)
        return slow(value, dt.datetime)

    return parse


def explainer(cls: type[Resource], hook_of: Callable[[Any], Any]) -> Callable[[Any, Exception], DecodeError]:
    """Find the field that failed (only on the error path) and name it with its class."""
    infos = cls.__ck_fields__
    fields = attrs.fields_dict(cls)  # type: ignore[arg-type]
    names = {info.wire: info.name for info in infos}

    def explain(raw: dict[str, Any], exc: Exception) -> DecodeError:
        culprit = "?"
        for info in infos:
            if info.wire in raw:
                t = fields[info.name].type
                try:
                    hook_of(t)(raw[info.wire], t)
                except Exception as found:
                    culprit, exc = info.wire, found
                    break
        return DecodeError(
            f"cannot load {cls.__name__} from the response: field {culprit!r} "
            f"({cls.__name__}.{names.get(culprit, culprit)}): {type(exc).__name__}: {exc}",
            excerpt=repr_excerpt(raw),
        )

    return explain


def fallback(cls: type, load: Loader) -> Loader:
    """Non-dict bodies: other mappings are copied into a dict, anything else is an error."""

    def check(raw: Any, level: Any) -> Any:
        if isinstance(raw, Mapping):
            return load(dict(raw), level)
        raise DecodeError(
            f"expected a JSON object for {cls.__name__}, got {type(raw).__name__}", excerpt=repr_excerpt(raw)
        )

    return check
