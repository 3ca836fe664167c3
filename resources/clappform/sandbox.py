"""The Clappform sandbox: the generic emulator in Clappform's dialect, plus its own routes.

Served under ``/api`` (clients are given the host). Every JSON answer carries ``code``,
``message`` and ``response_id``; collection items, dataframes, imports and app transfers
have their own routes. The demo data is the official documentation's US presidents.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from clientkit.sandbox import Accounts
from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest
from resources.clappform.models import User
from resources.clappform.service import ClappformApi

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
    """Clappform's routes on top of the generic sandbox; state is shared with it."""

    def __init__(self, data: Any = None, *, accounts: Accounts | None = None, **options: Any) -> None:
        seed = json.loads(DEMO.read_text("utf-8")) if data is None else data
        if isinstance(seed, str | Path):
            seed = json.loads(Path(seed).read_text("utf-8"))
        seed = dict(seed)
        self._items_seed = seed.pop("items", {})
        self._imports = seed.pop("imports", [])
        accounts = accounts or Accounts(
            tokens={}, logins=[{"username": DEMO_USER, "password": DEMO_PASSWORD}]
        )
        options.setdefault("create_status", 200)
        options.setdefault("delete_status", 200)
        options.setdefault("validation_status", 400)
        options.setdefault("keep_unknown", False)  # the official client rejects unknown keys
        super().__init__(ClappformApi, data=seed, accounts=accounts, prefix="/api", **options)
        for key, rows in self._items_seed.items():
            app, slug = key.split("/")
            for row in rows:
                self._put_item(app, slug, dict(row))
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

    # -- Clappform's own routes -----------------------------------------------------------------

    def _install(self) -> None:
        route = self.route
        route("/auth/verify", methods=["POST"])(lambda _: {"message": "Token is valid"})
        route("/user/me")(self._me)
        route("/item/{app}/{slug}/{oid}")(self._item_get)
        route("/item/{app}/{slug}/{oid}", methods=["PUT"])(self._item_put)
        route("/item/{app}/{slug}", methods=["POST"])(self._item_post)
        route("/item/{app}/{slug}", methods=["DELETE"])(self._item_delete)
        route("/dataframe/read_data", methods=["POST"])(self._read_data)
        route("/dataframe/{app}/{slug}", methods=["POST"])(self._append)
        route("/dataframe/{app}/{slug}", methods=["DELETE"])(self._empty)
        route("/import")(lambda _: {"data": self._imports})
        route("/transfer/app", methods=["POST"])(self._transfer)

    def _me(self, req: SandboxRequest) -> Reply:
        users = [u for u in self.records(User) if u.get("email") == req.principal]
        if not users:
            return req.error(404, f"User with email: {req.principal} not found")
        level = 1 if req.query.get("extended", "false").lower() == "true" else 0
        return Reply(200, {"data": self.render(User, users[0], level)})

    def _item_table(self, app: str, slug: str) -> str:
        return f"items|{app}|{slug}"

    def _put_item(self, app: str, slug: str, item: dict[str, Any]) -> dict[str, Any]:
        if item.get("_id") is None:
            item["_id"] = self.new_id()
        self.store.put(self._item_table(app, slug), str(item["_id"]), item)
        return item

    def _item_get(self, req: SandboxRequest) -> Reply:
        found = self.store.get(self._item_table(req.params["app"], req.params["slug"]), req.params["oid"])
        if found is None:
            return req.error(404, f"Item with ID: {req.params['oid']} not found")
        return Reply(200, {"data": {k: v for k, v in found.body.items() if k != "_id"}})

    def _item_post(self, req: SandboxRequest) -> Reply:
        data = (req.json or {}).get("data")
        if not isinstance(data, dict):
            return req.error(400, "data must be an object")
        item = self._put_item(req.params["app"], req.params["slug"], dict(data))
        return Reply(200, {"message": "Created item", "data": item})

    def _item_put(self, req: SandboxRequest) -> Reply:
        table = self._item_table(req.params["app"], req.params["slug"])
        if self.store.get(table, req.params["oid"]) is None:
            return req.error(404, f"Item with ID: {req.params['oid']} not found")
        data = (req.json or {}).get("data")
        if not isinstance(data, dict):
            return req.error(400, "data must be an object")
        self.store.put(table, req.params["oid"], {"_id": req.params["oid"], **data})
        return Reply(200, {"data": data})

    def _item_delete(self, req: SandboxRequest) -> Reply:
        oids = (req.json or {}).get("oids")
        if not isinstance(oids, list):
            return req.error(400, "oids must be a list")
        table = self._item_table(req.params["app"], req.params["slug"])
        deleted = sum(1 for oid in oids if self.store.delete(table, str(oid)))
        return Reply(200, {"message": f"Successfully deleted {deleted} items"})

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
        rows = [r.body for r in self.store.records(self._item_table(app, slug))]
        limit = body.get("limit", 100)
        if not isinstance(limit, int) or limit < 1:
            return req.error(400, "limit must be a positive integer")
        offset = int(req.query.get("next_page", 0) or 0)
        return Reply(200, {"total": len(rows), "data": rows[offset : offset + limit]})

    def _append(self, req: SandboxRequest) -> Reply:
        rows = req.json
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            return req.error(400, "the body must be a list of records")
        for row in rows:
            self._put_item(req.params["app"], req.params["slug"], dict(row))
        return Reply(200, {"message": "Appended records"})

    def _empty(self, req: SandboxRequest) -> Reply:
        table = self._item_table(req.params["app"], req.params["slug"])
        for record in self.store.records(table):
            self.store.delete(table, str(record.body["_id"]))
        return Reply(200, {"message": "Emptied dataframe"})

    def _transfer(self, req: SandboxRequest) -> Reply:
        body = req.json if isinstance(req.json, dict) else {}
        if not isinstance(body.get("apps"), list):
            return req.error(400, "apps must be a list")
        return Reply(200, {"message": "Successfully imported app"})

    def items(self, app: str, slug: str) -> list[dict[str, Any]]:
        """The stored items of a collection."""
        return [r.body for r in self.store.records(self._item_table(app, slug))]
