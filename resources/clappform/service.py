"""The Clappform API, declared."""

from __future__ import annotations

from clientkit import Envelope, ErrorShape, PasswordLogin, RetryPolicy, Service, Timeout
from clientkit_services.clappform.exceptions import HTTPError


class ClappformApi(Service):
    """Clappform: ``{host}/api``, a login that returns a JWT, payloads under ``data``.

    Errors carry ``code``, ``message`` and ``response_id``; tokens are renewed by logging
    in again 60 s before they expire (the API has no refresh flow).
    """

    base_url = "https://app.clappform.com/api"
    auth = PasswordLogin(
        path="/auth",
        body={"username": "{username}", "password": "{password}"},
        token="data.access_token",
        refresh_token="data.refresh_token",
        expires_in=None,
        leeway=60,
    )
    envelope = Envelope(response="data")
    errors = ErrorShape(message="message", code="code", request_id="response_id", mixin=HTTPError)
    retry = RetryPolicy(retries=3, backoff=1.0)
    timeout = Timeout(connect=10, read=10)
