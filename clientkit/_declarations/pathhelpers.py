"""Path helpers: an official client's ``one_path()``-style methods derived from the declared
paths, so each is one line and cannot drift from the paths the session requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import urlencode

from clientkit._declarations.errors import InvalidRequestError
from clientkit._declarations.identity import spec_of
from clientkit._declarations.paths import PERCENT, SegmentCodec
from clientkit._declarations.wire import QueryStyle

if TYPE_CHECKING:
    from clientkit._declarations.resource import Resource


def path_of(
    obj: Resource, operation: str, *, of: type[Resource] | None = None, level: Any = None, **values: Any
) -> str:
    """The path of ``operation`` (an action name works too) of ``of`` (``obj``'s class by
    default): placeholders from ``values``, else ``obj``'s fields, each one segment as the
    session spells it; ``level`` adds the query of the resource's ``Expansion`` where that
    operation carries it (booleans as the service spells them).

    Example:
        >>> path_of(Collection(app="a", slug="b"), "get", of=Item, id="6475c7")
        '/item/a/b/6475c7'
    """
    spec = spec_of(of or obj)
    template = spec.template(operation)
    given = {name: values.get(name, getattr(obj, name, None)) for name in template.names}
    missing = [name for name, value in given.items() if value is None]
    if missing:
        raise InvalidRequestError(
            f"the {operation} path of {spec.name} needs {_all(template.names)} ({', '.join(missing)} not set)"
        )
    codec: SegmentCodec = spec.segments or getattr(spec.service, "segments", None) or PERCENT
    path = template.expand(given, codec)
    if spec.expansion is None:
        return path
    pairs = spec.expansion.params(spec.expansion.normalize(level), operation)
    style = getattr(spec.service, "query", QueryStyle())
    return f"{path}?{urlencode(style.encode(pairs))}" if pairs else path


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
