"""The sandbox's half of write_answers: writes declared to answer no representation are
acknowledged (a create with a Location), and the client takes them in as declared."""

from __future__ import annotations

from clientkit import Envelope, Resource, Service, TokenAuth, changes, field
from clientkit.model import spec_of
from clientkit.sandbox.app import Sandbox
from clientkit.sandbox.writes import ACKNOWLEDGED, acknowledges


class Acks(Service):
    auth = TokenAuth(scheme="Token")
    envelope = Envelope(response="data")
    write_answers = {"update": "none", "patch": "none", "create": "refetch"}


@Acks.resource(one="/stores/{store}/items/{id}", many="/stores/{store}/items", parents=("store",))
class Item(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


@Acks.resource(one="/notes/{id}", many="/notes", write_answers="representation")
class Note(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None


def test_which_writes_are_acknowledged() -> None:
    assert acknowledges(spec_of(Item), Acks, "patch") and acknowledges(spec_of(Item), Acks, "create")
    assert not acknowledges(spec_of(Item), Acks, "get")
    assert not acknowledges(spec_of(Note), Acks, "patch")


def test_acknowledged_writes_round_trip() -> None:
    sandbox = Sandbox(Acks)
    with sandbox as url, Acks.connect(url, token="sandbox-token", retries=0) as api:
        item = api.create(Item(name="lamp"), store="s1")
        assert item.id is not None and item.name == "lamp"
        posted, fetched = sandbox.journal.entries()[-2:]
        assert (posted.method, fetched.method, fetched.path) == ("POST", "GET", f"/stores/s1/items/{item.id}")
        api.patch(item, name="desk")
        assert item.name == "desk" and changes(item) == {}
        assert api.last_response is not None and api.last_response.json() == ACKNOWLEDGED
        assert api.get(Item, item.id, store="s1").name == "desk"
        note = api.create(Note(text="a"))
        assert api.last_response is not None and api.last_response.json()["data"]["text"] == "a"
        assert note.id is not None
