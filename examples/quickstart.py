"""clientkit in one page: declare a service, serve it locally, get, save and list.

Run: python examples/quickstart.py
"""

from __future__ import annotations

from clientkit import Envelope, PageNumber, Resource, Service, TokenAuth, field
from clientkit.sandbox import Sandbox

# --- the declaration: this is all a service package needs ---------------------------------


class Bookshop(Service):
    auth = TokenAuth(scheme="Bearer")
    envelope = Envelope(response="data")
    pagination = PageNumber(items="data", total="count", next="next")


@Bookshop.resource(one="/books/{id}", many="/books")
class Book(Resource):
    id: int | None = field(read_only=True)
    title: str | None = field(required=True)
    author: str | None = None
    tags: list[str] = field(factory=list)
    in_stock: bool | None = field(wire="inStock")


# --- demo data, served by clientkit's sandbox built from the same declaration --------------

TITLES = ["Dune", "Emma", "Ulysses", "Beloved", "Middlemarch", "Walden", "Kim", "Nostromo"]
DATA: dict[str, list[dict[str, object]]] = {
    "Book": [
        {"id": i, "title": t, "author": "?", "tags": [], "inStock": True, "isbn": f"978-{i:04d}"}
        for i, t in enumerate(TITLES * 5, start=1)
    ]
}


def main() -> None:
    sandbox = Sandbox(Bookshop, data=DATA, page_size=10)
    with sandbox as url, Bookshop.connect(url, token="sandbox-token") as shop:
        book = shop.get(Book, 2)
        print(f"get:    {book}")
        book.tags.append("classic")  # in-place edits are tracked too
        book.in_stock = False
        shop.save(book)  # PATCH /books/2 with only what changed
        sent = sandbox.journal.last
        assert sent is not None
        print(f"save:   {sent.method} {sent.path} {sent.json}")
        kept = sandbox.records(Book)[1]["isbn"]
        print(f"        the server kept the field the model does not declare: {kept}")
        books = shop.list(Book, params={"inStock": True})
        titles = [b.title for b in books]
        pages = len(sandbox.journal.entries("GET", "/books"))
        print(f"list:   {len(titles)} books in stock, {books.total} in all, fetched lazily in {pages} pages")


if __name__ == "__main__":
    main()
