"""Clappform, declared with clientkit.

``Clappform`` offers the official client's surface; ``ClappformApi`` is the service
declaration for the clientkit session (``ClappformApi.connect(...)``) and the sandbox.

Example:
    >>> from clientkit_services.clappform import App, Clappform
    >>> c = Clappform("https://app.clappform.com", "j.doe@clappform.com", "S3cr3tP4ssw0rd!")
    >>> c.get(App(id="uspresidents"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clientkit_services.clappform import dataclasses, exceptions
from clientkit_services.clappform.client import Clappform
from clientkit_services.clappform.dataclasses import *  # noqa: F403  (the official dataclasses)
from clientkit_services.clappform.exceptions import (
    DataframeWriteError,
    HTTPError,
    PaginationError,
    PaginationKeyError,
    PaginationTotalError,
)
from clientkit_services.clappform.models import ImportEntry, Item, Me
from clientkit_services.clappform.service import ClappformApi

SERVICE = ClappformApi

if TYPE_CHECKING:
    from clientkit_services.clappform.sandbox import ClappformSandbox


def SANDBOX(**options: Any) -> ClappformSandbox:
    """The Clappform sandbox with its demo data (see ``clientkit_services.clappform.sandbox``)."""
    from clientkit_services.clappform.sandbox import clappform_sandbox

    return clappform_sandbox(**options)


__version__ = "4.1.0"
__all__ = [
    "SANDBOX",
    "SERVICE",
    "Clappform",
    "ClappformApi",
    "DataframeWriteError",
    "HTTPError",
    "ImportEntry",
    "Item",
    "Me",
    "PaginationError",
    "PaginationKeyError",
    "PaginationTotalError",
    "dataclasses",
    "exceptions",
]
__all__ += dataclasses.__all__
