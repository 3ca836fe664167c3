"""The Clappform sandbox: the generic emulator serving Clappform's declarations.

Served under ``/api`` (clients are given the host). Every JSON answer carries ``code``,
``message`` and ``response_id``; the declared actions (item removal, dataframe append and
empty, app transfer) get their behaviour here. The demo data is the official
documentation's US presidents.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from clientkit.model import spec_of
from clientkit.sandbox import Accounts
from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest
from clientkit_services.clappform.models import App, Collection, Item, User
from clientkit_services.clappform.service import ClappformApi

DEMO_USER = "j.doe@clappform.com"
DEMO_PASSWORD = "demo-password"
DEMO = Path(__file__).with_name("demo.json")
_MESSAGES = {200: "OK", 201: "Created"}


def clappform_sandbox(
    data: Any = None, store: Any = None, accounts: Accounts | None = None, **options: Any
) -> ClappformSandbox:
    """A Clappform sandbox; ``data`` defaults to the demo (a dict or JSON file like demo.json)."""
    return ClappformSandbox(data=data, store=store, accounts=accounts, **options)


class ClappformSandbox(Sandbox):
    """The generic sandbox serving Clappform's declarations, with its answers' envelope and
    what no declaration states: ``/user/me`` answers the caller, and ``read_data`` pages.

    Seed data may hold ``items`` (``{"app/slug": [records]}``) and ``imports`` (the import
    entries) besides the resources' records.
    """

    def __init__(self, data: Any = None, *, accounts: Accounts | None = None, **options: Any) -> None:
        seed = json.loads(DEMO.read_text("utf-8")) if data is None else data
        if isinstance(seed, str | Path):
            seed = json.loads(Path(seed).read_text("utf-8"))
        seed = dict(seed)
        seed["Item"] = [
            {"app": key.split("/")[0], "slug": key.split("/")[1], **row}
            for key, rows in seed.pop("items", {}).items()
            for row in rows
        ]
        seed["ImportEntry"] = seed.pop("imports", [])
        accounts = accounts or Accounts(
            tokens={}, logins=[{"username": DEMO_USER, "password": DEMO_PASSWORD}]
        )
        options.setdefault("create_status", 200)
        options.setdefault("delete_status", 200)
        options.setdefault("validation_status", 400)
        options.setdefault("keep_unknown", {"Item"})  # the official models reject unknown keys
        super().__init__(ClappformApi, data=seed, accounts=accounts, prefix="/api", **options)
        self._install()

    # -- every answer -------------------------------------------------------------------------

    def finish(self, reply: Reply, req: SandboxRequest | None) -> Reply:
        if reply.raw or reply.status == 204:
            return reply
        body = (
            reply.body
            if isinstance(reply.body, dict)
            else ({} if reply.body is None else {"data": reply.body})
        )
        data = body.get("data")
        if isinstance(data, dict) and "access_token" in data:
            data.setdefault("refresh_expiration", int(time.time()) + 86400)
            body.setdefault("message", "Successfully logged in")
        if req is not None and req.request.method == "DELETE" and "message" not in body:
            body["message"] = f"Successfully deleted {req.request.path.rsplit('/', 1)[-1]}"
        body = {
            "code": reply.status,
            "message": _MESSAGES.get(reply.status, "OK"),
            "response_id": reply.headers.get("X-Request-Id") or secrets.token_hex(12),
            **body,
        }
        return Reply(reply.status, body, reply.headers, reply.content_type)

    # -- what the declarations leave to the server ------------------------------------------------

    def _install(self) -> None:
        self.route("/auth/verify", methods=["POST"])(lambda _: {"message": "Token is valid"})
        self.route("/user/me")(self._me)  # the generic singleton keeps one record, not the caller's
        self.route("/dataframe/read_data", methods=["POST"])(self._read_data)
        self.action(Item, "remove")(self._remove)
        self.action(Collection, "append")(self._append)
        self.action(Collection, "empty")(self._empty)
        self.action(App, "transfer")(self._transfer)

    def _me(self, req: SandboxRequest) -> Reply:
        users = [u for u in self.records(User) if u.get("email") == req.principal]
        if not users:
            return req.error(404, f"User with email: {req.principal} not found")
        level = 1 if req.query.get("extended", "false").lower() == "true" else 0
        return Reply(200, {"data": self.render(User, users[0], level)})

    def _items_table(self, app: str, slug: str) -> str:
        return self._table(spec_of(Item), {"app": app, "slug": slug})

    def _remove(self, _: Any, req: SandboxRequest) -> Any:
        oids = (req.json or {}).get("oids")
        if not isinstance(oids, list):
            return req.error(400, "oids must be a list")
        table = self._items_table(req.params["app"], req.params["slug"])
        deleted = sum(1 for oid in oids if self.store.delete(table, str(oid)))
        return {"message": f"Successfully deleted {deleted} items"}

    def _read_data(self, req: SandboxRequest) -> Reply:
        body = req.json if isinstance(req.json, dict) else {}
        app, slug = body.get("app"), body.get("collection")
        if "query" in body:
            queries = [q for q in self.records("Query") if q.get("slug") == body["query"]]
            if not queries:
                return req.error(404, f"Query with slug: {body['query']} not found")
            app, slug = queries[0].get("app"), queries[0].get("collection")
        if not isinstance(app, str) or not isinstance(slug, str):
            return req.error(400, "a query, or an app and a collection, is required")
        rows = self.items(app, slug)
        limit = body.get("limit", 100)
        if not isinstance(limit, int) or limit < 1:
            return req.error(400, "limit must be a positive integer")
        offset = int(req.query.get("next_page", 0) or 0)
        return Reply(200, {"total": len(rows), "data": rows[offset : offset + limit]})

    def _append(self, collection: dict[str, Any], req: SandboxRequest) -> Any:
        rows = req.json
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            return req.error(400, "the body must be a list of records")
        self.seed({"Item": [{"app": collection["app"], "slug": collection["slug"], **r} for r in rows]})
        return {"message": "Appended records"}

    def _empty(self, collection: dict[str, Any], _: SandboxRequest) -> Any:
        table = self._items_table(collection["app"], collection["slug"])
        for record in self.store.records(table):
            self.store.delete(table, str(record.body["_id"]))
        return {"message": "Emptied dataframe"}

    def _transfer(self, _: Any, req: SandboxRequest) -> Any:
        body = req.json if isinstance(req.json, dict) else {}
        if not isinstance(body.get("apps"), list):
            return req.error(400, "apps must be a list")
        return {"message": "Successfully imported app"}

    def items(self, app: str, slug: str) -> list[dict[str, Any]]:
        """The stored items of a collection."""
        return self.records(Item, app=app, slug=slug)
