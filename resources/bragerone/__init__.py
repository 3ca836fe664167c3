"""BragerOne, declared with clientkit.

``BragerOneApiClient`` offers the official client's surface, synchronously; ``BragerOne`` is
the service declaration for the clientkit session (``BragerOne.connect(...)``) and the sandbox.

Example:
    >>> from clientkit_services.bragerone import BragerOneApiClient
    >>> client = BragerOneApiClient(creds_provider=lambda: ("jan@example.com", "secret"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clientkit_services.bragerone.cache import HttpCache
from clientkit_services.bragerone.client import BragerOneApiClient, CredProvider
from clientkit_services.bragerone.exceptions import (
    ApiError,
    format_expected_failure_reason,
    is_expected_upstream_unavailable,
)
from clientkit_services.bragerone.models import (
    BragerObject,
    DevicesMenu,
    Module,
    ModuleCard,
    ObjectDetails,
    Permission,
    SystemVersion,
    Token,
    TokenStore,
    User,
)
from clientkit_services.bragerone.service import (
    API_BASE,
    BRAGERONE_SERVER,
    IO_BASE,
    ONE_BASE,
    SOCK_PATH,
    TISCONNECT_SERVER,
    WS_NAMESPACE,
    BragerOne,
    Platform,
    ServerConfig,
    server_for,
)

SERVICE = BragerOne

if TYPE_CHECKING:
    from clientkit_services.bragerone.sandbox import BragerOneSandbox


def SANDBOX(**options: Any) -> BragerOneSandbox:
    """The BragerOne sandbox with its demo data (see ``clientkit_services.bragerone.sandbox``)."""
    from clientkit_services.bragerone.sandbox import BragerOneSandbox

    return BragerOneSandbox(**options)


__version__ = "2026.10.1"
__all__ = [
    "API_BASE",
    "BRAGERONE_SERVER",
    "IO_BASE",
    "ONE_BASE",
    "SANDBOX",
    "SERVICE",
    "SOCK_PATH",
    "TISCONNECT_SERVER",
    "WS_NAMESPACE",
    "ApiError",
    "BragerObject",
    "BragerOne",
    "BragerOneApiClient",
    "CredProvider",
    "DevicesMenu",
    "HttpCache",
    "Module",
    "ModuleCard",
    "ObjectDetails",
    "Permission",
    "Platform",
    "ServerConfig",
    "SystemVersion",
    "Token",
    "TokenStore",
    "User",
    "format_expected_failure_reason",
    "is_expected_upstream_unavailable",
    "server_for",
]
