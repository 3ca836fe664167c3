"""Resource classes made at run time from a list of fields (a server's metadata, a schema),
and resource classes written back as Python source, for projects that check their models in."""

from __future__ import annotations

import keyword
import types
import typing
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from clientkit._declarations.errors import DeclarationError
from clientkit._declarations.identity import spec_of
from clientkit._declarations.resource import _META, Resource, ResourceSpec, field, resource

#: a field as ``(name, annotation)`` or ``(name, annotation, {field() options})``
FieldEntry = tuple[str, Any] | tuple[str, Any, Mapping[str, Any]]

_DEFAULTS: dict[str, Any] = {"wire": None, "level": 0}
_PATHS = ("one", "many", "create", "update", "delete")
_METHODS = {"create_method": "POST", "update_method": "PUT", "patch_method": "PATCH",
            "delete_method": "DELETE"}  # fmt: skip
_NOT_RENDERED = ("actions", "expansion", "envelope", "pagination", "segments", "write_answers",
                 "answer_check")  # fmt: skip


def _identifier(what: str, name: Any) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise DeclarationError(f"{what} {name!r} is not a Python identifier; name it otherwise (and wire=)")
    return name


class MadeResource(Resource):
    """The base of the classes :func:`make_resource` makes: their fields are known only at
    run time, so checkers take any keyword to build one and any attribute (as ``Any``)."""

    if TYPE_CHECKING:

        def __init__(self, **values: Any) -> None: ...

        def __getattr__(self, name: str) -> Any: ...


def make_resource(
    name: str, fields: Iterable[FieldEntry], *, service: type | None = None, **declaration: Any
) -> type[MadeResource]:
    """A resource class named ``name`` with ``fields``, declared with ``declaration`` (the
    options of ``Service.resource``); with no ``service`` it is registered nowhere.

    Example:
        >>> Country = make_resource("Country", [("id", int | None, {"read_only": True}),
        ...                                     ("name", str | None)], one="/countries/{id}")
    """
    namespace: dict[str, Any] = {"__annotations__": {}, "__module__": __name__}
    for entry in fields:
        if not isinstance(entry, tuple) or len(entry) not in (2, 3):
            raise DeclarationError(f"a field is (name, annotation[, options]), not {entry!r}")
        fname = _identifier("field name", entry[0])
        if fname in namespace["__annotations__"]:
            raise DeclarationError(f"{name}: field {fname!r} is given twice")
        namespace["__annotations__"][fname] = entry[1]
        try:
            namespace[fname] = field(**(entry[2] if len(entry) == 3 else {}))
        except TypeError as exc:  # an option field() does not take
            raise DeclarationError(f"{name}.{fname}: {exc}") from None
    made = (MadeResource,)
    cls = types.new_class(_identifier("class name", name), made, {}, lambda ns: ns.update(namespace))
    return resource(service, **declaration)(cls)


def type_source(annotation: Any, imports: set[str]) -> str:
    """``annotation`` as source text; the imports it needs are added to ``imports``."""
    if annotation is None or annotation is type(None):
        return "None"
    if annotation is Any:
        imports.add("from typing import Any")
        return "Any"
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        return " | ".join(type_source(a, imports) for a in args)
    if origin is not None and args:
        return f"{type_source(origin, imports)}[{', '.join(type_source(a, imports) for a in args)}]"
    if isinstance(annotation, type):
        if annotation.__module__ != "builtins":
            imports.add(f"from {annotation.__module__} import {annotation.__qualname__}")
        return annotation.__qualname__
    raise DeclarationError(f"the annotation {annotation!r} cannot be written as source")


def _field_source(a: attrs.Attribute[Any], annotation: Any, imports: set[str]) -> str:
    if a.converter is not None or a.validator is not None:
        raise DeclarationError(f"field {a.name!r} has a converter or validator, not writable as source")
    meta = a.metadata.get(_META, {})
    options = [f"{k}={v!r}" for k, v in meta.items() if v not in (_DEFAULTS.get(k, False), a.name)]
    if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
        options.append(f"factory={type_source(a.default.factory, imports)}")  # type: ignore[union-attr]
    elif a.default is not None:
        options.append(f"default={a.default!r}")
    return f"    {a.name}: {type_source(annotation, imports)} = field({', '.join(options)})"


def _declaration(spec: ResourceSpec, cls: type) -> str:
    refused = [n for n in _NOT_RENDERED if getattr(spec, n, None) not in (None, {}, attrs.NOTHING)]
    if refused:
        raise DeclarationError(f"{spec.name}: {refused} cannot be written as source yet")
    paths = {n: getattr(spec, n).template for n in _PATHS if getattr(spec, n) is not None}
    default = {"create": paths.get("many"), "update": paths.get("one"), "delete": paths.get("one")}
    paths = {n: t for n, t in paths.items() if t != default.get(n)}
    options = [f"{n}={t!r}" for n, t in paths.items()]
    options += [f"identity={spec.identity!r}"] if spec.identity else ["singleton=True"]
    options += [f"parents={spec.parents!r}"] if spec.parents else []
    options += [f"path_params={dict(spec.path_params)!r}"] if spec.path_params else []
    options += [f"name={spec.name!r}"] if spec.name != cls.__name__ else []
    options += [f"save={spec.save_method!r}"] if spec.save_method != "PATCH" else []
    options += [f"{n}={getattr(spec, n)!r}" for n, d in _METHODS.items() if getattr(spec, n) != d]
    return f"@resource({', '.join(options)})"


def resource_source(cls: type[Resource]) -> str:
    """The Python source of a module declaring ``cls`` (with no service: ``@resource(...)``).

    Paths, identity, parents, path parameters, verbs and every field with its ``field()``
    options are written; a declaration that cannot be (actions, expansion, a validator...)
    raises :class:`DeclarationError` rather than being left out.
    """
    spec = spec_of(cls)
    imports: set[str] = set()
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError) as exc:
        raise DeclarationError(f"{cls.__name__}: its annotations cannot be resolved ({exc})") from None
    body = [_field_source(a, hints[a.name], imports) for a in attrs.fields(cls)]  # type: ignore[arg-type]
    head = ["from __future__ import annotations", "", *sorted(imports), *([""] if imports else [])]
    head += ["from clientkit import Resource, field", "from clientkit.model import resource", "", ""]
    lines = [*head, _declaration(spec, cls), f"class {cls.__name__}(Resource):", *(body or ["    pass"])]
    return "\n".join(lines) + "\n"
