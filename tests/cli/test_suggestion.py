"""The sandbox banner's suggestion: the exports and a command that runs as printed."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

import pytest

from clientkit import Resource, Service, TokenAuth, field
from clientkit.cli.serve import banner, start
from clientkit.cli.services import shipped
from clientkit.cli.suggestion import accepted, context_values, listing
from clientkit.sandbox import Accounts, Sandbox
from clientkit_services.bapp import BappApi
from tests.cli.conftest import Ran


class Blog(Service):
    """A blog whose comments sit under their post; the context picks the blog."""

    auth = TokenAuth()
    context = {"blog": None}


@Blog.resource(one="/blogs/{blog}/posts/{id}", many="/blogs/{blog}/posts", parents=("blog",))
class Post(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None


@Blog.resource(one="/posts/{postId}/comments/{id}", many="/posts/{postId}/comments", parents=("postId",))
class Comment(Resource):
    id: int | None = field(read_only=True)
    body: str | None = None


BLOG = "tests.cli.test_suggestion:Blog"
COMMENTS = {"Comment": [{"postId": 7, "id": 1, "body": "first"}, {"postId": 7, "id": 2, "body": "second"}]}


def _suggested(text: str) -> tuple[dict[str, str], list[str]]:
    """The exported variables and the command's arguments, as a shell reads them."""
    lines = text.splitlines()
    exports = lines[-2].removeprefix("try: export ")
    command = shlex.split(lines[-1].strip())
    assert command[0] == "clientkit"
    return dict(pair.split("=", 1) for pair in shlex.split(exports)), command[1:]


def _runs(ck: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch, name: str, service: Any, box: Any) -> Ran:
    url = box.start()
    try:
        env, argv = _suggested(banner(name, service, box, url))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return ck(*argv)
    finally:
        box.stop()
        box.store.close()


@pytest.mark.parametrize("name", ["bapp", "blizwork", "bragerone", "clappform", "cxreports"])
def test_every_shipped_sandbox_suggests_a_command_that_runs(ck, monkeypatch, name: str) -> None:
    assert name in shipped()
    service, box = start(name, {})
    ran = _runs(ck, monkeypatch, name, service, box)
    assert ran.code == 0, ran.err
    assert ran.out.strip()


def test_a_nested_listing_is_suggested_with_its_path_value(ck, monkeypatch) -> None:
    box = Sandbox(Blog, data=COMMENTS)
    text = banner(BLOG, Blog, box, "http://127.0.0.1:1")
    assert text.splitlines()[-1].split() == ["clientkit", BLOG, "comment", "list", "--path", "postId=7"]
    ran = _runs(ck, monkeypatch, BLOG, Blog, Sandbox(Blog, data=COMMENTS))
    assert ran.code == 0, ran.err
    assert "second" in ran.out


def test_a_context_value_in_the_path_is_exported_from_the_demo_data(ck, monkeypatch) -> None:
    seed = {"Post": [{"blog": "b2", "id": 1, "title": "Hello"}, {"blog": "b2", "id": 2, "title": "Again"}]}
    box = Sandbox(Blog, data={**seed, **COMMENTS})
    assert context_values(Blog, box) == {"blog": "b2"}
    assert listing(Blog, box, {"blog": "b2"}) == ["post", "list"]
    assert listing(Blog, box, {"blog": "b9"}) == ["comment", "list", "--path", "postId=7"]
    ran = _runs(ck, monkeypatch, BLOG, Blog, box)
    assert ran.code == 0 and "Again" in ran.out, ran.err


def test_a_context_value_the_sandbox_allows_is_the_one_exported() -> None:
    box = Sandbox(Blog, accounts=Accounts(contexts={"blog": {"b5", "b1"}}))
    assert context_values(Blog, box) == {"blog": "b1"}
    assert listing(Blog, box, {"blog": "b1"}) == ["post", "list"]  # nothing held: still runs


def test_a_token_is_offered_under_the_keyword_of_the_first_alternative_taking_one() -> None:
    assert accepted(BappApi, Accounts()) == {"bearer": "sandbox-token"}
    assert accepted(Blog, Accounts(tokens={})) == {}
