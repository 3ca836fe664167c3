"""A scripted login endpoint issuing numbered JWTs, and a service that logs in to it."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

from clientkit import PasswordLogin, Resource, Service
from tests.support.scripted import Received, Reply, ScriptedServer


class Plain(Service):
    pass


@Plain.resource(one="/me", singleton=True)
class Me(Resource):
    name: str | None = None


def make_jwt(exp: float, **claims: Any) -> str:
    def enc(obj: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{enc({'alg': 'none'})}.{enc({'exp': int(exp), **claims})}.sig"


class LoginServer:
    """A login endpoint that issues numbered JWTs and checks them on /me."""

    def __init__(self, server: ScriptedServer, lifetime: float, refresh: bool = False) -> None:
        self.server = server
        self.lifetime = lifetime
        self.issued: list[str] = []
        self.valid: set[str] = set()
        self.lock = threading.Lock()
        server.on("POST", "/auth/login", self.login)
        server.on("POST", "/auth/refresh", self.refresh)
        server.on("GET", "/me", self.me)
        self.with_refresh = refresh

    def _issue(self) -> Reply:
        with self.lock:
            token = make_jwt(time.time() + self.lifetime, n=len(self.issued))
            self.issued.append(token)
            self.valid.add(token)
        body: dict[str, Any] = {"data": {"access_token": token}}
        if self.with_refresh:
            body["data"]["refresh_token"] = f"refresh-{len(self.issued)}"
        return Reply(json=body)

    def login(self, rec: Received, _: Any) -> Reply:
        if rec.json != {"username": "ann", "password": "s3cret-pw"}:
            return Reply(401, json={"message": "bad credentials"})
        return self._issue()

    def refresh(self, rec: Received, _: Any) -> Reply:
        if not str(rec.json.get("refresh_token", "")).startswith("refresh-"):
            return Reply(401, json={"message": "bad refresh"})
        return self._issue()

    def me(self, rec: Received, _: Any) -> Reply:
        auth = rec.header("Authorization") or ""
        token = auth.removeprefix("Bearer ")
        if token not in self.valid:
            return Reply(401, json={"message": "expired"})
        return Reply(json={"name": "ann"})

    def count(self, path: str) -> int:
        return len(self.server.requests_to(path))


class LoginApi(Service):
    auth = PasswordLogin(
        path="/auth/login",
        token="data.access_token",
        refresh_token="data.refresh_token",
        refresh_path="/auth/refresh",
        leeway=30,
    )
