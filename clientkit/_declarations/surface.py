"""An official client's methods as a declared table: each row is the official signature and
the list or action it calls; one dispatcher makes every call."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from clientkit._declarations.errors import DeclarationError, InvalidRequestError
from clientkit._declarations.frames import forgets_locals
from clientkit._declarations.keypaths import ABSENT, Locator, locate
from clientkit._declarations.outcomes import Outcome
from clientkit._declarations.paths import PathTemplate
from clientkit._declarations.querytable import QueryTable
from clientkit._declarations.wire import pairs_of

_KIND = inspect.Parameter.POSITIONAL_OR_KEYWORD


def _pairs(text: str) -> list[tuple[str, str]]:
    """``"a, b=c"`` as ``[("a", ""), ("b", "c")]``."""
    pairs = [p.strip().partition("=") for p in text.split(",") if p.strip()]
    return [(name.strip(), value.strip()) for name, _, value in pairs]


def _empty(name: str, text: str) -> Any:
    """An official default: ``None`` or another empty literal (``False``, ``0``, ``""``)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = text
    if value or not isinstance(value, type(None) | bool | int | float | str):
        raise DeclarationError(f"an official default is None, False, 0 or '', got {name}={text}")
    return value


def _signature(text: str) -> inspect.Signature:
    """``"report_id, body=None"`` as a signature (``self`` first); only empty defaults."""
    params = [inspect.Parameter("self", _KIND)]
    for name, default in _pairs(text):
        if not name.isidentifier():
            raise DeclarationError(f"an official parameter is 'name' or 'name=None', got {name!r}")
        empty = _empty(name, default) if default else inspect.Parameter.empty
        params.append(inspect.Parameter(name, _KIND, default=empty))
    return inspect.Signature(params)


class Surface:
    """An official client's surface over a clientkit ``session``: ``roles`` say where each
    official parameter goes (a path or context name, ``"json"`` for the body, ``"params"`` for
    the query, ``"header:<name>"`` for a header), ``defaults`` which instance attribute stands
    in for a parameter left ``None``, ``converts`` how a parameter's value is sent; ``document``
    names the attribute whose mapping the :meth:`item` accessors read; ``outcome``, an
    :class:`Outcome` class, makes the action rows answer one (an RPC service's result object)
    rather than raise. A body that is ``None`` (after ``body=``) is not sent.

    Example:
        >>> class Client(Surface):
        ...     roles = {"item_id": "id", "body": "json", "team_id": "team"}
        ...     defaults = {"team_id": "team_id"}
        ...     get_items = Surface.method(Item, None, "team_id=None")
        ...     rename = Surface.method(Item, "rename", "item_id, body=None, team_id=None")
        ...     ping = Surface.request("GET", "/teams/{team}/ping", "team_id=None")
    """

    session: Any
    roles: ClassVar[Mapping[str, str]] = {}
    defaults: ClassVar[Mapping[str, str]] = {}
    converts: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}
    document: ClassVar[str] = "document"
    outcome: ClassVar[type[Outcome] | None] = None

    @staticmethod
    def method(
        target: type[Any],
        action: str | None,
        signature: str,
        *,
        body: Callable[[Any], Any] | None = None,
        query: QueryTable | None = None,
        answer: Callable[[Any], Any] | None = None,
        fields: str | None = None,
    ) -> Any:
        """An official method calling ``action`` of ``target`` (its list when ``None``):
        ``body`` shapes the body, ``query`` encodes the query, ``answer`` shapes the result;
        ``fields`` is an RPC body template, its keys in order, each the parameter or instance
        attribute of its name (``"caseNumber=case_number"`` renames)."""
        return _row(signature, body, query, answer, lambda self, kw: self.call(target, action, kw), fields)

    @staticmethod
    def request(
        method: str,
        path: str,
        signature: str,
        *,
        body: Callable[[Any], Any] | None = None,
        query: QueryTable | None = None,
        answer: Callable[[Any], Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
    ) -> Any:
        """An official method that is one request answering raw JSON: ``method`` on ``path``,
        whose placeholders the parameters of those roles fill (one segment each; the context's
        value for one left ``None``); a parameter of another role goes to the query under that
        name (``None`` left out). ``headers``: the row's own (``None`` removes one)."""
        template = PathTemplate(path)
        fixed = dict(headers or {})
        return _row(signature, body, query, answer, lambda self, kw: self.send(method, template, kw, fixed))

    @staticmethod
    def item(key: Locator, *, optional: bool = False) -> Any:
        """An official accessor method: ``key`` of the instance's ``document``, a dotted key path
        (``history.-1``) or alternatives tried in order (``None`` when absent and ``optional``,
        else ``KeyError``); a key the document holds as it is written (``"content.type"``)
        wins over the key path of that spelling."""

        def item(self: Surface) -> Any:
            found = _item_of(getattr(self, self.document), key)
            if found is ABSENT and not optional:
                raise KeyError(key)
            return None if found is ABSENT else found

        return item

    def convert(self, name: str, value: Any) -> Any:
        """``value`` (or the instance's default) as ``converts`` sends it."""
        value = self.default(name, value)
        return self.converts[name](value) if name in self.converts else value

    def default(self, name: str, value: Any) -> Any:
        """``value``, or the instance's default for ``name``; a default that is ``None`` too is refused."""
        if value is not None or name not in self.defaults:
            return value
        value = getattr(self, self.defaults[name])
        if value is None:
            raise InvalidRequestError(f"no {name} given and no default {self.defaults[name]} set")
        return value

    def call(self, target: type[Any], action: str | None, kw: dict[str, Any]) -> Any:
        """The call itself (its :class:`Outcome` when ``outcome`` is set); override it to map
        errors to the official client's."""
        if action is None:
            return self.session.list(target, **kw)
        if self.outcome is not None:
            return self.session.outcome(self.outcome, lambda: self.session.action(target, action, **kw))
        return self.session.action(target, action, **kw)

    def send(self, method: str, path: PathTemplate, kw: dict[str, Any], headers: dict[str, Any]) -> Any:
        """A request row's call (its JSON answer); override it to map errors to the official client's."""
        context = self.session.context
        values = {name: kw.pop(name, None) for name in path.names}  # None: the context's value
        url = path.expand({k: context.get(k) if v is None else v for k, v in values.items()})
        sent: dict[str, Any] = {"headers": {**headers, **kw.pop("headers", {})}}
        if "json" in kw:
            sent["json"] = kw.pop("json")
        query = pairs_of(kw.pop("params", None) or {}, "query parameters")
        sent["params"] = query + [(k, v) for k, v in kw.items() if v is not None]
        return self.session.json_of(self.session.request(method, url, **sent))


def _item_of(document: Any, key: Locator) -> Any:
    """``key`` in ``document``: each alternative a literal key the document has, else a key path."""
    for path in [key] if key is None or isinstance(key, str) else key:
        if isinstance(document, Mapping) and isinstance(path, str) and path in document:
            return document[path]
        found = locate(document, [path])
        if found is not ABSENT:
            return found
    return ABSENT


def _row(
    signature: str,
    body: Callable[[Any], Any] | None,
    query: QueryTable | None,
    answer: Callable[[Any], Any] | None,
    call: Callable[[Any, dict[str, Any]], Any],
    fields: str | None = None,
) -> Any:
    """The method of one row: its arguments bound to the official signature and placed by
    role, or into the ``fields`` body template."""
    sig, template = _signature(signature), [(k, s or k) for k, s in _pairs(fields or "")]
    sourced = {s for _, s in template}

    def method(self: Surface, *args: Any, **kwargs: Any) -> Any:
        bound = sig.bind(self, *args, **kwargs)
        bound.apply_defaults()
        given = {n: self.convert(n, v) for n, v in list(bound.arguments.items())[1:]}
        kw: dict[str, Any] = {}
        values: dict[str, Any] = {}
        headers: dict[str, Any] = {}
        if template:
            kw["json"] = {k: given[s] if s in given else getattr(self, s) for k, s in template}
        for name, value in given.items():
            role = self.roles.get(name, name)
            if name in sourced:
                continue
            if role == "params":
                values[name] = value
            elif role.startswith("header:"):
                headers[role.removeprefix("header:")] = value
            elif role != "json" or (value := body(value) if body else value) is not None:
                kw[role] = value
        if values or query:
            kw["params"] = query.encode(values) if query else values
        if headers:
            kw["headers"] = headers
        result = call(self, kw)
        return answer(result) if answer else result

    method.__signature__ = sig  # type: ignore[attr-defined]
    return forgets_locals(method)
