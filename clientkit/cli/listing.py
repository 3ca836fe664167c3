"""``list`` and ``export``: a resource's listing, whole or bounded, printed or written out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from clientkit import Resource
from clientkit.cli.output import FORMATS, Writer, print_records
from clientkit.cli.pathvalues import path_values
from clientkit.cli.progress import bar
from clientkit.cli.state import State, label, shown
from clientkit.cli.target import opened
from clientkit.cli.values import level, pairs
from clientkit.model import fields_of, spec_of

_SUFFIXES = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


def listing_options(fn: Any) -> Any:
    """The options every listing takes: filters, parents, level and paging limits."""
    for option in (
        click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="a filter"),
        click.option("--path", "paths", multiple=True, metavar="NAME=VALUE", help="a path value (a parent)"),
        click.option("--level", help="the expansion level (a number, true or false)"),
        click.option("--max-items", type=click.IntRange(min=0), help="stop after this many records"),
        click.option("--max-pages", type=click.IntRange(min=1), help="stop after this many pages"),
        click.option("--page-size", type=click.IntRange(min=1), help="records asked for per page"),
    ):
        fn = option(fn)
    return fn


def pager(state: State, cls: type[Resource], options: dict[str, Any]) -> Any:
    """The lazy listing the options describe."""
    return state.session().list(
        cls,
        params=pairs(options["params"], "--param") or None,
        level=level(options["level"]),
        max_items=options["max_items"],
        max_pages=options["max_pages"],
        page_size=options["page_size"],
        **path_values(state, cls, "list", options["paths"]),
    )


def walked(state: State, cls: type[Resource], options: dict[str, Any], what: str) -> Iterator[Any]:
    """Every record of the listing, with a progress bar counting them (of the total, when
    the service gives one and no ``--max-items`` is smaller)."""
    items = pager(state, cls, options)
    total = items.total if state.progress else None
    if total is not None and options["max_items"] is not None:
        total = min(total, options["max_items"])
    with bar(state.err, f"{what} {label(spec_of(cls))}", total, shown=state.progress) as progress:
        for obj in items:
            yield obj
            progress.advance()


def list_command(cls: type[Resource]) -> click.Command:
    @click.command("list", help=f"List {spec_of(cls).name} records (lazily, page by page).")
    @listing_options
    @click.option("--output", "-o", type=click.Choice(FORMATS), default="table", show_default=True)
    @click.pass_obj
    def run(state: State, /, output: str, **options: Any) -> None:
        objs = list(walked(state, cls, options, "listing"))
        print_records(state.out, state.records(objs), output, label(spec_of(cls)))

    return run


def export_command(cls: type[Resource]) -> click.Command:
    @click.command("export", help=f"Write every {spec_of(cls).name} record to a file, one at a time.")
    @listing_options
    @click.option("--to", default="-", show_default=True, help="the file to write (- for standard output)")
    @click.option("--format", "fmt", type=click.Choice(FORMATS[1:]), help="default: by suffix, else jsonl")
    @click.pass_obj
    def run(state: State, /, to: str, fmt: str | None, **options: Any) -> None:
        fmt = fmt or _SUFFIXES.get(Path(to).suffix.lower(), "jsonl")
        with opened(to) as out:
            converter = state.session().converter
            writer = Writer(out, fmt, [f.wire for f in fields_of(cls) if not f.write_only])
            for obj in walked(state, cls, options, "exporting"):
                writer.write(shown(converter.dump(obj), obj))
            writer.close()
        if to != "-":
            state.err.print(f"exported {writer.count} {label(spec_of(cls))} records to {to}", highlight=False)

    return run
