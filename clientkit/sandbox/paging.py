"""Pages as a service of each paging style serves them: the sandbox's half of ``Paginator``.

:func:`serve_page` answers one page request in the style's dialect: which items, which
body keys (totals, next links, cursors) and which headers. Each shipped style registers
its half here; a subclass inherits its base's half. A direct ``Paginator`` subclass
that walks its own way (its own ``first`` or ``next_request``) is not single-page, so it
needs its own half: ``@serve_page.register`` on a function taking it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from clientkit._declarations.keypaths import dig, set_path
from clientkit._declarations.paging import (
    CountRequest,
    Cursor,
    HeaderNext,
    LinkHeader,
    NextUrl,
    OffsetLimit,
    PageNumber,
    Paginator,
    Where,
    int_or_none,
)
from clientkit.sandbox.halves import NoServerHalf


@attrs.frozen
class PageQuery:
    """What a server sees of a page request."""

    query: Mapping[str, str]
    body: Mapping[str, Any]
    url: str
    default_size: int = 20
    max_size: int | None = None

    def size(self, name: str | None, where: Where, default: int | None) -> int:
        """The page size asked for (or the default), capped at the server's maximum."""
        size = self.number(name, where, default or self.default_size) or 1
        return min(size, self.max_size) if self.max_size else size

    def get(self, name: str | None, where: Where = "query") -> Any:
        if name is None:
            return None
        return (self.body if where == "body" else self.query).get(name)

    def number(self, name: str | None, where: Where, default: int) -> int:
        value = int_or_none(self.get(name, where))
        if value is None or value < 0:
            return default
        return value

    def link(self, **updates: Any) -> str:
        """This request's URL with query parameters replaced; the others stay as they came,
        repeated ones (``tag=a&tag=b``) included."""
        parts = urlsplit(self.url)
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in updates]
        query = kept + [(k, str(v)) for k, v in updates.items()]
        return urlunsplit(parts._replace(query=urlencode(query)))


@attrs.frozen
class Served:
    """One page as a server answers it: the items, body keys to set, headers to send."""

    items: Sequence[Any]
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    headers: Mapping[str, str] = attrs.field(factory=dict)


@functools.singledispatch
def serve_page(style: object, query: PageQuery, items: Sequence[Any]) -> Served:  # noqa: ARG001 - a fallback
    """One page of ``items`` as a service of paging ``style`` answers ``query``."""
    raise NoServerHalf(style, serve_page)


def check_servable(style: object) -> None:
    """Raise :class:`NoServerHalf` now (not at the first list request) when ``style`` has no half."""
    serve_page(style, PageQuery(query={}, body={}, url="http://sandbox.invalid/"), [])


def _with_total(style: Paginator, served: Served, total: int) -> Served:
    meta = dict(served.meta)
    headers = dict(served.headers)
    if style.total:
        meta[style.total] = total
    if style.total_header:
        headers[style.total_header] = str(total)
    return Served(items=served.items, meta=meta, headers=headers)


def _slice(style: Paginator, items: Sequence[Any], start: int, size: int) -> Served:
    return _with_total(style, Served(items=list(items[start : start + size])), len(items))


def _sibling(path: str, name: str) -> str:
    head, _, _ = path.rpartition(".")
    return f"{head}.{name}" if head else name


@serve_page.register
def _single_page(style: Paginator, _query: PageQuery, items: Sequence[Any]) -> Served:
    cls = type(style)
    if cls.first is not Paginator.first or cls.next_request is not Paginator.next_request:
        raise NoServerHalf(style, serve_page)
    return _with_total(style, Served(items=list(items)), len(items))


@serve_page.register
def _page_number(style: PageNumber, query: PageQuery, items: Sequence[Any]) -> Served:
    size = query.size(style.size, style.where, style.page_size)
    page = max(query.number(style.page, style.where, style.start), style.start)
    start = (page - style.start) * size
    served = _slice(style, items, start, size)
    if style.next:
        meta = dict(served.meta)
        more = start + size < len(items)
        meta[style.next] = query.link(**{style.page: page + 1}) if more else None
        meta[_sibling(style.next, "previous")] = (
            query.link(**{style.page: page - 1}) if page > style.start else None
        )
        served = Served(items=served.items, meta=meta, headers=served.headers)
    return served


@serve_page.register
def _offset_limit(style: OffsetLimit, query: PageQuery, items: Sequence[Any]) -> Served:
    size = query.size(style.limit, style.limit_where, style.page_size)
    offset = query.number(style.offset, style.offset_where, style.start) - style.start
    return _slice(style, items, offset, size)


@serve_page.register
def _cursor(style: Cursor, query: PageQuery, items: Sequence[Any]) -> Served:
    size = query.size(style.size, style.where, style.page_size)
    token = query.get(style.param, style.where)
    from_item = ".-1." in f".{style.cursor}."  # Stripe style: the cursor is the last item's key
    key = style.cursor.rsplit(".", 1)[-1]
    start = 0
    if token not in (None, ""):
        if from_item:
            positions = [i for i, item in enumerate(items) if str(dig(item, key)) == str(token)]
            start = positions[0] + 1 if positions else len(items)
        else:
            start = int_or_none(str(token).removeprefix("c")) or 0
    end = start + size
    served = _slice(style, items, start, size)
    meta = dict(served.meta)
    if style.has_more:
        meta[style.has_more] = end < len(items)
    if not from_item:
        meta[style.cursor] = f"c{end}" if end < len(items) else None
    return Served(items=served.items, meta=meta, headers=served.headers)


@serve_page.register
def _next_url(style: NextUrl, query: PageQuery, items: Sequence[Any]) -> Served:
    size = query.size(style.size, "query", style.page_size)
    page = max(query.number("page", "query", 1), 1)
    served = _slice(style, items, (page - 1) * size, size)
    more = page * size < len(items)
    meta = {**served.meta, style.next: query.link(page=page + 1) if more else None}
    return Served(items=served.items, meta=meta, headers=served.headers)


@serve_page.register
def _link_header(style: LinkHeader, query: PageQuery, items: Sequence[Any]) -> Served:
    page_param, size_param = style.page or "page", style.size or "per_page"
    size = query.size(size_param, "query", style.page_size)
    page = max(query.number(page_param, "query", style.start), style.start)
    served = _slice(style, items, (page - style.start) * size, size)
    last = style.start + max(0, (len(items) - 1) // size)
    links = [
        f'<{query.link(**{page_param: style.start})}>; rel="first"',
        f'<{query.link(**{page_param: last})}>; rel="last"',
    ]
    if page < last:
        links.insert(0, f'<{query.link(**{page_param: page + 1})}>; rel="{style.rel}"')
    if page > style.start:
        links.append(f'<{query.link(**{page_param: page - 1})}>; rel="prev"')
    return Served(items=served.items, meta=served.meta, headers={**served.headers, "Link": ", ".join(links)})


@serve_page.register
def _header_next(style: HeaderNext, query: PageQuery, items: Sequence[Any]) -> Served:
    size = query.size(style.size, "query", style.page_size)
    param = style.param or "page"
    start = query.number(param, "query", 0)
    served = _slice(style, items, start, size)
    headers = dict(served.headers)
    if start + size < len(items):
        headers[style.header] = str(start + size) if style.param else query.link(page=start + size)
    return Served(items=served.items, meta=served.meta, headers=headers)


def serve_count(count: CountRequest, total: int) -> tuple[Any, dict[str, str]]:
    """The answer to a :class:`CountRequest` (the body and the headers): ``total`` in its
    header, at its key path, or as the body itself."""
    headers = {count.header: str(total)} if count.header else {}
    if count.at is not None:
        body: dict[str, Any] = {}
        set_path(body, count.at, total)
        return body, headers
    return (None if count.header else total), headers


__all__ = ["PageQuery", "Served", "check_servable", "serve_count", "serve_page"]
