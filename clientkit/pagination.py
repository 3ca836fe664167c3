"""Paging strategies behind one lazy iterator.

A :class:`Paginator` declares one service's paging style: how the first request
asks for a page, where the items and the total sit, and how the next page is
requested. Seven styles are provided (single page, page number, offset/limit,
cursor, next URL in the body, ``Link`` header, next page in a custom header), each
configured by names rather than code. :class:`Pager` walks any of them lazily,
holding one page at a time.
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import parse_qsl, urljoin, urlsplit

import attrs
import requests

from clientkit.errors import DecodeError, InvalidRequestError, PaginationError, redacted_cause, repr_excerpt
from clientkit.redaction import clipped, redact_url
from clientkit.wire import dig, has_path, is_utf8

_orjson: Any
try:  # optional speed-up, installed with the ``fast`` extra
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised when the extra is absent
    _orjson = None

T = TypeVar("T")
Locator = str | Sequence[str | None] | None
Where = Literal["query", "body"]
_MAX_EMPTY_PAGES = 3  # empty pages in a row that still announce a next one: a runaway walk


@attrs.frozen
class PageRequest:
    """One page's request: method, path or absolute URL, query pairs and JSON body.

    ``number`` is the 0-based page index; ``size`` the page size asked for.
    """

    method: str = "GET"
    target: str = ""
    params: tuple[tuple[str, Any], ...] = ()
    body: Any = None
    number: int = 0
    size: int | None = None

    def set(self, name: str, value: Any, where: Where = "query") -> PageRequest:
        """A copy with parameter ``name`` set to ``value`` in the query or the JSON body."""
        if where == "body":
            if self.body is not None and not isinstance(self.body, Mapping):
                raise InvalidRequestError(
                    f"paging parameter {name!r} goes in the body: the body must be a JSON object, "
                    f"not a {type(self.body).__name__}"
                )
            body = dict(self.body or {})
            body[name] = value
            return attrs.evolve(self, body=body)
        if any(k == name for k, _ in self.params):
            params = tuple((k, value if k == name else v) for k, v in self.params)
        else:
            params = (*self.params, (name, value))
        return attrs.evolve(self, params=params)

    def get(self, name: str, where: Where = "query") -> Any:
        """The value of parameter ``name`` (``None`` when absent)."""
        if where == "body":
            return (self.body or {}).get(name) if isinstance(self.body, Mapping) else None
        for key, value in self.params:
            if key == name:
                return value
        return None

    def follow(self, url: str, base: str) -> PageRequest:
        """A request for an absolute (or relative to ``base``) next-page URL."""
        try:
            target = urljoin(base, url)
            parts = urlsplit(target)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as exc:  # "http://[::1", port 99999: not a URL at all
            raise PaginationError(
                f"the next page link {clipped(url, 100)!r} is not a URL: {exc}"
            ) from redacted_cause(exc)
        if parts.scheme.lower() not in ("http", "https") or not is_utf8(target):
            raise PaginationError(f"the next page link {clipped(url, 100)!r} is not an http(s) URL")
        return attrs.evolve(self, target=target, params=())


@attrs.frozen
class RawPage:
    """What a paginator sees of one answered page."""

    request: PageRequest
    body: Any
    headers: Mapping[str, str]
    items: list[Any]
    url: str
    seen: int = 0  # items seen so far, this page included


def locate_items(body: Any, locator: Locator) -> list[Any]:
    """The list of raw items in a page body."""
    if locator is None:
        found = body
    elif isinstance(locator, str):
        if not has_path(body, locator):
            raise DecodeError(f"the page has no {locator!r} list", excerpt=repr_excerpt(body))
        found = dig(body, locator)
    else:
        found = None
        for candidate in locator:
            if candidate is None or has_path(body, candidate):
                found = dig(body, candidate)
                break
    if found is None:
        return []
    if not isinstance(found, list):
        raise DecodeError(
            f"expected a list of items, got {type(found).__name__}", excerpt=repr_excerpt(found)
        )
    return found


@attrs.frozen
class PageQuery:
    """What a server sees of a page request (used by the sandbox)."""

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
        value = _int_or_none(self.get(name, where))
        if value is None or value < 0:
            return default
        return value

    def link(self, **updates: Any) -> str:
        """This request's URL with query parameters replaced."""
        from urllib.parse import urlencode, urlsplit, urlunsplit

        parts = urlsplit(self.url)
        query = {**self.query, **{k: str(v) for k, v in updates.items()}}
        return urlunsplit(parts._replace(query=urlencode(query)))


@attrs.frozen
class Served:
    """One page as a server answers it: the items, body keys to set, headers to send."""

    items: Sequence[Any]
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    headers: Mapping[str, str] = attrs.field(factory=dict)


def _sized(request: PageRequest, name: str | None, where: Where) -> PageRequest:
    """``request`` asking for its page size under ``name`` (when both are known)."""
    if name and request.size is not None:
        return request.set(name, request.size, where)
    return request


def _sibling(path: str, name: str) -> str:
    head, _, _ = path.rpartition(".")
    return f"{head}.{name}" if head else name


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        try:
            return int(value)
        except ValueError:  # more digits than Python converts
            return None
    return None


@attrs.frozen
class Paginator:
    """The single-page style: the list answer holds every item, nothing to follow.

    Attributes:
        items: where the items sit in a page body (``None``: the envelope's list
            payload, or the body itself).
        page_size: the default page size requested (``None``: the server's).
        total: the body key path of the total item count (``"count"``).
        total_header: a response header holding the total (``"X-Total-Count"``).
        method: the HTTP method of page requests (``"POST"`` for search endpoints).
    """

    items: Locator = None
    page_size: int | None = None
    total: str | None = None
    total_header: str | None = None
    method: str | None = None

    def first(self, request: PageRequest) -> PageRequest:
        """The first page's request, built from the list request."""
        return request

    def next_request(self, page: RawPage) -> PageRequest | None:
        """The next page's request, or ``None`` at the end."""
        return None

    def count_of(self, page: RawPage) -> int | None:
        """The total number of items, when the service says."""
        if self.total is not None:
            found = _int_or_none(dig(page.body, self.total))
            if found is not None:
                return found
        if self.total_header is not None:
            return _int_or_none(page.headers.get(self.total_header))
        return None

    def page_at(self, request: PageRequest, number: int) -> PageRequest:
        """The request for page ``number`` (0-based), where the style allows it."""
        raise InvalidRequestError(f"{type(self).__name__} cannot jump to a page; iterate instead")

    def follows_links(self) -> bool:
        """Whether empty pages may be followed (server-driven styles) rather than end the walk."""
        return False

    # -- the server's side (used by the sandbox) ---------------------------------------

    def serve(self, request: PageQuery, items: Sequence[Any]) -> Served:
        """One page of ``items`` as a service of this style answers ``request``."""
        return self._with_total(Served(items=list(items)), len(items))

    def _with_total(self, served: Served, total: int) -> Served:
        meta = dict(served.meta)
        headers = dict(served.headers)
        if self.total:
            meta[self.total] = total
        if self.total_header:
            headers[self.total_header] = str(total)
        return Served(items=served.items, meta=meta, headers=headers)

    def _slice(self, request: PageQuery, items: Sequence[Any], start: int, size: int) -> Served:
        return self._with_total(Served(items=list(items[start : start + size])), len(items))

    def _more(self, page: RawPage) -> bool:
        """Shared end-of-list rules: empty page, total reached, short page."""
        if not page.items:
            return False
        total = self.count_of(page)
        if total is not None and page.seen >= total:
            return False
        size = page.request.size
        return not (total is None and size is not None and len(page.items) < size)


SinglePage = Paginator


@attrs.frozen
class PageNumber(Paginator):
    """Numbered pages: ``?page=2&page_size=100``.

    Covers Django REST Framework and BAPP (``count``/``next``/``previous`` in the body:
    ``PageNumber(items="results", total="count", next="next")``) and page + size with a
    total elsewhere (json-server: ``PageNumber(page="_page", size="_limit",
    total_header="X-Total-Count")``). With ``next`` set, the walk ends when that key is
    null; otherwise at an empty or short page, or when the total is reached.

    On a list that changes while it is walked, page numbers shift: an insert before
    the current position repeats an item on the next page, a delete skips one. Use a
    cursor style, or sort by a stable key, where that matters.
    """

    page: str = "page"
    size: str | None = "page_size"
    start: int = 1
    next: str | None = None
    where: Where = "query"

    def first(self, request: PageRequest) -> PageRequest:
        request = request.set(self.page, self.start, self.where)
        if self.size and request.size is not None:
            request = request.set(self.size, request.size, self.where)
        return request

    def next_request(self, page: RawPage) -> PageRequest | None:
        if self.next is not None:
            if not page.items or not dig(page.body, self.next):
                return None
        elif not self._more(page):
            return None
        current = _int_or_none(page.request.get(self.page, self.where))
        number = (current if current is not None else self.start) + 1
        return page.request.set(self.page, number, self.where)

    def page_at(self, request: PageRequest, number: int) -> PageRequest:
        return request.set(self.page, self.start + number, self.where)

    def serve(self, request: PageQuery, items: Sequence[Any]) -> Served:
        size = request.size(self.size, self.where, self.page_size)
        page = max(request.number(self.page, self.where, self.start), self.start)
        start = (page - self.start) * size
        served = self._slice(request, items, start, size)
        if self.next:
            meta = dict(served.meta)
            more = start + size < len(items)
            meta[self.next] = request.link(**{self.page: page + 1}) if more else None
            meta[_sibling(self.next, "previous")] = (
                request.link(**{self.page: page - 1}) if page > self.start else None
            )
            served = Served(items=served.items, meta=meta, headers=served.headers)
        return served


@attrs.frozen
class OffsetLimit(Paginator):
    """Offset and limit: ``?offset=200&limit=100``.

    The next offset counts the items actually returned, so a server that caps the
    limit leaves no gaps. ``offset_where``/``limit_where`` place either in the query
    or the JSON body; ``send_first_offset=False`` omits the offset on page one.
    """

    offset: str = "offset"
    limit: str | None = "limit"
    start: int = 0
    offset_where: Where = "query"
    limit_where: Where = "query"
    send_first_offset: bool = True

    def first(self, request: PageRequest) -> PageRequest:
        if self.send_first_offset:
            request = request.set(self.offset, self.start, self.offset_where)
        if self.limit and request.size is not None:
            request = request.set(self.limit, request.size, self.limit_where)
        return request

    def next_request(self, page: RawPage) -> PageRequest | None:
        if not self._more(page):
            return None
        current = _int_or_none(page.request.get(self.offset, self.offset_where))
        offset = (current if current is not None else self.start) + len(page.items)
        return page.request.set(self.offset, offset, self.offset_where)

    def page_at(self, request: PageRequest, number: int) -> PageRequest:
        if request.size is None:
            raise InvalidRequestError("jumping to a page with offset paging needs a page_size")
        return request.set(self.offset, self.start + number * request.size, self.offset_where)

    def serve(self, request: PageQuery, items: Sequence[Any]) -> Served:
        size = request.size(self.limit, self.limit_where, self.page_size)
        offset = request.number(self.offset, self.offset_where, self.start) - self.start
        return self._slice(request, items, offset, size)


@attrs.frozen
class Cursor(Paginator):
    """An opaque cursor from the body: ``?cursor=<next_cursor>``.

    ``cursor`` is the key path of the next cursor (Stripe-style ``"data.-1.id"``
    works too); ``has_more`` the key path of a boolean that says whether to go on.
    A cursor that does not advance raises :class:`PaginationError`.
    """

    param: str = "cursor"
    cursor: str = "next_cursor"
    size: str | None = "limit"
    has_more: str | None = None
    where: Where = "query"

    def first(self, request: PageRequest) -> PageRequest:
        return _sized(request, self.size, self.where)

    def next_request(self, page: RawPage) -> PageRequest | None:
        if self.has_more is not None and not dig(page.body, self.has_more):
            return None
        value = dig(page.body, self.cursor)
        if value in (None, ""):
            return None
        if value == page.request.get(self.param, self.where):
            raise PaginationError(f"the cursor did not advance ({self.param}={value!r}); stopping")
        return page.request.set(self.param, value, self.where)

    def serve(self, request: PageQuery, items: Sequence[Any]) -> Served:
        size = request.size(self.size, self.where, self.page_size)
        token = request.get(self.param, self.where)
        from_item = ".-1." in f".{self.cursor}."  # Stripe style: the cursor is the last item's key
        key = self.cursor.rsplit(".", 1)[-1]
        start = 0
        if token not in (None, ""):
            if from_item:
                positions = [i for i, item in enumerate(items) if str(dig(item, key)) == str(token)]
                start = positions[0] + 1 if positions else len(items)
            else:
                start = _int_or_none(str(token).removeprefix("c")) or 0
        end = start + size
        served = self._slice(request, items, start, size)
        meta = dict(served.meta)
        if self.has_more:
            meta[self.has_more] = end < len(items)
        if not from_item:
            meta[self.cursor] = f"c{end}" if end < len(items) else None
        return Served(items=served.items, meta=meta, headers=served.headers)

    def follows_links(self) -> bool:
        return True


@attrs.frozen
class NextUrl(Paginator):
    """An absolute (or relative) URL of the next page in the body: ``{"next": "https://..."}``.

    The URL must stay on the service's origin; credentials never follow it elsewhere.
    """

    next: str = "next"
    size: str | None = None

    def first(self, request: PageRequest) -> PageRequest:
        return _sized(request, self.size, "query")

    def next_request(self, page: RawPage) -> PageRequest | None:
        url = dig(page.body, self.next)
        if not isinstance(url, str) or not url:
            return None
        return page.request.follow(url, page.url)

    def serve(self, request: PageQuery, items: Sequence[Any]) -> Served:
        size = request.size(self.size, "query", self.page_size)
        page = max(request.number("page", "query", 1), 1)
        served = self._slice(request, items, (page - 1) * size, size)
        more = page * size < len(items)
        meta = {**served.meta, self.next: request.link(page=page + 1) if more else None}
        return Served(items=served.items, meta=meta, headers=served.headers)

    def follows_links(self) -> bool:
        return True


@attrs.frozen
class LinkHeader(Paginator):
    """RFC 8288 ``Link: <https://...?page=3>; rel="next"`` headers (GitHub, json-server)."""

    rel: str = "next"
    size: str | None = None
    page: str | None = None
    start: int = 1

    def first(self, request: PageRequest) -> PageRequest:
        if self.page:
            request = request.set(self.page, self.start)
        if self.size and request.size is not None:
            request = request.set(self.size, request.size)
        return request

    def next_request(self, page: RawPage) -> PageRequest | None:
        header = page.headers.get("Link")
        if not header:
            return None
        for link in requests.utils.parse_header_links(header):
            rels = str(link.get("rel", "")).split()
            if self.rel in rels and link.get("url"):
                return page.request.follow(link["url"], page.url)
        return None

    def serve(self, request: PageQuery, items: Sequence[Any]) -> Served:
        page_param, size_param = self.page or "page", self.size or "per_page"
        size = request.size(size_param, "query", self.page_size)
        page = max(request.number(page_param, "query", self.start), self.start)
        served = self._slice(request, items, (page - self.start) * size, size)
        last = self.start + max(0, (len(items) - 1) // size)
        links = [
            f'<{request.link(**{page_param: self.start})}>; rel="first"',
            f'<{request.link(**{page_param: last})}>; rel="last"',
        ]
        if page < last:
            links.insert(0, f'<{request.link(**{page_param: page + 1})}>; rel="{self.rel}"')
        if page > self.start:
            links.append(f'<{request.link(**{page_param: page - 1})}>; rel="prev"')
        return Served(
            items=served.items, meta=served.meta, headers={**served.headers, "Link": ", ".join(links)}
        )

    def page_at(self, request: PageRequest, number: int) -> PageRequest:
        if not self.page:
            return super().page_at(request, number)
        return request.set(self.page, self.start + number)

    def follows_links(self) -> bool:
        return True


@attrs.frozen
class HeaderNext(Paginator):
    """The next page named in a custom response header.

    The header holds a URL (absolute or relative), or, with ``param`` set, a token to
    send back as that query parameter.
    """

    header: str = "X-Next-Page"
    param: str | None = None
    size: str | None = None

    def first(self, request: PageRequest) -> PageRequest:
        return _sized(request, self.size, "query")

    def next_request(self, page: RawPage) -> PageRequest | None:
        value = page.headers.get(self.header)
        if not value:
            return None
        if self.param is not None:
            if value == page.request.get(self.param):
                raise PaginationError(f"the {self.header} header did not advance; stopping")
            return page.request.set(self.param, value)
        return page.request.follow(value, page.url)

    def serve(self, request: PageQuery, items: Sequence[Any]) -> Served:
        size = request.size(self.size, "query", self.page_size)
        param = self.param or "page"
        start = request.number(param, "query", 0)
        served = self._slice(request, items, start, size)
        headers = dict(served.headers)
        if start + size < len(items):
            headers[self.header] = str(start + size) if self.param else request.link(page=start + size)
        return Served(items=served.items, meta=served.meta, headers=headers)

    def follows_links(self) -> bool:
        return True


class CountedList(list[T]):
    """A list that also carries ``count``, ``next`` and ``previous`` (DRF/BAPP style).

    For compatibility layers whose official client returns such lists. Note that the
    ``count`` attribute hides ``list.count()``, as it does in those clients.
    """

    def __init__(
        self,
        items: Iterable[T] = (),
        *,
        count: int | None = 0,
        next: str | None = None,
        previous: str | None = None,
    ) -> None:
        super().__init__(items)
        self.count = count  # type: ignore[assignment]
        self.next = next
        self.previous = previous

    def __repr__(self) -> str:
        return f"{type(self).__name__}(count={self.count}, len={len(self)})"


@attrs.define
class Page(Generic[T]):
    """One page of converted items, with what the service said about it."""

    items: list[T]
    number: int
    total: int | None
    request: PageRequest
    next_request: PageRequest | None
    body: Any = attrs.field(repr=False)
    response: requests.Response | None = attrs.field(repr=False, default=None)

    @property
    def has_next(self) -> bool:
        return self.next_request is not None

    def counted(self, count: str = "count", next: str = "next", previous: str = "previous") -> CountedList[T]:
        """The page as a :class:`CountedList` read from the body's keys."""
        return CountedList(
            self.items,
            count=_int_or_none(dig(self.body, count)),
            next=dig(self.body, next),
            previous=dig(self.body, previous),
        )

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


Fetch = Callable[[PageRequest], tuple[Any, requests.Response]]
Identify = Callable[[Any], Any]
_EXACT_ID_TYPES = frozenset({int})  # identities remembered as they are (others: a digest)


def _digest(value: Any) -> bytes:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).digest()


def _page_digest(items: list[Any]) -> bytes:
    """A digest of every item of a page, exact: their orjson encoding when orjson is
    installed and takes them (five times faster than a repr), their repr otherwise."""
    if _orjson is not None:
        try:
            return hashlib.blake2b(_orjson.dumps(items), digest_size=16).digest()
        except TypeError:  # an integer beyond 64 bits, a converted object
            pass
    return _digest(items)


def _id_key(value: Any) -> Any:
    """What the walk remembers of an item identity, exactly: an integer id as it is, any
    other value as a 16-byte digest of its repr."""
    return value if type(value) is int else _digest(value)


PageIds = array | set  # type: ignore[type-arg]


def _page_ids(items: list[Any], identify: Identify) -> PageIds:
    """The identities of a page's items, compactly: when every one is an integer of 64 bits,
    a sorted ``array`` of them (eight bytes each, built in C); otherwise the set of their
    :func:`_id_key` (``None`` left out)."""
    values = list(map(identify, items))
    if _EXACT_ID_TYPES.issuperset(map(type, values)):  # no None, bool, float or text among them
        try:
            return array("q", sorted(values))
        except OverflowError:  # an id beyond 64 bits
            return set(values)
    return {_id_key(value) for value in values if value is not None}


def _has(known: array, value: int) -> bool:  # type: ignore[type-arg]
    at = bisect_left(known, value)
    return at < len(known) and known[at] == value


def _within(ids: PageIds, known: PageIds) -> bool:
    """Whether every identity in ``ids`` is one in ``known`` (both from :func:`_page_ids`)."""
    if not ids or not known:
        return False
    if isinstance(known, array):
        if isinstance(ids, array) and not (_has(known, ids[0]) and _has(known, ids[-1])):
            return False  # most pages: two probes tell them apart
        return set(known).issuperset(ids)
    return known.issuperset(ids)


def _request_digest(request: PageRequest, base: str) -> bytes:
    """A digest of what ``request`` asks for, however its URL and parameters are spelled."""
    parts = urlsplit(urljoin(base, request.target))
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(str(k), str(v)) for k, v in request.params]
    where = (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/")
    return _digest((request.method, where, sorted(query), request.body))


class _LoopGuard:
    """What one walk has seen, as digests: the requests sent, the pages answered and the
    identities of the items on the first page and on the page before (when items have
    one), so that a walk going round in circles, or through endless empty pages, stops
    with :class:`PaginationError` instead of running forever.

    Pages are compared cheaply first: each page leaves a digest of its length and of its
    first and last items (its *ends*). Only the first page and a page whose ends equal an
    earlier page's pay for a digest of every item, and only those digests are kept; a page
    is a repeat when that exact digest equals an earlier one. So a page repeating the first
    page is refused at once, and so is a page of one or two items (all ends: its ends
    digest is exact); any other loop, which comes round forever, on its second round.
    """

    def __init__(self, style: str, identify: Identify | None = None) -> None:
        self.style = style
        self.identify = identify
        self.requests: dict[bytes, int] = {}
        self.ends: dict[bytes, int] = {}
        self.pages: dict[bytes, int] = {}
        self.first_ids: PageIds = set()
        self.previous_ids: PageIds = set()
        self.empty = 0

    def check(self, request: PageRequest, base: str) -> None:
        """Refuse to send a request this walk has already sent."""
        earlier = self.requests.get(_request_digest(request, base))
        if earlier is not None:
            url = redact_url(urljoin(base, request.target))
            raise PaginationError(
                f"{self.style} paging: page {request.number + 1} asks for {url} again, as page "
                f"{earlier + 1} did; stopping instead of looping forever"
            )

    def record(self, page: Page[Any], items: list[Any]) -> str:
        """Remember an answered page (refusing a repeat or a run of empty ones); its URL."""
        url = page.response.url if page.response is not None and page.response.url else page.request.target
        sent = attrs.evolve(page.request, target=url, params=())
        for key in (_request_digest(page.request, url), _request_digest(sent, url)):
            self.requests.setdefault(key, page.number)
        if items:
            self.empty = 0
            self._refuse_repeat(page, items)
            self._refuse_known_items(page)
            return url
        self.empty += 1
        if self.empty >= _MAX_EMPTY_PAGES and page.next_request is not None:
            raise PaginationError(
                f"{self.style} paging: {self.empty} empty pages in a row (up to page {page.number + 1}) "
                "still announce a next page; stopping"
            )
        return url

    def _refuse_repeat(self, page: Page[Any], items: list[Any]) -> None:
        """A page whose items are exactly an earlier page's, every one of them (see the class)."""
        ends = _page_digest([len(items), items[0], items[-1]])
        earlier = self.ends.setdefault(ends, page.number)
        if earlier == page.number and self.pages:
            return  # ends never seen (and not the first page): not a repeat
        if earlier == page.number or len(items) > 2:  # the first page, or ends not every item
            earlier = self.pages.setdefault(_page_digest(items), page.number)
            if earlier == page.number:
                return
        raise PaginationError(
            f"{self.style} paging: page {page.number + 1} repeats page {earlier + 1} "
            "(the same items); stopping instead of looping forever"
        )

    def _refuse_known_items(self, page: Page[Any]) -> None:
        """A page whose items all have identities the first page or the page before held,
        whatever their other fields say: a server ignoring the page request."""
        if self.identify is None:
            return
        ids = _page_ids(page.items, self.identify)
        if _within(ids, self.previous_ids) or _within(ids, self.first_ids):
            raise PaginationError(
                f"{self.style} paging: page {page.number + 1} holds only items earlier pages "
                "of this walk held (the same ids); the server seems to ignore the page "
                "requested; stopping instead of looping forever"
            )
        if not self.first_ids:
            self.first_ids = ids
        self.previous_ids = ids


class Pager(Generic[T]):
    """A lazy iterator over every item of a list, whatever the paging style.

    Iterating fetches pages on demand and holds only the current one, so memory
    stays flat however long the list is. ``total`` is the service's count when it
    gives one; :meth:`pages` iterates page by page; :meth:`page` fetches one page
    by number where the style allows it; ``max_items`` and ``max_pages`` cap the walk.
    Filters and the page size are carried to every page.

    Guard rails: a request this walk already sent, a page repeating an earlier one item for
    item (the first page at once, another page by the loop's second round: see
    ``docs/pagination.md``), a page whose items all have identities (``identify``: an
    item's id, or ``None``) the first page or the page before held, or a cursor that does
    not advance raises :class:`PaginationError` instead of looping; so do three empty pages
    in a row that still announce a next one.
    ``note`` is told of each response :meth:`concurrent_pages` fetched in a worker, as the
    walk reaches it (the session makes it the caller's ``last_response``).

    Example:
        >>> for product in session.list(Product, page_size=100, max_items=1000):
        ...     print(product.name)
    """

    def __init__(
        self,
        fetch: Fetch,
        paginator: Paginator,
        request: PageRequest,
        make: Callable[..., T],
        *,
        level: Any = None,
        items: Locator = None,
        page_size: int | None = None,
        max_items: int | None = None,
        max_pages: int | None = None,
        identify: Identify | None = None,
        note: Callable[[requests.Response], None] | None = None,
    ) -> None:
        for name, cap in (("max_items", max_items), ("max_pages", max_pages), ("page_size", page_size)):
            if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
                raise InvalidRequestError(f"{name} must be a positive integer, not {cap!r}")
        self._fetch = fetch
        self._paginator = paginator
        size = page_size if page_size is not None else paginator.page_size
        if paginator.method:
            request = attrs.evolve(request, method=paginator.method.upper())
        self._request = paginator.first(attrs.evolve(request, size=size))
        self._make = make
        self._level = level
        self._items = items if paginator.items is None else paginator.items
        self.max_items = max_items
        self.max_pages = max_pages
        self._identify = identify
        self._note = note
        self._first: Page[T] | None = None
        self.current_page: Page[T] | None = None

    def _load(self, request: PageRequest, seen: int) -> tuple[Page[T], RawPage]:
        self.current_page = None
        body, response = self._fetch(request)
        raw_items = locate_items(body, self._items)
        raw = RawPage(
            request=request,
            body=body,
            headers=response.headers,
            items=raw_items,
            url=response.url or request.target,
            seen=seen + len(raw_items),
        )
        nxt = self._paginator.next_request(raw)
        if nxt is not None:
            nxt = attrs.evolve(nxt, number=request.number + 1)
        make, level = self._make, self._level
        page: Page[T] = Page(
            items=[make(item, level) for item in raw_items],
            number=request.number,
            total=self._paginator.count_of(raw),
            request=request,
            next_request=nxt,
            body=body,
            response=response,
        )
        self.current_page = page
        return page, raw

    def pages(self) -> Iterator[Page[T]]:
        """Iterate page by page (each page holds its converted items)."""
        return self._walk(self._request, self._guard(), count=0, seen=0, base=None)

    def _guard(self) -> _LoopGuard:
        return _LoopGuard(type(self._paginator).__name__, self._identify)

    def _walk(
        self, request: PageRequest | None, guard: _LoopGuard, *, count: int, seen: int, base: str | None
    ) -> Iterator[Page[T]]:
        """The pages from ``request`` on; ``count`` pages and ``seen`` items came before."""
        while request is not None:
            if self.max_pages is not None and count >= self.max_pages:
                return
            if base is not None:
                guard.check(request, base)
            if count == 0 and self._first is not None:
                page, raw_items = self._first, _fingerprint_items(self._first)
                self._first = None
            else:
                page, raw = self._load(request, seen)
                raw_items = raw.items
            base = guard.record(page, raw_items)
            seen += len(raw_items)
            count += 1
            yield page
            request = page.next_request
            follow = bool(raw_items) or self._paginator.follows_links()
            page = raw_items = None  # type: ignore[assignment]
            raw = None  # type: ignore[assignment]
            if request is not None and not follow:
                return

    def __iter__(self) -> Iterator[T]:
        remaining = self.max_items
        pages = self.pages()
        while (page := next(pages, None)) is not None:
            items, page = page.items, None  # free the page before the next one is fetched
            if remaining is None:
                yield from items
            else:
                for item in items:
                    if remaining <= 0:
                        return
                    remaining -= 1
                    yield item
                if remaining <= 0:
                    return
            items = None  # type: ignore[assignment]

    @property
    def total(self) -> int | None:
        """The service's total count (fetches the first page if nothing was fetched yet)."""
        if self.current_page is None:
            self._first, _ = self._load(self._request, 0)
        assert self.current_page is not None
        return self.current_page.total

    def first_page(self) -> Page[T]:
        """The first page (fetched now)."""
        return self._load(self._request, 0)[0]

    def page(self, number: int) -> Page[T]:
        """Page ``number`` (0-based), for styles that can address pages directly."""
        if number < 0:
            raise InvalidRequestError("page numbers start at 0")
        request = self._paginator.page_at(self._request, number)
        size = self._request.size or 0
        return self._load(attrs.evolve(request, number=number), number * size)[0]

    def to_list(self) -> list[T]:
        """Every item, materialised (mind the memory on long lists)."""
        return list(self)

    def concurrent_pages(self, workers: int = 4) -> Iterator[Page[T]]:
        """Every page, in order, fetched up to ``workers`` at a time.

        The first page is fetched alone: it gives the total and the stride (how many items
        the server really returns per page, so a server that caps the page size leaves no
        gaps). The rest are requested by position, with at most a small window of pages in
        memory. Styles that cannot address pages, or lists without a total, are walked one
        page after another instead.
        """
        from clientkit import bulk

        first, _ = self._load(self._request, 0)
        yield first
        stride, total = len(first.items), first.total
        if first.next_request is None or stride == 0 or self.max_pages == 1:
            return
        try:
            self._paginator.page_at(self._request, 1)
            addressable = True
        except InvalidRequestError:
            addressable = False
        guard = self._guard()
        base = guard.record(first, _fingerprint_items(first))
        if total is None or not addressable:
            yield from self._walk(first.next_request, guard, count=1, seen=stride, base=base)
            return
        count = -(-(total - stride) // stride)
        if self.max_pages is not None:
            count = min(count, self.max_pages - 1)
        start = attrs.evolve(self._request, size=stride)

        def fetch(number: int) -> Page[T]:
            request = self._paginator.page_at(start, number)
            return self._load(attrs.evolve(request, number=number), number * stride)[0]

        outcomes = bulk.run(fetch, range(1, count + 1), workers=workers)
        try:
            for outcome in outcomes:
                page = outcome.unwrap()
                if self._note is not None and page.response is not None:
                    self._note(page.response)  # fetched in a worker: the caller's last response
                if not page.items:
                    return  # past the real end, whatever the count said
                guard.record(page, _fingerprint_items(page))
                yield page
                if len(page.items) < stride:
                    return
        finally:
            outcomes.close()  # type: ignore[attr-defined]


def by_fields(names: Sequence[str]) -> Identify:
    """An ``identify`` for raw items: the values at ``names`` (``None`` when all are missing)."""

    def identify(item: Any) -> Any:
        values = tuple(dig(item, name) if isinstance(item, Mapping) else None for name in names)
        return None if all(v is None for v in values) else values

    return identify


def _fingerprint_items(page: Page[Any]) -> list[Any]:
    """The raw items of an already converted page (their wire snapshots)."""
    return [getattr(item, "_ck_raw", item) for item in page.items]
