"""Webhook signatures made by an independent implementation: the Standard Webhooks reference
library (``standardwebhooks``, PyPI) signs, ``requests`` posts to a werkzeug receiver on
127.0.0.1, and :class:`HmacSignature` checks; its verdict agrees with the library's own."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from werkzeug.wrappers import Request, Response

from clientkit.errors import DeclarationError, InvalidRequestError, SignatureError, WebhookError
from clientkit.sandbox import ServerThread
from clientkit.webhooks import HmacSignature

SECRET = "whsec_" + base64.b64encode(b"standard-webhooks-key-0123456789").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"the-key-being-rotated-out-000000").decode()
STANDARD = HmacSignature(
    header="webhook-signature",
    separator=" ",
    prefix="v1,",
    encoding="base64",
    timestamp_header="webhook-timestamp",
    message="{id}.{timestamp}.{body}",
    signed_headers={"id": "webhook-id"},
    key_encoding="base64",
    key_prefix="whsec_",
)
BODY = json.dumps({"type": "invoice.paid", "data": {"id": "in_42", "amount": "12.50"}}).encode()


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[Any]]]:
    """A callback endpoint checking :data:`STANDARD` with the current and the old secret."""
    received: list[Any] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        try:
            STANDARD.verify(request.get_data(), request.headers, [SECRET, OLD_SECRET])
        except WebhookError as exc:
            return Response(exc.message, status=401)(environ, start_response)
        received.append(json.loads(request.get_data()))
        return Response(status=204)(environ, start_response)

    server = ServerThread(app)
    try:
        yield server.start(), received
    finally:
        server.stop()


def signed(
    body: bytes = BODY, secret: str = SECRET, msg_id: str = "msg_2Lh9", age: float = 0
) -> dict[str, str]:
    """The three headers the reference library's sender puts on a callback."""
    when = datetime.now(tz=timezone.utc) - timedelta(seconds=age)
    signature = Webhook(secret).sign(msg_id, when, body.decode())
    stamp = str(int(when.timestamp()))
    return {"webhook-id": msg_id, "webhook-timestamp": stamp, "webhook-signature": signature}


def library_accepts(body: bytes, headers: dict[str, str], secret: str = SECRET) -> bool:
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


def post(url: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(url, data=body, headers=headers, timeout=5)


def test_callbacks_the_reference_library_signs_are_accepted(receiver: tuple[str, list[Any]]) -> None:
    url, received = receiver
    headers = signed()
    assert headers["webhook-signature"].startswith("v1,")
    assert post(url, BODY, headers).status_code == 204
    # several signatures in one header: the old secret's, another version's, the current one's
    old = signed(secret=OLD_SECRET)["webhook-signature"]
    both = {**headers, "webhook-signature": f"v1a,c29tZXRoaW5nIGVsc2U= {old}"}
    assert post(url, BODY, both).status_code == 204
    rotated = {**headers, "webhook-signature": f"{old} {headers['webhook-signature']}"}
    assert library_accepts(BODY, rotated) and post(url, BODY, rotated).status_code == 204
    assert received == [json.loads(BODY)] * 3


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("tampered body", "does not match"),
        ("wrong secret", "does not match"),
        ("another message id", "does not match"),
        ("stale", "beyond the tolerance"),
        ("from the future", "beyond the tolerance"),
        ("no id", "no webhook-id header"),
        ("another version only", "does not start with 'v1,'"),
    ],
)
def test_what_the_reference_library_refuses_is_refused(
    receiver: tuple[str, list[Any]], case: str, message: str
) -> None:
    url, received = receiver
    body, headers = BODY, signed()
    if case == "tampered body":
        body = BODY.replace(b"12.50", b"1250.00")
    elif case == "wrong secret":
        headers = signed(secret="whsec_" + base64.b64encode(b"not-the-shared-key").decode())
    elif case == "another message id":
        headers = {**headers, "webhook-id": "msg_other"}
    elif case == "stale":
        headers = signed(age=3600)
    elif case == "from the future":
        headers = signed(age=-3600)
    elif case == "no id":
        del headers["webhook-id"]
    else:
        headers = {**headers, "webhook-signature": headers["webhook-signature"].replace("v1,", "v2,")}
    assert not library_accepts(body, headers)
    resp = post(url, body, headers)
    assert resp.status_code == 401 and message in resp.text, resp.text
    assert SECRET not in resp.text and received == []


def test_a_header_value_cannot_move_the_signed_body() -> None:
    headers = signed(msg_id="{body}")  # a placeholder in a signed value is text, not a place
    STANDARD.verify(BODY, headers, SECRET)
    assert library_accepts(BODY, headers)


def test_base64_secrets_and_their_declaration_are_checked() -> None:
    headers = signed()
    STANDARD.verify(BODY, headers, SECRET.removeprefix("whsec_"))  # the prefix is optional
    STANDARD.verify(BODY, headers, base64.b64encode(b"standard-webhooks-key-0123456789").rstrip(b"="))
    with pytest.raises(InvalidRequestError, match="not base64") as caught:
        STANDARD.verify(BODY, headers, "whsec_not base64!")
    assert "not base64!" not in str(caught.value)
    with pytest.raises(SignatureError, match="does not match"):
        STANDARD.verify(BODY, headers, OLD_SECRET)
    for bad, message in [
        ({"signed_headers": {}}, r"message names \['id'\]: declare them in signed_headers"),
        ({"signed_headers": {"msg": "webhook-id"}}, r"signed_headers\['msg'\] must be a placeholder"),
        ({"signed_headers": {"body": "webhook-id"}, "message": "{body}"}, "other than"),
        ({"separator": "", "message": "{body}", "signed_headers": {}}, "separator must not be empty"),
        ({"key_encoding": "hex"}, "'text' or 'base64'"),
    ]:
        args = {"header": "sig", "message": "{id}.{body}", "signed_headers": {"id": "webhook-id"}}
        with pytest.raises(DeclarationError, match=message):
            HmacSignature(**{**args, **bad})
