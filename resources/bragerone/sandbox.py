"""The BragerOne sandbox: the generic emulator in BragerOne's dialect, plus its own routes.

The API is served under ``/v1`` and the web app's files at the root, so a client takes
``api_base=url + "/v1"`` and ``one_base=url``. Demo data: ``demo.json`` (one account,
``jan@example.com`` / ``demo-password``; two objects, two modules and their parameters).
Errors answer ``{"message": "..."}``, as the service does.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from clientkit.sandbox import Accounts
from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest
from clientkit_services.bragerone.models import BragerObject
from clientkit_services.bragerone.service import BragerOne

DEMO: dict[str, Any] = json.loads((Path(__file__).parent / "demo.json").read_text("utf-8"))
EMAIL, PASSWORD = "jan@example.com", "demo-password"
ASSETS = {
    "": ("text/html; charset=utf-8", '<!doctype html><script src="/assets/index-4f2a.js"></script>'),
    "assets/index-4f2a.js": ("application/javascript", 'const PARAM_66="Temperatura CWU";export{PARAM_66};'),
    "assets/i18n/pl/parameters.json": ("application/json", '{"PARAM_66":"Temperatura CWU"}'),
}
LISTS = {"activity": "activities", "alarms": "alarms", "alarms/history": "alarm_history"}
COUNTS = {
    "activity/quantity": ("activityQuantity", "activities"),
    "alarms/quantity": ("alarmsQuantity", "alarms"),
}
DUPLICATE = {"message": "ER_DUP_ENTRY: Duplicate entry 'abc' for key 'token'"}


class BragerOneSandbox(Sandbox):
    """BragerOne's routes on top of the generic sandbox; ``state`` is the live demo data."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("accounts", Accounts(tokens={}, logins=[{"email": EMAIL, "password": PASSWORD}]))
        self.state = copy.deepcopy(DEMO)
        data = options.pop("data", None) or {
            "BragerObject": self.state["objects"],
            "Module": self.state["modules"],
        }
        super().__init__(BragerOne, data=data, prefix="/v1", **options)
        route = self.route
        route("/auth/user", ["POST"], public=True, operation="login")(self._sign_in)
        route("/auth/revoke", ["POST"])(self._revoke)
        route("/system/version", public=True)(lambda _: {"version": {"version": "1.04.05", "devMode": False}})
        route("/user")(lambda _: {"user": self.state["user"]})
        route("/user/permissions")(lambda _: {"permissions": self.state["permissions"]})
        route("/modules")(self._modules)
        route("/modules/{code}/card")(self._card)
        route("/manufacturers/{manuf}/devices/{dev}/menu/{fw}")(lambda _: self.state["menu"])
        route("/modules/connect", ["POST"])(self._connect)
        route("/modules/parameters", ["POST"])(self._parameters)
        for path, (key, rows) in COUNTS.items():
            route(f"/modules/{path}", ["POST"])(functools.partial(self._quantity, key=key, rows=rows))
        for path, key in LISTS.items():
            route(f"/modules/{path}", ["POST"])(functools.partial(self._page, key=key))
        route("/module/command", ["POST"])(self._command)
        route("/module/command/raw", ["POST"])(self._raw)
        for path in ASSETS:
            route("/" + path, public=True, prefixed=False)(functools.partial(self._asset, path=path))
        self.action(BragerObject, "details")(lambda obj, _: {"object": obj, "status": "SUCCESS"})
        self.action(BragerObject, "permissions")(lambda _, __: {"permissions": self.state["permissions"]})
        self.commands: list[dict[str, Any]] = []
        self.connect_keys: tuple[str, ...] = ("wsid",)  # the SID keys modules/connect accepts

    def error(self, status: int, message: str, field_errors: Any = None) -> Reply:
        return Reply(status, {"message": message})

    def _sign_in(self, req: SandboxRequest) -> Reply:
        body = req.json if isinstance(req.json, dict) else {}
        failure = self.accounts.login_failure()
        if failure is not None:
            return Reply(failure[0], failure[1] or DUPLICATE)
        principal = self.accounts.check_login({k: body.get(k) for k in ("email", "password")})
        if principal is None:
            return Reply(401, {"message": "Invalid credentials"})
        issued = self.accounts.issue(principal)
        expires = dt.datetime.fromtimestamp(issued["expires_at"], dt.timezone.utc).isoformat(
            timespec="milliseconds"
        )
        return Reply(200, {
            "accessToken": issued["access_token"], "refreshToken": issued["refresh_token"], "type": "bearer",
            "expiresAt": expires.replace("+00:00", "Z"), "user": self.state["user"],
            "objects": [{k: o[k] for k in ("id", "name", "addressCountry")} for o in self.state["objects"]],
        })  # fmt: skip

    def _revoke(self, req: SandboxRequest) -> Reply:
        token = req.request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.accounts.revoke(token)
        return Reply(200, {})

    def _module(self, devid: Any) -> dict[str, Any] | None:
        return next((m for m in self.records("Module") if m["devid"] == devid), None)

    def _modules(self, req: SandboxRequest) -> Any:
        group = req.query.get("group_id")
        rows = [m for m in self.records("Module") if group is None or str(m.get("group_id")) == group]
        return {"data": [{k: v for k, v in m.items() if k != "group_id"} for m in rows]}

    def _card(self, req: SandboxRequest) -> Any:
        card = self.state["cards"].get(req.params["code"])
        return card if card is not None else req.error(404, "Module not found")

    def _modules_of(self, req: SandboxRequest) -> list[str] | Reply:
        body = req.json
        modules = body.get("modules") if isinstance(body, dict) else None
        if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
            return req.error(422, "modules must be a list of module codes")
        return modules

    def _connect(self, req: SandboxRequest) -> Reply:
        modules = self._modules_of(req)
        if isinstance(modules, Reply):
            return modules
        if not any(isinstance(req.json.get(k), str) for k in self.connect_keys):
            return req.error(400, f"one of {list(self.connect_keys)} is required")
        return Reply(200, {})

    def _parameters(self, req: SandboxRequest) -> Any:
        modules = self._modules_of(req)
        if isinstance(modules, Reply):
            return modules
        return {m: self.state["parameters"].get(m, {}) for m in modules}

    def _quantity(self, req: SandboxRequest, key: str, rows: str) -> Any:
        modules = self._modules_of(req)
        if isinstance(modules, Reply):
            return modules
        return {key: {m: sum(r["devid"] == m for r in self.state[rows]) for m in modules}}

    def _page(self, req: SandboxRequest, key: str) -> Any:
        modules = self._modules_of(req)
        if isinstance(modules, Reply):
            return modules
        page, limit = int(req.json.get("page", 1)), int(req.json.get("limit", 20))
        rows = [r for r in self.state[key] if r["devid"] in modules]
        shown = rows[(page - 1) * limit : page * limit]
        if key == "alarms":
            return {"status": True, "alarms": shown}
        listed = "activities" if key == "activities" else "alarms"
        return {"status": True, listed: {"data": shown, "total": len(rows)}}

    def _command(self, req: SandboxRequest) -> Any:
        body = req.json if isinstance(req.json, dict) else {}
        pool, channel = body.get("pool"), body.get("parameter")
        if self._module(body.get("devid")) is None or not (
            isinstance(pool, str) and isinstance(channel, str)
        ):
            return req.error(404, "Module not found")
        self.commands.append(body)
        pools = self.state["parameters"].setdefault(body["devid"], {})
        pools.setdefault(pool, {}).setdefault(channel, {})["value"] = body.get("value")
        return {"status": True}

    def _raw(self, req: SandboxRequest) -> Any:
        body = req.json if isinstance(req.json, dict) else {}
        if self._module(body.get("devid")) is None or not isinstance(body.get("command"), str):
            return req.error(404, "Module not found")
        self.commands.append(body)
        return {"status": True}

    def _asset(self, req: SandboxRequest, path: str) -> Reply:
        content_type, text = ASSETS[path]
        etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:12] + '"'
        headers = {"ETag": etag, "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"}
        if req.request.headers.get("If-None-Match") == etag:
            return Reply(304, b"", headers, raw=True)
        return Reply(200, text.encode(), headers, content_type=content_type, raw=True)
