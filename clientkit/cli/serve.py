"""``clientkit sandbox SERVICE``: a service's sandbox in the foreground, with a banner that
shows the credentials it accepts and how to point the command at it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from clientkit._declarations.service import Service
from clientkit.cli.services import load_service
from clientkit.cli.suggestion import accepted, suggestion
from clientkit.errors import ClientKitError


def short_name(name: str, service: type[Service]) -> str:
    """The name a service's environment variables and default profile use."""
    return service.__name__.lower() if ":" in name else name


def banner(name: str, service: type[Service], sandbox: Any, url: str) -> str:
    """The lines printed when a sandbox starts: where, who may call, how to try it."""
    base = url + sandbox.prefix
    given = accepted(service, sandbox.accounts)
    lines = [f"{service.__name__} sandbox on {base} (Ctrl-C stops it)"]
    if given:
        lines.append("it accepts: " + " ".join(f"{k}={v}" for k, v in given.items()))
    lines += suggestion(name, short_name(name, service), service, sandbox, base).lines()
    return "\n".join(lines)


def seed_file(data: str) -> dict[str, Any]:
    """The ``--data`` file's seed records, refused in one line when it holds no JSON object."""
    try:
        seed = json.loads(Path(data).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise click.BadParameter(f"cannot read {data} as JSON: {exc}", param_hint="--data") from None
    if not isinstance(seed, dict):
        raise click.BadParameter(f"{data} holds a {type(seed).__name__}, not {{ResourceName: [records...]}}",
                                 param_hint="--data")  # fmt: skip
    return seed


def start(name: str, options: dict[str, Any]) -> tuple[type[Service], Any]:
    """The service's sandbox: its package's own (with demo data) or the generic one."""
    from clientkit.sandbox.app import Sandbox

    service, factory = load_service(name)
    make: Callable[..., Any] = factory or (lambda **kw: Sandbox(service, **kw))
    data = options.get("data")
    given = {k: v for k, v in options.items() if v is not None}
    if data is not None:
        given["data"] = seed_file(data)
    try:
        return service, make(**given)
    except ClientKitError as exc:
        if data is None:
            raise
        raise click.BadParameter(f"{data}: {exc}", param_hint="--data") from None


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
