"""Which declaration a resource class or object has, and an object's identity value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clientkit._declarations.errors import DeclarationError

if TYPE_CHECKING:
    from clientkit._declarations.resource import Resource, ResourceSpec


def spec_of(cls_or_obj: type[Resource] | Resource) -> ResourceSpec:
    """The path declaration of a resource (raises when it has none)."""
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    spec: ResourceSpec | None = getattr(cls, "__ck_spec__", None)
    if spec is None:
        raise DeclarationError(
            f"{cls.__name__} has no paths; decorate it with Service.resource(...) "
            "or clientkit.model.resource(...)"
        )
    return spec


def identity_of(obj: Resource) -> Any:
    """The identity value of ``obj`` (a tuple for composite identities)."""
    spec = spec_of(obj)
    values = tuple(getattr(obj, name) for name in spec.identity)
    if not values:
        return None
    return values[0] if len(values) == 1 else values
