"""The declarations as data, for model-driven tools (code generators, CLIs, sync jobs),
and the conversion between wire JSON and resources."""

from clientkit._declarations.arguments import (
    check_arguments,
)
from clientkit._declarations.convert import (
    Converter,
)
from clientkit._declarations.generated import (
    MadeResource,
    make_resource,
    resource_source,
)
from clientkit._declarations.identity import (
    identity_of,
    spec_of,
)
from clientkit._declarations.origins import (
    Environment,
    Origin,
)
from clientkit._declarations.pathhelpers import (
    ResourcePath,
    path_of,
)
from clientkit._declarations.paths import (
    PathTemplate,
    SegmentCodec,
    quote_segment,
)
from clientkit._declarations.querytable import (
    Param,
    QueryTable,
    from_json_base64url,
    json_base64url,
)
from clientkit._declarations.resource import (
    FieldInfo,
    ResourceSpec,
    expansion,
    fields_of,
    resource,
)
from clientkit._declarations.surface import (
    Surface,
)

__all__ = [
    "Converter",
    "Environment",
    "FieldInfo",
    "MadeResource",
    "Origin",
    "Param",
    "PathTemplate",
    "QueryTable",
    "ResourcePath",
    "ResourceSpec",
    "SegmentCodec",
    "Surface",
    "check_arguments",
    "expansion",
    "fields_of",
    "from_json_base64url",
    "identity_of",
    "json_base64url",
    "make_resource",
    "path_of",
    "quote_segment",
    "resource",
    "resource_source",
    "spec_of",
]
