"""Auth declarations against a real Django REST Framework app: a board whose reads are
public and whose writes take ``Authorization: Token <key>`` or ``Authorization: Bearer <key>``."""

from __future__ import annotations

import pytest

from clientkit import Envelope, ErrorShape, Resource, Service, field
from clientkit.auth import OneOf, TokenAuth
from clientkit.errors import AuthenticationError

ALICE = "alice-token-0123456789"
BOB = "bob-token-0123456789"


class Board(Service):
    auth = OneOf(TokenAuth(scheme="Token"), TokenAuth(scheme="Bearer", keyword="bearer"), optional=True)
    envelope = Envelope(operations={"list": Envelope(response="results")})
    errors = ErrorShape(message="detail", fields="$")


@Board.resource(one="/api/notes/{id}/", many="/api/notes/")
class Note(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None
    owner: str | None = field(read_only=True)


def test_drf_public_reads_and_either_credential_for_writes(drf_server: str) -> None:
    anonymous = Board.connect(drf_server, retries=0)
    with pytest.raises(AuthenticationError):
        anonymous.create(Note(text="from nobody"))
    by_alice = Board.connect(drf_server, token=ALICE, retries=0).create(Note(text="from alice"))
    by_bob = Board.connect(drf_server, bearer=BOB, retries=0).create(Note(text="from bob"))
    assert (by_alice.owner, by_bob.owner) == ("alice", "bob")
    seen = {n.id: n.owner for n in anonymous.list(Note)}
    assert seen[by_alice.id] == "alice" and seen[by_bob.id] == "bob"
    sent = anonymous.last_response.request  # type: ignore[union-attr]
    assert "Authorization" not in sent.headers


def test_drf_a_call_without_auth_and_a_wrong_credential(drf_server: str) -> None:
    alice = Board.connect(drf_server, token=ALICE, retries=0)
    note = alice.create(Note(text="mine"))
    assert alice.get(Note, note.id, auth=False).owner == "alice"
    assert "Authorization" not in alice.last_response.request.headers  # type: ignore[union-attr]
    with pytest.raises(AuthenticationError):  # DRF refuses a bad token even where reads are public
        Board.connect(drf_server, bearer="wrong-token-000", retries=0).get(Note, note.id)
