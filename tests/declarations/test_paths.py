"""Path templates: every placeholder value is exactly one percent-encoded segment."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from clientkit import Action, Resource, Service
from clientkit._declarations.paths import PathTemplate, SegmentCodec, quote_segment
from clientkit.errors import DeclarationError, InvalidRequestError
from clientkit.model import resource
from clientkit.sandbox import Sandbox
from tests.support.scripted import Reply, ScriptedServer


def test_a_value_stays_one_segment() -> None:
    assert quote_segment("a/b?c#d") == "a%2Fb%3Fc%23d"
    assert quote_segment("50%") == "50%25" and quote_segment("a b") == "a%20b"
    assert quote_segment(7) == "7"
    key = uuid.UUID(int=1)
    assert quote_segment(key) == str(key)


@pytest.mark.parametrize("bad", ["", ".", "..", True, None, 1.5, ["x"]])
def test_unusable_values_are_refused(bad: Any) -> None:
    with pytest.raises(InvalidRequestError):
        quote_segment(bad, name="id")


def test_a_template_fills_every_placeholder() -> None:
    template = PathTemplate("/item/{app}/{id}")
    assert template.names == ("app", "id")
    assert template.expand({"app": "x", "id": "a/b"}) == "/item/x/a%2Fb"
    with pytest.raises(InvalidRequestError, match=r"needs a value for \{id\}"):
        template.expand({"app": "x"})


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("items/{id}", "must start with '/'"),
        ("/items?x=1", "query or fragment"),
        ("/items/{1d}", "invalid placeholder"),
        ("/items/{id", "unbalanced brace"),
        ("/a/{id}/b/{id}", "repeats a placeholder"),
    ],
)
def test_malformed_templates_are_declaration_errors(template: str, problem: str) -> None:
    with pytest.raises(DeclarationError, match=problem.replace("?", r"\?")):
        PathTemplate(template)


# -- declared segment encoding -------------------------------------------------------------

TILDE = SegmentCodec.escaping({"~": "~7E", "/": "~2F"})


def test_an_escaping_codec_round_trips_and_still_percent_encodes_the_rest() -> None:
    assert TILDE.encode("a/b~c d") == "a~2Fb~7Ec%20d"
    for text in ("a/b~c d", "~2F", "x/~/y", "é?#"):
        assert TILDE.decode(TILDE.encode(text)) == text
    assert quote_segment("group/proj", codec=TILDE) == "group~2Fproj"
    assert PathTemplate("/p/{id}").expand({"id": "a/b"}, TILDE) == "/p/a~2Fb"


@pytest.mark.parametrize("bad", ["a/b", "a b", "a?b", "..", "", 7])
def test_an_encoder_that_breaks_the_segment_is_refused(bad: Any) -> None:
    codec = SegmentCodec(encode=lambda _: bad, decode=str)
    with pytest.raises(InvalidRequestError, match="not one path segment"):
        quote_segment("x", name="id", codec=codec)


def test_bad_codec_declarations() -> None:
    with pytest.raises(DeclarationError):
        SegmentCodec.escaping({"ab": "x"})
    with pytest.raises(DeclarationError, match="'~' too"):  # else a~2Fb and a/b are one segment
        SegmentCodec.escaping({"/": "~2F"})
    with pytest.raises(DeclarationError):
        SegmentCodec(encode="nope", decode=str)  # type: ignore[arg-type]
    with pytest.raises(DeclarationError, match="segments must be a SegmentCodec"):

        @resource(one="/r/{id}", segments="tilde")  # type: ignore[arg-type]
        class R(Resource):
            id: str | None = None


class Hub(Service):
    segments = TILDE


@Hub.resource(
    one="/orgs/{org}/repos/{name}",
    many="/orgs/{org}/repos",
    identity="name",
    parents=("org",),
    actions={"star": Action("POST", "/orgs/{org}/repos/{name}/star")},
)
class Repo(Resource):
    name: str | None = None
    stars: int | None = None


@Hub.resource(one="/files/{path}", identity="path", segments=SegmentCodec())
class Blob(Resource):
    path: str | None = None


def test_every_path_of_a_resource_uses_the_declared_encoding(server: ScriptedServer) -> None:
    server.on("GET", "/orgs/a~2Fb/repos/x~2Fy", Reply(json={"name": "x/y", "stars": 1}))
    server.on("PATCH", "/orgs/a~2Fb/repos/x~2Fy", Reply(json={"name": "x/y", "stars": 2}))
    server.on("POST", "/orgs/a~2Fb/repos/x~2Fy/star", Reply(json={}))
    server.on("GET", "/files/a/b", Reply(json={"path": "a/b"}))
    with Hub.connect(server.url, retries=0) as hub:
        repo = hub.get(Repo, "x/y", org="a/b")
        hub.patch(repo, stars=2)
        hub.action(repo, "star")
        hub.get(Blob, "a/b")  # the resource's own codec
    assert [r.raw_path for r in server.received] == [
        "/orgs/a~2Fb/repos/x~2Fy",
        "/orgs/a~2Fb/repos/x~2Fy",
        "/orgs/a~2Fb/repos/x~2Fy/star",
        "/files/a%2Fb",
    ]


def test_the_sandbox_decodes_as_the_service_encodes() -> None:
    with Sandbox(Hub, data={"Repo": [{"org": "a/b", "name": "x/y~z", "stars": 1}]}) as url:
        with Hub.connect(url) as hub:
            repo = hub.get(Repo, "x/y~z", org="a/b")
            hub.patch(repo, stars=5)
            assert hub.get(Repo, "x/y~z", org="a/b").stars == 5
            made = hub.create(Repo(name="new/one"), org="a/b")
            assert made.name == "new/one"
            assert [r.name for r in hub.list(Repo, org="a/b")] == ["x/y~z", "new/one"]
        assert requests.get(url + "/orgs/a~2Fb/repos/new~2Fone", timeout=5).json()["name"] == "new/one"
