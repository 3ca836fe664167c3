"""The command's tree: ``clientkit [options] SERVICE [connection] RESOURCE OPERATION``, built
from the declarations when a service is named."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from clientkit import Resource, Service
from clientkit._version import __version__
from clientkit.cli.actions import action_command
from clientkit.cli.demo import demo_command
from clientkit.cli.listing import export_command, list_command
from clientkit.cli.profiles import resolve
from clientkit.cli.records import create_command, delete_command, get_command, update_command
from clientkit.cli.runner import invoke
from clientkit.cli.serve import sandbox_command, short_name
from clientkit.cli.services import UnknownService, load_service, shipped
from clientkit.cli.state import State, label
from clientkit.cli.values import pairs
from clientkit.model import spec_of


def operations(cls: type[Resource]) -> dict[str, click.Command]:
    """The commands of a resource: the operations it declares paths for, then its actions
    (an action named like one of those is ``action-<name>``)."""
    spec = spec_of(cls)
    made = {
        "list": list_command if spec.many else None,
        "get": get_command if spec.one else None,
        "create": create_command if spec.create else None,
        "update": update_command if spec.update and spec.one else None,
        "delete": delete_command if spec.delete else None,
        "export": export_command if spec.many else None,
    }
    commands = {name: make(cls) for name, make in made.items() if make is not None}
    for action in spec.actions:
        command = action.replace("_", "-")
        command = f"action-{command}" if command in commands else command
        commands[command] = action_command(cls, action, command)
    return commands


class ResourceGroup(click.Group):
    """The operations of one resource."""

    def __init__(self, cls: type[Resource]) -> None:
        doc = (cls.__doc__ or "").strip().splitlines()
        super().__init__(label(spec_of(cls)), help=doc[0] if doc else f"The {spec_of(cls).name} resource.")
        self.commands = operations(cls)


class ServiceGroup(click.Group):
    """One service: its connection options, then one of its resources."""

    def __init__(self, name: str, service: type[Service]) -> None:
        doc = (service.__doc__ or "").strip().splitlines()
        about = doc[0] if doc else f"The {service.__name__} service."
        super().__init__(name, callback=self._connect, help=about)
        self.service = service
        self.by_label = {label(spec_of(cls)): cls for cls in service.resources.values()}
        for option in (
            click.Option(["--base-url"], help="the service's base URL"),
            click.Option(["--profile"], help="a profile (a table) of the profiles file"),
            click.Option(["--config"], help="the profiles file (default ~/.config/clientkit/profiles.toml)"),
            click.Option(["--connect", "-C", "given"], multiple=True, metavar="NAME=VALUE",
                         help="a credential or context value, as connect() takes it"),
        ):  # fmt: skip
            self.params.append(option)

    def _connect(
        self, base_url: str | None, profile: str | None, config: str | None, given: tuple[str, ...]
    ) -> None:
        state = click.get_current_context().find_object(State)
        assert state is not None
        flags = {**pairs(given, "--connect"), "base_url": base_url}
        short = short_name(self.name or "", self.service)
        state.connection = resolve(self.service, short, flags, profile=profile, config=config)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.by_label)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        wanted = cmd_name.lower().replace("_", "-")
        found = self.by_label.get(wanted) or next(
            (c for k, c in self.by_label.items() if k.replace("-", "") == wanted.replace("-", "")), None
        )
        if found is None:
            known = ", ".join(sorted(self.by_label))
            raise click.UsageError(f"{self.service.__name__} has no resource {cmd_name!r} (it has {known})")
        return ResourceGroup(found)


class Root(click.Group):
    """``clientkit``: the built-in commands, then any service by name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *shipped()]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        builtin = super().get_command(ctx, cmd_name)
        if builtin is not None:
            return builtin
        try:
            service, _ = load_service(cmd_name)
        except UnknownService as exc:
            raise click.UsageError(str(exc), ctx) from None
        return ServiceGroup(cmd_name, service)


@click.group(cls=Root, help="Use any declared REST service from the shell (docs/command.md).")
@click.version_option(__version__, "--version", "-V", prog_name="clientkit")
@click.option("--progress/--no-progress", default=None, help="progress bars (default: on a terminal)")
@click.option("--verbose", "-v", is_flag=True, help="show the connection used (credentials hidden)")
@click.pass_context
def cli(ctx: click.Context, progress: bool | None, verbose: bool) -> None:
    state = ctx.find_object(State)
    assert state is not None
    state.progress = state.err.is_terminal if progress is None else progress
    state.verbose = verbose
    ctx.call_on_close(state.close)


cli.add_command(sandbox_command)
cli.add_command(demo_command)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: the process's); returns the exit status."""
    return invoke(cli, sys.argv[1:] if argv is None else argv)
