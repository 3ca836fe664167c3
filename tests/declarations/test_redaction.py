"""Secrets: hidden in reprs and pickles, scrubbed from any text once registered, one name rule."""

from __future__ import annotations

import pickle

from clientkit._declarations.redaction import (
    Secret,
    fingerprint,
    is_sensitive_name,
    redact,
    redact_headers,
    redact_url,
    scrub,
)


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
