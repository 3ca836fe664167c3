"""A local emulator of declared services, served on 127.0.0.1.

Example:
    >>> from clientkit.sandbox import Sandbox
    >>> with Sandbox(Shop, data={"Product": [{"id": 1, "name": "Lamp"}]}) as url:
    ...     shop = Shop.connect(url, token="sandbox-token")
"""

from typing import TYPE_CHECKING

from clientkit.sandbox.accounts import Accounts
from clientkit.sandbox.faults import Fault, FaultPlan
from clientkit.sandbox.halves import NoServerHalf
from clientkit.sandbox.journal import Entry, Journal
from clientkit.sandbox.paging import PageQuery, Served, serve_page
from clientkit.sandbox.principals import principal_of
from clientkit.sandbox.server import ServerThread
from clientkit.sandbox.store import MemoryStore, Record, SqliteStore

if TYPE_CHECKING:  # loaded on first use (it needs werkzeug): typed for checkers all the same
    from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest

__all__ = [
    "Accounts",
    "Entry",
    "Fault",
    "FaultPlan",
    "Journal",
    "MemoryStore",
    "NoServerHalf",
    "PageQuery",
    "Record",
    "Reply",
    "Sandbox",
    "SandboxRequest",
    "Served",
    "ServerThread",
    "SqliteStore",
    "principal_of",
    "serve_page",
]


def __getattr__(name: str) -> object:
    # The app needs werkzeug (the ``sandbox`` extra); import it only when asked for.
    if name in ("Sandbox", "Reply", "SandboxRequest"):
        from clientkit.sandbox import app

        return getattr(app, name)
    raise AttributeError(name)
