"""The ``clientkit`` command: any declared service from the shell (see docs/command.md).

``clientkit <service> <resource> list | get | create | update | delete | export`` and the
resource's declared actions, ``clientkit sandbox <service>`` and ``clientkit demo``. It needs
the ``cli`` extra (click and rich); :func:`load_service` does not.
"""

from __future__ import annotations

from collections.abc import Sequence

from clientkit.cli.services import UnknownService, load_service


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0, 1 for a failed call, 2 for bad usage)."""
    try:
        from clientkit.cli.app import run
    except ImportError as exc:  # pragma: no cover - the cli extra is missing
        print(f"clientkit: the command needs click and rich: pip install 'clientkit[cli]' ({exc})")
        return 2
    return run(argv)


__all__ = ["UnknownService", "load_service", "main"]
