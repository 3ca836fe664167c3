"""Incoming callbacks over real HTTP: a small werkzeug receiver validates what ``requests``
posts to it with :mod:`clientkit.webhooks`; signatures computed here with ``hmac``, and
GitHub's published test vector."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Request, Response

from clientkit.errors import (
    ClientKitError,
    DeclarationError,
    HandshakeError,
    InvalidRequestError,
    SignatureError,
    WebhookError,
)
from clientkit.sandbox import ServerThread
from clientkit.webhooks import EchoHandshake, HmacSignature

SECRET = "whsec-7Jx2-shared-between-us"
TOKEN = "verify-me-4711"
GITHUB = HmacSignature(header="X-Hub-Signature-256", prefix="sha256=")
SLACK = HmacSignature(
    header="X-Slack-Signature",
    prefix="v0=",
    timestamp_header="X-Slack-Request-Timestamp",
    message="v0:{timestamp}:{body}",
)
STRIPE = HmacSignature(
    header="Stripe-Signature", signature_key="v1", timestamp_key="t", message="{timestamp}.{body}"
)
SHOPIFY = HmacSignature(header="X-Shopify-Hmac-Sha256", encoding="base64")
WEBSUB = EchoHandshake()
SLACK_CHALLENGE = EchoHandshake(
    challenge="challenge", token=None, when={"type": "url_verification"}, reply="challenge"
)


def receiver(check: HmacSignature, received: list[Any]) -> Callable[..., Any]:
    """A callback endpoint: handshakes on GET (and Slack's on POST), signed events on POST."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        try:
            if request.method == "GET":
                answer: Any = WEBSUB.answer(request.args, token=TOKEN)
                return Response(answer, content_type="text/plain")(environ, start_response)
            body = request.get_data()
            check.verify(body, request.headers, [SECRET, "an-older-secret"])
            event = json.loads(body)
            if SLACK_CHALLENGE.matches(event):
                answer = SLACK_CHALLENGE.answer(event)
                return Response(json.dumps(answer), content_type="application/json")(environ, start_response)
            received.append(event)
            return Response(status=204)(environ, start_response)
        except WebhookError as exc:
            body = json.dumps({"error": type(exc).__name__, "message": exc.message})
            return Response(body, status=401, content_type="application/json")(environ, start_response)

    return app


@pytest.fixture
def serve() -> Iterator[Callable[[HmacSignature], tuple[str, list[Any]]]]:
    threads: list[ServerThread] = []

    def start(check: HmacSignature) -> tuple[str, list[Any]]:
        received: list[Any] = []
        thread = ServerThread(receiver(check, received))
        threads.append(thread)
        return thread.start(), received

    yield start
    for thread in threads:
        thread.stop()


def sign(message: bytes, secret: str = SECRET, digest: Any = hashlib.sha256) -> bytes:
    return hmac.new(secret.encode(), message, digest).digest()


def refused(resp: requests.Response, error: str, message: str) -> None:
    assert resp.status_code == 401, resp.text
    assert resp.json()["error"] == error and message in resp.json()["message"]
    assert SECRET not in resp.text


BODY = json.dumps({"action": "opened", "number": 7}).encode()


def test_github_signatures(serve: Callable[[HmacSignature], tuple[str, list[Any]]]) -> None:
    url, received = serve(GITHUB)
    good = "sha256=" + sign(BODY).hex()
    assert requests.post(url, data=BODY, headers={"X-Hub-Signature-256": good}, timeout=5).status_code == 204
    upper = "sha256=" + sign(BODY).hex().upper()
    assert requests.post(url, data=BODY, headers={"x-hub-signature-256": upper}, timeout=5).status_code == 204
    assert received == [{"action": "opened", "number": 7}] * 2
    expected = sign(BODY[:-1] + b" }").hex()
    resp = requests.post(url, data=BODY[:-1] + b" }", headers={"X-Hub-Signature-256": good}, timeout=5)
    refused(resp, "SignatureError", "does not match the body")
    assert expected not in resp.text and sign(BODY).hex() not in resp.text
    refused(requests.post(url, data=BODY, timeout=5), "SignatureError", "no X-Hub-Signature-256 header")
    bad = {"X-Hub-Signature-256": sign(BODY).hex()}
    refused(requests.post(url, data=BODY, headers=bad, timeout=5), "SignatureError", "start with 'sha256='")
    bad = {"X-Hub-Signature-256": "sha256=not-hex"}
    refused(requests.post(url, data=BODY, headers=bad, timeout=5), "SignatureError", "holds no hex signature")
    other = {"X-Hub-Signature-256": "sha256=" + sign(BODY, "guessed").hex()}
    refused(requests.post(url, data=BODY, headers=other, timeout=5), "SignatureError", "does not match")
    older = {"X-Hub-Signature-256": "sha256=" + sign(BODY, "an-older-secret").hex()}
    assert requests.post(url, data=BODY, headers=older, timeout=5).status_code == 204  # rotation


def test_githubs_published_test_vector() -> None:
    signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    GITHUB.verify(b"Hello, World!", {"X-Hub-Signature-256": signature}, "It's a Secret to Everybody")
    with pytest.raises(SignatureError):
        GITHUB.verify(b"Hello, World?", {"X-Hub-Signature-256": signature}, "It's a Secret to Everybody")


def test_slack_timestamps_protect_against_replays(
    serve: Callable[[HmacSignature], tuple[str, list[Any]]],
) -> None:
    url, received = serve(SLACK)

    def headers(at: float, secret: str = SECRET) -> dict[str, str]:
        stamp = str(int(at))
        return {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": "v0=" + sign(f"v0:{stamp}:".encode() + BODY, secret).hex(),
        }

    assert requests.post(url, data=BODY, headers=headers(time.time()), timeout=5).status_code == 204
    old = requests.post(url, data=BODY, headers=headers(time.time() - 600), timeout=5)
    refused(old, "SignatureError", "beyond the tolerance of 300 s")
    moved = {**headers(time.time() - 600), "X-Slack-Request-Timestamp": str(int(time.time()))}
    refused(requests.post(url, data=BODY, headers=moved, timeout=5), "SignatureError", "does not match")
    unstamped = {"X-Slack-Signature": headers(time.time())["X-Slack-Signature"]}
    refused(requests.post(url, data=BODY, headers=unstamped, timeout=5), "SignatureError", "no signing time")
    challenge = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aB"}).encode()
    stamp = str(int(time.time()))
    signed = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + sign(f"v0:{stamp}:".encode() + challenge).hex(),
    }
    assert requests.post(url, data=challenge, headers=signed, timeout=5).json() == {"challenge": "3eZbrw1aB"}
    assert len(received) == 1


def test_stripe_style_signature_headers(serve: Callable[[HmacSignature], tuple[str, list[Any]]]) -> None:
    url, received = serve(STRIPE)
    stamp = str(int(time.time()))
    good = sign(f"{stamp}.".encode() + BODY).hex()
    stale = sign(f"{stamp}.".encode() + BODY, "retired").hex()
    header = {"Stripe-Signature": f"t={stamp},v1={stale},v1={good},v0=ignored"}
    assert requests.post(url, data=BODY, headers=header, timeout=5).status_code == 204
    none = {"Stripe-Signature": f"t={stamp},v0={good}"}
    refused(
        requests.post(url, data=BODY, headers=none, timeout=5), "SignatureError", "holds no hex signature"
    )
    late = str(int(time.time()) + 3600)
    ahead = {"Stripe-Signature": f"t={late},v1={sign(f'{late}.'.encode() + BODY).hex()}"}
    refused(requests.post(url, data=BODY, headers=ahead, timeout=5), "SignatureError", "beyond the tolerance")
    assert len(received) == 1


def test_base64_signatures(serve: Callable[[HmacSignature], tuple[str, list[Any]]]) -> None:
    url, received = serve(SHOPIFY)
    good = base64.b64encode(sign(BODY)).decode()
    assert (
        requests.post(url, data=BODY, headers={"X-Shopify-Hmac-Sha256": good}, timeout=5).status_code == 204
    )
    bad = {"X-Shopify-Hmac-Sha256": sign(BODY).hex()}
    refused(requests.post(url, data=BODY, headers=bad, timeout=5), "SignatureError", "")
    assert len(received) == 1


def test_the_echo_handshake(serve: Callable[[HmacSignature], tuple[str, list[Any]]]) -> None:
    url, _ = serve(GITHUB)
    asked = {"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "1158201444"}
    resp = requests.get(url, params=asked, timeout=5)
    assert resp.status_code == 200 and resp.text == "1158201444"
    resp = requests.get(url, params={**asked, "hub.verify_token": "guess"}, timeout=5)
    refused(resp, "HandshakeError", "hub.verify_token does not match")
    assert TOKEN not in resp.text
    refused(
        requests.get(url, params={**asked, "hub.mode": "unsubscribe"}, timeout=5),
        "HandshakeError",
        "not a handshake",
    )
    refused(
        requests.get(url, params={k: v for k, v in asked.items() if k != "hub.challenge"}, timeout=5),
        "HandshakeError",
        "no hub.challenge",
    )
    assert WEBSUB.answer({k: [v] for k, v in asked.items()}, token=TOKEN) == "1158201444"  # parse_qs
    with pytest.raises(InvalidRequestError, match="pass the shared token or confirm="):
        WEBSUB.answer(asked)
    assert issubclass(HandshakeError, ClientKitError) and issubclass(SignatureError, ClientKitError)


def test_a_one_time_token_the_service_confirms() -> None:
    issued = {"t-1", "t-2"}
    asked: list[str] = []

    def confirm(token: str) -> bool:
        asked.append(token)
        if token not in issued:
            return False
        issued.discard(token)
        return True

    call = EchoHandshake(challenge=None, token="handshakeToken", when={"kind": "call"})

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            got = call.answer(Request(environ).get_data(), confirm=confirm)
        except WebhookError as exc:
            body = json.dumps({"error": type(exc).__name__, "message": exc.message})
            return Response(body, status=401, content_type="application/json")(environ, start_response)
        return Response(json.dumps(got), content_type="application/json")(environ, start_response)

    with ServerThread(app) as url:
        sent = {"kind": "call", "handshakeToken": "t-1", "caseNumber": 39}
        assert requests.post(url, json=sent, timeout=5).json() == sent
        replayed = requests.post(url, json=sent, timeout=5)
        refused(replayed, "HandshakeError", "the service did not confirm the handshake's handshakeToken")
        forged = requests.post(url, json={**sent, "handshakeToken": "forged"}, timeout=5)
        refused(forged, "HandshakeError", "did not confirm")
        refused(requests.post(url, json={"kind": "call"}, timeout=5), "HandshakeError", "no handshakeToken")
        other = requests.post(url, json={**sent, "kind": "x"}, timeout=5)
        refused(other, "HandshakeError", "not a handshake")
        for raw in (b"[1]", b"not json", b"\xff"):
            refused(requests.post(url, data=raw, timeout=5), "HandshakeError", "not a JSON object")
    assert asked == ["t-1", "t-1", "forged"] and issued == {"t-2"}
    text = '{"kind": "call", "handshakeToken": "t-2"}'
    assert call.answer(text, confirm=confirm)["handshakeToken"] == "t-2"


def test_bad_declarations_and_arguments_are_refused() -> None:
    for bad, message in [
        ({"algorithm": "sha257"}, "not a hashlib algorithm"),
        ({"encoding": "base32"}, "'hex' or 'base64'"),
        ({"message": "{timestamp}"}, "{body} once"),
        ({"message": "{timestamp}.{body}"}, "declare where it is"),
        ({"timestamp_key": "t"}, "needs signature_key"),
        ({"timestamp_header": "X-Time"}, r"must sign \{timestamp\}"),
        ({"signature_key": "v1", "timestamp_key": "t"}, r"must sign \{timestamp\}"),
        ({"tolerance": 0}, "positive"),
    ]:
        with pytest.raises(DeclarationError, match=message):
            HmacSignature(header="X-Sig", **bad)
    with pytest.raises(InvalidRequestError, match="raw body bytes"):
        GITHUB.verify("text", {}, SECRET)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="secret is empty"):
        GITHUB.verify(b"{}", {"X-Hub-Signature-256": "sha256=00"}, "")
    with pytest.raises(SignatureError, match="not a number"):
        SLACK.verify(b"{}", {"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": "yesterday"}, SECRET)
