"""Path helpers: an official client's ``one_path()``-style methods derived from the declared
paths, so each is one line and cannot drift from the paths the session requests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, overload
from urllib.parse import urlencode

from clientkit._declarations.errors import ArgumentTypeError
from clientkit._declarations.identity import spec_of
from clientkit._declarations.parents import path_values
from clientkit._declarations.paths import PERCENT, SegmentCodec
from clientkit._declarations.wire import QueryStyle

if TYPE_CHECKING:
    from clientkit._declarations.resource import Resource


class Contextual(Protocol):
    """What gives a session's context values: a :class:`~clientkit.Session`."""

    @property
    def context(self) -> Mapping[str, Any]: ...


def path_of(
    obj: Resource,
    operation: str,
    *,
    of: type[Resource] | None = None,
    level: Any = None,
    session: Contextual | None = None,
    **values: Any,
) -> str:
    """The path of ``operation`` (an action name works too) of ``of`` (``obj``'s class by
    default), as the session builds it: placeholders from the ``session``'s context (the
    service's context defaults without one), the resource's ``path_params``, the parents
    ``obj`` was loaded under, ``obj``'s fields, then ``values``, each one segment as the
    session spells it; ``level`` adds the query of the resource's ``Expansion`` where that
    operation carries it (booleans as the service spells them). A placeholder left without
    a value raises :class:`~clientkit.errors.ArgumentTypeError` (also a ``TypeError``).

    Example:
        >>> path_of(Collection(app="a", slug="b"), "get", of=Item, id="6475c7")
        '/item/a/b/6475c7'
    """
    spec = spec_of(of or obj)
    template = spec.template(operation)
    service = spec.service
    context = session.context if session is not None else getattr(service, "context", {})
    converter = getattr(service, "converter", None)
    structure = converter.value if converter is not None else _as_is
    filled = path_values(spec, template.names, obj, values, context, structure)
    missing = [name for name in template.names if filled.get(name) is None]
    if missing:
        raise ArgumentTypeError(
            f"the {operation} path of {spec.name} needs {_all(template.names)} ({', '.join(missing)} not set)"
        )
    codec: SegmentCodec = spec.segments or getattr(service, "segments", None) or PERCENT
    path = template.expand(filled, codec)
    if spec.expansion is None:
        return path
    pairs = spec.expansion.params(spec.expansion.normalize(level), operation)
    style = getattr(service, "query", QueryStyle())
    return f"{path}?{urlencode(style.encode(pairs))}" if pairs else path


def _as_is(value: Any, _: Any) -> Any:
    return value


def _all(names: tuple[str, ...]) -> str:
    if len(names) == 2:
        return f"both {names[0]} and {names[1]}"
    return ", ".join(names)


class ResourcePath:
    """A method giving an object's path of ``operation`` (:func:`path_of`), declared in one
    line on a resource class: ``level`` names the field holding the level to ask for;
    ``fallback`` is the operation whose path is given when no identity field is set.

    Example:
        >>> class ResourceType(Resource):
        ...     one_path = ResourcePath("get", level="extended")
        ...     one_or_all_path = ResourcePath("get", level="extended", fallback="list")
    """

    def __init__(self, operation: str, *, level: str | None = None, fallback: str | None = None) -> None:
        self.operation = operation
        self.level = level
        self.fallback = fallback

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> ResourcePath: ...
    @overload
    def __get__(self, obj: Resource, owner: type | None = None) -> Callable[[], str]: ...
    def __get__(self, obj: Resource | None, owner: type | None = None) -> Any:
        return self if obj is None else lambda: self(obj)

    def __call__(self, obj: Resource) -> str:
        operation = self.operation
        identity = spec_of(obj).identity
        if self.fallback and identity and all(getattr(obj, n) is None for n in identity):
            operation = self.fallback
        return path_of(obj, operation, level=getattr(obj, self.level, None) if self.level else None)
