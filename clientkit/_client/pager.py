"""The lazy pager: walks any paging style one page at a time, with guard rails
against loops, and fetches numbered pages concurrently when the style allows."""

from __future__ import annotations

import functools
import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urljoin, urlsplit

import attrs
import requests

from clientkit._client import bulk
from clientkit._client.bounds import Bounds, reporting
from clientkit._declarations.errors import InvalidRequestError, PaginationError
from clientkit._declarations.frames import forgets_locals
from clientkit._declarations.keypaths import Locator, dig
from clientkit._declarations.paging import (
    PageRequest,
    Paginator,
    RawPage,
    int_or_none,
    locate_items,
)
from clientkit._declarations.progress import Cancel, OnProgress
from clientkit._declarations.redaction import redact_url

_orjson: Any
try:  # optional speed-up, installed with the ``fast`` extra
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised when the extra is absent
    _orjson = None

T = TypeVar("T")
_MAX_EMPTY_PAGES = 3  # empty pages in a row that still announce a next one: a runaway walk


class CountedList(list[T]):
    """A list that also carries ``count``, ``next`` and ``previous`` (DRF/BAPP style), for
    compatibility layers; ``count`` hides ``list.count()``, as it does in those clients."""

    count: int | None  # type: ignore[assignment]

    def __init__(
        self,
        items: Iterable[T] = (),
        *,
        count: int | None = 0,
        next: str | None = None,
        previous: str | None = None,
    ) -> None:
        super().__init__(items)
        self.count = count
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
    response: requests.Response = attrs.field(repr=False)

    @property
    def has_next(self) -> bool:
        return self.next_request is not None

    def counted(self, count: str = "count", next: str = "next", previous: str = "previous") -> CountedList[T]:
        """The page as a :class:`CountedList` read from the body's keys."""
        return CountedList(
            self.items,
            count=int_or_none(dig(self.body, count)),
            next=dig(self.body, next),
            previous=dig(self.body, previous),
        )

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        total = "" if self.total is None else f" of {self.total}"
        more = "more to fetch" if self.has_next else "the last page"
        return f"<Page number={self.number}: {len(self.items)} items{total}, {more}>"


Fetch = Callable[[PageRequest], tuple[Any, requests.Response]]
Identify = Callable[[Any], Any]
_EXACT_ID_TYPES = frozenset({int})  # identities remembered as they are (others: a digest)


def _digest(value: Any) -> bytes:
    """A 16-byte digest of ``value``'s repr: what a walk remembers of a page or an identity."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).digest()


def _page_digest(items: list[Any]) -> bytes:
    """A digest of every item of a page: of their orjson encoding when it takes them (five
    times faster than a repr), of their repr otherwise."""
    if _orjson is not None:
        try:
            return hashlib.blake2b(_orjson.dumps(items), digest_size=16).digest()
        except TypeError:  # an integer beyond 64 bits, a converted object
            pass
    return _digest(items)


PageIds = array | set  # type: ignore[type-arg]


def _page_ids(items: list[Any], identify: Identify) -> PageIds:
    """The identities of a page's items, compactly: a sorted ``array`` when every one is a
    64-bit integer; otherwise a set of integers as they are and digests of the rest."""
    values = list(map(identify, items))
    if _EXACT_ID_TYPES.issuperset(map(type, values)):  # no None, bool, float or text among them
        try:
            return array("q", sorted(values))
        except OverflowError:  # an id beyond 64 bits
            return set(values)
    return {value if type(value) is int else _digest(value) for value in values if value is not None}


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
    """What one walk has seen, as digests (requests sent, pages answered, the item identities
    of the first page and the page before), so a walk going round in circles or through
    endless empty pages stops with :class:`PaginationError`.

    Pages are compared cheaply first, by a digest of their length and first and last items
    (their *ends*); only the first page and a page whose ends match an earlier page's pay
    for a digest of every item. So a repeat of the first page (or of a page of one or two
    items) is refused at once, any other loop on its second round.
    """

    def __init__(self, style: str, identify: Identify | None = None, unsized: bool = False) -> None:
        self.style = style
        self.identify = identify
        self.unsized = unsized  # no page size asked: a server may answer its whole list at once
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
        url = page.response.url or page.request.target
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
                + (
                    " (no page size was asked, so the first page may have been the whole list: "
                    "pass page_size=, or declare page_size= on the paging style)"
                    if self.unsized
                    else ""
                )
            )
        if not self.first_ids:
            self.first_ids = ids
        self.previous_ids = ids


class Pager(Generic[T]):
    """A lazy iterator over every item of a list, whatever the paging style.

    Pages are fetched on demand and only the current one is held, so memory stays flat.
    ``max_items`` and ``max_pages`` cap the walk; filters and the page size are carried to
    every page. A walk that loops (see :class:`_LoopGuard` and docs/pagination.md; ``identify``
    gives an item's id, or ``None``) raises :class:`PaginationError`. ``note`` is told of
    each response :meth:`concurrent_pages` fetched in a worker, as the walk reaches it.
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
        self._listing = request  # the filters, without paging: what a count request carries
        self._counted: int | None = None
        self._request = paginator.first(attrs.evolve(request, size=size))
        if page_size is not None and self._request.size != page_size:
            raise InvalidRequestError(
                f"page_size={page_size} disagrees with the page size passed in the parameters "
                f"({self._request.size!r}); give one of them"
            )
        self._make = make
        self._level = level
        self._items = items if paginator.items is None else paginator.items
        self.max_items = max_items
        self.max_pages = max_pages
        self._identify = identify
        self._note = note
        self._first: Page[T] | None = None
        self.current_page: Page[T] | None = None

    def __repr__(self) -> str:
        paging = type(self._paginator).__name__
        where = f"{self._listing.method} {urlsplit(self._listing.target).path}"
        return f"<Pager {where} ({paging}, lazy: iterate, or list() it, to fetch the pages)>"

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
            links=tuple(requests.utils.parse_header_links(response.headers.get("Link") or "")),
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
        return _cleared(self._walk(self._request, self._guard(), count=0, seen=0, base=None))

    def _guard(self) -> _LoopGuard:
        return _LoopGuard(type(self._paginator).__name__, self._identify, self._request.size is None)

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

    @forgets_locals  # a failing fetch leaves no query key in the frames it passed
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
    @forgets_locals
    def total(self) -> int | None:
        """The service's total count: the one pages carry (the first page is fetched if
        nothing was yet), or, when the style declares a :class:`CountRequest` and no page
        fetched says, the count request's answer (sent once, only now)."""
        count = self._paginator.count
        if count is not None and (self.current_page is None or self.current_page.total is None):
            if self._counted is None:
                body, response = self._fetch(count.request(self._listing, self._paginator.paging_names()))
                self._counted = count.read(body, response.headers)
            return self._counted
        if self.current_page is None:
            self._first, _ = self._load(self._request, 0)
        assert self.current_page is not None
        return self.current_page.total

    @forgets_locals
    def first_page(self) -> Page[T]:
        """The first page (fetched now)."""
        return self._load(self._request, 0)[0]

    @forgets_locals
    def page(self, number: int) -> Page[T]:
        """Page ``number`` (0-based), for styles that can address pages directly."""
        if number < 0:
            raise InvalidRequestError("page numbers start at 0")
        return self._nth(self._request, number)

    def _nth(self, start: PageRequest, number: int) -> Page[T]:
        """Page ``number`` of the walk from ``start``, asked for by its position."""
        request = self._paginator.page_at(start, number)
        return self._load(attrs.evolve(request, number=number), number * (start.size or 0))[0]

    def to_list(self) -> list[T]:
        """Every item, materialised (mind the memory on long lists)."""
        return list(self)

    def concurrent_pages(
        self,
        workers: int = 4,
        *,
        deadline: float | None = None,
        cancel: Cancel | None = None,
        progress: OnProgress | None = None,
    ) -> Iterator[Page[T]]:
        """Every page, in order, fetched up to ``workers`` at a time.

        The first page, fetched alone, gives the total and the stride (the items the server
        really returns per page, so a capped page size leaves no gaps); the rest are asked
        for by position. Styles that cannot address pages, or lists without a total, are
        walked one page after another instead. ``deadline`` (seconds, from this call) bounds
        the walk and every request in it, ``cancel`` stops it (:class:`RequestTimeout`,
        :class:`Cancelled`); ``progress`` gets ``Progress(pages done, pages in all or None,
        detail=page)``.
        """
        bounds = Bounds.of(deadline, cancel, what="fetching pages", unit="pages")
        return _cleared(reporting(self._concurrent(workers, bounds), progress, bounds))

    def _concurrent(self, workers: int, bounds: Bounds) -> Iterator[Page[T]]:
        """The pages of :meth:`concurrent_pages`; ``bounds.total`` the number of pages in
        all, once known (``None`` when they are walked one after another)."""
        with bounds.step(0):
            first, _ = self._load(self._request, 0)
        stride, total = len(first.items), first.total
        if first.next_request is None or stride == 0 or self.max_pages == 1:
            bounds.total = 1
            yield first
            return
        try:
            self._paginator.page_at(self._request, 1)
        except InvalidRequestError:
            total = None  # pages cannot be addressed: walked one after another
        else:
            if total is None and self._paginator.count is not None:
                with bounds.step(1):
                    total = self.total
        guard = self._guard()
        base = guard.record(first, _fingerprint_items(first))
        if total is None:
            yield first
            walk = self._walk(first.next_request, guard, count=1, seen=stride, base=base)
            yield from _bounded(walk, bounds)
            return
        count = -(-(total - stride) // stride)
        if self.max_pages is not None:
            count = min(count, self.max_pages - 1)
        bounds.total = count + 1
        yield first
        fetch = functools.partial(self._nth, attrs.evolve(self._request, size=stride))
        outcomes = bulk.run_within(bounds, fetch, range(1, count + 1), workers=workers, done=1)
        try:
            for outcome in outcomes:
                page = outcome.unwrap()
                if self._note is not None:
                    self._note(page.response)  # fetched in a worker: the caller's last response
                if not page.items:
                    return  # past the real end, whatever the count said
                guard.record(page, _fingerprint_items(page))
                yield page
                if len(page.items) < stride:
                    return
        finally:
            outcomes.close()  # type: ignore[attr-defined]


@forgets_locals
def _cleared(pages: Iterator[Page[T]]) -> Iterator[Page[T]]:
    """The ``pages``, their errors leaving no locals in the frames they passed."""
    return (yield from pages)


def _bounded(walk: Iterator[Page[T]], bounds: Bounds) -> Iterator[Page[T]]:
    """The pages of a walk one after another, each fetched within ``bounds``."""
    done = 1
    while True:
        with bounds.step(done):
            page = next(walk, None)
        if page is None:
            return
        done += 1
        yield page


def by_fields(names: Sequence[str]) -> Identify:
    """An ``identify`` for raw items: the values at ``names`` (``None`` when all are missing)."""

    def identify(item: Any) -> Any:
        values = tuple(dig(item, name) if isinstance(item, Mapping) else None for name in names)
        return None if all(v is None for v in values) else values

    return identify


def _fingerprint_items(page: Page[Any]) -> list[Any]:
    """The raw items of an already converted page (their wire snapshots)."""
    return [getattr(item, "_ck_raw", item) for item in page.items]
