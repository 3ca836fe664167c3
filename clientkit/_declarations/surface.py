"""An official client's methods as a declared table: each row is the official signature and
the list or action it calls; one dispatcher makes every call."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from clientkit._declarations.errors import DeclarationError, InvalidRequestError
from clientkit._declarations.querytable import QueryTable

_KIND = inspect.Parameter.POSITIONAL_OR_KEYWORD


def _signature(text: str) -> inspect.Signature:
    """``"report_id, body=None"`` as a signature (``self`` first); only ``None`` defaults."""
    params = [inspect.Parameter("self", _KIND)]
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, default = part.partition("=")
        if not name.isidentifier() or default not in ("", "None"):
            raise DeclarationError(f"an official parameter is 'name' or 'name=None', got {part!r}")
        params.append(inspect.Parameter(name, _KIND, default=None if default else inspect.Parameter.empty))
    return inspect.Signature(params)


class Surface:
    """An official client's surface over a clientkit ``session``: ``roles`` say where each
    official parameter goes (a path or context name, ``"json"`` for the body, ``"params"`` for
    the query), ``defaults`` which instance attribute stands in for a parameter left ``None``.

    Example:
        >>> class Client(Surface):
        ...     roles = {"item_id": "id", "body": "json", "team_id": "team"}
        ...     defaults = {"team_id": "team_id"}
        ...     get_items = Surface.method(Item, None, "team_id=None")
        ...     rename = Surface.method(Item, "rename", "item_id, body=None, team_id=None")
    """

    session: Any
    roles: ClassVar[Mapping[str, str]] = {}
    defaults: ClassVar[Mapping[str, str]] = {}

    @staticmethod
    def method(
        target: type[Any],
        action: str | None,
        signature: str,
        *,
        body: Callable[[Any], Any] | None = None,
        query: QueryTable | None = None,
        answer: Callable[[Any], Any] | None = None,
    ) -> Any:
        """An official method calling ``action`` of ``target`` (its list when ``None``):
        ``body`` shapes the body, ``query`` encodes the query, ``answer`` shapes the result."""
        sig = _signature(signature)

        def method(self: Surface, *args: Any, **kwargs: Any) -> Any:
            bound = sig.bind(self, *args, **kwargs)
            bound.apply_defaults()
            kw: dict[str, Any] = {}
            values: dict[str, Any] = {}
            for name, given in list(bound.arguments.items())[1:]:
                role, value = self.roles.get(name, name), self.default(name, given)
                if role == "params":
                    values[name] = value
                else:
                    kw[role] = body(value) if role == "json" and body else value
            if values or query:
                kw["params"] = query.encode(values) if query else values
            result = self.call(target, action, kw)
            return answer(result) if answer else result

        method.__signature__ = sig  # type: ignore[attr-defined]
        return method

    def default(self, name: str, value: Any) -> Any:
        """``value``, or the instance's default for ``name``; a default that is ``None`` too is refused."""
        if value is not None or name not in self.defaults:
            return value
        value = getattr(self, self.defaults[name])
        if value is None:
            raise InvalidRequestError(f"no {name} given and no default {self.defaults[name]} set")
        return value

    def call(self, target: type[Any], action: str | None, kw: dict[str, Any]) -> Any:
        """The call itself; override it to map errors to the official client's."""
        if action is None:
            return self.session.list(target, **kw)
        return self.session.action(target, action, **kw)
