"""The generic claims against real third-party servers: json-server 0.17 (npm) and a
Django REST Framework app with token auth (PyPI)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from clientkit import (
    Envelope,
    ErrorShape,
    Expansion,
    PageNumber,
    PasswordLogin,
    Resource,
    Service,
    TokenAuth,
    changes,
    extra,
    field,
)
from clientkit.errors import AuthenticationError, BadRequestError, NotFoundError, PaginationError
from clientkit.paging import CountRequest
from clientkit.tokens import FileTokenStore, Token
from tests.support import processes

# -- json-server ------------------------------------------------------------------------


class JsonServer(Service):
    pass


@JsonServer.resource(one="/posts/{id}", many="/posts")
class Post(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
    author: str | None = None
    views: int | None = None


@JsonServer.resource(one="/profile", singleton=True)
class Profile(Resource):
    name: str | None = None


def raw(url: str, path: str) -> Any:
    return requests.get(url + path, timeout=5).json()


def test_json_server_crud_round_trip(json_server: str) -> None:
    with JsonServer.connect(json_server, retries=0) as api:
        post = api.get(Post, 3)
        assert post == Post(id=3, title="Post 3", author="ann", views=30)

        post.views = 31
        assert changes(post) == {"views": 31}
        api.save(post)  # PATCH
        assert raw(json_server, "/posts/3")["views"] == 31

        new = api.save(Post(title="Fresh", author="cy", views=0))  # POST -> 201
        assert new.id is not None and raw(json_server, f"/posts/{new.id}")["title"] == "Fresh"

        api.patch(new, title="Fresher")
        assert raw(json_server, f"/posts/{new.id}")["title"] == "Fresher"

        new.author = "dee"
        api.update(new)  # PUT of the whole resource
        assert raw(json_server, f"/posts/{new.id}") == {
            "id": new.id,
            "title": "Fresher",
            "author": "dee",
            "views": 0,
        }

        api.delete(new)
        with pytest.raises(NotFoundError) as info:
            api.get(Post, new.id)
        assert info.value.status == 404


def test_json_server_unknown_fields_survive_a_full_update(json_server: str) -> None:
    requests.patch(json_server + "/posts/5", json={"likes": [1, 2]}, timeout=5)
    with JsonServer.connect(json_server) as api:
        post = api.get(Post, 5)
        assert extra(post) == {"likes": [1, 2]}
        post.title = "Renamed"
        api.update(post)
    assert raw(json_server, "/posts/5")["likes"] == [1, 2]
    assert raw(json_server, "/posts/5")["title"] == "Renamed"


def test_json_server_list_and_singleton(json_server: str) -> None:
    with JsonServer.connect(json_server) as api:
        posts = list(api.list(Post, params={"author": "bob"}))
        assert len(posts) == 11 and {p.author for p in posts} == {"bob"}
        profile = api.get(Profile)
        profile.name = "clientkit"
        api.save(profile)
    assert raw(json_server, "/profile") == {"name": "clientkit"}


_HEAD_COUNT = CountRequest(method="HEAD", header="X-Total-Count", params={"_limit": 0})


@JsonServer.resource(
    many="/posts",
    name="CountedPost",
    pagination=PageNumber(page="_page", size="_limit", count=_HEAD_COUNT),
)
class CountedPost(Resource):
    id: int | None = field(read_only=True)
    author: str | None = None


def test_json_server_counts_from_a_head_request(json_server: str) -> None:
    # json-server 0.17 sends X-Total-Count only when _limit, _end or _page is given, and
    # answers HEAD as GET without the body: a HEAD with _limit=0 is a count request
    head = requests.head(json_server + "/posts", params={"author": "bob", "_limit": 0}, timeout=5)
    assert head.headers["X-Total-Count"] == "11" and head.content == b""
    with JsonServer.connect(json_server, retries=0) as api:
        assert api.list(CountedPost, params={"author": "bob"}, page_size=4).total == 11
        pages = list(api.list(CountedPost, page_size=5).concurrent_pages(workers=3))
        assert sum(len(p) for p in pages) == 23 and len(pages) == 5


@JsonServer.resource(
    many="/posts",
    name="PagedPost",
    pagination=PageNumber(page="_page", size="_limit", total_header="X-Total-Count", page_size=10),
)
class PagedPost(Resource):
    id: int | None = field(read_only=True)


@JsonServer.resource(many="/posts", name="UnsizedPost", pagination=PageNumber(page="_page", size="_limit"))
class UnsizedPost(Resource):
    id: int | None = field(read_only=True)


def test_json_server_pages_with_the_documented_declaration(json_server: str) -> None:
    with JsonServer.connect(json_server, retries=0) as api:
        listed = api.list(PagedPost)
        assert [p.id for p in listed] == list(range(1, 24)) and listed.total == 23
        # json-server answers its whole list when no _limit is named, then pages by 10 from
        # _page=2: never a silently repeated item, and the error says what to do
        with pytest.raises(PaginationError, match=r"no page size was asked.*pass page_size="):
            list(api.list(UnsizedPost))


@JsonServer.resource(one="/posts/{id}", many="/posts", name="RatedPost")
class RatedPost(Resource):
    id: int | None = field(read_only=True)
    views: Decimal | None = None


def test_json_server_decimal_numbers_stay_numbers(json_server: str) -> None:
    with JsonServer.connect(json_server, retries=0) as api:
        post = api.get(RatedPost, 4)
        assert post.views == Decimal(40) and changes(post) == {}
        post.views = Decimal("40.25")
        api.save(post)
        assert api.last_response is not None and api.last_response.request.body == b'{"views": 40.25}'
        post.views = Decimal("41")
        api.save(post)
    assert raw(json_server, "/posts/4")["views"] == 41


def test_json_server_unknown_id_maps_to_not_found(json_server: str) -> None:
    with JsonServer.connect(json_server, retries=0) as api, pytest.raises(NotFoundError):
        api.get(Post, 999)


# -- Django REST Framework -----------------------------------------------------------------

ALICE = "alice-token-0123456789"
BOB = "bob-token-0123456789"


class Drf(Service):
    auth = TokenAuth(scheme="Token")
    envelope = Envelope(operations={"list": Envelope(response="results")})
    errors = ErrorShape(message="detail", fields="$")


@Drf.resource(one="/api/articles/{id}/", many="/api/articles/")
class Article(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
    body: str | None = None
    tags: list[str] = field(factory=list)
    published: bool | None = None
    created: dt.datetime | None = field(read_only=True)
    owner: str | None = field(read_only=True)


def test_drf_crud_with_change_tracking(drf_server: str) -> None:
    with Drf.connect(drf_server, token=ALICE, retries=0) as api:
        art = api.create(Article(title="Hello", tags=["x"]))
        assert art.id is not None and art.owner == "alice" and isinstance(art.created, dt.datetime)

        art.tags.append("y")
        api.save(art)  # PATCH {"tags": [...]}
        assert api.last_response is not None
        assert api.last_response.request.method == "PATCH"
        assert api.last_response.request.body == b'{"tags": ["x", "y"]}'
        assert api.get(Article, art.id).tags == ["x", "y"]

        api.patch(art, published=True)
        assert api.get(Article, art.id).published is True

        art.body = "Body"
        api.update(art)  # PUT
        assert api.last_response is not None and api.last_response.request.method == "PUT"
        assert api.get(Article, art.id).body == "Body"

        api.delete(art)
        with pytest.raises(NotFoundError, match=r"No Article matches|Not found"):
            api.get(Article, art.id)


def test_drf_list_first_page_and_filters(drf_server: str) -> None:
    with Drf.connect(drf_server, token=BOB) as api:
        titles = [a.title for a in api.list(Article)]
        assert titles[:3] == ["Bob 0", "Bob 1", "Bob 2"]
        assert all(a.owner == "bob" for a in api.list(Article, params={"published": False}))


def test_drf_validation_errors_are_field_level(drf_server: str) -> None:
    with Drf.connect(drf_server, token=ALICE, retries=0) as api, pytest.raises(BadRequestError) as info:
        api.create(Article(body="no title"))
    assert info.value.field_errors == {"title": ["This field is required."]}


def test_drf_bad_token_and_other_users_data(drf_server: str) -> None:
    with (
        Drf.connect(drf_server, token="wrong-token-000", retries=0) as api,
        pytest.raises(AuthenticationError, match="Invalid token"),
    ):
        api.get(Article, 1)
    with Drf.connect(drf_server, token=BOB, retries=0) as bob, pytest.raises(NotFoundError):
        bob.get(Article, 1)  # alice's


@Drf.resource(one="/api/prices/{id}/", many="/api/prices/")
class Price(Resource):
    id: int | None = field(read_only=True)
    label: str | None = None
    amount: Decimal | None = None


def test_drf_decimals_load_and_go_back_as_text(drf_server: str) -> None:
    with Drf.connect(drf_server, token=ALICE, retries=0) as api:
        made = api.create(Price(label="desk", amount=Decimal("12.5")))
        assert made.amount == Decimal("12.50") and str(made.amount) == "12.50" and changes(made) == {}
        made.amount = Decimal("12.500")
        assert changes(made) == {}  # the same value
        made.amount = Decimal("13.10")
        api.save(made)
        assert api.last_response is not None and api.last_response.request.body == b'{"amount": "13.10"}'
        assert str(api.get(Price, made.id).amount) == "13.10"
        with pytest.raises(BadRequestError) as info:
            api.patch(made, amount=Decimal("1.234"))
    assert list(info.value.field_errors) == ["amount"]


@Drf.resource(one="/api/countries/{id}/", many="/api/countries/")
class DrfCountry(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


@Drf.resource(one="/api/cities/{id}/", many="/api/cities/", expansion=Expansion("expand", style="list"))
class DrfCity(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    country: int | DrfCountry | None = field(reference=True, level=1)


def test_drf_a_foreign_key_expanded_is_written_back_as_its_id(drf_server: str) -> None:
    with Drf.connect(drf_server, token=ALICE, retries=0) as api:
        made = api.create(DrfCity(name="Oslo", country=DrfCountry(id=1, name="Norway")))
        assert (
            api.last_response is not None
            and api.last_response.request.body == b'{"name": "Oslo", "country": 1}'
        )
        assert made.country == 1
        city = api.get(DrfCity, made.id, level=["country"])
        assert city.country == DrfCountry(id=1, name="Norway") and changes(city) == {}
        city.name = "Kristiania"
        api.update(city)  # PUT, answered with the id: the object stays
        assert api.last_response is not None
        assert api.last_response.request.body == b'{"name": "Kristiania", "country": 1}'
        assert city.country == DrfCountry(id=1, name="Norway") and changes(city) == {}
        city.country = 2
        api.save(city)
        assert api.last_response is not None and api.last_response.request.body == b'{"country": 2}'
        assert api.get(DrfCity, made.id, level=["country"]).country == DrfCountry(id=2, name="Sweden")
        assert api.get(DrfCity, made.id).country == 2


# -- json-server's nested routes: a parent that is a field -----------------------------------------


@JsonServer.resource(one="/comments/{id}", many="/posts/{postId}/comments")
class Comment(Resource):
    id: int | None = field(read_only=True)
    postId: int | str | None = None  # json-server stores the postId of a nested POST as text
    body: str | None = None


def test_json_server_nested_routes_with_the_parent_in_the_body(tmp_path: Path) -> None:
    data = {"posts": [{"id": 1}, {"id": 2}], "comments": [{"id": 1, "postId": 1, "body": "a"}]}
    with processes.json_server(tmp_path, data) as url, JsonServer.connect(url, retries=0) as api:
        (first,) = api.list(Comment, postId=1)
        assert first.postId == 1 and list(api.list(Comment, postId=2)) == []
        made = api.create(Comment(body="b"), postId=2)
        assert made.postId == "2" and [c.body for c in api.list(Comment, postId=2)] == ["b"]
        made.body = "c"
        api.save(made)
        assert raw(url, f"/comments/{made.id}") == {"id": made.id, "postId": "2", "body": "c"}


class DrfLogin(Service):
    """The DRF app through its obtain-token endpoint: a login whose answer is ``{"token": ...}``,
    sent as ``Authorization: Token ...``, never expiring; a stored token is checked first."""

    auth = PasswordLogin(
        path="/api/auth/token/",
        token="token",
        refresh_token=None,
        expires_in=None,
        scheme="Token",
        check_token="/api/articles/",
    )
    errors = ErrorShape(message="detail", fields="$")


def test_drf_login_from_a_credentials_callback_and_a_stored_token_checked(
    drf_server: str, tmp_path: Path
) -> None:
    store = FileTokenStore(tmp_path / "alice.json")
    store.save(Token("stale-token-0000000"))  # from an earlier run; DRF no longer knows it
    asked: list[str] = []

    def vault() -> tuple[str, str]:
        asked.append("alice")
        return "alice", "alice-password-01"

    with DrfLogin.connect(drf_server, credential_provider=vault, store=store, retries=0) as api:
        assert api.get(Article, 1).title.startswith("Alice")
        auth = api.transport.auth
        assert isinstance(auth, PasswordLogin) and auth.logins == 1 and asked == ["alice"]
    kept = store.load()
    assert kept is not None and kept.access_token.reveal() == ALICE
    with DrfLogin.connect(drf_server, credential_provider=vault, store=store, retries=0) as again:
        assert again.get(Article, 1).title.startswith("Alice")
        assert isinstance(again.transport.auth, PasswordLogin) and again.transport.auth.logins == 0
    assert asked == ["alice"]  # the stored token passed its check: no second login
    with pytest.raises(BadRequestError, match="Unable to log in") as info:  # DRF refuses a login with 400
        DrfLogin.connect(drf_server, username="alice", password="wrong-password", retries=0).get(Article, 1)
    assert "wrong-password" not in str(info.value)
