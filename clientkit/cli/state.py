"""What one run of the command shares between its levels: the consoles, the switches and
the session, opened on first use and closed when the command ends."""

from __future__ import annotations

from typing import Any

import attrs
from rich.console import Console

from clientkit import Resource
from clientkit._client.session import Session
from clientkit._declarations.service import Service
from clientkit.cli.profiles import Connection
from clientkit.model import ResourceSpec, fields_of, spec_of


@attrs.define
class State:
    """The consoles (records on standard output, progress and notes on standard error)."""

    out: Console
    err: Console
    progress: bool
    verbose: bool = False
    connection: Connection | None = None
    _session: Session | None = None

    def session(self) -> Session:
        """The session to the service, opened with the resolved connection."""
        if self._session is None:
            if self.connection is None:  # pragma: no cover - every resource command has one
                raise RuntimeError("no service chosen")
            if self.verbose:
                self.err.print(self.connection.describe(), markup=False, highlight=False)
            self._session = self.connection.connect()
        return self._session

    def service(self) -> type[Service]:
        """The service the command was given."""
        if self.connection is None:  # pragma: no cover - every resource command has one
            raise RuntimeError("no service chosen")
        return self.connection.service

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def records(self, objs: Any) -> list[dict[str, Any]]:
        """Loaded objects as the wire fields they hold (see :func:`shown`)."""
        converter = self.session().converter
        return [shown(converter.dump(obj), obj) for obj in objs]


def shown(dumped: dict[str, Any], obj: Resource) -> dict[str, Any]:
    """The fields of ``obj`` the server gave (extras included): a declared field its answer
    left out (above the level asked for, or never returned) is not shown as empty."""
    given = obj._ck_raw
    left_out = {info.wire for info in fields_of(obj) if given is not None and info.wire not in given}
    hidden = left_out | {info.wire for info in fields_of(obj) if info.write_only}
    return {k: v for k, v in dumped.items() if k not in hidden}


def label(spec: ResourceSpec) -> str:
    """A resource's name as the command shows it: ``ReportType`` -> ``report-type``."""
    name = spec.name
    return "".join(f"-{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def command_name(cls: type) -> str:
    return label(spec_of(cls))
