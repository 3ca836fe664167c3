"""BlizWork, declared with clientkit.

The official ``blizworkapi`` surface (``BlizWorkAPIInstance``, ``BlizWorkProcess``, ...) on a
clientkit session; ``BlizWork`` is the service declaration, for the session and the sandbox.

Example:
    >>> from resources.blizwork import BlizWorkAPIInstance, BlizWorkProcess
    >>> api = BlizWorkAPIInstance("<api token>", "email@company.com")
"""

from resources.blizwork.client import (
    BlizWorkAPIInstance,
    BlizWorkCallResponse,
    BlizWorkCase,
    BlizWorkMasterDataTable,
    BlizWorkProcess,
    BlizWorkUtils,
)
from resources.blizwork.exceptions import BlizWorkCallError, BlizWorkError
from resources.blizwork.service import BlizWork, Case, CaseDataLevel

SERVICE = BlizWork


def SANDBOX(**options: object) -> object:
    """The BlizWork sandbox with its demo data (see ``resources.blizwork.sandbox``)."""
    from resources.blizwork.sandbox import BlizWorkSandbox

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
