"""Secrets: hidden in reprs and pickles, scrubbed from any text once registered, one name rule."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientkit._declarations.redaction import (
    Secret,
    fingerprint,
    is_sensitive_name,
    redact,
    redact_data,
    redact_headers,
    redact_url,
    scrub,
)
from clientkit.errors import BadRequestError
from tests.support.retried import Api, Thing
from tests.support.scripted import Reply, ScriptedServer


def test_a_secret_never_shows_itself_but_can_be_revealed() -> None:
    secret = Secret("tok-redaction-test-1")
    assert repr(secret) == "Secret('***')" and str(secret) == "***" and f"{secret}" == "***"
    assert b"tok-redaction-test-1" not in pickle.dumps(secret)
    assert secret.reveal() == "tok-redaction-test-1"


def test_a_live_secret_is_scrubbed_from_any_text() -> None:
    secret = Secret("tok-redaction-test-2")
    assert redact(f"Bearer {secret.reveal()} and {secret.reveal()}") == "Bearer *** and ***"


def test_sensitive_query_values_and_headers_are_masked() -> None:
    assert redact_url("https://x/a?api_key=abc&page=2") == "https://x/a?api_key=***&page=2"
    assert scrub("GET /x?token=zzz&q=1") == "GET /x?token=***&q=1"
    headers = {"Authorization": "Bearer abcdef", "Accept": "json", "X-Api-Key": "k"}
    assert redact_headers(headers) == {"Authorization": "***", "Accept": "json", "X-Api-Key": "***"}


def test_one_rule_for_sensitive_names() -> None:
    assert all(map(is_sensitive_name, ["Authorization", "X-Api-Key", "password", "pin", "key"]))
    assert not any(map(is_sensitive_name, ["spinner", "monkey", "page", "name"]))


def test_the_fingerprint_depends_on_the_key_and_on_how_the_parts_split() -> None:
    assert fingerprint(b"k", "a", "b") == fingerprint(b"k", "a", "b")
    assert fingerprint(b"k", "a", "b") != fingerprint(b"other", "a", "b")
    assert fingerprint(b"k", "ab") != fingerprint(b"k", "a", "b")
    assert len(fingerprint(b"k", "a")) == 32


def test_signed_storage_urls_keep_their_signatures_secret() -> None:
    azure = "https://store.example/blob?sv=2020-08-04&se=2026&sig=AZURESECRET123"
    amazon = "https://s3.example/o?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abc123"
    google = "https://gcs.example/o?X-Goog-Signature=def456&X-Goog-Expires=900"
    assert redact_url(azure) == "https://store.example/blob?sv=2020-08-04&se=2026&sig=***"
    assert "abc123" not in redact_url(amazon) and "AKIA" not in redact_url(amazon)
    assert "def456" not in redact_url(google) and "X-Goog-Expires=900" in redact_url(google)
    assert not any(map(is_sensitive_name, ["signal", "design", "assign"]))


_CREDENTIALS = [
    "auth", "authorization", "authorisation", "proxy-authorization", "x-auth-token", "auth_token",
    "authToken", "oauth", "oauth_token", "basic_auth", "authentication", "authn", "authz", "authkey",
    "api_key", "apikey", "x-api-key", "access_token", "refresh_token", "client_secret", "password",
    "passphrase", "private_key", "session_id", "cookie", "signature", "credentials",
]  # fmt: skip
_WHOLE_WORDS = ["pin", "otp", "mfa", "sig"]  # credentials only as words of their own
_AUTHOR_WORDS = ["author", "authors", "authored_by", "authority", "authorities", "authoritative",
                 "authorship", "coauthor", "co-author", "authorName", "author_id"]  # fmt: skip
_PLAIN = ["", "user", "first", "list", "main", "x", "id", "name", "count", "the"]
_SEPARATORS = ["_", "-", ""]


def _spelled(word: str, flips: list[bool]) -> str:
    return "".join(c.upper() if up else c for c, up in zip(word, flips + [False] * len(word), strict=False))


@st.composite
def _named(draw: st.DrawFn, cores: list[str], separators: list[str] = _SEPARATORS) -> str:
    core = draw(st.sampled_from(cores))
    before, after = draw(st.sampled_from(_PLAIN)), draw(st.sampled_from(_PLAIN))
    sep = draw(st.sampled_from(separators))
    name = sep.join(part for part in (before, core, after) if part)
    return _spelled(name, draw(st.lists(st.booleans(), max_size=len(name))))


@settings(max_examples=300)
@given(st.one_of(_named(_CREDENTIALS), _named(_WHOLE_WORDS, ["_", "-"])))
def test_every_credential_like_name_is_masked(name: str) -> None:
    assert is_sensitive_name(name)
    assert redact_data({name: "v4lue-x"}) == {name: "***"}
    assert "v4lue-x" not in scrub(f"GET /p?{name}=v4lue-x&page=2")


@settings(max_examples=300)
@given(_named(_AUTHOR_WORDS))
def test_author_and_authority_are_ordinary_words(name: str) -> None:
    assert not is_sensitive_name(name)
    assert redact_data({name: "Ann"}) == {name: "Ann"}
    assert scrub(f"GET /p?{name}=Ann") == f"GET /p?{name}=Ann"


def test_an_error_body_keeps_its_author_and_masks_its_token(server: ScriptedServer) -> None:
    body = {"message": "bad", "author": "Ann", "authored_by": "Bo", "auth_token": "t0k-xyz"}
    server.on("GET", "/things/1", Reply(400, json=body))
    with pytest.raises(BadRequestError) as info:
        Api.connect(server.url, retries=0).get(Thing, 1)
    assert info.value.body == {**body, "auth_token": "***"}
