"""clientkit: declare a REST service once; get a typed, cached, paginated, retrying client.

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

from clientkit.auth import ApiKeyAuth, Authenticator, BasicAuth, PasswordLogin, TokenAuth
from clientkit.cache import CacheConfig
from clientkit.convert import Converter
from clientkit.envelope import Envelope
from clientkit.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    CacheError,
    ClientError,
    ClientKitError,
    ConflictError,
    ConnectError,
    DeclarationError,
    DecodeError,
    ErrorShape,
    IncompleteResourceError,
    InvalidRequestError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    RedirectError,
    RequestTimeout,
    ServerError,
    TransportError,
    ValidationError,
)
from clientkit.expansion import Expansion
from clientkit.options import RequestOptions, Timeout
from clientkit.pagination import (
    CountedList,
    Cursor,
    HeaderNext,
    LinkHeader,
    NextUrl,
    OffsetLimit,
    Page,
    PageNumber,
    Pager,
    PageRequest,
    Paginator,
    SinglePage,
)
from clientkit.paths import PathTemplate, quote_segment
from clientkit.redaction import Secret, redact
from clientkit.resource import (
    Action,
    FieldInfo,
    Resource,
    etag_of,
    expansion,
    extra,
    field,
    fields_of,
    identity_of,
    is_new,
    loaded_level,
    resource,
    spec_of,
)
from clientkit.retry import RetryPolicy
from clientkit.service import Service
from clientkit.session import Session
from clientkit.tokens import FileTokenStore, MemoryTokenStore, Token, TokenStore, jwt_expiry
from clientkit.wire import JsonCodec, QueryStyle

__version__ = "0.1.0"


def changes(obj: Resource) -> dict[str, object]:
    """What ``save()`` would send for ``obj``: wire name -> new value."""
    spec = obj.__ck_spec__
    service = spec.service if spec is not None else None
    converter: Converter = getattr(service, "converter", None) or _default_converter()
    return converter.changes(obj)


def _default_converter() -> Converter:
    from clientkit.convert import default_converter

    return default_converter


__all__ = [
    "APIError",
    "Action",
    "ApiKeyAuth",
    "AuthenticationError",
    "Authenticator",
    "BadRequestError",
    "BasicAuth",
    "CacheConfig",
    "CacheError",
    "ClientError",
    "ClientKitError",
    "ConflictError",
    "ConnectError",
    "Converter",
    "CountedList",
    "Cursor",
    "DeclarationError",
    "DecodeError",
    "Envelope",
    "ErrorShape",
    "Expansion",
    "FieldInfo",
    "FileTokenStore",
    "HeaderNext",
    "IncompleteResourceError",
    "InvalidRequestError",
    "JsonCodec",
    "LinkHeader",
    "MemoryTokenStore",
    "NextUrl",
    "NotFoundError",
    "OffsetLimit",
    "Page",
    "PageNumber",
    "PageRequest",
    "Pager",
    "PaginationError",
    "Paginator",
    "PasswordLogin",
    "PathTemplate",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "QueryStyle",
    "RateLimitError",
    "RedirectError",
    "RequestOptions",
    "RequestTimeout",
    "Resource",
    "RetryPolicy",
    "Secret",
    "ServerError",
    "Service",
    "Session",
    "SinglePage",
    "Timeout",
    "Token",
    "TokenAuth",
    "TokenStore",
    "TransportError",
    "ValidationError",
    "__version__",
    "changes",
    "etag_of",
    "expansion",
    "extra",
    "field",
    "fields_of",
    "identity_of",
    "is_new",
    "jwt_expiry",
    "loaded_level",
    "quote_segment",
    "redact",
    "resource",
    "spec_of",
]
