"""BlizWork, declared with clientkit: the official ``blizworkapi`` surface on a clientkit session
(``BlizWorkAPIInstance("<api token>", "email@company.com")``); ``BlizWork`` is the declaration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clientkit_services.blizwork.client import (
    BlizWorkAPIInstance,
    BlizWorkCase,
    BlizWorkMasterDataTable,
    BlizWorkProcess,
    BlizWorkUtils,
)
from clientkit_services.blizwork.service import (
    BlizWork,
    BlizWorkCallError,
    BlizWorkCallResponse,
    BlizWorkError,
    Case,
    CaseDataLevel,
)

SERVICE = BlizWork

if TYPE_CHECKING:
    from clientkit_services.blizwork.sandbox import BlizWorkSandbox


def SANDBOX(**options: Any) -> BlizWorkSandbox:
    """The BlizWork sandbox with its demo data (see ``clientkit_services.blizwork.sandbox``)."""
    from clientkit_services.blizwork.sandbox import BlizWorkSandbox

    return BlizWorkSandbox(**options)


__all__ = [
    "SANDBOX",
    "SERVICE",
    "BlizWork",
    "BlizWorkAPIInstance",
    "BlizWorkCallError",
    "BlizWorkCallResponse",
    "BlizWorkCase",
    "BlizWorkError",
    "BlizWorkMasterDataTable",
    "BlizWorkProcess",
    "BlizWorkUtils",
    "Case",
    "CaseDataLevel",
]
