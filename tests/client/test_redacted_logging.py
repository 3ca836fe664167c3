"""Log records scrubbed of secrets, keeping their template; clean records left as they are."""

from __future__ import annotations

import logging

from clientkit._client.redacted_logging import RedactingFilter, install_log_redaction, scrub_record
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
    install_log_redaction()
    secret = Secret("tok-logging-test-factory")
    make = logging.getLogRecordFactory()

    def logged(name: str) -> str:
        return make(name, logging.INFO, __file__, 1, "sent %s", (secret.reveal(),), None).getMessage()

    assert logged("clientkit") == logged("urllib3.connectionpool") == "sent ***"
    assert logged("urllib3x") == logged("myapp") == f"sent {secret.reveal()}"
