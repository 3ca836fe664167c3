"""BragerOne's error: the official ``ApiError(status, data, headers)``, also clientkit's typed
errors (``except ApiError`` and ``except clientkit.NotFoundError`` both catch a 404)."""

from __future__ import annotations

from typing import Any

UPSTREAM_DOWN = (502, 503, 504)


class ApiError(RuntimeError):
    """An HTTP error answer (or a payload the client refused): ``status``, the decoded body
    as ``data``, and the response ``headers``; ``str()`` is ``HTTP <status>: <repr(data)>``."""

    def __init__(self, status: Any, data: Any = None, headers: dict[str, str] | None = None) -> None:
        if not isinstance(status, int):  # clientkit's typed error: its text is already worded
            super().__init__(status)
            return
        super().__init__(f"HTTP {status}: {data!r}")
        self.status = status
        self.body = data
        self.headers = dict(headers or {})

    @property
    def data(self) -> Any:
        """The decoded body: JSON, text, or ``None``."""
        return self.body


def _chain(err: BaseException) -> list[BaseException]:
    """``err`` and everything reachable through causes, contexts and exception groups."""
    seen: list[BaseException] = []
    todo = [err]
    while todo:
        item = todo.pop(0)
        if item in seen:
            continue
        seen.append(item)
        todo += [e for e in (item.__cause__, item.__context__) if e is not None]
        todo += [e for e in getattr(item, "exceptions", ()) if isinstance(e, BaseException)]
    return seen


def _code(item: BaseException, name: str) -> int | None:
    value = getattr(item, name, None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_expected_upstream_unavailable(err: BaseException) -> bool:
    """Whether ``err`` (or its causes) says the service is down for now: a 502, 503 or 504."""
    return any(_code(e, "status") in UPSTREAM_DOWN or _code(e, "code") in UPSTREAM_DOWN for e in _chain(err))


def format_expected_failure_reason(err: BaseException) -> str:
    """A short reason for ``err``: ``ApiError(status=503)``, ``<Type>(code=N)`` or its type."""
    chain = _chain(err)
    for item in chain:
        if isinstance(item, ApiError) and _code(item, "status") is not None:
            return f"ApiError(status={item.status})"
    for name in ("status", "code"):
        for item in chain:
            if _code(item, name) is not None:
                return f"{type(item).__name__}({name}={_code(item, name)})"
    return type(err).__name__
