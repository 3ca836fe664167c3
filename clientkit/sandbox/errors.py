"""Error bodies as a service of each error shape sends them: the sandbox's half of ``ErrorShape``
(the client's half, ``error_for``, reads them back)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from clientkit._declarations.errors import ErrorShape, Path
from clientkit._declarations.keypaths import has_path, set_path
from clientkit.sandbox.halves import NoServerHalf


@functools.singledispatch
def render_error(
    shape: object,
    status: int,  # noqa: ARG001 - the fallback only refuses
    message: str,  # noqa: ARG001
    *,
    code: Any = None,  # noqa: ARG001
    field_errors: Mapping[str, list[str]] | None = None,  # noqa: ARG001
    request_id: str | None = None,  # noqa: ARG001
    details: Any = None,  # noqa: ARG001
) -> dict[str, Any]:
    """An error body in ``shape``, as the service would send it.

    Each part goes to the first location declared for it; ``code`` defaults to the
    status; with ``fields="$"`` the field errors sit at the body's root; with ``item_field``
    or ``item_message`` declared they are a list of items, one a message.
    """
    raise NoServerHalf(shape, render_error)


def _first(paths: Path) -> str | None:
    if paths is None:
        return None
    return paths if isinstance(paths, str) else next(iter(paths), None)


def _field_errors(shape: ErrorShape, field_errors: Mapping[str, list[str]]) -> Any:
    """Field errors as the shape holds them: a mapping, or a list of items."""
    if shape.item_field is None and shape.item_message is None:
        return {k: list(v) for k, v in field_errors.items()}
    items = []
    for name, messages in field_errors.items():
        for message in messages:
            item: dict[str, Any] = {}
            set_path(item, _first(shape.item_field) or "field", name)
            set_path(item, _first(shape.item_message) or "message", message)
            items.append(item)
    return items


@render_error.register
def _render(
    shape: ErrorShape,
    status: int,
    message: str,
    *,
    code: Any = None,
    field_errors: Mapping[str, list[str]] | None = None,
    request_id: str | None = None,
    details: Any = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    fields = _first(shape.fields)
    if field_errors and fields == "$":
        body.update({k: list(v) for k, v in field_errors.items()})
    elif field_errors and fields:
        set_path(body, fields, _field_errors(shape, field_errors))
    where = _first(shape.details if shape.details is not None else shape.fields)
    if details is not None and where and where != "$" and not has_path(body, where):
        set_path(body, where, details)
    for paths, value in (
        (shape.message, message),
        (shape.code, status if code is None else code),
        (shape.request_id, request_id),
    ):
        path = _first(paths)
        if path and path != "$" and value is not None:
            set_path(body, path, value)
    return body


__all__ = ["render_error"]
