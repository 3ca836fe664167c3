"""Values given on the command line: ``NAME=VALUE`` pairs, JSON bodies, identities, levels,
and the fields they set on a resource."""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from clientkit import Resource, extra
from clientkit.errors import InvalidRequestError
from clientkit.model import Converter, ResourceSpec, fields_of, spec_of


def pairs(given: Iterable[str], what: str) -> dict[str, str]:
    """``["a=1", "b=x"]`` as ``{"a": "1", "b": "x"}``; anything else is refused."""
    out: dict[str, str] = {}
    for text in given:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise InvalidRequestError(f"{what} {text!r}: give NAME=VALUE")
        out[name.strip()] = value
    return out


def json_value(text: str) -> Any:
    """A value as JSON when it reads as JSON (``42``, ``true``, ``null``, ``[1]``), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def json_body(text: str | None) -> Any:
    """A ``--json`` body: JSON text, or ``@file`` holding it."""
    if text is None:
        return None
    source = "--json"
    if text.startswith("@"):
        source = text[1:]
        try:
            text = Path(source).read_text("utf-8")
        except OSError as exc:
            raise InvalidRequestError(f"--json {source}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidRequestError(f"{source} is not JSON: {exc}") from None


def level(text: str | None) -> Any:
    """``--level``: ``true``/``false``, a number, or a name as the expansion takes it."""
    if text is None:
        return None
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return int(text) if text.isdigit() else text


def identity(spec: ResourceSpec, ids: tuple[str, ...]) -> Any:
    """The id a get or delete takes: none for a singleton, one value, or a tuple of several."""
    wanted = 0 if spec.singleton else len(spec.identity)
    if len(ids) != wanted:
        names = " ".join(n.upper() for n in spec.identity) if wanted else "nothing"
        count = f"give {wanted} value(s), not {len(ids)}"
        raise InvalidRequestError(f"{spec.name} is identified by {names}: {count}")
    if wanted == 0:
        return None
    return ids[0] if wanted == 1 else tuple(ids)


def assign(obj: Resource, values: Mapping[str, Any], converter: Converter, *, creating: bool) -> None:
    """Set fields (by wire or Python name, JSON values structured to the field's type) on
    ``obj``; names the model does not declare go to its extra fields. An update may not set
    a read-only field or the identity (the object's path)."""
    by_name = {info.name: info for info in fields_of(obj)} | {info.wire: info for info in fields_of(obj)}
    hints = typing.get_type_hints(type(obj))
    for name, raw in values.items():
        info = by_name.get(name)
        if info is None:
            extra(obj)[name] = raw
            continue
        if info.read_only or (info.name in spec_of(obj).identity and not creating):
            what = "read-only" if info.read_only else "the identity"
            raise InvalidRequestError(f"{type(obj).__name__}.{info.name} cannot be set: it is {what}")
        try:
            value = converter.value(raw, hints[info.name])
        except Exception as exc:
            where = f"{type(obj).__name__}.{info.name}"
            raise InvalidRequestError(f"{where}: {raw!r} does not fit: {exc}") from None
        setattr(obj, info.name, value)


def changes(sets: Iterable[str], body: str | None) -> dict[str, Any]:
    """The fields ``--set NAME=VALUE`` and ``--json`` give (``--set`` wins)."""
    given = json_body(body)
    if given is not None and not isinstance(given, dict):
        raise InvalidRequestError("--json must hold an object of fields")
    return {**(given or {}), **{k: json_value(v) for k, v in pairs(sets, "--set").items()}}
