"""Pages and pagers, and the parts a custom paging style is built from (see docs/pagination.md)."""

from clientkit._client.pager import (
    CountedList,
    Page,
    Pager,
)
from clientkit._declarations.paging import (
    CountRequest,
    Cursor,
    HeaderNext,
    LinkHeader,
    NextUrl,
    OffsetLimit,
    PageNumber,
    PageRequest,
    Paginator,
    RawPage,
    SinglePage,
)

__all__ = [
    "CountRequest",
    "CountedList",
    "Cursor",
    "HeaderNext",
    "LinkHeader",
    "NextUrl",
    "OffsetLimit",
    "Page",
    "PageNumber",
    "PageRequest",
    "Pager",
    "Paginator",
    "RawPage",
    "SinglePage",
]
