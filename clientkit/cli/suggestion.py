"""What the sandbox's banner suggests: the environment that points the command at it (base
URL, credentials it accepts, context values its demo data is kept under) and one listing
that runs as printed, with the ``--path`` values it needs."""

from __future__ import annotations

import shlex
from collections import Counter
from typing import Any

import attrs

from clientkit._client.auth import PasswordLogin, path_marks
from clientkit._declarations.service import Service
from clientkit.cli.profiles import NOT_CREDENTIALS, env_prefix, names_of
from clientkit.cli.state import label
from clientkit.model import spec_of


@attrs.frozen
class Suggestion:
    """The variables to export and the command to try, as the banner prints them."""

    environment: dict[str, str]
    command: list[str]

    def lines(self) -> list[str]:
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.environment.items())
        return [f"try: export {exports}", f"     clientkit {shlex.join(self.command)}"]


def accepted(service: type[Service], accounts: Any) -> dict[str, str]:
    """Credentials the sandbox accepts, under the names ``connect()`` takes: its first login,
    else its first static token under the keyword of the auth (or alternative) taking one."""
    credentials, _ = names_of(service)
    body = getattr(service.auth, "body", None) or {}
    as_named = {wire: str(v).strip("{}") for wire, v in body.items() if isinstance(v, str)}
    for login in accounts.logins[:1]:
        named = {as_named.get(k, k): v for k, v in login.items()}
        if set(named) <= set(credentials):
            return named
    keyword = _token_keyword(service.auth)
    token = next(iter(accounts.tokens), None)
    return {keyword: token} if keyword and token else {}


def _token_keyword(auth: Any) -> str | None:
    for part in getattr(auth, "alternatives", (auth,)):
        accepts = getattr(part, "accepts", None)
        names = [n for n in (accepts() if callable(accepts) else ()) if n not in NOT_CREDENTIALS]
        if len(names) == 1 and not isinstance(part, PasswordLogin):
            return str(names[0])
    return None


def context_values(service: type[Service], sandbox: Any) -> dict[str, str]:
    """A value for each context name declared without a default: one the sandbox allows
    (``Accounts.contexts``), else the one most of its records are kept under."""
    scopes = [s for cls in sandbox.resources for s in sandbox.scopes(cls)]
    chosen: dict[str, str] = {}
    for name, default in service.context.items():
        held = Counter(s[name] for s in scopes if name in s)
        values = sorted(sandbox.accounts.contexts.get(name) or held, key=lambda v: (-held[v], v))
        if default is None and values:
            chosen[name] = values[0]
    return chosen


def listing(service: type[Service], sandbox: Any, context: dict[str, str]) -> list[str] | None:
    """``RESOURCE list [--path NAME=VALUE]...`` for the resource that can be listed with the
    values at hand, preferring one holding records, then the fewest ``--path`` values."""
    fixed = {**{k: str(v) for k, v in service.context.items() if v is not None}, **context}
    marks = path_marks(service.auth)
    options: list[tuple[bool, int, str, dict[str, str]]] = []
    for cls in sandbox.resources:
        spec = spec_of(cls)
        if spec.many is None:
            continue
        needed = [n for n in spec.many.names if n not in spec.path_params and n not in marks]
        held = sandbox.scopes(cls)
        for scope in held or [{}]:
            if any(scope.get(n, fixed[n]) != fixed[n] for n in needed if n in fixed):
                continue  # kept under other context values than those exported
            paths = {n: scope[n] for n in needed if n not in fixed and n in scope}
            if len(paths) + sum(n in fixed for n in needed) == len(needed):
                options.append((not held, len(paths), label(spec), paths))
    if not options:
        return None
    _, _, name, paths = min(options, key=lambda o: o[:3])
    return [name, "list", *(a for n, v in sorted(paths.items()) for a in ("--path", f"{n}={v}"))]


def suggestion(name: str, short: str, service: type[Service], sandbox: Any, base: str) -> Suggestion:
    """The banner's suggestion for the sandbox serving ``service`` at ``base``; a service
    with nothing to list gets ``--help`` (its resources and their operations)."""
    context = context_values(service, sandbox)
    given = {"base_url": base, **accepted(service, sandbox.accounts), **context}
    prefix = env_prefix(short)
    command = listing(service, sandbox, context) or ["--help"]
    return Suggestion({f"{prefix}{k.upper()}": v for k, v in given.items()}, [name, *command])
