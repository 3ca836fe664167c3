"""clientkit: declare a REST service once; get a typed, cached, paginated, retrying client.

The names here cover declaring and using a service. The rest of the public surface sits
in a few modules: :mod:`clientkit.errors` (every exception), :mod:`clientkit.paging`
(pages, pagers and the parts of a custom paging style), :mod:`clientkit.tokens` (token
stores), :mod:`clientkit.model` (introspection and conversion for model-driven tools),
:mod:`clientkit.bulk` (bounded concurrent work) and :mod:`clientkit.sandbox`.

Example:
    >>> from clientkit import Resource, Service, TokenAuth, field
    >>> class Shop(Service):
    ...     base_url = "https://shop.example.com/api"
    ...     auth = TokenAuth(scheme="Bearer")
    >>> @Shop.resource(one="/products/{id}", many="/products")
    ... class Product(Resource):
    ...     id: int | None = field(read_only=True)
    ...     name: str | None = None
    >>> with Shop.connect(token="...") as shop:
    ...     product = shop.get(Product, 1)
"""

from clientkit._client import opener as _opener  # noqa: F401  (registers Service.connect)
from clientkit._client.auth import ApiKeyAuth, Authenticator, BasicAuth, PasswordLogin, TokenAuth
from clientkit._client.cache import CacheStats
from clientkit._client.session import Session
from clientkit._declarations.convert import changes
from clientkit._declarations.envelope import Envelope
from clientkit._declarations.errors import APIError, ClientKitError, ErrorShape
from clientkit._declarations.expansion import Expansion
from clientkit._declarations.options import CacheConfig, CallOptions, Timeout
from clientkit._declarations.paging import (
    Cursor,
    HeaderNext,
    LinkHeader,
    NextUrl,
    OffsetLimit,
    PageNumber,
    Paginator,
    SinglePage,
)
from clientkit._declarations.redaction import Secret
from clientkit._declarations.resource import (
    Action,
    Resource,
    etag_of,
    extra,
    field,
    is_new,
    loaded_level,
)
from clientkit._declarations.retry import RetryPolicy
from clientkit._declarations.service import Service
from clientkit._declarations.wire import JsonCodec, QueryStyle
from clientkit._version import __version__ as __version__

__all__ = [
    "APIError",
    "Action",
    "ApiKeyAuth",
    "Authenticator",
    "BasicAuth",
    "CacheConfig",
    "CacheStats",
    "CallOptions",
    "ClientKitError",
    "Cursor",
    "Envelope",
    "ErrorShape",
    "Expansion",
    "HeaderNext",
    "JsonCodec",
    "LinkHeader",
    "NextUrl",
    "OffsetLimit",
    "PageNumber",
    "Paginator",
    "PasswordLogin",
    "QueryStyle",
    "Resource",
    "RetryPolicy",
    "Secret",
    "Service",
    "Session",
    "SinglePage",
    "Timeout",
    "TokenAuth",
    "changes",
    "etag_of",
    "extra",
    "field",
    "is_new",
    "loaded_level",
]
