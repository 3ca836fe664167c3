"""Paging strategies behind one lazy iterator.

A :class:`Paginator` declares one service's paging style: how the first request
asks for a page, where the items and the total sit, and how the next page is
requested. :class:`Pager` walks any of them lazily, holding one page at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs
import requests

from clientkit.errors import DecodeError, InvalidRequestError, PaginationError
from clientkit.wire import dig, has_path

T = TypeVar("T")
Locator = str | Sequence[str | None] | None


@attrs.frozen
class PageRequest:
    """One page's request: method, path or absolute URL, query pairs and JSON body."""

    method: str = "GET"
    target: str = ""
    params: tuple[tuple[str, Any], ...] = ()
    body: Any = None
    number: int = 0

    def with_params(self, updates: Mapping[str, Any]) -> PageRequest:
        """A copy whose query has ``updates`` set (replacing same-named pairs)."""
        kept = tuple((k, v) for k, v in self.params if k not in updates)
        added = tuple((k, v) for k, v in updates.items() if v is not None)
        return attrs.evolve(self, params=kept + added)

    def with_body(self, updates: Mapping[str, Any]) -> PageRequest:
        """A copy whose JSON object body has ``updates`` set."""
        body = dict(self.body or {})
        body.update(updates)
        return attrs.evolve(self, body=body)

    def param(self, name: str) -> Any:
        for key, value in self.params:
            if key == name:
                return value
        return None


@attrs.frozen
class RawPage:
    """What a paginator sees of one answered page."""

    request: PageRequest
    body: Any
    headers: Mapping[str, str]
    items: list[Any]
    url: str


def locate_items(body: Any, locator: Locator) -> list[Any]:
    """The list of raw items in a page body."""
    if locator is None:
        found = body
    elif isinstance(locator, str):
        found = dig(body, locator)
        if found is None and not has_path(body, locator):
            raise DecodeError(f"the page has no {locator!r} list", excerpt=repr(body)[:200])
    else:
        found = None
        for candidate in locator:
            if candidate is None or has_path(body, candidate):
                found = dig(body, candidate)
                break
    if found is None:
        return []
    if not isinstance(found, list):
        raise DecodeError(f"expected a list of items, got {type(found).__name__}", excerpt=repr(found)[:200])
    return found


@attrs.frozen
class Paginator:
    """The single-page style: the list answer holds every item, nothing to follow.

    Subclasses override :meth:`first`, :meth:`next` and :meth:`total`.

    Attributes:
        items: where the items sit in a page body (``None``: the envelope's list
            payload, or the body itself).
        page_size: the default page size requested (``None``: the server's).
    """

    items: Locator = None
    page_size: int | None = None

    def first(self, request: PageRequest, page_size: int | None) -> PageRequest:
        """The first page's request, built from the list request."""
        return request

    def next(self, page: RawPage) -> PageRequest | None:
        """The next page's request, or ``None`` at the end."""
        return None

    def total(self, page: RawPage) -> int | None:
        """The total number of items, when the service says."""
        return None

    def page_at(self, request: PageRequest, number: int, page_size: int | None) -> PageRequest:
        """The request for page ``number`` (0-based), where the style allows it."""
        raise InvalidRequestError(f"{type(self).__name__} cannot jump to a page; iterate instead")


SinglePage = Paginator


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

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


Fetch = Callable[[PageRequest], tuple[Any, requests.Response]]


class Pager(Generic[T]):
    """A lazy iterator over every item of a list, whatever the paging style.

    Iterating fetches pages on demand and holds only the current one, so memory
    stays flat however long the list is. ``total`` is the service's count when it
    gives one; :meth:`pages` iterates page by page; :meth:`page` fetches one page
    by number where the style allows it; ``max_items`` and ``max_pages`` cap the walk.

    Example:
        >>> for product in session.list(Product, page_size=100, max_items=1000):
        ...     print(product.name)
    """

    def __init__(
        self,
        fetch: Fetch,
        paginator: Paginator,
        request: PageRequest,
        make: Callable[[Any], T],
        *,
        items: Locator = None,
        page_size: int | None = None,
        max_items: int | None = None,
        max_pages: int | None = None,
    ) -> None:
        for name, cap in (("max_items", max_items), ("max_pages", max_pages), ("page_size", page_size)):
            if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
                raise InvalidRequestError(f"{name} must be a positive integer, not {cap!r}")
        self._fetch = fetch
        self._paginator = paginator
        self._page_size = page_size if page_size is not None else paginator.page_size
        self._request = paginator.first(request, self._page_size)
        self._make = make
        self._items = items if paginator.items is None else paginator.items
        self.max_items = max_items
        self.max_pages = max_pages
        self._first: Page[T] | None = None
        self._fingerprint: _Fingerprint | None = None
        self.current_page: Page[T] | None = None

    def _load(self, request: PageRequest, previous: _Fingerprint | None) -> Page[T]:
        body, response = self._fetch(request)
        raw_items = locate_items(body, self._items)
        raw = RawPage(request=request, body=body, headers=response.headers, items=raw_items, url=response.url)
        nxt = self._paginator.next(raw)
        if nxt is not None:
            nxt = attrs.evolve(nxt, number=request.number + 1)
            self._check_progress(request, nxt, raw, previous)
        self._fingerprint = _fingerprint(raw_items)
        make = self._make
        page: Page[T] = Page(
            items=[make(item) for item in raw_items],
            number=request.number,
            total=self._paginator.total(raw),
            request=request,
            next_request=nxt,
            body=body,
            response=response,
        )
        self.current_page = page
        return page

    def _check_progress(
        self, request: PageRequest, nxt: PageRequest, raw: RawPage, previous: _Fingerprint | None
    ) -> None:
        if (nxt.target, nxt.params, nxt.body) == (request.target, request.params, request.body):
            raise PaginationError(
                f"the service asked for the same page again ({request.target}); stopping "
                "instead of looping forever"
            )
        if previous is not None and raw.items and _fingerprint(raw.items) == previous:
            raise PaginationError(
                f"page {request.number + 1} repeats page {request.number}; stopping instead of "
                "looping forever"
            )

    def pages(self) -> Iterator[Page[T]]:
        """Iterate page by page (each page holds its converted items)."""
        request: PageRequest | None = self._request
        previous: _Fingerprint | None = None
        count = 0
        while request is not None:
            if self.max_pages is not None and count >= self.max_pages:
                return
            if count == 0 and self._first is not None:
                page = self._first
                self._first = None
            else:
                page = self._load(request, previous)
            previous = self._fingerprint
            count += 1
            yield page
            request = page.next_request

    def __iter__(self) -> Iterator[T]:
        remaining = self.max_items
        for page in self.pages():
            for item in page.items:
                if remaining is not None:
                    if remaining <= 0:
                        return
                    remaining -= 1
                yield item
            if remaining is not None and remaining <= 0:
                return

    @property
    def total(self) -> int | None:
        """The service's total count (fetches the first page if nothing was fetched yet)."""
        if self.current_page is None:
            self._first = self._load(self._request, None)
        assert self.current_page is not None
        return self.current_page.total

    def first_page(self) -> Page[T]:
        """The first page (fetched now)."""
        return self._load(self._request, None)

    def page(self, number: int) -> Page[T]:
        """Page ``number`` (0-based), for styles that can address pages directly."""
        if number < 0:
            raise InvalidRequestError("page numbers start at 0")
        request = self._paginator.page_at(self._request, number, self._page_size)
        return self._load(attrs.evolve(request, number=number), None)

    def to_list(self) -> list[T]:
        """Every item, materialised (mind the memory on long lists)."""
        return list(self)


_Fingerprint = tuple[int, Any, Any]


def _fingerprint(items: list[Any]) -> _Fingerprint:
    """A cheap identity of a page for the repeat check (holds two items, not the page)."""
    if not items:
        return (0, None, None)
    return (len(items), items[0], items[-1])
