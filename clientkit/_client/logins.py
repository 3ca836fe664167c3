"""The parts of a login flow around the login request: credentials from a provider (a
callback), credentials given under one keyword, and retrying a login that the service
answered with a declared "try again"."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import attrs

from clientkit._declarations.errors import APIError, DeclarationError, InvalidRequestError, redacted_cause
from clientkit._declarations.keypaths import dig
from clientkit._declarations.paths import PLACEHOLDER
from clientkit._declarations.redaction import Secret, is_sensitive_name
from clientkit._declarations.retry import RetryPolicy

log = logging.getLogger("clientkit.http")

#: a function giving a login's credentials when one is needed: a mapping of the login body's
#: placeholder names, or a tuple of their values in the order the body names them
CredentialSource = Callable[[], Any]

#: the ``connect()`` keyword that takes a login's :data:`CredentialSource`
PROVIDER = "credential_provider"


def ordered_placeholders(template: Any) -> list[str]:
    """The ``{name}`` placeholders of a JSON template, in order of first appearance."""
    found: list[str] = []
    if isinstance(template, str):
        found = PLACEHOLDER.findall(template)
    elif isinstance(template, Mapping | list):
        for value in template.values() if isinstance(template, Mapping) else template:
            found += ordered_placeholders(value)
    return list(dict.fromkeys(found))


def fetch_credentials(source: CredentialSource, names: list[str]) -> dict[str, Any]:
    """Call ``source`` for one login; its text and number values come back as :class:`Secret`
    (they live only as long as the login), other values (``remember=True``) as given."""
    try:
        given = source()
    except Exception as exc:
        raise InvalidRequestError(
            f"the {PROVIDER} callback failed ({type(exc).__name__}); no login was sent"
        ) from redacted_cause(exc)
    if isinstance(given, tuple | list) and len(given) == len(names):
        given = dict(zip(names, given, strict=True))
    if not isinstance(given, Mapping) or not set(given) <= set(names):
        shape = f"a mapping of {names} or a tuple ({', '.join(names)})"
        raise InvalidRequestError(f"the {PROVIDER} callback must return {shape}, not {_shape(given)}")
    return {k: _as_secret(v) for k, v in given.items()}


def given_under(keyword: str, credentials: Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    """A login's credentials given under its one ``keyword`` (``connect(admin=...)``), spread
    to the body's ``names``: a mapping of them, a tuple of their values in order, or a
    function giving either (the login's credential provider)."""
    unknown = sorted(set(credentials) - {keyword})
    if unknown:
        raise InvalidRequestError(f"the login takes its credentials as {keyword}=, not {unknown}")
    value = credentials.get(keyword)
    if value is None:
        return {}
    if callable(value):
        return {PROVIDER: value}
    if isinstance(value, tuple | list) and len(value) == len(names):
        return dict(zip(names, value, strict=True))
    if isinstance(value, Mapping) and set(value) <= set(names):
        return dict(value)
    shape = f"a mapping of {names}, a tuple ({', '.join(names)}) or a function giving either"
    raise InvalidRequestError(f"{keyword}= takes {shape}, not {_shape(value)}")


def _shape(value: Any) -> str:
    """What a wrong answer was, without its values (they may be secrets)."""
    if isinstance(value, Mapping):
        return f"a mapping of {sorted(map(str, value))}"
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} value{'' if len(value) == 1 else 's'}"
    return type(value).__name__


def _as_secret(value: Any) -> Any:
    if isinstance(value, Secret | bool) or not isinstance(value, str | bytes | int | float):
        return value
    if isinstance(value, bytes):
        try:
            value = value.decode()
        except UnicodeDecodeError:
            raise InvalidRequestError("a credential given as bytes must be UTF-8") from None
    return Secret(value)


def answer_says(when: Mapping[str, Any]) -> Callable[[Any], bool] | None:
    """A test of a login answer (or error body): whether a declared key path holds one of its
    declared values (``{"error.code": ["TRY_AGAIN"]}``), a compiled pattern matching text by
    search (``re.compile("duplicate entry", re.I)``); ``None`` when nothing is declared."""
    if not isinstance(when, Mapping):
        raise DeclarationError("retry_login_when maps key paths to lists of values")
    for path, values in when.items():
        if isinstance(values, str | bytes) or not isinstance(values, Collection):
            raise DeclarationError(
                f"retry_login_when[{path!r}]: give a list of values ([{values!r}]), not {values!r}"
            )
    if not when:
        return None
    declared = {path: tuple(values) for path, values in when.items()}
    return lambda answer: any(_holds(dig(answer, path), values) for path, values in declared.items())


def _holds(found: Any, values: tuple[Any, ...]) -> bool:
    return any(
        bool(v.search(found)) if isinstance(v, re.Pattern) and isinstance(found, str) else found == v
        for v in values
    )


def public_answer(answer: Any, issued: Iterable[str]) -> dict[str, Any]:
    """A login answer as the session keeps it beside the token (the account, its objects):
    without the key paths that issued tokens, nor any key with a sensitive name, at any depth."""
    return _public(answer, "", frozenset(issued)) if isinstance(answer, Mapping) else {}


def _public(value: Any, where: str, issued: frozenset[str]) -> Any:
    if isinstance(value, Mapping):
        kept = ((str(k), v) for k, v in value.items() if not is_sensitive_name(str(k)))
        return {k: _public(v, f"{where}{k}.", issued) for k, v in kept if where + k not in issued}
    if isinstance(value, list):
        return [_public(v, f"{where}{n}.", issued) for n, v in enumerate(value)]
    return value


def login_policy(policy: RetryPolicy, statuses: Collection[int]) -> RetryPolicy:
    """``policy`` retrying ``statuses`` (and a 429, if it does) for a login: a login may be sent
    again, although it is a POST, since it changes nothing on the server but the tokens issued."""
    retried = frozenset({*statuses, *(policy.statuses & {429})})
    return attrs.evolve(policy, statuses=retried)


def retry_answers(
    send: Callable[[], Any], policy: RetryPolicy, again: Callable[[Any], bool] | None, what: str
) -> Any:
    """``send()``'s answer, sent again under ``policy`` while ``again`` says so of the answer or
    of an error's body; the last answer (or error) once it stops or the retries run out."""
    attempt = 0
    while True:
        error: APIError | None = None
        try:
            answer = send()
        except APIError as exc:
            if again is None:
                raise
            answer, error = exc.body, exc
        if again is None or attempt >= policy.retries or not again(answer):
            if error is not None:
                raise error
            return answer
        delay = policy.delay(attempt)
        retry, retries = attempt + 1, policy.retries
        log.info("retrying %s after a try-again in %.2fs (retry %d of %d)", what, delay, retry, retries)
        policy.sleep(delay)
        attempt += 1
