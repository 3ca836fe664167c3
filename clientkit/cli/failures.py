"""Every failure as one line on standard error and an exit status: 1 for a failed call,
2 for bad usage, 130 when interrupted, 128 + the signal's number when terminated (SIGTERM
or SIGHUP during an export); never a traceback (unless ``CLIENTKIT_LOG=debug``)."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console

from clientkit.cli.services import UnknownService
from clientkit.cli.target import Terminated
from clientkit.errors import ClientKitError
from clientkit.redaction import redact


def one_line(text: str) -> str:
    """``text`` scrubbed of secrets, on one line."""
    return " ".join(redact(text).split())


def guarded(err: Console, run: Callable[[], Any], *, debug: bool = False) -> int:
    """Run ``run`` and turn what it raises into a line and a status."""
    try:
        outcome = run()
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        return _say(err, "aborted", 1)
    except click.ClickException as exc:
        ctx = exc.ctx if isinstance(exc, click.UsageError) else None
        hint = f" (see {ctx.command_path} --help)" if ctx else ""
        return _say(err, exc.format_message() + hint, 2)
    except UnknownService as exc:
        return _say(err, str(exc), 2)
    except ClientKitError as exc:
        return _say(err, f"{type(exc).__name__}: {exc}", 1)
    except KeyboardInterrupt:
        return _say(err, "interrupted", 130)
    except Terminated as exc:
        return _say(err, f"terminated ({exc})", 128 + exc.signum)
    except Exception as exc:
        if debug:
            err.print(redact(traceback.format_exc()), markup=False, highlight=False)
        return _say(err, f"unexpected {type(exc).__name__}: {exc} (CLIENTKIT_LOG=debug shows more)", 1)
    return int(outcome) if isinstance(outcome, int) else 0


def _say(err: Console, message: str, status: int) -> int:
    err.print(f"clientkit: error: {one_line(message)}", markup=False, highlight=False, soft_wrap=True)
    return status
