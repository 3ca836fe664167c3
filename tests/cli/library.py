"""A small service for the command's tests: paged books with actions (one answers a PDF),
chapters under a book, and a context value sent as a header."""

from __future__ import annotations

from typing import Any

from clientkit import Action, Envelope, PageNumber, Resource, Service, TokenAuth, field


class Library(Service):
    """A library of books, for the command's tests."""

    auth = TokenAuth(scheme="Token")
    envelope = Envelope(response="data")
    pagination = PageNumber(items="data", total="count", next="next")
    headers = {"x-shelf": "{shelf}"}
    context = {"shelf": None}


@Library.resource(
    one="/books/{id}",
    many="/books",
    actions={
        "publish": Action("POST", "/books/{id}/publish"),
        "search": Action("GET", "/books/search"),
        "cover": Action("GET", "/books/{id}/cover", answer="bytes", accept="application/pdf"),
        "export": Action("POST", "/books/{id}/export"),
    },
)
class Book(Resource):
    """A book."""

    id: int | None = field(read_only=True)
    title: str | None = field(required=True)
    genre: str | None = None
    year: int | None = None
    secret_note: str | None = field(write_only=True)


@Library.resource(one="/books/{book}/chapters/{id}", many="/books/{book}/chapters", parents=("book",))
class Chapter(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None


@Library.resource(
    one="/shelves/{name}",
    many="/shelves",
    create="/shelves/{name}",
    create_method="PUT",
    identity="name",
    update_method="POST",
)
class Shelf(Resource):
    """A shelf, created by a PUT to its own path (its name is its identity)."""

    name: str | None = None
    room: str | None = None


def books(n: int) -> list[dict[str, Any]]:
    return [
        {"id": i, "title": f"Book {i}", "genre": "novel" if i % 2 else "poem", "year": 1900 + i}
        for i in range(1, n + 1)
    ]


SEED = {
    "Book": books(45),
    "Chapter": [{"book": 1, "id": 1, "title": "One"}, {"book": 1, "id": 2, "title": "Two"}],
}
