"""Paging styles: how a service asks for a page, and where items, totals and links sit.

Seven styles (single page, page number, offset/limit, cursor, next URL in the body,
``Link`` header, next page in a custom header), each configured by names rather than
code; the client's ``Pager`` walks them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar, Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import attrs

from clientkit._declarations.errors import (
    DeclarationError,
    DecodeError,
    InvalidRequestError,
    PaginationError,
    redacted_cause,
    repr_excerpt,
)
from clientkit._declarations.keypaths import ABSENT, Locator, dig, locate
from clientkit._declarations.keywords import checked_keywords
from clientkit._declarations.redaction import clipped
from clientkit._declarations.wire import is_utf8

Where = Literal["query", "body"]


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
            self.check_body(name)
            return attrs.evolve(self, body={**(self.body or {}), name: value})
        if any(k == name for k, _ in self.params):
            params = tuple((k, value if k == name else v) for k, v in self.params)
        else:
            params = (*self.params, (name, value))
        return attrs.evolve(self, params=params)

    def check_body(self, name: str) -> None:
        """Refuse a body that cannot carry paging parameter ``name`` (not a JSON object)."""
        if self.body is not None and not isinstance(self.body, Mapping):
            raise InvalidRequestError(
                f"paging parameter {name!r} goes in the body: the body must be a JSON object, "
                f"not a {type(self.body).__name__}"
            )

    def get(self, name: str, where: Where = "query") -> Any:
        """The value of parameter ``name`` (``None`` when absent)."""
        if where == "body":
            return (self.body or {}).get(name) if isinstance(self.body, Mapping) else None
        return next((value for key, value in self.params if key == name), None)

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
    links: Sequence[Mapping[str, str]] = ()  # the parsed ``Link`` header


def _params(params: Mapping[str, Any]) -> dict[str, Any]:
    return dict(params)


@attrs.frozen
class CountRequest:
    """Where a list's total comes from when its pages do not say: another request, sent only
    when the total is asked for, with the list's filters (not its paging parameters).

    Attributes:
        method: ``"GET"``, ``"HEAD"`` (the count in a header) or ``"POST"`` (a search count,
            sent the list's body).
        suffix: appended to the list's path (``"/count"``: ``/items/count``); ``""``: the
            list's own path.
        params: parameters of the count request's own (``{"_limit": 0}``), over the list's.
        at: the key path of the count in the answer; header: a header holding it; with
            neither, the answer is the number itself (``42``).

    Example:
        >>> PageNumber(count=CountRequest(method="HEAD", header="X-Total-Count"))
        >>> Cursor(count=CountRequest(suffix="/count", at="count"))
    """

    method: str = "GET"
    suffix: str = ""
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_params)
    at: str | None = None
    header: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.method not in ("GET", "HEAD", "POST"):
            raise DeclarationError(f"CountRequest method must be GET, HEAD or POST, not {self.method!r}")
        if self.method == "HEAD" and (self.header is None or self.at is not None):
            raise DeclarationError("a HEAD CountRequest has no body: name the count's header, not at=")
        if self.suffix and (not self.suffix.startswith("/") or set(self.suffix) & set("?#{}")):
            raise DeclarationError(f"CountRequest suffix must be a path like '/count', not {self.suffix!r}")

    def request(self, listing: PageRequest, paging: Collection[str] = ()) -> PageRequest:
        """The count's request for the list request ``listing``, without the parameters
        named ``paging`` (the style's page, size, offset, cursor) that the caller passed."""
        body = listing.body
        if isinstance(body, Mapping):
            body = {k: v for k, v in body.items() if k not in paging}
        kept = tuple(p for p in listing.params if p[0] not in paging)
        listing = attrs.evolve(listing, params=kept, body=body)
        parts = urlsplit(listing.target)
        target = (
            urlunsplit(parts._replace(path=parts.path.rstrip("/") + self.suffix))
            if self.suffix
            else listing.target
        )
        params = tuple((k, v) for k, v in listing.params if k not in self.params) + tuple(self.params.items())
        body = listing.body if self.method == "POST" else None
        return PageRequest(method=self.method, target=target, params=params, body=body)

    def read(self, body: Any, headers: Mapping[str, str]) -> int:
        """The count in an answer; :class:`DecodeError` when it is not there."""
        if self.header is not None:
            found, where = int_or_none(headers.get(self.header)), f"the {self.header} header"
        else:
            found, where = int_or_none(dig(body, self.at)), f"{self.at!r}" if self.at else "the answer"
        if found is None:
            raise DecodeError(
                f"the count request's answer holds no count in {where}", excerpt=repr_excerpt(body)
            )
        return found


def locate_items(body: Any, locator: Locator) -> list[Any]:
    """The list of raw items in a page body (none when no alternative of ``locator`` is there)."""
    found = locate(body, locator)
    if found is ABSENT and isinstance(locator, str):
        raise DecodeError(f"the page has no {locator!r} list", excerpt=repr_excerpt(body))
    if found is None or found is ABSENT:
        return []
    if not isinstance(found, list):
        raise DecodeError(
            f"expected a list of items, got {type(found).__name__}", excerpt=repr_excerpt(found)
        )
    return found


def _sized(request: PageRequest, name: str | None, where: Where = "query") -> PageRequest:
    """``request`` asking for its page size under ``name`` (when both are known); a size the
    caller passed under ``name`` is kept, and is the size the walk expects."""
    if name and (given := request.get(name, where)) is not None:
        return attrs.evolve(request, size=int_or_none(given))
    if name and request.size is not None:
        return request.set(name, request.size, where)
    return request


def _starting(request: PageRequest, name: str, value: int, where: Where, send: bool) -> PageRequest:
    """``request`` with its first page or offset ``value`` under ``name`` when ``send``; one the
    caller passed is kept (the walk starts there)."""
    if where == "body":
        request.check_body(name)  # refused now, not at the second page
    if not send or request.get(name, where) is not None:
        return request
    return request.set(name, value, where)


def _position(request: PageRequest, name: str, start: int, where: Where) -> int:
    """The page number or offset ``request`` asks for (``start`` when it names none)."""
    current = int_or_none(request.get(name, where))
    return start if current is None else current


def int_or_none(value: Any) -> int | None:
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
        count: a :class:`CountRequest` asking for the total when pages do not carry it.
    """

    items: Locator = None
    page_size: int | None = None
    total: str | None = None
    total_header: str | None = None
    method: str | None = None
    count: CountRequest | None = attrs.field(default=None, kw_only=True)
    _server_driven: ClassVar[bool] = False
    _paging: ClassVar[tuple[str, ...]] = ()  # the attributes naming its paging parameters

    def paging_names(self) -> frozenset[str]:
        """The parameter names the style pages with, which a count request leaves out."""
        return frozenset(n for n in (getattr(self, a) for a in self._paging) if isinstance(n, str))

    def first(self, request: PageRequest) -> PageRequest:
        """The first page's request, built from the list request."""
        return request

    def next_request(self, page: RawPage) -> PageRequest | None:
        """The next page's request, or ``None`` at the end."""
        return None

    def count_of(self, page: RawPage) -> int | None:
        """The total number of items, when the service says."""
        if self.total is not None:
            found = int_or_none(dig(page.body, self.total))
            if found is not None:
                return found
        if self.total_header is not None:
            return int_or_none(page.headers.get(self.total_header))
        return None

    def page_at(self, request: PageRequest, number: int) -> PageRequest:
        """The request for page ``number`` (0-based), where the style allows it."""
        raise InvalidRequestError(f"{type(self).__name__} cannot jump to a page; iterate instead")

    def follows_links(self) -> bool:
        """Whether empty pages may be followed (server-driven styles) rather than end the walk."""
        return self._server_driven

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


@checked_keywords
@attrs.frozen
class PageNumber(Paginator):
    """Numbered pages: ``?page=2&page_size=100``.

    Covers Django REST Framework and BAPP (``count``/``next``/``previous`` in the body:
    ``PageNumber(items="results", total="count", next="next")``) and page + size with a
    total elsewhere (json-server: ``PageNumber(page="_page", size="_limit",
    total_header="X-Total-Count")``). With ``next`` set, the walk ends when that key is
    null; otherwise at an empty or short page, or when the total is reached.

    The first request names no page (servers answer their first one) unless
    ``send_start=True``; a page the caller passes in ``params`` is where the walk starts.

    On a list that changes while it is walked, page numbers shift: an insert before
    the current position repeats an item on the next page, a delete skips one. Use a
    cursor style, or sort by a stable key, where that matters.
    """

    _paging: ClassVar[tuple[str, ...]] = ("page", "size")
    page: str = "page"
    size: str | None = "page_size"
    start: int = 1
    next: str | None = None
    where: Where = "query"
    send_start: bool = False

    def first(self, request: PageRequest) -> PageRequest:
        request = _starting(request, self.page, self.start, self.where, self.send_start)
        return _sized(request, self.size, self.where)

    def next_request(self, page: RawPage) -> PageRequest | None:
        more = page.items and dig(page.body, self.next) if self.next is not None else self._more(page)
        if not more:
            return None
        number = _position(page.request, self.page, self.start, self.where) + 1
        return page.request.set(self.page, number, self.where)

    def page_at(self, request: PageRequest, number: int) -> PageRequest:
        first = _position(request, self.page, self.start, self.where)
        return request.set(self.page, first + number, self.where)


@checked_keywords
@attrs.frozen
class OffsetLimit(Paginator):
    """Offset and limit: ``?offset=200&limit=100``.

    The next offset counts the items actually returned, so a server that caps the
    limit leaves no gaps. ``offset_where``/``limit_where`` place either in the query
    or the JSON body. As with :class:`PageNumber`, the first request names no offset unless
    ``send_start=True``; an offset the caller passes in ``params`` is where the walk starts.
    """

    _paging: ClassVar[tuple[str, ...]] = ("offset", "limit")
    offset: str = "offset"
    limit: str | None = "limit"
    start: int = 0
    offset_where: Where = "query"
    limit_where: Where = "query"
    send_start: bool = False

    def first(self, request: PageRequest) -> PageRequest:
        request = _starting(request, self.offset, self.start, self.offset_where, self.send_start)
        return _sized(request, self.limit, self.limit_where)

    def next_request(self, page: RawPage) -> PageRequest | None:
        if not self._more(page):
            return None
        offset = _position(page.request, self.offset, self.start, self.offset_where) + len(page.items)
        return page.request.set(self.offset, offset, self.offset_where)

    def page_at(self, request: PageRequest, number: int) -> PageRequest:
        if request.size is None:
            raise InvalidRequestError("jumping to a page with offset paging needs a page_size")
        first = _position(request, self.offset, self.start, self.offset_where)
        return request.set(self.offset, first + number * request.size, self.offset_where)


@checked_keywords
@attrs.frozen
class Cursor(Paginator):
    """An opaque cursor from the body: ``?cursor=<next_cursor>``.

    ``cursor`` is the key path of the next cursor (Stripe-style ``"data.-1.id"``
    works too); ``has_more`` the key path of a boolean that says whether to go on.
    A cursor that does not advance raises :class:`PaginationError`.
    """

    _paging: ClassVar[tuple[str, ...]] = ("param", "size")
    _server_driven: ClassVar[bool] = True
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


@checked_keywords
@attrs.frozen
class NextUrl(Paginator):
    """An absolute (or relative) URL of the next page in the body: ``{"next": "https://..."}``.

    The URL must stay on the service's origin; credentials never follow it elsewhere.
    """

    _paging: ClassVar[tuple[str, ...]] = ("size",)
    _server_driven: ClassVar[bool] = True
    next: str = "next"
    size: str | None = None

    def first(self, request: PageRequest) -> PageRequest:
        return _sized(request, self.size)

    def next_request(self, page: RawPage) -> PageRequest | None:
        url = dig(page.body, self.next)
        if not isinstance(url, str) or not url:
            return None
        return page.request.follow(url, page.url)


@checked_keywords
@attrs.frozen
class LinkHeader(Paginator):
    """RFC 8288 ``Link: <https://...?page=3>; rel="next"`` headers (GitHub, json-server).

    ``page`` names the page parameter, for jumping to a page; as with :class:`PageNumber`,
    the first request names none unless ``send_start=True``, and a page the caller
    passes is where the walk starts.
    """

    _paging: ClassVar[tuple[str, ...]] = ("page", "size")
    _server_driven: ClassVar[bool] = True
    rel: str = "next"
    size: str | None = None
    page: str | None = None
    start: int = 1
    send_start: bool = False

    def first(self, request: PageRequest) -> PageRequest:
        if self.page:
            request = _starting(request, self.page, self.start, "query", self.send_start)
        return _sized(request, self.size)

    def next_request(self, page: RawPage) -> PageRequest | None:
        for link in page.links:
            rels = str(link.get("rel", "")).split()
            if self.rel in rels and link.get("url"):
                return page.request.follow(link["url"], page.url)
        return None

    def page_at(self, request: PageRequest, number: int) -> PageRequest:
        if not self.page:
            return super().page_at(request, number)
        return request.set(self.page, _position(request, self.page, self.start, "query") + number)


@checked_keywords
@attrs.frozen
class HeaderNext(Paginator):
    """The next page named in a custom response header.

    The header holds a URL (absolute or relative), or, with ``param`` set, a token to
    send back as that query parameter.
    """

    _paging: ClassVar[tuple[str, ...]] = ("param", "size")
    _server_driven: ClassVar[bool] = True
    header: str = "X-Next-Page"
    param: str | None = None
    size: str | None = None

    def first(self, request: PageRequest) -> PageRequest:
        return _sized(request, self.size)

    def next_request(self, page: RawPage) -> PageRequest | None:
        value = page.headers.get(self.header)
        if not value:
            return None
        if self.param is not None:
            if value == page.request.get(self.param):
                raise PaginationError(f"the {self.header} header did not advance; stopping")
            return page.request.set(self.param, value)
        return page.request.follow(value, page.url)
