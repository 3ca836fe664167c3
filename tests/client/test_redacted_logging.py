"""Log records scrubbed of secrets, keeping their template; clean records left as they are."""

from __future__ import annotations

import logging

from clientkit._client.redacted_logging import RedactingFilter, is_redacted_logger, scrub_record
from clientkit._declarations.redaction import Secret


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("myapp", logging.INFO, __file__, 1, msg, args, None)


def test_the_filter_scrubs_arguments_and_keeps_the_template() -> None:
    secret = Secret("tok-logging-test-1")
    sent = record("sent %s", f"Bearer {secret.reveal()}")
    assert RedactingFilter().filter(sent)  # never drops a record
    assert sent.getMessage() == "sent Bearer ***" and sent.msg == "sent %s"


def test_a_clean_record_is_left_exactly_as_it_is() -> None:
    clean = record("page %d", 2)
    scrub_record(clean)
    assert clean.msg == "page %d" and clean.args == (2,)


def test_the_http_stack_and_its_children_are_scrubbed_others_are_not() -> None:
    assert is_redacted_logger("clientkit") and is_redacted_logger("urllib3.connectionpool")
    assert not is_redacted_logger("urllib3x") and not is_redacted_logger("myapp")
