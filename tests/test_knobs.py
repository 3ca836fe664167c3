"""Declaration knobs first needed by Clappform, each over real HTTP with a second user.

Every test declares a small service modelled on a real API that needs the knob, and
fails if the knob were ignored: it asserts what the server received, what it stored,
and what the object holds afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from clientkit import Envelope, ErrorShape, Resource, Service, changes, extra, field
from clientkit.errors import IncompleteResourceError, NotFoundError
from clientkit.sandbox.app import Reply as SandboxReply
from clientkit.sandbox.app import Sandbox, SandboxRequest
from tests.support.scripted import Received, Reply, ScriptedServer

# -- patch_method and update(only_set=True): an API whose PUT merges (GitLab's projects) --


class Forge(Service):
    """GitLab-style: ``PUT /projects/{id}`` changes only the attributes it is given."""


@Forge.resource(one="/projects/{id}", many="/projects", patch_method="PUT")
class Project(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    description: str | None = None
    visibility: str | None = None


def test_patch_method_sends_partial_updates_with_the_declared_verb() -> None:
    seed = {"Project": [{"id": 1, "name": "web", "description": "site", "visibility": "private"}]}
    sandbox = Sandbox(Forge, data=seed)
    with sandbox as url:
        forge = Forge.connect(url, retries=0)
        project = forge.get(Project, 1)
        project.visibility = "internal"
        forge.save(project)
        forge.patch(project, description="the site")
    writes = [(e.method, e.json) for e in sandbox.journal if e.method != "GET"]
    assert writes == [("PUT", {"visibility": "internal"}), ("PUT", {"description": "the site"})]
    stored = {"id": 1, "name": "web", "description": "the site", "visibility": "internal"}
    assert sandbox.records(Project) == [stored]  # merged: the name the client never sent is kept
    assert (project.name, project.description, project.visibility) == ("web", "the site", "internal")


def test_update_only_set_sends_what_a_partial_listing_holds(server: ScriptedServer) -> None:
    """A bulk script changes one setting of every project from a ``simple=true`` listing,
    which leaves fields out: a full replace is refused, ``only_set`` sends what is known."""
    server.on("GET", "/projects", Reply(json=[{"id": 7, "name": "web"}]))
    full = {"id": 7, "name": "web", "description": "site", "visibility": "internal"}
    server.on("PUT", "/projects/7", Reply(json=full))
    forge = Forge.connect(server.url, retries=0)
    (project,) = forge.list(Project)
    project.visibility = "internal"
    with pytest.raises(IncompleteResourceError):
        forge.update(project)
    assert not server.requests_to("/projects/7")
    forge.update(project, only_set=True)
    (sent,) = server.requests_to("/projects/7", "PUT")
    assert sent.json == {"name": "web", "visibility": "internal"}
    assert (project.description, project.visibility) == ("site", "internal")


# -- create_only: write-once fields (Stripe's prices keep their currency and amount) ------


class Billing(Service):
    """Stripe-style: a price's currency and amount are set once; an update naming them fails."""


@Billing.resource(one="/prices/{id}", many="/prices")
class Price(Resource):
    id: int | None = field(read_only=True)
    currency: str | None = field(create_only=True)
    unit_amount: int | None = field(create_only=True)
    nickname: str | None = None


def test_create_only_fields_go_out_on_create_and_never_in_an_update() -> None:
    sandbox = Sandbox(Billing)
    with sandbox as url:
        billing = Billing.connect(url, retries=0)
        price = billing.create(Price(currency="eur", unit_amount=1200, nickname="monthly"))
        price.currency, price.nickname = "usd", "monthly (old)"
        assert changes(price) == {"nickname": "monthly (old)"}
        billing.save(price)
        assert sandbox.records(Price)[0]["currency"] == "eur"
        assert (price.currency, price.unit_amount, price.nickname) == ("eur", 1200, "monthly (old)")
        billing.patch(Price(id=price.id, currency="gbp"), nickname="yearly")  # never loaded
        assert sandbox.records(Price)[0]["currency"] == "eur"
        billing.update(price)  # a full replace leaves them out, and the server keeps them
        assert sandbox.records(Price)[0]["currency"] == "eur"
        assert billing.get(Price, price.id).unit_amount == 1200
    writes = [(e.method, e.json) for e in sandbox.journal]
    assert writes == [
        ("POST", {"currency": "eur", "unit_amount": 1200, "nickname": "monthly"}),
        ("PATCH", {"nickname": "monthly (old)"}),
        ("PATCH", {"nickname": "yearly"}),
        ("PUT", {"nickname": "monthly (old)"}),
        ("GET", None),
    ]


# -- send_null: fields whose null is meaningful (BragerOne's module commands) -------------


class Boiler(Service):
    """BragerOne-style: a command always carries ``value``, ``null`` included."""


@Boiler.resource(one="/module/command/{id}", many="/module/command", create="/module/command")
class Command(Resource):
    id: int | None = field(read_only=True)
    devid: str | None = None
    parameter: str | None = None
    value: Any = field(send_null=True)
    unit: int | None = None


def _echo(received: Received, _: Any) -> Reply:
    return Reply(201, json={"id": 5, **received.json})


def test_send_null_fields_are_sent_as_null_when_unset(server: ScriptedServer) -> None:
    server.on("POST", "/module/command", _echo)
    server.on("PUT", "/module/command/5", Reply(json={"id": 5, "devid": "FTTC", "parameter": "v8"}))
    boiler = Boiler.connect(server.url, retries=0)
    command = boiler.create(Command(devid="FTTC", parameter="v8"))
    assert server.received[-1].json == {"devid": "FTTC", "parameter": "v8", "value": None}
    boiler.update(command, only_set=True)
    assert server.received[-1].json == {"devid": "FTTC", "parameter": "v8", "value": None}
    assert (command.id, command.value, command.unit) == (5, None, None)


# -- local: client-side state the server must never see (a strict server refuses it) -----


class Notes(Service):
    """A notes API that refuses unknown keys (400), as pydantic ``extra="forbid"`` does."""


@Notes.resource(one="/notes/{id}", many="/notes")
class Note(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None
    pinned: bool = field(default=False, local=True)  # a pin kept in the desktop app only


def _strict(received: Received, _: Any) -> Reply:
    unknown = set(received.json) - {"text"}
    if unknown:
        return Reply(400, json={"message": f"unknown fields {sorted(unknown)}"})
    return Reply(json={"id": 3, "text": received.json["text"]})


def test_local_fields_stay_on_the_client(server: ScriptedServer) -> None:
    server.on("GET", "/notes/3", Reply(json={"id": 3, "text": "milk", "pinned": "server-side"}))
    server.on("PATCH", "/notes/3", _strict)
    server.on("POST", "/notes", _strict)
    notes = Notes.connect(server.url, retries=0)
    note = notes.get(Note, 3)
    assert note.pinned is False  # the class default: the wire's "pinned" is not read into it
    note.pinned = True
    assert changes(note) == {}
    notes.save(note)
    assert [r.method for r in server.received] == ["GET"]  # a local change is nothing to send
    note.text = "oat milk"
    notes.save(note)
    notes.create(Note(text="eggs", pinned=True))
    assert [r.json for r in server.received[1:]] == [{"text": "oat milk"}, {"text": "eggs"}]
    assert note.text == "oat milk"
    assert note.pinned is True  # a write's answer reloads the object; the local value stays
    notes.refresh(note)
    assert (note.text, note.pinned) == ("milk", True)


# -- Sandbox(keep_unknown=False): servers that drop undeclared keys (Django REST Framework) --


class Panel(Service):
    """BAPP-style Django REST Framework API: serializers silently drop undeclared keys."""


@Panel.resource(one="/countries/{id}", many="/countries")
class Country(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


@pytest.mark.parametrize(
    ("keep", "stored"),
    [(True, {"nickname": "RO"}), (False, {}), ({"Country"}, {"nickname": "RO"}), ({"Other"}, {})],
)
def test_sandbox_keep_unknown_decides_whether_undeclared_keys_are_stored(
    keep: bool | set[str], stored: dict[str, str]
) -> None:
    sandbox = Sandbox(Panel, keep_unknown=keep)
    with sandbox as url:
        panel = Panel.connect(url, retries=0)
        panel.request("POST", "/countries", json={"name": "Romania", "nickname": "RO"})
        country = panel.get(Country, sandbox.records(Country)[0]["id"])
    assert sandbox.records(Country)[0] == {"id": country.id, "name": "Romania", **stored}
    assert country.name == "Romania" and ("nickname" in extra(country)) is bool(stored)


# -- Sandbox.finish(): one touch on every answer (BlizWork's resultCode envelope) ---------


class Blizwork(Service):
    """BlizWork-style: every answer is a 200 ``{resultCode, resultMessage, payload}``."""

    envelope = Envelope(response="payload")


@Blizwork.resource(one="/cases/{id}", many="/cases")
class Case(Resource):
    id: int | None = field(read_only=True)
    status: str | None = None


class BlizworkSandbox(Sandbox):
    def finish(self, reply: SandboxReply, req: SandboxRequest | None) -> SandboxReply:
        if reply.status < 400:
            return SandboxReply(reply.status, {"resultCode": 0, "resultMessage": "OK", **reply.body})
        message = reply.body.get("message") if isinstance(reply.body, dict) else None
        return SandboxReply(200, {"resultCode": reply.status, "resultMessage": message, "payload": None})


@pytest.fixture
def blizwork() -> Iterator[str]:
    with BlizworkSandbox(Blizwork, data={"Case": [{"id": 39, "status": "open"}]}) as url:
        yield url


def test_sandbox_finish_touches_every_answer(blizwork: str) -> None:
    assert Blizwork.connect(blizwork, retries=0).get(Case, 39).status == "open"
    found = requests.get(f"{blizwork}/cases/39", timeout=5)
    assert found.json() == {"resultCode": 0, "resultMessage": "OK", "payload": {"id": 39, "status": "open"}}
    for path in ("/cases/40", "/no-such-route"):  # a handler's error and the router's own
        missing = requests.get(f"{blizwork}{path}", timeout=5)
        assert missing.status_code == 200 and missing.json()["resultCode"] == 404
        assert missing.json()["payload"] is None


# -- ErrorShape(mixin=...): compatibility layers whose official client raises its own class --


class ReportError(RuntimeError):
    """CxReports' official client raises bare ``RuntimeError``s; callers catch those."""


class Reports(Service):
    errors = ErrorShape(message="error", mixin=ReportError)


@Reports.resource(one="/reports/{id}", many="/reports")
class Report(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


def test_error_mixin_makes_every_api_error_the_official_class_too() -> None:
    with Sandbox(Reports, data={"Report": [{"id": 160, "name": "Invoice"}]}) as url:
        reports = Reports.connect(url, retries=0)
        assert reports.get(Report, 160).name == "Invoice"
        with pytest.raises(RuntimeError) as caught:  # what code written for the official client catches
            reports.get(Report, 161)
    err = caught.value
    assert isinstance(err, ReportError) and isinstance(err, NotFoundError)
    assert err.status == 404 and "161" in str(err)
