"""ETag / Last-Modified caching, isolation between credentials and tenants, invalidation.

The Redis backend runs against a real ``redis-server`` the tests start themselves: sessions
in separate processes share one cache, the same credential finds its entries (a hit or a
``304``), another credential never does, and no secret is stored. Without ``redis-server``
on PATH those tests are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from clientkit import Envelope, Resource, Service, TokenAuth, etag_of, field
from clientkit._declarations.options import CacheConfig
from clientkit.errors import AuthenticationError, PreconditionFailedError
from tests.support.cache_client import Doc as SharedDoc
from tests.support.cache_client import Docs
from tests.support.redis_cache import PASSWORD, TOKEN_A, TOKEN_B, WRONG, basic, dump, in_process, serve_docs
from tests.support.scripted import Received, Reply, ScriptedServer

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")


class Api(Service):
    auth = TokenAuth()
    envelope = Envelope(response="data")
    headers = {"x-tenant-id": "{tenant}"}
    context = {"tenant": None}


@Api.resource(one="/docs/{id}", many="/docs")
class Doc(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None


class Versioned:
    """A resource server with ETags, honouring If-None-Match, If-Modified-Since and If-Match."""

    def __init__(
        self,
        server: ScriptedServer,
        etag_style: str = "strong",
        cache_control: str | None = None,
        last_modified: bool = False,
    ) -> None:
        self.version = 1
        self.title = "first"
        self.style = etag_style
        self.cache_control = cache_control
        self.last_modified = last_modified
        server.on("GET", "/docs/1", self.get)
        server.on("PATCH", "/docs/1", self.patch)
        server.on("PUT", "/docs/1", self.patch)
        server.on("GET", "/docs", self.listing)

    def etag(self) -> str:
        return {
            "strong": f'"v{self.version}"',
            "weak": f'W/"v{self.version}"',
            "unquoted": f"v{self.version}",
        }[self.style]

    def headers(self) -> dict[str, str]:
        h = {}
        if self.last_modified:
            h["Last-Modified"] = f"Wed, 0{self.version} Jan 2025 00:00:00 GMT"
        else:
            h["ETag"] = self.etag()
        if self.cache_control:
            h["Cache-Control"] = self.cache_control
        return h

    def get(self, rec: Received, req: Any) -> Reply:
        if not self.last_modified and rec.header("If-None-Match") == self.etag():
            return Reply(304, headers=self.headers())
        if self.last_modified and rec.header("If-Modified-Since") == self.headers()["Last-Modified"]:
            return Reply(304, headers=self.headers())
        return Reply(json={"data": {"id": 1, "title": self.title}}, headers=self.headers())

    def listing(self, rec: Received, req: Any) -> Reply:
        return Reply(json={"data": [{"id": 1, "title": self.title}]}, headers={"ETag": f'"l{self.version}"'})

    def patch(self, rec: Received, req: Any) -> Reply:
        match = rec.header("If-Match")
        if match is not None and match != self.etag():
            return Reply(412, json={"message": "changed since you loaded it"})
        self.version += 1
        self.title = rec.json.get("title", self.title)
        return Reply(json={"data": {"id": 1, "title": self.title}}, headers=self.headers())


def connect(server: ScriptedServer, tmp_path: Path, token: str = "tok-aaaa", **kw: Any) -> Any:
    cache = kw.pop("cache", CacheConfig(location=tmp_path / "cache" / "http.sqlite"))
    return Api.connect(server.url, token=token, cache=cache, retries=0, **kw)


def test_etag_revalidation_serves_the_stored_body(server: ScriptedServer, tmp_path: Path) -> None:
    Versioned(server)
    api = connect(server, tmp_path)
    assert api.get(Doc, 1).title == "first"
    doc = api.get(Doc, 1)
    assert doc.title == "first" and etag_of(doc) == '"v1"'
    second = server.received[1]
    assert second.header("If-None-Match") == '"v1"'
    assert (api.cache_stats.misses, api.cache_stats.revalidations, api.cache_stats.hits) == (1, 1, 0)


def test_last_modified_revalidation(server: ScriptedServer, tmp_path: Path) -> None:
    Versioned(server, last_modified=True)
    api = connect(server, tmp_path)
    api.get(Doc, 1)
    assert api.get(Doc, 1).title == "first"
    assert server.received[1].header("If-Modified-Since") == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert api.cache_stats.revalidations == 1


@pytest.mark.parametrize("style", ["weak", "unquoted"])
def test_weak_and_unquoted_etags(server: ScriptedServer, tmp_path: Path, style: str) -> None:
    srv = Versioned(server, etag_style=style)
    api = connect(server, tmp_path)
    api.get(Doc, 1)
    assert api.get(Doc, 1).title == "first"
    assert server.received[1].header("If-None-Match") == srv.etag()
    assert api.cache_stats.revalidations == 1


def test_no_cache_answers_are_still_revalidated(server: ScriptedServer, tmp_path: Path) -> None:
    Versioned(server, cache_control="no-cache")
    api = connect(server, tmp_path, cache=CacheConfig(location=tmp_path / "c.sqlite", expire_after=3600))
    api.get(Doc, 1)
    api.get(Doc, 1)
    assert len(server.received) == 2  # not served fresh, despite expire_after
    assert server.received[1].header("If-None-Match") == '"v1"'
    assert api.cache_stats.revalidations == 1


def test_fresh_hit_sends_nothing(server: ScriptedServer, tmp_path: Path) -> None:
    Versioned(server)
    api = connect(server, tmp_path, cache=CacheConfig(backend="memory", expire_after=60))
    api.get(Doc, 1)
    assert api.get(Doc, 1).title == "first"
    assert len(server.received) == 1 and api.cache_stats.hits == 1


def test_a_call_without_auth_is_cached_apart(server: ScriptedServer, tmp_path: Path) -> None:
    def answer(rec: Received, _: Any) -> Reply:
        who = "private" if rec.header("Authorization") else "public"
        return Reply(json={"data": {"id": 1, "title": who}}, headers={"Cache-Control": "max-age=60"})

    server.on("GET", "/docs/1", answer)
    api = connect(server, tmp_path, cache=CacheConfig(backend="memory", expire_after=60))
    assert api.request("GET", "/docs/1").json()["data"]["title"] == "private"
    assert api.request("GET", "/docs/1", auth=False).json()["data"]["title"] == "public"
    assert api.request("GET", "/docs/1", auth=False).json()["data"]["title"] == "public"
    assert api.request("GET", "/docs/1").json()["data"]["title"] == "private"
    assert len(server.requests_to("/docs/1")) == 2


def test_changed_resource_is_fetched_again(server: ScriptedServer, tmp_path: Path) -> None:
    srv = Versioned(server)
    api = connect(server, tmp_path)
    api.get(Doc, 1)
    srv.version, srv.title = 2, "second"
    assert api.get(Doc, 1).title == "second"
    assert api.cache_stats.misses == 2


def test_writes_invalidate_the_resource_and_its_list(server: ScriptedServer, tmp_path: Path) -> None:
    Versioned(server)
    api = connect(server, tmp_path, cache=CacheConfig(backend="memory", expire_after=3600))
    doc = api.get(Doc, 1)
    assert [d.title for d in api.list(Doc)] == ["first"]
    doc.title = "edited"
    api.save(doc)
    assert api.get(Doc, 1).title == "edited"
    assert [d.title for d in api.list(Doc)] == ["edited"]
    gets = [r for r in server.received if r.method == "GET"]
    assert len(gets) == 4  # both were asked again after the write


def test_bypass_and_refresh_per_call(server: ScriptedServer, tmp_path: Path) -> None:
    Versioned(server)
    api = connect(server, tmp_path, cache=CacheConfig(backend="memory", expire_after=3600))
    api.get(Doc, 1)
    api.get(Doc, 1, cache="bypass")
    assert len(server.received) == 2 and server.received[1].header("If-None-Match") is None
    api.get(Doc, 1, cache="refresh")
    assert server.received[2].header("If-None-Match") == '"v1"'
    api.get(Doc, 1)
    assert len(server.received) == 3


def test_answers_without_validators_are_fetched_anew_when_refreshed(
    server: ScriptedServer, tmp_path: Path
) -> None:
    """A stored answer with no ETag or Last-Modified cannot be revalidated: ``cache="refresh"``,
    ``refresh(obj)`` and a GET after a write fetch it anew instead of serving it unasked."""
    state = {"title": "first"}
    server.on("GET", "/docs/1", lambda rec, req: Reply(json={"data": {"id": 1, "title": state["title"]}}))
    server.on("PATCH", "/docs/1", Reply(body=b""))
    api = connect(server, tmp_path, cache=CacheConfig(backend="memory", expire_after=3600))
    doc = api.get(Doc, 1)
    state["title"] = "second"
    assert api.get(Doc, 1).title == "first"  # fresh for an hour: not asked
    assert api.get(Doc, 1, cache="refresh").title == "second"
    state["title"] = "third"
    assert api.refresh(doc).title == "third"
    doc.title = "fourth"
    api.save(doc)
    state["title"] = "fifth"  # another writer, between our write and our read
    assert api.get(Doc, 1).title == "fifth"
    assert [r.method for r in server.received] == ["GET", "GET", "GET", "PATCH", "GET"]


def test_tenants_sharing_a_cache_file_are_isolated(server: ScriptedServer, tmp_path: Path) -> None:
    def by_tenant(rec: Received, req: Any) -> Reply:  # same ETag and no Vary: a careless server
        tenant = rec.header("x-tenant-id")
        return Reply(
            json={"data": {"id": 1, "title": f"doc of {tenant}"}},
            headers={"ETag": '"same"', "Cache-Control": "max-age=600"},
        )

    server.on("GET", "/docs/1", by_tenant)
    cache = CacheConfig(location=tmp_path / "shared.sqlite", expire_after=600)
    a = connect(server, tmp_path, cache=cache, tenant="acme")
    b = connect(server, tmp_path, cache=cache, tenant="globex")
    assert a.get(Doc, 1).title == "doc of acme"
    assert b.get(Doc, 1).title == "doc of globex"
    assert a.get(Doc, 1).title == "doc of acme"  # a fresh hit, from acme's own entry
    assert b.with_options(context={"tenant": "acme"}).get(Doc, 1).title == "doc of acme"
    assert len(server.received) == 2


def test_users_sharing_a_cache_file_are_isolated_on_a_real_server(drf_server: str, tmp_path: Path) -> None:
    from tests.test_third_party_servers import ALICE, BOB, Article, Drf

    cache = CacheConfig(location=tmp_path / "shared.sqlite", expire_after=600)
    with (
        Drf.connect(drf_server, token=ALICE, cache=cache) as alice,
        Drf.connect(drf_server, token=BOB, cache=cache) as bob,
    ):
        alice_titles = [a.title for a in alice.list(Article)]
        bob_titles = [a.title for a in bob.list(Article)]
        assert all(t.startswith("Alice") or not t.startswith("Bob") for t in alice_titles)
        assert bob_titles and all(t.startswith("Bob") for t in bob_titles)
        assert [a.title for a in alice.list(Article)] == alice_titles
        assert alice.cache_stats.hits == 1 and bob.cache_stats.misses == 1
        one = alice.get(Article, 1)
        again = alice.get(Article, 1)
        assert again.title == one.title
    with Drf.connect(drf_server, token=BOB, cache=cache, retries=0) as bob:
        from clientkit.errors import NotFoundError

        with pytest.raises(NotFoundError):
            bob.get(Article, 1)  # alice's cached article is never served to bob


def test_drf_conditional_get_revalidates(drf_server: str, tmp_path: Path) -> None:
    from tests.test_third_party_servers import ALICE, Article, Drf

    with Drf.connect(drf_server, token=ALICE, cache=tmp_path / "drf.sqlite") as api:
        api.get(Article, 2)
        api.get(Article, 2)
        assert api.cache_stats.revalidations == 1
        assert api.last_response is not None and api.last_response.status_code == 200


def test_if_match_and_412(server: ScriptedServer, tmp_path: Path) -> None:
    srv = Versioned(server)
    api = Api.connect(server.url, token="tok-aaaa", retries=0)
    doc = api.get(Doc, 1)
    doc.title = "mine"
    srv.version = 5  # someone else saved in between
    with pytest.raises(PreconditionFailedError, match="changed since"):
        api.save(doc, if_match=True)
    assert server.received[-1].header("If-Match") == '"v1"'
    fresh = api.get(Doc, 1)
    fresh.title = "mine"
    api.save(fresh, if_match=True)
    assert srv.title == "mine"


def test_cache_files_are_private_and_hold_no_token(server: ScriptedServer, tmp_path: Path) -> None:
    Versioned(server)
    path = tmp_path / "private" / "http.sqlite"
    api = connect(server, tmp_path, token="tok-secret-xyz", cache=CacheConfig(location=path))
    api.get(Doc, 1)
    api.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    for f in path.parent.iterdir():
        assert b"tok-secret-xyz" not in f.read_bytes()


def test_filesystem_backend(server: ScriptedServer, tmp_path: Path) -> None:
    Versioned(server)
    directory = tmp_path / "fs-cache"
    api = connect(server, tmp_path, cache=CacheConfig(backend="filesystem", location=directory))
    api.get(Doc, 1)
    api.get(Doc, 1)
    assert api.cache_stats.revalidations == 1
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert any(directory.rglob("*"))


def test_cache_survives_a_new_session(server: ScriptedServer, tmp_path: Path) -> None:
    Versioned(server)
    connect(server, tmp_path).get(Doc, 1)
    again = connect(server, tmp_path)
    again.get(Doc, 1)
    assert again.cache_stats.revalidations == 1


def test_service_declared_cache(server: ScriptedServer, tmp_path: Path) -> None:
    class Cached(Api):
        cache = CacheConfig(backend="memory", expire_after=60)

    Versioned(server)
    api = Cached.connect(server.url, token="t-1234")
    api.get(Doc, 1)
    api.get(Doc, 1)
    assert api.cache_stats.hits == 1


def test_revalidation_after_a_change_serves_the_new_version(server: ScriptedServer, tmp_path: Path) -> None:
    srv = Versioned(server)
    api = connect(server, tmp_path)
    assert api.get(Doc, 1).title == "first"
    assert api.get(Doc, 1).title == "first"  # 304
    srv.version, srv.title = 2, "second"
    titles = [api.get(Doc, 1).title for _ in range(4)]
    assert titles == ["second"] * 4
    last = [r.header("If-None-Match") for r in server.received[-2:]]
    assert last == ['"v2"', '"v2"']  # the new version is what gets revalidated now
    assert api.cache_stats.revalidations >= 3


def test_redis_backend_stores_and_revalidates(server: ScriptedServer, redis: Any, redis_url: str) -> None:
    serve_docs(server)
    with Docs.connect(
        server.url, token=TOKEN_A, cache=CacheConfig(backend="redis", location=redis_url)
    ) as api:
        assert api.get(SharedDoc, 1).title == "doc for aaaa"
        assert api.get(SharedDoc, 1).title == "doc for aaaa"
        assert (api.cache_stats.misses, api.cache_stats.revalidations) == (1, 1)
    assert server.received[1].header("If-None-Match") == '"aaaa-v1"'
    assert any(key.startswith(b"clientkit-docs") for key in redis.keys("*"))
    fresh = CacheConfig(backend="redis", location=redis_url, expire_after=600)
    with Docs.connect(server.url, token=TOKEN_A, cache=fresh) as api:
        api.get(SharedDoc, 1)  # stored with a 600 s lifetime
        assert api.get(SharedDoc, 1).title == "doc for aaaa"
        assert api.cache_stats.hits == 1
    assert len(server.received) == 3


@pytest.mark.parametrize(("expire", "shared_as"), [(0, "revalidations"), (600, "hits")])
def test_same_credential_in_two_processes_shares_redis_entries(
    server: ScriptedServer, redis: Any, redis_url: str, expire: int, shared_as: str
) -> None:
    serve_docs(server)
    first = in_process(server, redis_url, expire, token=TOKEN_A)
    second = in_process(server, redis_url, expire, token=TOKEN_A)
    assert first["outcome"] == second["outcome"] == "doc for aaaa"
    assert second[shared_as] == 1
    if expire:
        assert len(server.received) == 1  # the second process sent nothing
    else:
        assert server.received[1].header("If-None-Match") == '"aaaa-v1"'


def test_other_credentials_in_another_process_never_see_the_entries(
    server: ScriptedServer, redis: Any, redis_url: str
) -> None:
    serve_docs(server)
    assert in_process(server, redis_url, 600, token=TOKEN_A)["outcome"] == "doc for aaaa"
    assert in_process(server, redis_url, 600, token=TOKEN_B)["outcome"] == "doc for bbbb"
    alice = in_process(server, redis_url, 600, username="alice", password=PASSWORD)
    intruder = in_process(server, redis_url, 600, username="alice", password=WRONG)
    assert alice["outcome"] == "doc for alice"
    assert intruder["outcome"] == AuthenticationError.__name__
    sent = [r.header("Authorization") for r in server.received]
    assert sent == [
        f"Bearer {TOKEN_A}",
        f"Bearer {TOKEN_B}",
        basic("alice", PASSWORD),
        basic("alice", WRONG),
    ]


def test_no_secret_is_stored_in_redis(server: ScriptedServer, redis: Any, redis_url: str) -> None:
    serve_docs(server)
    in_process(server, redis_url, 600, token=TOKEN_A)
    in_process(server, redis_url, 0, username="alice", password=PASSWORD)
    in_process(server, redis_url, 0, username="alice", password=PASSWORD)  # a 304 rewrites nothing secret
    stored = dump(redis)
    assert b"doc for aaaa" in stored and b"doc for alice" in stored  # the dump does see the answers
    for secret in (TOKEN_A, PASSWORD, basic("alice", PASSWORD).removeprefix("Basic ")):
        assert secret.encode() not in stored


def test_unreachable_redis_is_typed_error(server: ScriptedServer) -> None:
    import socket

    from clientkit.errors import CacheError, TransportError

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server.on("POST", "/docs", Reply(json={"data": {"id": 2}}))
    cache = CacheConfig(backend="redis", location=f"redis://127.0.0.1:{port}/0")
    with Docs.connect(server.url, token=TOKEN_A, cache=cache, retries=0) as api:
        with pytest.raises(CacheError) as caught:
            api.get(SharedDoc, 1)
        assert isinstance(caught.value, TransportError) and TOKEN_A not in str(caught.value)
        assert server.received == []  # nothing was sent
        api.request("POST", "/docs", json={})  # writes are never stored: they need no cache
    assert [r.method for r in server.received] == ["POST"]


def test_path_token_stays_out_of_cache_keys_and_files(
    server: ScriptedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from clientkit.auth import PathToken

    caplog.set_level("DEBUG")
    token = "777:path-token-in-cache"

    class Bot(Service):
        auth = PathToken()

    server.on("GET", f"/bot{token}/getMe", Reply(json={"id": 7}, headers={"ETag": '"e1"'}))
    path = tmp_path / "bot.sqlite"
    bot = Bot.connect(
        server.url + "/bot{token}", token=token, cache=CacheConfig(location=path, expire_after=600)
    )
    assert bot.request("GET", "/getMe").json() == {"id": 7}
    assert bot.request("GET", "/getMe").json() == {"id": 7}
    assert len(server.requests_to(f"/bot{token}/getMe")) == 1  # the second came from the cache
    keys = list(bot.transport.http.cache.responses.keys())
    stored = [bot.transport.http.cache.responses[k] for k in keys]
    bot.close()
    assert keys and all(token not in k for k in keys)
    assert all(token not in (s.url or "") and token not in (s.request.url or "") for s in stored)
    for f in tmp_path.iterdir():
        data = f.read_bytes()
        assert token.encode() not in data and b"path-token-in-cache" not in data
    other = Bot.connect(server.url + "/bot{token}", token="888:other-token", cache=CacheConfig(location=path))
    server.on("GET", "/bot888:other-token/getMe", Reply(json={"id": 8}))
    assert other.request("GET", "/getMe").json() == {"id": 8}  # never the other token's answer
    other.close()
    assert "requests_cache" in caplog.text and "path-token-in-cache" not in caplog.text
