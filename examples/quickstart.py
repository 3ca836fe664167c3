"""clientkit in one page: declare a service, serve it locally, get, save and list.

Run: python examples/quickstart.py
"""

from __future__ import annotations

import json
from itertools import count
from typing import Any

from werkzeug.wrappers import Request, Response

from clientkit import Envelope, Resource, Service, TokenAuth, field
from clientkit.sandbox import ServerThread

# --- the declaration: this is all a service package needs -----------------------------


class Bookshop(Service):
    auth = TokenAuth(scheme="Bearer")
    envelope = Envelope(response="data")


@Bookshop.resource(one="/books/{id}", many="/books")
class Book(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
    author: str | None = None
    tags: list[str] = field(factory=list)
    in_stock: bool | None = field(wire="inStock")


# --- a tiny local server for the demo (later: clientkit's sandbox) ---------------------

BOOKS: dict[int, dict[str, Any]] = {}
_ids = count(1)
for title, author in [("Dune", "Herbert"), ("Emma", "Austen"), ("Ulysses", "Joyce")]:
    i = next(_ids)
    BOOKS[i] = {
        "id": i,
        "title": title,
        "author": author,
        "tags": [],
        "inStock": True,
        "isbn": f"978-0-00-00000{i}-0",
    }


def app(environ: dict[str, Any], start_response: Any) -> Any:
    req = Request(environ)
    if req.headers.get("Authorization") != "Bearer demo-token":
        return Response(json.dumps({"message": "bad token"}), 401)(environ, start_response)
    parts = req.path.strip("/").split("/")
    if parts == ["books"] and req.method == "GET":
        body: Any = {"data": list(BOOKS.values())}
    elif len(parts) == 2 and int(parts[1]) in BOOKS:
        book = BOOKS[int(parts[1])]
        if req.method == "PATCH":
            book.update(req.get_json())
        body = {"data": book}
    else:
        return Response(json.dumps({"message": "not found"}), 404)(environ, start_response)
    resp = Response(json.dumps(body), content_type="application/json")
    return resp(environ, start_response)


def main() -> None:
    with ServerThread(app) as url, Bookshop.connect(url, token="demo-token") as shop:
        book = shop.get(Book, 2)
        print(f"get:   {book}")
        book.tags.append("classic")  # in-place edits are tracked too
        book.in_stock = False
        shop.save(book)  # PATCH /books/2 {"tags": ["classic"], "inStock": false}
        print(
            f"saved: {shop.last_response.request.method} {shop.last_response.request.path_url} "
            f"{shop.last_response.request.body!r}"
        )
        print("the server kept the field the model does not declare:", BOOKS[2]["isbn"])
        for b in shop.list(Book):
            print(f"list:  #{b.id} {b.title} by {b.author} tags={b.tags}")


if __name__ == "__main__":
    main()
