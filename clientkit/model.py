"""The declarations as data, for model-driven tools (code generators, CLIs, sync jobs),
and the conversion between wire JSON and resources."""

from clientkit._declarations.convert import (
    Converter,
)
from clientkit._declarations.paths import (
    PathTemplate,
    quote_segment,
)
from clientkit._declarations.resource import (
    FieldInfo,
    ResourceSpec,
    resource,
)

__all__ = [
    "Converter",
    "FieldInfo",
    "PathTemplate",
    "ResourceSpec",
    "quote_segment",
    "resource",
]
