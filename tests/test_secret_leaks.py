"""The secret-leak test: known secrets go through every path, then every text is searched.

Distinctive secrets (a token, API keys in a header and in the query, a basic password,
login passwords, a numeric PIN, access and refresh tokens issued by a login, a service
cookie) are used over real HTTP on 127.0.0.1 (scripted servers and sandboxes). Then the
DEBUG logs of every logger, reprs, every error (str, repr, args, attributes, pickle, chain,
formatted traceback), every file of a SQLite and a filesystem cache, the sandbox journals
and what a server on another port received are searched for each secret, raw,
percent-encoded and base64.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clientkit import (
    ApiKeyAuth,
    BasicAuth,
    CacheConfig,
    ClientKitError,
    Envelope,
    ErrorShape,
    PasswordLogin,
    Resource,
    Secret,
    Service,
    Timeout,
    TokenAuth,
    field,
)
from clientkit._declarations.options import RequestOptions
from clientkit.paging import PageNumber
from clientkit.sandbox import Accounts, Sandbox
from tests.support.leaks import Places, exception_places, file_places, findings, log_places, repr_places
from tests.support.processes import free_port as closed_port
from tests.support.scripted import Received, Reply, ScriptedServer

TOKEN = "tok-LEAK-3f9a71c2"
HEADER_KEY = "hk-LEAK-8d2e44b0"
QUERY_KEY = "qk-LEAK-51c7a9e3"
BASIC_USER, BASIC_PASSWORD = "ann", "bp-LEAK-9e0d1f77"
LOGIN_PASSWORD = "lp-LEAK-2b8c6a10"
PIN = 73918264
ACCESS = "at-LEAK-70ac13d5"
REFRESH = "rt-LEAK-6c1d93aa"
COOKIE = "ck-LEAK-44e1b0c9"
FIELD_SECRET = "fs-LEAK-0b7d2e61"
BASIC_HEADER = base64.b64encode(f"{BASIC_USER}:{BASIC_PASSWORD}".encode()).decode()
SECRETS = [TOKEN, HEADER_KEY, QUERY_KEY, BASIC_PASSWORD, BASIC_HEADER, LOGIN_PASSWORD, str(PIN)]
SECRETS += [ACCESS, REFRESH, COOKIE, FIELD_SECRET]

NO_RETRY = {"retries": 0}


class Token_(Service):
    auth = TokenAuth()
    errors = ErrorShape(request_id="request_id")


class HeaderKey(Service):
    auth = ApiKeyAuth(header="X-Api-Key")


class QueryKey(Service):
    auth = ApiKeyAuth(query="api_key")


class Basic(Service):
    auth = BasicAuth()


class ScriptedLogin(Service):
    auth = PasswordLogin(path="/login", refresh_path="/refresh", leeway=30)


class Login(Service):
    auth = PasswordLogin(path="/auth/login", token="data.access_token", refresh_token="data.refresh_token")
    envelope = Envelope(response="data")


class PinLogin(Service):
    auth = PasswordLogin(
        path="/auth/login", token="data.access_token", body={"email": "{email}", "pin": "{pin}"}
    )
    envelope = Envelope(response="data")


class KeyBox(Service):
    auth = ApiKeyAuth(query="api_key")
    envelope = Envelope(response="data")


def notes(service: type[Service]) -> type[Resource]:
    @service.resource(one="/notes/{id}", many="/notes")
    class Note(Resource):
        id: int | None = None
        text: str | None = None
        code: str | None = field(default=None, secret=True)

    return Note


NOTES = {svc: notes(svc) for svc in (Token_, Login, PinLogin, KeyBox)}


def raised(call: Callable[[], Any], label: str) -> Places:
    """The places of the clientkit error ``call`` raises (it must raise one)."""
    try:
        call()
    except ClientKitError as err:
        return exception_places(err, label)
    raise AssertionError(f"{label}: no error was raised")


def echo(status: int) -> Callable[[Received, Any], Reply]:
    """An error answer that echoes every credential the request carried."""

    def reply(rec: Received, _: Any) -> Reply:
        carried = [rec.header("Authorization") or "", rec.header("X-Api-Key") or "", rec.query, rec.path]
        text = " ".join(carried)
        return Reply(
            status,
            json={
                "message": f"rejected {text}",
                "code": text,
                "request_id": text,
                "errors": {"token": [text]},
            },
            headers={"X-Echo": text, "Set-Cookie": f"echo={text.replace(' ', '_')}"},
        )

    return reply


def static_auth_errors(server: ScriptedServer) -> Places:
    """401/403/404/422/500 answers echoing the credential, for every static strategy."""
    for path, status in (("/401", 401), ("/403", 403), ("/422", 422), ("/500", 500), (f"/x/{TOKEN}", 404)):
        server.on("*", path, echo(status))
    server.on("GET", "/html", Reply(body=f"<html>{TOKEN} {QUERY_KEY}</html>", content_type="text/html"))
    sessions = {
        "token": Token_.connect(server.url, token=TOKEN, **NO_RETRY),
        "header key": HeaderKey.connect(server.url, key=HEADER_KEY, **NO_RETRY),
        "query key": QueryKey.connect(server.url, key=QUERY_KEY, **NO_RETRY),
        "basic": Basic.connect(server.url, username=BASIC_USER, password=BASIC_PASSWORD, **NO_RETRY),
    }
    places: Places = {}
    for name, api in sessions.items():
        for path in ("/401", "/403", "/422", "/500", f"/x/{TOKEN}"):
            places |= raised(lambda api=api, path=path: api.request("GET", path), f"{name} GET {path}")
        html = api.request("GET", "/html")
        places |= raised(lambda api=api, html=html: api.transport.json_of(html), f"{name} decode error")
        places |= raised(lambda api=api: api.request("POST", "/422", json={"token": TOKEN}), f"{name} POST")
        pager = api.paginate(f"/x/{TOKEN}", PageNumber(), params={"token": TOKEN})  # fails as it is walked
        places |= raised(lambda pager=pager: list(pager), f"{name} pager")
    places |= repr_places({f"session {k}": v for k, v in sessions.items()})
    places |= repr_places({f"auth {k}": v.transport.auth for k, v in sessions.items()})
    received = " ".join(
        f"{r.header('Authorization')} {r.header('X-Api-Key')} {r.query}" for r in server.received
    )
    for sent in (f"Bearer {TOKEN}", HEADER_KEY, f"api_key={QUERY_KEY}", f"Basic {BASIC_HEADER}"):
        assert sent in received, f"{sent} was never sent: the test would prove nothing"
    return places


def transport_errors(server: ScriptedServer) -> Places:
    """A closed port and a read timeout, the key in the query; a redirected write."""
    closed = QueryKey.connect(f"http://127.0.0.1:{closed_port()}", key=QUERY_KEY, **NO_RETRY)
    places = raised(lambda: closed.request("GET", "/me", params={"token": TOKEN}), "connect error")
    server.on("GET", "/slow", Reply(json={}, delay=0.6))
    slow = QueryKey.connect(server.url, key=QUERY_KEY, timeout=Timeout(connect=2, read=0.2), **NO_RETRY)
    places |= raised(lambda: slow.request("GET", "/slow"), "read timeout")
    server.on(
        "POST", "/moved", Reply(307, headers={"Location": f"{server.url}/elsewhere?api_key={QUERY_KEY}"})
    )
    places |= raised(lambda: slow.request("POST", "/moved", json={}), "redirected write")
    return places


def scripted_login(server: ScriptedServer) -> Places:
    """Login, refresh (the token expires at once), a 401 renewal, then a rejected login."""
    server.on(
        "POST", "/login", Reply(json={"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 1})
    )
    server.on(
        "POST", "/refresh", Reply(json={"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 1})
    )
    server.on("GET", "/me", Reply(json={"name": "ann"}))
    api = ScriptedLogin.connect(server.url, username="ann", password=LOGIN_PASSWORD, **NO_RETRY)
    api.request("GET", "/me")
    api.request("GET", "/me")
    assert server.requests_to("/refresh"), "the refresh token was never used"
    server.set("POST", "/login", echo(401))
    server.set("POST", "/refresh", echo(401))
    server.set("GET", "/me", echo(401))
    places = raised(lambda: api.request("GET", "/me"), "rejected login")
    return places | repr_places({"login session": api, "login auth": api.transport.auth})


def other_objects() -> Places:
    """Reprs of options with credentials in headers and params, a Secret, a resource with a secret field."""
    options = RequestOptions(headers={"Authorization": f"Bearer {TOKEN}"}, params={"api_key": QUERY_KEY})
    note = NOTES[Token_](id=1, text="x", code=FIELD_SECRET)
    return repr_places({"options": options, "secret": Secret(TOKEN), "resource": note})


def caches(server: ScriptedServer, tmp_path: Path) -> Places:
    """Cached GETs (stored and revalidated) under each credential, in a SQLite and a filesystem cache."""
    server.on("GET", "/cached", Reply(json={"n": 1}, headers={"ETag": '"v1"', "Set-Cookie": "c=1"}))
    server.set("POST", "/login", Reply(json={"access_token": ACCESS, "refresh_token": REFRESH}))
    places: Places = {}
    for backend in ("sqlite", "filesystem"):
        root = tmp_path / f"cache-{backend}"
        location = root / "c.sqlite" if backend == "sqlite" else root
        config = CacheConfig(backend=backend, location=location)
        for api in (
            Token_.connect(server.url, token=TOKEN, cache=config),
            HeaderKey.connect(server.url, key=HEADER_KEY, cache=config),
            QueryKey.connect(server.url, key=QUERY_KEY, cache=config),
            Basic.connect(server.url, username=BASIC_USER, password=BASIC_PASSWORD, cache=config),
            ScriptedLogin.connect(server.url, username="ann", password=LOGIN_PASSWORD, cache=config),
        ):
            api.request("GET", "/cached", params={"token": TOKEN})
            api.request("GET", "/cached", params={"token": TOKEN})
            api.close()
        places |= file_places(root, f"{backend} cache")
    assert sum(len(v) for k, v in places.items() if "cache" in k) > 0
    return places


def sandboxes(issued: list[str]) -> Places:
    """Login (password and numeric PIN), refresh, static keys in the query, tokens in a path."""
    data = {"Note": [{"id": 1, "text": "hi"}]}
    accounts = Accounts(
        tokens={TOKEN: "ann", QUERY_KEY: "ann"},
        logins=[{"username": "ann", "password": LOGIN_PASSWORD}, {"email": "pin@x.io", "pin": str(PIN)}],
        token_lifetime=10,
    )
    places: Places = {}
    for service, credentials in (
        (Login, {"username": "ann", "password": LOGIN_PASSWORD}),
        (PinLogin, {"email": "pin@x.io", "pin": PIN}),
        (KeyBox, {"key": QUERY_KEY}),
        (Token_, {"token": TOKEN}),
    ):
        box = Sandbox(service, data=data, accounts=accounts)
        with box as url:
            api = service.connect(url, **credentials, **NO_RETRY)
            note = NOTES[service]
            assert api.get(note, 1).text == "hi"
            api.get(note, 1)  # the 10 s token is refreshed first (inside the leeway)
            api.create(note(text="new", code=FIELD_SECRET))
            own = str(list(credentials.values())[-1])  # the session's own secret, echoed in a path
            places |= raised(
                lambda api=api, own=own: api.request("GET", f"/notes/{own}"), f"{service.__name__} 404"
            )
        places |= {f"{service.__name__} journal {i}": f"{e!r} {e.body!r}" for i, e in enumerate(box.journal)}
        issued += [*accounts._issued, *accounts._refresh]  # what the sandbox handed out
    assert issued, "no token was issued"
    return places


def redirect_elsewhere(server: ScriptedServer, other: ScriptedServer) -> Places:
    """A read redirected to another port, after the service set a cookie."""
    server.on("GET", "/cookie", Reply(json={}, headers={"Set-Cookie": f"sid={COOKIE}; Path=/"}))
    server.on("GET", "/away", Reply(302, headers={"Location": f"{other.url}/landing"}))
    other.on("GET", "/landing", Reply(json={"landed": True}))
    for api in (
        Token_.connect(server.url, token=TOKEN),
        QueryKey.connect(server.url, key=QUERY_KEY),
        Basic.connect(server.url, username=BASIC_USER, password=BASIC_PASSWORD),
    ):
        api.request("GET", "/cookie")
        assert api.request("GET", "/away").json() == {"landed": True}
    assert len(other.received) == 3
    return {f"other port received {i}": repr(r) for i, r in enumerate(other.received)}


def test_no_secret_leaks_anywhere(
    server: ScriptedServer,
    other_server: ScriptedServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    record_property: Callable[[str, object], None],
) -> None:
    caplog.set_level(logging.DEBUG)
    places: Places = {}
    places |= static_auth_errors(server)
    places |= transport_errors(server)
    places |= scripted_login(server)
    places |= other_objects()
    places |= caches(server, tmp_path)
    issued: list[str] = []
    places |= sandboxes(issued)
    places |= redirect_elsewhere(server, other_server)
    places |= log_places(caplog.records)
    places["caplog text"] = caplog.text
    assert any(r.name.startswith("urllib3") for r in caplog.records)
    assert any(r.name.startswith("requests_cache") for r in caplog.records)

    size = sum(len(v) for v in places.values())
    secrets = [*SECRETS, *issued]
    summary = f"searched {len(places)} places ({size} bytes) for {len(secrets)} secrets, 4 spellings each"
    record_property("secret_leak_search", summary)
    print(summary)
    found = findings(places, secrets)
    assert found == [], summary + "\n" + "\n".join(found)
    assert len(places) > 500, summary
    assert all(
        r.header("Cookie") is None and r.header("Authorization") is None for r in other_server.received
    )
