"""Cache faults found by the trust suite: identities, cache keys, invalidation, the fast path.

Every test runs over real HTTP against the scripted server and asserts on what it received.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from clientkit import (
    Action,
    ApiKeyAuth,
    BasicAuth,
    Envelope,
    HeaderNext,
    PasswordLogin,
    Resource,
    Service,
    TokenAuth,
    field,
)
from clientkit._client.auth import Authenticator
from clientkit._declarations.options import CacheConfig
from clientkit._declarations.redaction import fingerprint
from clientkit.errors import AuthenticationError, CacheError, RedirectError, ServerError
from tests.support.scripted import Received, Reply, ScriptedServer

FRESH = "max-age=600"


def declare(auth: Authenticator) -> tuple[type[Service], type[Resource]]:
    """A service with ``auth`` and a ``Doc`` resource with a ``publish`` action."""

    class Api(Service):
        envelope = Envelope(response="data")

    Api.auth = auth

    @Api.resource(one="/docs/{id}", many="/docs", actions={"publish": Action("POST", "/docs/{id}/publish")})
    class Doc(Resource):
        id: int | None = field(read_only=True)
        title: str | None = None

    return Api, Doc


def cache_at(tmp_path: Path) -> CacheConfig:
    return CacheConfig(location=tmp_path / "shared.sqlite", expire_after=600)


class Docs:
    """``/docs/1`` and ``/docs`` with a title that writes change; answers fresh for 600 s."""

    def __init__(self, server: ScriptedServer, accept: Any = lambda rec: True) -> None:
        self.title = "first"
        self.version = 1
        self.accept = accept
        server.on("GET", "/docs/1", self.get)
        server.on("GET", "/docs", self.listing)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            server.on(method, "/docs/1", self.write)
            server.on(method, "/docs/1/publish", self.write)

    def get(self, rec: Received, req: Any) -> Reply:
        if not self.accept(rec):
            return Reply(401, json={"message": "bad credentials"})
        headers = {"ETag": f'"v{self.version}"', "Cache-Control": FRESH}
        return Reply(json={"data": {"id": 1, "title": self.title}}, headers=headers)

    def listing(self, rec: Received, req: Any) -> Reply:
        headers = {"ETag": f'"l{self.version}"', "Cache-Control": FRESH}
        return Reply(json={"data": [{"id": 1, "title": self.title}]}, headers=headers)

    def write(self, rec: Received, req: Any) -> Reply:
        self.version += 1
        self.title = (rec.json or {}).get("title", f"written {self.version}")
        return Reply(json={"data": {"id": 1, "title": self.title}})


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# -- 1. the identity covers the whole credential ------------------------------------------


def test_basic_auth_wrong_password_is_never_served_cached_answer(
    server: ScriptedServer, tmp_path: Path
) -> None:
    Docs(server, accept=lambda rec: rec.header("Authorization") == basic("alice", "right"))
    Api, Doc = declare(BasicAuth())
    right = Api.connect(server.url, username="alice", password="right", cache=cache_at(tmp_path), retries=0)
    assert right.get(Doc, 1).title == "first"
    wrong = Api.connect(server.url, username="alice", password="wrong", cache=cache_at(tmp_path), retries=0)
    with pytest.raises(AuthenticationError):
        wrong.get(Doc, 1)
    assert [r.header("Authorization") for r in server.requests_to("/docs/1")] == [
        basic("alice", "right"),
        basic("alice", "wrong"),
    ]
    assert right.get(Doc, 1).title == "first" and len(server.received) == 2  # still its own hit


@pytest.mark.parametrize(
    ("auth", "first", "second"),
    [
        (TokenAuth(), {"token": "tok-one"}, {"token": "tok-two"}),
        (ApiKeyAuth(), {"key": "key-one"}, {"key": "key-two"}),
        (ApiKeyAuth(query="api_key"), {"key": "key-one"}, {"key": "key-two"}),
        (BasicAuth(), {"username": "bob", "password": "pw-one"}, {"username": "bob", "password": "pw-two"}),
    ],
    ids=["token", "api-key-header", "api-key-query", "basic"],
)
def test_different_credentials_never_share_an_entry(
    server: ScriptedServer, tmp_path: Path, auth: Authenticator, first: dict[str, str], second: dict[str, str]
) -> None:
    Docs(server)
    Api, Doc = declare(auth)
    one = Api.connect(server.url, cache=cache_at(tmp_path), **first)
    two = Api.connect(server.url, cache=cache_at(tmp_path), **second)
    same = Api.connect(server.url, cache=cache_at(tmp_path), **first)
    one.get(Doc, 1)
    two.get(Doc, 1)
    same.get(Doc, 1)
    assert len(server.requests_to("/docs/1")) == 2  # the second credential asked; the same one did not
    assert (two.cache_stats.misses, same.cache_stats.hits) == (1, 1)


def test_password_login_identity_covers_the_password_and_survives_renewal(
    server: ScriptedServer, tmp_path: Path
) -> None:
    logins: list[Any] = []

    def login(rec: Received, req: Any) -> Reply:
        logins.append(rec.json)
        return Reply(json={"access_token": f"t{len(logins)}", "expires_in": 3600})

    server.on("POST", "/auth/login", login)
    Docs(server)
    Api, Doc = declare(PasswordLogin())
    alice = Api.connect(server.url, username="alice", password="right", cache=cache_at(tmp_path))
    alice.get(Doc, 1)
    keyed = alice.transport.auth
    assert isinstance(keyed, PasswordLogin)
    keyed.login()  # a new token: the same principal, the same entries
    alice.get(Doc, 1)
    wrong = Api.connect(server.url, username="alice", password="wrong", cache=cache_at(tmp_path))
    wrong.get(Doc, 1)
    gets = server.requests_to("/docs/1")
    assert [g.header("Authorization") for g in gets] == ["Bearer t1", "Bearer t3"]
    assert alice.cache_stats.hits == 1 and wrong.cache_stats.misses == 1


def test_identity_is_a_keyed_hash_never_the_secret() -> None:
    auth = BasicAuth().bind(username="alice", password="s3cret-pw")
    one = auth.identity(lambda *parts: fingerprint(b"k" * 32, *parts))
    other_key = auth.identity(lambda *parts: fingerprint(b"j" * 32, *parts))
    other_password = BasicAuth().bind(username="alice", password="s3cret-px")
    assert "s3cret" not in one and one != other_key
    assert other_password.identity(lambda *parts: fingerprint(b"k" * 32, *parts)) != one


def test_custom_authenticator_without_identity_is_never_shared(
    server: ScriptedServer, tmp_path: Path
) -> None:
    class Header(Authenticator):
        def __init__(self, value: str) -> None:
            self.value = value

        def __call__(self, r: Any) -> Any:
            r.headers["X-Who"] = self.value
            return r

    Docs(server)
    Api, Doc = declare(TokenAuth())
    Api.connect(server.url, auth=Header("a"), cache=cache_at(tmp_path)).get(Doc, 1)
    Api.connect(server.url, auth=Header("b"), cache=cache_at(tmp_path)).get(Doc, 1)
    assert [r.header("X-Who") for r in server.requests_to("/docs/1")] == ["a", "b"]


# -- 2. user parameters are part of the key ---------------------------------------------


@pytest.mark.parametrize("name", ["key", "token", "api_key", "apikey", "access_token"])
def test_query_param_named_key_is_part_of_cache_key(
    server: ScriptedServer, tmp_path: Path, name: str
) -> None:
    def by_param(rec: Received, req: Any) -> Reply:
        title = req.args.get(name, "none")
        return Reply(json={"data": [{"id": 1, "title": title}]}, headers={"Cache-Control": FRESH})

    server.on("GET", "/docs", by_param)
    Api, Doc = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    assert [d.title for d in api.list(Doc, params={name: "a"})] == ["a"]
    assert [d.title for d in api.list(Doc, params={name: "b"})] == ["b"]
    assert [d.title for d in api.list(Doc, params={name: "a"})] == ["a"]
    assert [r.query for r in server.requests_to("/docs")] == [f"{name}=a", f"{name}=b"]
    assert api.cache_stats.hits == 1


def test_own_api_key_parameter_is_left_out_of_the_key_but_isolates(
    server: ScriptedServer, tmp_path: Path
) -> None:
    Docs(server)
    Api, Doc = declare(ApiKeyAuth(query="key"))
    Api.connect(server.url, key="k-one", cache=cache_at(tmp_path)).get(Doc, 1)
    Api.connect(server.url, key="k-one", cache=cache_at(tmp_path)).get(Doc, 1)
    Api.connect(server.url, key="k-two", cache=cache_at(tmp_path)).get(Doc, 1)
    assert [r.query for r in server.requests_to("/docs/1")] == ["key=k-one", "key=k-two"]
    assert all(b"k-one" not in f.read_bytes() for f in tmp_path.iterdir())


def test_header_next_token_param_pages_with_warm_cache(server: ScriptedServer, tmp_path: Path) -> None:
    pages = {"": (["a", "b"], "p2"), "p2": (["c", "d"], "p3"), "p3": (["e"], None)}

    def page(rec: Received, req: Any) -> Reply:
        items, following = pages[req.args.get("token", "")]
        headers = {"Cache-Control": FRESH, **({"X-Next": following} if following else {})}
        return Reply(json={"items": items}, headers=headers)

    server.on("GET", "/feed", page)
    Api, _ = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    paging = HeaderNext(header="X-Next", param="token")
    cold = list(api.paginate("/feed", paging, items="items"))
    warm = list(api.paginate("/feed", paging, items="items"))
    assert cold == warm == ["a", "b", "c", "d", "e"]
    assert len(server.requests_to("/feed")) == 3 and api.cache_stats.hits == 3


# -- 3. every write invalidates; the fast path is never older than the backend ----------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_request_write_invalidates_cached_get(server: ScriptedServer, tmp_path: Path, method: str) -> None:
    Docs(server)
    Api, Doc = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    assert api.get(Doc, 1).title == "first"
    assert [d.title for d in api.list(Doc)] == ["first"]
    api.request(method, "/docs/1", json={"title": "second"})
    assert api.get(Doc, 1).title == "second"
    assert [d.title for d in api.list(Doc)] == ["second"]
    assert len(server.requests_to("/docs/1", "GET")) == 2 and len(server.requests_to("/docs", "GET")) == 2


def test_failed_write_still_invalidates_cached_get(server: ScriptedServer, tmp_path: Path) -> None:
    srv = Docs(server)

    def applied_then_failed(rec: Received, req: Any) -> Reply:
        srv.write(rec, req)
        return Reply(500, json={"message": "saved, but the answer broke"})

    server.set("PATCH", "/docs/1", applied_then_failed)
    Api, Doc = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path), retries=0)
    api.get(Doc, 1)
    with pytest.raises(ServerError):
        api.request("PATCH", "/docs/1", json={"title": "second"})
    assert api.get(Doc, 1).title == "second"
    assert len(server.requests_to("/docs/1", "GET")) == 2


def test_action_write_invalidates_cached_get(server: ScriptedServer, tmp_path: Path) -> None:
    Docs(server)
    Api, Doc = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    doc = api.get(Doc, 1)
    assert [d.title for d in api.list(Doc)] == ["first"]
    api.action(doc, "publish", json={"title": "published"})
    assert api.get(Doc, 1).title == "published"
    assert [d.title for d in api.list(Doc)] == ["published"]
    assert len(server.requests_to("/docs/1", "GET")) == 2 and len(server.requests_to("/docs", "GET")) == 2


def test_paginated_post_invalidates_cached_get(server: ScriptedServer, tmp_path: Path) -> None:
    Docs(server)
    server.on("POST", "/docs", Reply(json={"items": []}))
    Api, Doc = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    list(api.list(Doc))
    list(api.paginate("/docs", HeaderNext(), method="POST", json={"q": 1}, items="items"))
    list(api.list(Doc))
    assert len(server.requests_to("/docs", "GET")) == 2


def test_fast_path_never_serves_older_than_backend(server: ScriptedServer, tmp_path: Path) -> None:
    srv = Docs(server)
    Api, Doc = declare(TokenAuth())
    reader = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    other = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    assert reader.get(Doc, 1).title == "first"
    assert reader.get(Doc, 1).title == "first"  # a fast-path hit, remembered in memory
    srv.version, srv.title = 2, "second"  # changed on the server by someone else
    assert other.get(Doc, 1, cache="refresh").title == "second"  # the backend now holds v2
    assert reader.get(Doc, 1).title == "second"
    assert reader.get(Doc, 1, cache="refresh").title == "second"
    srv.version, srv.title = 3, "third"
    assert reader.get(Doc, 1, cache="refresh").title == "third"  # replaced past the fast path
    assert reader.get(Doc, 1).title == "third"
    assert len(server.requests_to("/docs/1")) == 4


def test_sessions_sharing_a_backend_object_stay_isolated(server: ScriptedServer) -> None:
    from requests_cache.backends.base import BaseCache

    Docs(server)
    Api, Doc = declare(TokenAuth())
    shared = CacheConfig(backend=BaseCache(), expire_after=600)
    one = Api.connect(server.url, token="tok-one", cache=shared)
    two = Api.connect(server.url, token="tok-two", cache=shared)
    again = Api.connect(server.url, token="tok-one", cache=shared)
    one.get(Doc, 1)
    two.get(Doc, 1)
    again.get(Doc, 1)
    sent = [r.header("Authorization") for r in server.requests_to("/docs/1")]
    assert sent == ["Bearer tok-one", "Bearer tok-two"] and again.cache_stats.hits == 1


# -- 4. every credential a request carries is part of its identity ---------------------------


def open_service() -> type[Service]:
    """A service that declares no auth: credentials come per call or from cookies."""

    class Open(Service):
        envelope = Envelope(response="data")

    return Open


def serve_me(server: ScriptedServer) -> None:
    """``/me`` names whoever the request's credential says it is; fresh for 600 s."""

    def me(rec: Received, req: Any) -> Reply:
        who = rec.header("Authorization") or rec.header("X-API-Key") or rec.header("Cookie") or "nobody"
        return Reply(json={"data": {"who": who}}, headers={"ETag": '"same"', "Cache-Control": FRESH})

    def login(rec: Received, req: Any) -> Reply:
        return Reply(json={"data": {}}, headers={"Set-Cookie": f"sid={rec.json['user']}; Path=/"})

    server.on("GET", "/me", me)
    server.on("POST", "/login", login)


def who(api: Any, **kwargs: Any) -> str:
    answer: str = api.request("GET", "/me", **kwargs).json()["data"]["who"]
    return answer


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
def test_per_call_authorization_header_is_part_of_cache_identity(
    server: ScriptedServer, tmp_path: Path, header: str
) -> None:
    serve_me(server)
    api = open_service().connect(server.url, cache=cache_at(tmp_path))
    assert who(api, headers={header: "alice-credential"}) == "alice-credential"
    assert who(api, headers={header: "bob-credential"}) == "bob-credential"
    assert who(api, headers={header: "alice-credential"}) == "alice-credential"  # her own entry
    sent = [r.header(header) for r in server.requests_to("/me")]
    assert sent == ["alice-credential", "bob-credential"] and api.cache_stats.hits == 1


def test_login_cookie_is_part_of_cache_identity(server: ScriptedServer, tmp_path: Path) -> None:
    serve_me(server)
    Open = open_service()
    alice = Open.connect(server.url, cache=cache_at(tmp_path))
    bob = Open.connect(server.url, cache=cache_at(tmp_path))
    alice.request("POST", "/login", json={"user": "alice"})
    bob.request("POST", "/login", json={"user": "bob"})
    assert who(alice) == "sid=alice"
    assert who(bob) == "sid=bob"
    assert who(alice) == "sid=alice" and alice.cache_stats.hits == 1
    alice.request("POST", "/login", json={"user": "carol"})  # the same session, another user
    assert who(alice) == "sid=carol"
    assert [r.header("Cookie") for r in server.requests_to("/me")] == ["sid=alice", "sid=bob", "sid=carol"]


# -- 5. invalidation is bounded, fails safe, and costs one revalidation per path -------------


def test_write_invalidation_survives_many_other_writes(server: ScriptedServer, tmp_path: Path) -> None:
    Docs(server)
    Api, Doc = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    assert api.get(Doc, 1).title == "first"
    api.request("PUT", "/docs/1", json={"title": "second"})
    for i in range(1100):  # more written paths than the session remembers
        api.request("POST", f"/other/{i}", json={}, raise_for_status=False)
    assert api.get(Doc, 1).title == "second"
    assert len(server.requests_to("/docs/1", "GET")) == 2


def test_invalidation_mark_is_consumed_after_refetch(server: ScriptedServer, tmp_path: Path) -> None:
    Docs(server)
    for i in (2, 3, 4):
        answer = Reply(json={"data": {"id": i}}, headers={"ETag": '"x"', "Cache-Control": FRESH})
        server.on("GET", f"/docs/{i}", answer)
    server.on("POST", "/docs", Reply(json={"data": {"id": 9, "title": "new"}}))
    Api, Doc = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    for i in (1, 2, 3, 4):
        api.get(Doc, i)
    api.create(Doc(title="new"))  # marks /docs and everything below it
    before = len(server.received)
    for _ in range(3):
        for i in (1, 2, 3, 4):
            api.get(Doc, i)
    after_write = server.received[before:]
    assert len(after_write) == 4  # each one revalidated once, then fresh again
    assert all(r.header("If-None-Match") for r in after_write) and api.cache_stats.hits == 8


# -- 6. stored requests hide every sensitive-named value -------------------------------------


def test_sensitive_query_values_not_stored_in_cache_file(server: ScriptedServer, tmp_path: Path) -> None:
    server.on("GET", "/files", Reply(json={"data": []}, headers={"Cache-Control": FRESH}))
    Api, _ = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    values = {
        "client_secret": "cs-abcdef123",
        "password": "pw-zzz999",
        "X-Amz-Signature": "sig-deadbeef",
        "session_id": "sid-4242",
    }
    api.request("GET", "/files", params=values)
    api.request("GET", "/files", params=values)  # the same values: a hit
    api.request("GET", "/files", params={**values, "password": "pw-other1"})  # another value: a miss
    assert len(server.requests_to("/files")) == 2 and api.cache_stats.hits == 1
    stored = b"".join(f.read_bytes() for f in tmp_path.iterdir())
    for value in (*values.values(), "pw-other1"):
        assert value.encode() not in stored


# -- 7. a failing backend is a typed error -----------------------------------------------------


def test_corrupt_sqlite_cache_is_typed_error(server: ScriptedServer, tmp_path: Path) -> None:
    Docs(server)
    Api, Doc = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path), retries=0)
    api.get(Doc, 1)
    for stored in tmp_path.iterdir():
        stored.write_bytes(b"not a database " * 1000)
    with pytest.raises(CacheError, match="cache backend failed"):
        api.get(Doc, 1, cache="refresh")
    with pytest.raises(CacheError, match="opening the cache"):
        Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    assert len(server.requests_to("/docs/1")) == 1  # nothing was sent for the failed reads


# -- 8. the key covers every header and the query exactly as sent ------------------------------


def stored_bytes(tmp_path: Path) -> bytes:
    return b"".join(f.read_bytes() for f in tmp_path.rglob("*") if f.is_file())


def serve_named(server: ScriptedServer, header: str) -> None:
    """``/me`` answers for whoever ``header`` names (without echoing the credential)."""

    def me(rec: Received, req: Any) -> Reply:
        value = rec.header(header) or ""
        who = "alice" if "alice" in value else "bob" if "bob" in value else "nobody"
        return Reply(json={"data": {"who": who}}, headers={"ETag": '"same"', "Cache-Control": FRESH})

    server.on("GET", "/me", me)


@pytest.mark.parametrize("header", ["Ocp-Apim-Subscription-Key", "X-Jwt", "X-On-Behalf-Of"])
@pytest.mark.parametrize("how", ["per call", "with_options"])
def test_unlisted_credential_header_is_part_of_cache_key(
    server: ScriptedServer, tmp_path: Path, header: str, how: str
) -> None:
    serve_named(server, header)
    Open = open_service()

    def ask(value: str) -> str:
        api = Open.connect(server.url, cache=cache_at(tmp_path))
        if how == "with_options":
            return who(api.with_options(headers={header: value}))
        return who(api, headers={header: value})

    assert ask("alice-cred-1234567") == "alice"
    assert ask("bob-cred-7654321") == "bob"
    assert ask("alice-cred-1234567") == "alice"  # her own entry again: no request
    assert [r.header(header) for r in server.requests_to("/me")] == ["alice-cred-1234567", "bob-cred-7654321"]
    stored = stored_bytes(tmp_path)
    assert b"alice-cred-1234567" not in stored and b"bob-cred-7654321" not in stored


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("Accept-Language", ("nl", "fr")),
        ("Accept", ("application/json", "text/csv")),
        ("X-Api-Version", ("1", "2")),
        ("Range", ("bytes=0-9", "bytes=10-19")),
    ],
)
def test_accept_language_is_part_of_cache_key(
    server: ScriptedServer, tmp_path: Path, header: str, values: tuple[str, str]
) -> None:
    def answer(rec: Received, req: Any) -> Reply:
        headers = {"ETag": '"e"', "Cache-Control": FRESH}
        return Reply(json={"data": {"got": rec.header(header)}}, headers=headers)

    server.on("GET", "/page", answer)
    api = open_service().connect(server.url, cache=cache_at(tmp_path))
    first, second = values
    asked = (first, second, first)
    got = [api.request("GET", "/page", headers={header: v}).json()["data"]["got"] for v in asked]
    assert got == [first, second, first]
    assert [r.header(header) for r in server.requests_to("/page")] == [first, second]
    assert api.cache_stats.hits == 1


def test_harmless_headers_are_left_out_of_the_key(server: ScriptedServer, tmp_path: Path) -> None:
    serve_me(server)
    api = open_service().connect(server.url, cache=cache_at(tmp_path))
    for agent in ("agent/1", "agent/2"):
        who(api, headers={"User-Agent": agent, "Accept-Encoding": agent})
    assert len(server.requests_to("/me")) == 1 and api.cache_stats.hits == 1


@pytest.mark.parametrize(
    ("auth", "header"), [(ApiKeyAuth(header="X-API-Key"), "X-API-Key"), (TokenAuth(), "Authorization")]
)
def test_anonymous_auth_per_call_key_header_is_part_of_key(
    server: ScriptedServer, tmp_path: Path, auth: Authenticator, header: str
) -> None:
    serve_named(server, header)
    api = open_service().connect(server.url, auth=auth, cache=cache_at(tmp_path))
    assert who(api, headers={header: "alice-tok-1234567"}) == "alice"
    assert who(api, headers={header: "bob-tok-7654321"}) == "bob"
    assert who(api, headers={header: "alice-tok-1234567"}) == "alice"
    assert [r.header(header) for r in server.requests_to("/me")] == ["alice-tok-1234567", "bob-tok-7654321"]
    assert b"alice-tok-1234567" not in stored_bytes(tmp_path)


def test_bound_auth_header_is_covered_by_its_identity(server: ScriptedServer, tmp_path: Path) -> None:
    serve_named(server, "Authorization")
    Api, _ = declare(TokenAuth())
    for token in ("alice-tok-1234567", "alice-tok-1234567", "bob-tok-7654321"):
        who(Api.connect(server.url, token=token, cache=cache_at(tmp_path)))
    sent = [r.header("Authorization") for r in server.requests_to("/me")]
    assert sent == ["Bearer alice-tok-1234567", "Bearer bob-tok-7654321"]


def test_query_order_and_blank_values_are_part_of_key(server: ScriptedServer, tmp_path: Path) -> None:
    def answer(rec: Received, req: Any) -> Reply:
        return Reply(json={"data": {"q": rec.query}}, headers={"ETag": '"q"', "Cache-Control": FRESH})

    server.on("GET", "/docs", answer)
    api = open_service().connect(server.url, cache=cache_at(tmp_path))
    asked = [
        [("sort", "name"), ("sort", "-date")],
        [("sort", "-date"), ("sort", "name")],
        [],
        [("a", "")],
        [("b", "1")],
        [("b", "1"), ("b", "1")],
    ]
    got = [api.request("GET", "/docs", params=p).json()["data"]["q"] for p in asked * 2]
    expected = ["sort=name&sort=-date", "sort=-date&sort=name", "", "a=", "b=1", "b=1&b=1"]
    assert got == expected * 2
    assert [r.query for r in server.requests_to("/docs")] == expected
    assert api.cache_stats.hits == len(expected)


def test_vary_on_a_covered_header_is_matched_by_the_key(server: ScriptedServer, tmp_path: Path) -> None:
    def answer(rec: Received, req: Any) -> Reply:
        headers = {"ETag": '"v"', "Cache-Control": FRESH, "Vary": "Accept"}
        return Reply(json={"data": {"got": rec.header("Accept")}}, headers=headers)

    server.on("GET", "/page", answer)
    for _ in range(2):  # a second session finds the first one's entries
        api = open_service().connect(server.url, cache=cache_at(tmp_path))
        for accept in ("text/csv", "application/json", "text/csv"):
            assert api.request("GET", "/page", headers={"Accept": accept}).json()["data"]["got"] == accept
    assert [r.header("Accept") for r in server.requests_to("/page")] == ["text/csv", "application/json"]


# -- 9. stored answers set no cookies -----------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "filesystem", "memory"])
def test_set_cookie_not_stored_in_cache(server: ScriptedServer, tmp_path: Path, backend: str) -> None:
    cookie = "sessionid=SESS-9f8e7d6c5b4a; Path=/; HttpOnly"
    headers = {"ETag": '"1"', "Cache-Control": FRESH, "Set-Cookie": cookie, "X-Auth-Token": "tk-5150"}
    server.on("GET", "/me", Reply(json={"data": {"id": 1}}, headers=headers))
    location = tmp_path / ("c.sqlite" if backend == "sqlite" else "dir")
    config = CacheConfig(backend=backend, location=location, expire_after=600)
    api = open_service().connect(server.url, cache=config)
    live = api.request("GET", "/me")
    assert live.headers["Set-Cookie"].startswith("sessionid=")  # the live answer sets it once
    jar = api.transport.http.cookies
    assert [c.value for c in jar] == ["SESS-9f8e7d6c5b4a"]
    jar.clear()
    hit = api.request("GET", "/me", headers={"Cookie": None})  # no cookie: the same key as the first
    assert hit.from_cache and "Set-Cookie" not in hit.headers and "X-Auth-Token" not in hit.headers
    assert list(jar) == []  # a hit does not set the cookie again
    assert len(server.requests_to("/me")) == 1
    stored = stored_bytes(tmp_path)
    assert b"SESS-9f8e7d6c5b4a" not in stored and b"tk-5150" not in stored


# -- 10. every unsafe method is a write ------------------------------------------------------------


@pytest.mark.parametrize("method", ["MERGE", "PURGE", "LINK", "PROPPATCH"])
def test_merge_method_write_invalidates(server: ScriptedServer, tmp_path: Path, method: str) -> None:
    srv = Docs(server)
    server.on(method, "/docs/1", srv.write)
    Api, Doc = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    assert api.get(Doc, 1).title == "first"
    api.request(method, "/docs/1", json={"title": "second"})
    assert api.get(Doc, 1).title == "second"
    assert [r.method for r in server.received] == ["GET", method, "GET"]


def test_redirected_merge_is_refused(server: ScriptedServer, tmp_path: Path) -> None:
    server.on("MERGE", "/docs/1", Reply(307, headers={"Location": "/docs/2"}))
    Api, _ = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    with pytest.raises(RedirectError):
        api.request("MERGE", "/docs/1", json={"title": "x"})
    assert [r.path for r in server.received] == ["/docs/1"]


def test_redirected_read_is_cached_as_its_target_and_invalidated_with_it(
    server: ScriptedServer, tmp_path: Path
) -> None:
    Docs(server)
    server.on("GET", "/latest", Reply(302, headers={"Location": "/docs/1"}))
    Api, _ = declare(TokenAuth())
    api = Api.connect(server.url, token="tok-1", cache=cache_at(tmp_path))
    assert api.request("GET", "/latest").json()["data"]["title"] == "first"
    assert api.request("GET", "/docs/1").json()["data"]["title"] == "first"
    api.request("PUT", "/docs/1", json={"title": "second"})
    assert api.request("GET", "/latest").json()["data"]["title"] == "second"
