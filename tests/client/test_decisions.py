"""The transport's decisions, from plain values: no server, no sockets."""

from __future__ import annotations

import random

import pytest

from clientkit._client import decisions
from clientkit._client.decisions import Hop, Verdict, hop, judge, origin_of, retry_failure, retry_status
from clientkit._declarations.errors import RedirectError
from clientkit._declarations.retry import RetryPolicy

ORIGIN = ("https", "api.test", 443)


def policy(**kw: object) -> RetryPolicy:
    return RetryPolicy(backoff=1.0, backoff_cap=1.0, rng=random.Random(0), **kw)  # type: ignore[arg-type]


def verdict(status: int, headers: dict[str, str] | None = None, **kw: object) -> Verdict:
    args: dict[str, object] = {
        "policy": policy(),
        "attempt": 0,
        "idempotent": True,
        "replayable": True,
        "may_renew": False,
        "left": None,
    }
    args.update(kw)
    return judge(status, headers or {}, **args)  # type: ignore[arg-type]


# -- what a response means ------------------------------------------------------------------


def test_a_success_is_the_answer() -> None:
    assert verdict(200) == Verdict("answer")
    assert verdict(304) == Verdict("answer")


def test_a_redirect_with_a_location_is_followed() -> None:
    assert verdict(302, {"location": "/x"}).outcome == "redirect"
    assert verdict(302).outcome == "answer"  # no Location: nothing to follow


def test_a_401_renews_once_then_fails() -> None:
    assert verdict(401, may_renew=True).outcome == "renew"
    assert verdict(401, may_renew=False).outcome == "fail"


def test_a_retryable_status_waits_the_backoff() -> None:
    result = verdict(503)
    assert result.outcome == "retry" and 0.5 <= result.delay <= 1.0


def test_retry_after_sets_the_wait() -> None:
    assert verdict(429, {"Retry-After": "3"}) == Verdict("retry", 3.0)


def test_retry_after_past_the_deadline_or_the_policy_fails_at_once() -> None:
    assert verdict(503, {"Retry-After": "3"}, left=2.0).outcome == "fail"
    assert verdict(503, {"Retry-After": "61"}).outcome == "fail"


def test_the_wait_is_cut_to_the_time_left() -> None:
    assert verdict(503, left=0.25) == Verdict("retry", 0.25)


def test_no_retry_when_attempts_run_out_or_the_body_cannot_be_sent_again() -> None:
    assert verdict(503, attempt=2).outcome == "fail"
    assert verdict(503, replayable=False).outcome == "fail"


def test_a_non_idempotent_call_is_retried_only_on_429() -> None:
    assert verdict(503, idempotent=False).outcome == "fail"
    assert verdict(429, idempotent=False).outcome == "retry"


def test_a_retryable_status_below_400_is_the_answer_once_retries_are_spent() -> None:
    custom = policy(statuses={202})
    assert verdict(202, policy=custom).outcome == "retry"
    assert verdict(202, policy=custom, attempt=2).outcome == "answer"


def test_client_errors_fail_without_retrying() -> None:
    assert verdict(404).outcome == "fail"


# -- retrying after a failed exchange --------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "idempotent", "retried"),
    [("connect", False, True), ("timeout", True, True), ("read", True, True), ("read", False, False)],
)
def test_failures_retried_by_kind(failure: str, idempotent: bool, retried: bool) -> None:
    delay = retry_failure(policy(), 0, failure, idempotent=idempotent, replayable=True, left=None)  # type: ignore[arg-type]
    assert (delay is not None) is retried


def test_failures_without_a_kind_or_a_replayable_body_are_not_retried() -> None:
    assert retry_failure(policy(), 0, None, idempotent=True, replayable=True, left=None) is None
    assert retry_failure(policy(), 0, "connect", idempotent=True, replayable=False, left=None) is None


def test_a_failure_waits_no_longer_than_the_deadline() -> None:
    assert retry_failure(policy(), 0, "connect", idempotent=True, replayable=True, left=-1.0) == 0.0


def test_retry_status_with_an_http_date_in_the_past_waits_nothing() -> None:
    headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    assert retry_status(policy(), 0, 503, headers, idempotent=True, replayable=True, left=None) == 0.0


# -- where a redirect goes ----------------------------------------------------------------


def test_a_read_follows_a_relative_location_on_its_origin() -> None:
    step = hop("GET", "https://api.test/a", (302, "https://api.test/a?x=1", "/b"), 0, 5, ORIGIN)
    assert step == Hop("https://api.test/b", own=True)


def test_another_origin_is_followed_without_credentials() -> None:
    answer = (301, "https://api.test/a", "https://api.test:8443/b")
    step = hop("GET", "https://api.test/a", answer, 0, 5, ORIGIN)
    assert step == Hop("https://api.test:8443/b", own=False)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "PURGE"])
def test_a_write_is_not_redirected(method: str) -> None:
    step = hop(method, "https://api.test/a", (307, "https://api.test/a", "/b"), 0, 5, ORIGIN)
    assert isinstance(step, RedirectError) and "writes are not re-sent" in str(step)


def test_hops_past_the_limit_are_refused() -> None:
    step = hop("GET", "https://api.test/a", (302, "https://api.test/a", "/b"), 5, 5, ORIGIN)
    assert isinstance(step, RedirectError) and "more than 5 redirects" in str(step)


@pytest.mark.parametrize("location", ["http://[::1", "http://x:abc/"])
def test_a_location_that_is_not_a_url_is_refused(location: str) -> None:
    step = hop("GET", "https://api.test/a", (302, "https://api.test/a", location), 0, 5, ORIGIN)
    assert isinstance(step, RedirectError) and "not a URL" in str(step)


def test_origins_make_default_ports_explicit() -> None:
    assert origin_of("HTTPS://API.test/x") == ORIGIN
    assert origin_of("http://h:8080") == ("http", "h", 8080)
    assert decisions.capped(5.0, None) == 5.0


@pytest.mark.parametrize("name", ["Location", "location", "LOCATION"])
def test_header_names_are_read_whatever_their_spelling(name: str) -> None:
    assert verdict(302, {name: "/x"}) == Verdict("redirect")
    wait = {"retry-after": "5"}
    assert retry_status(policy(), 0, 503, wait, idempotent=True, replayable=True, left=None) == 5.0
    assert verdict(503, {"RETRY-AFTER": "5"}) == Verdict("retry", 5.0)


def test_a_retry_after_date_is_read_against_the_given_clock() -> None:
    date = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    now = 1445412480.0 - 30  # thirty seconds before that date
    assert retry_status(policy(), 0, 503, date, idempotent=True, replayable=True, left=None, now=now) == 30.0
