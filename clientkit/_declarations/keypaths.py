"""Dotted key paths into JSON bodies (``data.items``, ``rows.0``): where envelopes, paging
styles and error shapes find and put things."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Locator = str | Sequence[str | None] | None
_MISSING = object()
#: What :func:`locate` answers when the body has none of the locator's paths.
ABSENT = object()


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
    current = obj
    for step in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(step, _MISSING)
        elif isinstance(current, list) and step.lstrip("-").isdigit():
            index = int(step)
            current = current[index] if -len(current) <= index < len(current) else _MISSING
        else:
            return None
        if current is _MISSING:
            return None
    return current


def has_path(obj: Any, path: str) -> bool:
    """Whether every step of dotted ``path`` exists in ``obj`` (even with a null value)."""
    if path in ("", "$"):
        return True
    current = obj
    for step in path.split("."):
        if isinstance(current, Mapping) and step in current:
            current = current[step]
        else:
            return False
    return True


def locate(body: Any, locator: Locator) -> Any:
    """The value at ``locator`` in ``body``: its path, or the first of its alternatives that
    ``body`` has (``None`` among them is the body itself); :data:`ABSENT` when none."""
    if locator is None:
        return body
    for path in [locator] if isinstance(locator, str) else locator:
        if path is None or has_path(body, path):
            return dig(body, path)
    return ABSENT


def put_path(payload: Any, path: str | None) -> Any:
    """Wrap ``payload`` so that it sits at dotted ``path`` (the inverse of :func:`dig`)."""
    if path in (None, "", "$"):
        return payload
    assert path is not None
    for step in reversed(path.split(".")):
        payload = {step: payload}
    return payload


def set_path(body: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at dotted ``path`` in ``body``, creating the objects on the way."""
    steps = path.split(".")
    for step in steps[:-1]:
        body = body.setdefault(step, {})
    body[steps[-1]] = value
