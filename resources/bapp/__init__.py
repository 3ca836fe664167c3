"""The BAPP Auto API with clientkit: ``BappApiClient`` is the official surface, ``BappApi`` the service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clientkit.paging import CountedList as PagedList
from clientkit_services.bapp.client import BappApiClient, TaskFailed
from clientkit_services.bapp.service import TASK, BappApi, Entity

SERVICE = BappApi
__all__ = ["SANDBOX", "SERVICE", "TASK", "BappApi", "BappApiClient", "Entity", "PagedList", "TaskFailed"]

if TYPE_CHECKING:
    from clientkit_services.bapp.sandbox import BappSandbox


def SANDBOX(**options: Any) -> BappSandbox:  # the emulator (werkzeug) is imported only when served
    from clientkit_services.bapp.sandbox import BappSandbox

    return BappSandbox(**options)
