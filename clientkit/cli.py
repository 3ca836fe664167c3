"""The ``clientkit`` command.

For now it has one subcommand, ``clientkit sandbox SERVICE``, which serves a service's
sandbox in the foreground. SERVICE is ``module:ServiceClass``, or the short name of a
package in ``resources/`` (which exposes ``SERVICE`` and, optionally, ``SANDBOX``: a
factory taking ``data=`` and ``store=`` that returns the service's sandbox with its own
routes and demo data).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

from clientkit._declarations.service import Service


def load_service(name: str) -> tuple[type[Service], Callable[..., Any] | None]:
    """The service class named ``name``, and its package's sandbox factory if it has one."""
    factory = None
    if ":" in name:
        module_name, _, attr = name.partition(":")
        service = getattr(importlib.import_module(module_name), attr, None)
    else:
        module = importlib.import_module(f"resources.{name}")
        service = getattr(module, "SERVICE", None)
        factory = getattr(module, "SANDBOX", None)
    if not (isinstance(service, type) and issubclass(service, Service)):
        raise SystemExit(f"{name!r} does not name a clientkit service")
    return service, factory if callable(factory) else None


def _sandbox(args: argparse.Namespace) -> int:
    from clientkit.sandbox.app import Sandbox

    service, factory = load_service(args.service)
    options: dict[str, Any] = {"store": args.store}
    if args.data:
        options["data"] = args.data
    sandbox = factory(**options) if factory else Sandbox(service, **options)
    url = sandbox.start(host=args.host, port=args.port)
    print(f"{service.__name__} sandbox on {url} (token: sandbox-token; Ctrl-C stops it)", flush=True)
    try:
        import threading

        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        sandbox.store.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clientkit", description="clientkit: declared REST services.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("sandbox", help="serve a service's sandbox in the foreground")
    serve.add_argument("service", help="module:ServiceClass, or the name of a package in resources/")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--data", help="a JSON file of seed records: {ResourceName: [records...]}")
    serve.add_argument("--store", help="a SQLite file to keep the state in across restarts")
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        return _sandbox(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
