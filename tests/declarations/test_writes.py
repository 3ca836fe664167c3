"""What a write answers (``write_answers``): the representation, nothing, or a refetch;
an answer holding none of the resource's fields is refused rather than merged. Over real
HTTP: ScriptedServer, json-server (npm) and httpbin (PyPI)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from clientkit import Envelope, Resource, Service, Timeout, changes, extra, field, is_new
from clientkit._declarations.writes import refuse_foreign, write_answers_of
from clientkit.errors import DeclarationError, DecodeError, RequestTimeout
from clientkit.model import spec_of
from clientkit.sandbox import Sandbox
from tests.support.filed import httpbin
from tests.support.scripted import Reply, ScriptedServer


def test_one_answer_for_every_write_or_one_per_operation() -> None:
    assert write_answers_of("none", "S") == {"create": "none", "update": "none", "patch": "none"}
    assert write_answers_of({"create": "refetch"}, "S") == {"create": "refetch"}


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ({"delete": "none"}, "a delete's answer is never merged"),
        ({"save": "none"}, "its keys are"),
        ({"update": "nothing"}, "not one of"),
        ({"update": "data.item"}, r"Envelope\(operations=...\)"),
        (3, "must be a str or a mapping"),
    ],
)
def test_bad_declarations_are_refused(value: Any, match: str) -> None:
    with pytest.raises(DeclarationError, match=match):
        write_answers_of(value, "S")


def test_the_resource_overrides_the_service_per_operation() -> None:
    class Api(Service):
        write_answers = {"create": "refetch", "patch": "none"}

    @Api.resource(one="/things/{id}", many="/things", write_answers={"patch": "representation"})
    class Thing(Resource):
        id: int | None = None

    spec = spec_of(Thing)
    answers = {op: spec.write_answer_in(Api, op) for op in ("create", "update", "patch")}
    assert answers == {"create": "refetch", "update": "representation", "patch": "representation"}
    with pytest.raises(DeclarationError, match="not one of"):

        class Bad(Service):
            write_answers = "acknowledged"


def test_a_foreign_answer_is_refused_and_names_the_declaration() -> None:
    refuse_foreign("Thing", "update", {}, {"id"})
    refuse_foreign("Thing", "update", {"id": 1, "ok": True}, {"id"})
    with pytest.raises(DecodeError, match=r"write_answers=\{'update': 'none'\}") as info:
        refuse_foreign("Thing", "update", {"ok": True}, {"id", "name"})
    assert "'ok': True" in info.value.excerpt


# -- over the wire ----------------------------------------------------------------------------


class Acks(Service):
    pass


@Acks.resource(one="/items/{id}", many="/items", write_answers={"update": "none", "patch": "none"})
class Item(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    qty: int | None = None


@Acks.resource(one="/notes/{id}", many="/notes", write_answers="refetch")
class Note(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None


@Acks.resource(one="/plain/{id}", many="/plain")
class Plain(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


@Acks.resource(
    one="/wrapped/{id}",
    many="/wrapped",
    envelope=Envelope(operations={"update": Envelope(response="data.item")}),
)
class Wrapped(Resource):
    id: int | None = None
    name: str | None = None


def loaded(api: Any, cls: type[Resource], server: ScriptedServer, path: str, body: Any) -> Any:
    server.set("GET", path, Reply(json=body))
    return api.get(cls, 1)


def test_none_keeps_what_was_sent(server: ScriptedServer) -> None:
    server.on("PUT", "/items/1", Reply(json={"ok": True}))
    server.on("PATCH", "/items/1", Reply(json={"ok": True}))
    with Acks.connect(server.url, retries=0) as api:
        item = loaded(api, Item, server, "/items/1", {"id": 1, "name": "lamp", "qty": 2})
        item.qty = 3
        api.save(item)
        assert item == Item(id=1, name="lamp", qty=3) and changes(item) == {} and extra(item) == {}
        api.update(item)
        assert item == Item(id=1, name="lamp", qty=3) and extra(item) == {}
    assert server.requests_to("/items/1", "PATCH")[0].json == {"qty": 3}


def test_refetch_gets_the_resource_after_the_write(server: ScriptedServer) -> None:
    server.on("PATCH", "/notes/1", Reply(json={"ok": True}))
    with Acks.connect(server.url, retries=0) as api:
        note = loaded(api, Note, server, "/notes/1", {"id": 1, "text": "a"})
        server.set(
            "GET", "/notes/1", Reply(json={"id": 1, "text": "B (normalised)"}, headers={"ETag": '"v2"'})
        )
        api.patch(note, text="b")
        assert note == Note(id=1, text="B (normalised)") and changes(note) == {}
        assert api.last_response is not None and api.last_response.request.method == "GET"
    assert [r.method for r in server.received] == ["GET", "PATCH", "GET"]


def test_a_create_is_refetched_where_its_location_points(server: ScriptedServer) -> None:
    server.on("POST", "/notes", Reply(201, json={"ok": True}, headers={"Location": "/notes/7"}))
    server.on("GET", "/notes/7", Reply(json={"id": 7, "text": "new"}))
    with Acks.connect(server.url, retries=0) as api:
        note = api.create(Note(text="new"))
        assert note == Note(id=7, text="new") and not is_new(note)
        server.set("POST", "/notes", Reply(201, json={"ok": True}))
        with pytest.raises(DecodeError, match=r"identity \['id'\] is unknown and the answer has no Location"):
            api.create(Note(text="lost"))


def test_a_refetch_meets_the_deadline_of_its_write(server: ScriptedServer) -> None:
    server.on("PATCH", "/notes/1", Reply(json={"ok": True}, delay=0.6))
    server.on("GET", "/notes/1", Reply(json={"id": 1, "text": "b"}, delay=0.6))
    with Acks.connect(server.url, retries=0, timeout=Timeout(total=1.0)) as api:
        note = Note(id=1)
        with pytest.raises(RequestTimeout):
            api.patch(note, text="b")
    assert [r.method for r in server.received] == ["PATCH", "GET"]


def test_an_undeclared_acknowledgement_is_refused_not_merged(server: ScriptedServer) -> None:
    server.on("PATCH", "/plain/1", Reply(json={"ok": True}))
    server.on("POST", "/plain", Reply(201, json={"success": True}))
    with Acks.connect(server.url, retries=0) as api:
        plain = loaded(api, Plain, server, "/plain/1", {"id": 1, "name": "a"})
        with pytest.raises(DecodeError, match=r"patch of Plain was answered with none of its fields"):
            api.patch(plain, name="b")
        with pytest.raises(DecodeError, match=r"write_answers=\{'create': 'none'\}"):
            api.create(Plain(name="c"))


def test_where_the_representation_sits_is_the_envelopes(server: ScriptedServer) -> None:
    server.on("PUT", "/wrapped/1", Reply(json={"ok": True, "data": {"item": {"id": 1, "name": "B"}}}))
    with Acks.connect(server.url, retries=0) as api:
        wrapped = Wrapped(id=1, name="b")
        api.update(wrapped)
        assert wrapped == Wrapped(id=1, name="B") and extra(wrapped) == {}


# -- json-server (npm) and httpbin (PyPI) ----------------------------------------------------


class Json(Service):
    pass


@Json.resource(one="/posts/{id}", many="/posts", write_answers={"patch": "refetch", "create": "refetch"})
class Post(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
    views: int | None = None


def test_json_server_refetches_after_its_writes(json_server: str) -> None:
    with Json.connect(json_server, retries=0) as api:
        post = api.get(Post, 3)
        api.patch(post, views=99)
        assert api.last_response is not None and api.last_response.request.method == "GET"
        assert post.views == 99 and requests.get(f"{json_server}/posts/3", timeout=5).json()["views"] == 99
        made = api.create(Post(title="Fresh", views=1))  # 201 with Location: refetched
        assert made.id is not None and made.title == "Fresh"
        assert api.last_response is not None and api.last_response.request.method == "GET"


class Bin(Service):
    pass


@Bin.resource(one="/anything/things/{id}", write_answers="none")
class Thing(Resource):
    id: int | None = None
    name: str | None = None


@Bin.resource(one="/anything/gadgets/{id}")
class Gadget(Resource):
    id: int | None = None
    name: str | None = None


def test_httpbin_answers_no_representation() -> None:
    with httpbin() as url, Bin.connect(url, retries=0) as api:
        thing = api.update(Thing(id=1, name="lamp"))
        assert thing == Thing(id=1, name="lamp") and extra(thing) == {}
        echoed = api.last_response.json()  # type: ignore[union-attr]
        assert echoed["json"] == {"id": 1, "name": "lamp"} and echoed["method"] == "PUT"
        with pytest.raises(DecodeError, match="update of Gadget was answered with none of its fields"):
            api.update(Gadget(id=1, name="lamp"))


def test_a_create_answering_none_is_refused_where_the_server_assigns_the_identity() -> None:
    class Quiet(Service):
        write_answers = "none"

    with pytest.raises(DeclarationError, match=r"Note: write_answers\['create'\] is 'none'.*\['id'\]"):

        @Quiet.resource(one="/notes/{id}", many="/notes")
        class Note(Resource):
            id: int | None = field(read_only=True)
            text: str | None = None

    @Quiet.resource(one="/drafts/{id}", many="/drafts", write_answers={"create": "refetch"})
    class Draft(Resource):
        id: int | None = field(read_only=True)
        text: str | None = None

    @Quiet.resource(one="/tags/{slug}", many="/tags", identity="slug")
    class Tag(Resource):
        slug: str | None = None
        text: str | None = None

    with Sandbox(Quiet) as url, Quiet.connect(url) as quiet:
        assert quiet.create(Draft(text="a")).id == 1  # followed Location
        assert quiet.create(Tag(slug="x", text="b")).slug == "x"  # the caller's identity
        assert quiet.get(Tag, "x").text == "b"
