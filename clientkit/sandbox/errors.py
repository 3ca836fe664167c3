"""Error bodies as a service of each error shape sends them: the sandbox's half of ``ErrorShape``
(the client's half, ``error_for``, reads them back)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from clientkit._declarations.errors import ErrorShape, Path
from clientkit._declarations.keypaths import set_path
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
) -> dict[str, Any]:
    """An error body in ``shape``, as the service would send it.

    Each part goes to the first location declared for it; ``code`` defaults to the
    status; with ``fields="$"`` the field errors sit at the body's root.
    """
    raise NoServerHalf(shape, render_error)


def _first(paths: Path) -> str | None:
    if paths is None:
        return None
    return paths if isinstance(paths, str) else next(iter(paths), None)


@render_error.register
def _render(
    shape: ErrorShape,
    status: int,
    message: str,
    *,
    code: Any = None,
    field_errors: Mapping[str, list[str]] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if field_errors and _first(shape.fields) == "$":
        body.update({k: list(v) for k, v in field_errors.items()})
    for paths, value in (
        (shape.message, message),
        (shape.code, status if code is None else code),
        (shape.request_id, request_id),
    ):
        path = _first(paths)
        if path and path != "$" and value is not None:
            set_path(body, path, value)
    fields = _first(shape.fields)
    if field_errors and fields and fields != "$":
        set_path(body, fields, {k: list(v) for k, v in field_errors.items()})
    return body


__all__ = ["render_error"]
