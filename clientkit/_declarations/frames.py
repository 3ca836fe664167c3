"""Tracebacks without secrets: a clientkit error leaves an operation with the local variables
of the frames it passed through cleared, since a traceback shown with its locals
(``capture_locals``, ``pytest -l``, error trackers) would print them raw (a URL holding a
token, the arguments of a call)."""

from __future__ import annotations

import functools
import inspect
import traceback
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from clientkit._declarations.errors import ClientKitError

P = ParamSpec("P")
T = TypeVar("T")


def forgets_locals(operation: Callable[P, T]) -> Callable[P, T]:
    """``operation``, whose clientkit errors keep the lines of their traceback but none of the
    local variables of its frames and of the frames under it (its arguments included). A
    generator function's errors are cleared as its generator runs (a lazy pager's fetches).

    Example:
        >>> @forgets_locals
        ... def post(self, url: str, body: dict) -> Any:   # url holds a token
        ...     return self.session.request("POST", url, json=body)
    """
    if inspect.isgeneratorfunction(operation):
        return _forgetting_generator(operation)  # type: ignore[return-value]

    @functools.wraps(operation)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return operation(*args, **kwargs)
        except ClientKitError as error:
            del args, kwargs
            traceback.clear_frames(error.__traceback__)  # this frame, still running, is skipped
            raise

    return wrapper


def _forgetting_generator(operation: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(operation)
    def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            return (yield from operation(*args, **kwargs))
        except ClientKitError as error:
            del args, kwargs
            traceback.clear_frames(error.__traceback__)
            raise

    return generator
