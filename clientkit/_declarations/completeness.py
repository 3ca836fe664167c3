"""What a loaded object knows, and what a write would erase.

An object may lack fields: fetched at a lower expansion level (perhaps a count in place
of a list), loaded from a partial answer (listings, write answers), or write-only. A full
replace (PUT) would erase each field it does not know, so such replaces are refused. This
module also decides how a write's answer merges into the object it answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from clientkit._declarations.convert import conforms, field_types, level_type
from clientkit._declarations.errors import IncompleteResourceError
from clientkit._declarations.expansion import Expansion
from clientkit._declarations.references import reference_key, reference_of
from clientkit._declarations.resource import (
    FieldInfo,
    Resource,
    ResourceSpec,
    assigned,
    fields_of,
    is_new,
    replaceable,
)

if TYPE_CHECKING:
    from clientkit._declarations.convert import Converter

LoadedLevel = int | tuple[str, ...] | None


def answer_level(spec: ResourceSpec, sent: LoadedLevel, operation: str) -> LoadedLevel:
    """The level a write's answer is at: the one sent, or the default when none is sent."""
    expansion = spec.expansion
    if expansion is None:
        return None
    return sent if operation in expansion.on else expansion.normalize(None)


def merged_level(expansion: Expansion | None, old: LoadedLevel, new: LoadedLevel) -> LoadedLevel:
    """The level of an object that keeps what ``old`` covered and adds what ``new`` does."""
    if expansion is None or old is None:
        return new
    if new is None:
        return old
    if isinstance(old, tuple) or isinstance(new, tuple):
        names = (old if isinstance(old, tuple) else ()) + (new if isinstance(new, tuple) else ())
        return tuple(dict.fromkeys(names))
    return max(old, new)


@attrs.frozen
class MergePlan:
    """How a write's answer merges into the object it answers.

    Attributes:
        keep: wire names whose expanded value the (lower-level) answer must not replace.
        level: the object's level afterwards.
        whole: whether a field the object then lacks (within its level) is absent on the server.
    """

    keep: frozenset[str]
    level: LoadedLevel
    whole: bool


def plan_merge(
    spec: ResourceSpec,
    obj: Resource,
    at: LoadedLevel,
    answer: Mapping[str, Any],
    sent: Mapping[str, Any],
    *,
    replaced: bool,
) -> MergePlan:
    """Merge an answer at level ``at`` to a write that sent ``sent`` (a full replace if ``replaced``).

    An expanded value the answer shows at a lower level is kept only while the answer
    agrees with it (the same value, or the count of its items); otherwise it is stale: the
    answer's value is taken and the object's level no longer covers the field. After a
    full replace the server holds exactly what was sent, so the object is whole.
    """
    old = obj._ck_level
    level = merged_level(spec.expansion, old, at)
    whole = replaced or (obj._ck_whole and level == old)
    known = {**(obj._ck_raw or {}), **sent}
    shown = _shown_lower(spec, obj, at)
    types_ = field_types(type(obj))
    stale = [
        f for f in shown if f.wire in answer and not _agrees(known[f.wire], answer[f.wire], f, types_[f.name])
    ]
    keep = frozenset(f.wire for f in shown if f not in stale)
    return MergePlan(keep, _uncovering(level, stale), whole)


def mark_whole(obj: Resource, whole: bool) -> None:
    """Record whether ``obj``'s snapshot is a whole answer: a field it lacks is absent on the server."""
    obj.__dict__["_ck_whole"] = whole


def _shown_lower(spec: ResourceSpec, obj: Resource, new: LoadedLevel) -> list[FieldInfo]:
    """Loaded (expanded) fields that an answer at level ``new`` shows at a lower level, or not at all."""
    expansion = spec.expansion
    if expansion is None or obj._ck_raw is None:
        return []
    old, raw = obj._ck_level, obj._ck_raw
    return [
        f
        for f in fields_of(obj)
        if f.level > 0
        and f.wire in raw
        and expansion.covers(old, f.level, f.name, f.wire)
        and not expansion.covers(new, f.level, f.name, f.wire)
    ]


def _agrees(kept: Any, shown: Any, info: FieldInfo, t: Any) -> bool:
    """Whether a lower level's ``shown`` value agrees with the expanded ``kept``: equal, its
    count, or (a reference) the same id."""
    if info.reference:
        key = reference_key(info, t)
        return bool(reference_of(kept, key) == reference_of(shown, key))
    if isinstance(shown, int) and not isinstance(shown, bool) and isinstance(kept, list):
        return shown == len(kept)
    return type(shown) is type(kept) and bool(shown == kept)


def _uncovering(level: LoadedLevel, stale: list[FieldInfo]) -> LoadedLevel:
    """The highest level below ``level`` that covers none of the ``stale`` fields."""
    if not stale or level is None:
        return level
    if isinstance(level, tuple):
        names = {f.name for f in stale} | {f.wire for f in stale}
        return tuple(name for name in level if name not in names)
    return min(level, min(f.level for f in stale) - 1)


def lower_level_fields(obj: Resource, converter: Converter) -> list[str]:
    """Fields holding the count a lower level shows in place of their declared value."""
    types_ = field_types(type(obj))
    found = []
    for info in fields_of(obj):
        value = getattr(obj, info.name)
        if not replaceable(info) or info.level <= 0 or value is None:
            continue
        full = level_type(types_[info.name], info.level)
        if full is not types_[info.name] and not conforms(converter.dump_value(value), full):
            found.append(info.name)
    return found


def unknown_fields(spec: ResourceSpec, obj: Resource) -> dict[str, list[str]]:
    """Writable fields whose server value ``obj`` does not know, by reason.

    A field its snapshot lacks is known when it was assigned since the object was loaded
    or saved, or when the snapshot is a whole answer and the field is not write-only.
    """
    raw = obj._ck_raw or {}
    reasons: dict[str, list[str]] = {"level": [], "answer": [], "write_only": []}
    for info in fields_of(obj):
        if not replaceable(info):
            continue
        if info.reference and info.wire in raw:
            continue  # a lower level shows the id, which is all a write sends
        if spec.expansion is not None and not spec.expansion.covers(
            obj._ck_level, info.level, info.name, info.wire
        ):
            reasons["level"].append(info.name)
        elif info.wire not in raw and not _known_absent(obj, info):
            reasons["write_only" if info.write_only else "answer"].append(info.name)
    return {k: v for k, v in reasons.items() if v}


def refuse_erasing(spec: ResourceSpec, obj: Resource, converter: Converter) -> None:
    """Raise :class:`IncompleteResourceError` when a PUT of ``obj`` would lose data."""
    unknown = {} if is_new(obj) else unknown_fields(spec, obj)
    if unknown:
        names = tuple(name for names in unknown.values() for name in names)
        raise IncompleteResourceError(
            f"{spec.name}: a PUT would erase {list(names)} on the server: {_why(unknown, obj)}. "
            "Or send only the changes (patch(), save() with PATCH, update(only_set=True))",
            names,
        )
    lower = lower_level_fields(obj, converter)
    if lower:
        raise IncompleteResourceError(
            f"{spec.name}: {lower} hold the count a lower expansion level shows, not their value; "
            "a PUT would erase the real value with it. expand() or refresh() it at the field's "
            "level first, or send only the changes (patch(), save() with PATCH, update(only_set=True))",
            tuple(lower),
        )


def _known_absent(obj: Resource, info: FieldInfo) -> bool:
    """Whether ``obj`` knows the server's value of a field its snapshot lacks."""
    return assigned(obj, info.name) or (obj._ck_whole and not info.write_only)


def _why(unknown: dict[str, list[str]], obj: Resource) -> str:
    parts = []
    if "level" in unknown:
        parts.append(
            f"it was loaded at level {obj._ck_level!r}, which leaves out {unknown['level']} "
            "(expand() it first)"
        )
    if "answer" in unknown:
        parts.append(
            f"the answer it was loaded from lacked {unknown['answer']} and is not known to be whole "
            "(a listing, a create's answer, a get() or refresh() under params= of the call or the session): "
            "refresh() it without them first, or set them"
        )
    if "write_only" in unknown:
        parts.append(
            f"write-only {unknown['write_only']} are never returned, so their values are unknown "
            "(set them first)"
        )
    return "; ".join(parts)
