"""``clientkit sandbox SERVICE``: a service's sandbox in the foreground, with a banner that
shows the credentials it accepts and how to point the command at it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import click

from clientkit._declarations.service import Service
from clientkit.cli.profiles import env_prefix, names_of
from clientkit.cli.services import load_service


def short_name(name: str, service: type[Service]) -> str:
    """The name a service's environment variables and default profile use."""
    return service.__name__.lower() if ":" in name else name


def accepted(service: type[Service], accounts: Any) -> dict[str, str]:
    """Credentials the sandbox accepts, under the names ``connect()`` takes: its first login,
    else its first static token (for auth that takes one credential)."""
    credentials, _ = names_of(service)
    body = getattr(service.auth, "body", None) or {}
    as_named = {wire: str(v).strip("{}") for wire, v in body.items() if isinstance(v, str)}
    for login in accounts.logins[:1]:
        named = {as_named.get(k, k): v for k, v in login.items()}
        if set(named) <= set(credentials):
            return named
    if accounts.tokens and len(credentials) == 1:
        return {credentials[0]: next(iter(accounts.tokens))}
    return {}


def banner(name: str, service: type[Service], sandbox: Any, url: str) -> str:
    """The lines printed when a sandbox starts: where, who may call, how to try it."""
    base = url + sandbox.prefix
    given = accepted(service, sandbox.accounts)
    prefix = env_prefix(short_name(name, service))
    exports = " ".join(f"{prefix}{k.upper()}={v}" for k, v in {"base_url": base, **given}.items())
    resources = sorted(service.resources)
    lines = [f"{service.__name__} sandbox on {base} (Ctrl-C stops it)"]
    if given:
        lines.append("it accepts: " + " ".join(f"{k}={v}" for k, v in given.items()))
    lines.append(f"try: export {exports}")
    if resources:
        from clientkit.cli.state import label
        from clientkit.model import spec_of

        lines.append(f"     clientkit {name} {label(spec_of(service.resources[resources[0]]))} list")
    return "\n".join(lines)


def start(name: str, options: dict[str, Any]) -> tuple[type[Service], Any]:
    """The service's sandbox: its package's own (with demo data) or the generic one."""
    from clientkit.sandbox.app import Sandbox

    service, factory = load_service(name)
    make: Callable[..., Any] = factory or (lambda **kw: Sandbox(service, **kw))
    return service, make(**{k: v for k, v in options.items() if v is not None})


@click.command("sandbox")
@click.argument("service")
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--data", help="a JSON file of seed records: {ResourceName: [records...]}")
@click.option("--store", help="a SQLite file to keep the state in across restarts")
def sandbox_command(service: str, port: int, host: str, data: str | None, store: str | None) -> None:
    """Serve a service's sandbox in the foreground (module:Class, or a shipped service's name)."""
    declared, sandbox = start(service, {"data": data, "store": store})
    url = sandbox.start(host=host, port=port)
    click.echo(banner(service, declared, sandbox, url))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        sandbox.store.close()
