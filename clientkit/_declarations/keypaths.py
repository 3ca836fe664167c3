"""Dotted key paths into JSON bodies (``data.items``, ``rows.0``): where envelopes, paging
styles and error shapes find and put things.

A step names a key of an object; inside an array, a step of digits (``0``, ``-1``) is an
index. Every operation here reads and writes steps that way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Locator = str | Sequence[str | None] | None
_MISSING = object()
#: What :func:`locate` answers when the body has none of the locator's paths.
ABSENT = object()


def is_index(step: str) -> bool:
    """Whether ``step`` indexes an array (``0``, ``12``, ``-1``)."""
    digits = step[1:] if step.startswith("-") else step
    return digits.isascii() and digits.isdigit()


def _step(current: Any, step: str) -> Any:
    """The value under ``step`` in ``current``; ``_MISSING`` when there is none."""
    if isinstance(current, Mapping):
        return current.get(step, _MISSING)
    if isinstance(current, list) and is_index(step):
        index = int(step)
        return current[index] if -len(current) <= index < len(current) else _MISSING
    return _MISSING


def _walk(obj: Any, path: str) -> Any:
    current = obj
    for step in path.split("."):
        current = _step(current, step)
        if current is _MISSING:
            break
    return current


def dig(obj: Any, path: str | None) -> Any:
    """The value at dotted ``path`` inside ``obj`` (``None`` when any step is missing).

    ``""``, ``"$"`` and ``None`` mean ``obj`` itself; integer steps index lists.

    Example:
        >>> dig({"data": {"items": [1, 2]}}, "data.items.1")
        2
    """
    if path in (None, "", "$"):
        return obj
    assert path is not None
    found = _walk(obj, path)
    return None if found is _MISSING else found


def has_path(obj: Any, path: str) -> bool:
    """Whether every step of dotted ``path`` exists in ``obj`` (even with a null value)."""
    return path in ("", "$") or _walk(obj, path) is not _MISSING


def locate(body: Any, locator: Locator) -> Any:
    """The value at ``locator`` in ``body``: its path, or the first of its alternatives that
    ``body`` has (``None`` among them is the body itself); :data:`ABSENT` when none."""
    if locator is None:
        return body
    for path in [locator] if isinstance(locator, str) else locator:
        if path is None or has_path(body, path):
            return dig(body, path)
    return ABSENT


def _holding(step: str, value: Any) -> Any:
    """A new object or array holding ``value`` under ``step`` (an index pads with ``null``)."""
    if not is_index(step):
        return {step: value}
    index = int(step)
    return [*([None] * index), value] if index >= 0 else [value, *([None] * (-index - 1))]


def put_path(payload: Any, path: str | None) -> Any:
    """Wrap ``payload`` so that it sits at dotted ``path`` (the inverse of :func:`dig`):
    ``put_path(p, "rows.0")`` is ``{"rows": [p]}``."""
    if path in (None, "", "$"):
        return payload
    assert path is not None
    for step in reversed(path.split(".")):
        payload = _holding(step, payload)
    return payload


def set_path(body: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at dotted ``path`` in ``body``, creating the objects and arrays on the way
    (an index step past an array's end pads it with ``null``)."""
    steps = path.split(".")
    current: Any = body
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        child = _MISSING if following is None else _step(current, step)
        if following is not None and isinstance(child, Mapping | list):
            current = child
            continue
        new = value if following is None else ([] if is_index(following) else {})
        _place(current, step, new)
        current = new


def _place(container: Any, step: str, value: Any) -> None:
    if isinstance(container, list) and is_index(step):
        index = int(step)
        if index < 0:
            index += len(container)
        if index < 0:
            raise ValueError(f"index {step} is before the start of the array")
        container.extend([None] * (index + 1 - len(container)))
        container[index] = value
    elif isinstance(container, dict):
        container[step] = value
    else:
        raise ValueError(f"cannot set {step!r} inside a {type(container).__name__}")
