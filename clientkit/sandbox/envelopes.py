"""Payloads in bodies as a service of each envelope sends and reads them: the sandbox's half
of ``Envelope`` (the client's half, ``unwrap``/``wrap``, is the mirror image)."""

from __future__ import annotations

import functools
from typing import Any

from clientkit._declarations.envelope import Envelope
from clientkit._declarations.keypaths import dig, has_path, put_path
from clientkit.sandbox.halves import NoServerHalf


@functools.singledispatch
def response_path(envelope: object, operation: str) -> str | None:  # noqa: ARG001 - a fallback
    """Where a server puts the payload of ``operation`` (the first named location)."""
    raise NoServerHalf(envelope, response_path)


@functools.singledispatch
def wrap_response(envelope: object, payload: Any, operation: str) -> Any:  # noqa: ARG001 - a fallback
    """A response body carrying ``payload``, as the service would send it."""
    raise NoServerHalf(envelope, wrap_response)


@functools.singledispatch
def unwrap_request(envelope: object, body: Any, operation: str) -> Any:  # noqa: ARG001 - a fallback
    """The payload of a request body, as the service would read it (``None``: absent)."""
    raise NoServerHalf(envelope, unwrap_request)


@response_path.register
def _response_path(envelope: Envelope, operation: str) -> str | None:
    locator = envelope.for_op(operation).response
    if locator is None or isinstance(locator, str):
        return locator
    return next((c for c in locator if c is not None), None)


@wrap_response.register
def _wrap_response(envelope: Envelope, payload: Any, operation: str) -> Any:
    return put_path(payload, response_path(envelope, operation))


@unwrap_request.register
def _unwrap_request(envelope: Envelope, body: Any, operation: str) -> Any:
    path = envelope.for_op(operation).request
    if path is None:
        return body
    return dig(body, path) if has_path(body, path) else None


__all__ = ["response_path", "unwrap_request", "wrap_response"]
