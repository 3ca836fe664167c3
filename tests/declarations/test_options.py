"""Request options: layers merged once, headers whatever their case, call options told from path values."""

from __future__ import annotations

import pytest

from clientkit._declarations.errors import InvalidRequestError
from clientkit._declarations.options import RequestOptions, merge_headers, options_of, split_options
from clientkit._declarations.retry import RetryPolicy


def test_later_header_layers_win_whatever_the_case() -> None:
    merged = merge_headers({"X-A": "1", "Accept": "a"}, [("x-a", "2")], None, {"ACCEPT": None})
    assert merged == {"x-a": "2", "ACCEPT": None}


def test_call_options_override_session_and_service_options() -> None:
    service = RequestOptions(headers={"User-Agent": "ck"}, timeout=3, retry=2)
    session = RequestOptions(headers={"user-agent": "mine"}, cache="bypass")
    call = options_of({"timeout": 1, "headers": {"X-Call": "c"}})
    resolved = service.merge(session).merge(call)
    assert resolved.headers == {"user-agent": "mine", "X-Call": "c"}
    assert resolved.timeout is not None and resolved.timeout.read == 1
    assert resolved.retry == RetryPolicy(retries=2) and resolved.cache == "bypass"


def test_unknown_call_options_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'timeot'"):
        options_of({"timeot": 3}, caller="request")
    assert options_of({}) is None


def test_path_placeholders_and_call_options_are_told_apart() -> None:
    options, path = split_options({"slug": "a", "retries": 0})
    assert path == {"slug": "a"} and options is not None and options.retry == RetryPolicy(retries=0)
    assert split_options({"slug": "a"}) == (None, {"slug": "a"})


def test_the_auth_option_is_a_bool_and_merges_like_the_others() -> None:

    off = options_of({"auth": False})
    assert off is not None and off.auth is False
    assert RequestOptions().merge(off).auth is False
    assert off.merge(RequestOptions()).auth is False
    with pytest.raises(InvalidRequestError, match="auth must be True or False"):
        options_of({"auth": "no"})
