"""Answers that are not JSON: a response checked against the media types a call accepts,
and its body as the declared kind (bytes or text)."""

from __future__ import annotations

from collections.abc import Sequence

import requests

from clientkit._declarations.answers import Answer
from clientkit._declarations.errors import UnexpectedContentType, excerpt_of


def refuse_unaccepted(
    resp: requests.Response, answer: Answer, method: str, excerpt: bytes | None = None
) -> None:
    """Raise :class:`UnexpectedContentType` when ``resp``'s type is not one ``answer`` accepts.

    ``excerpt`` is the start of the body when it is streamed (else the body is read)."""
    ctype = resp.headers.get("Content-Type")
    why = answer.refusal(ctype)
    if why is None:
        return
    start = excerpt if excerpt is not None else resp.content
    resp.close()
    raise UnexpectedContentType(
        f"unexpected answer: {why}",
        status=resp.status_code,
        content_type=ctype,
        excerpt=excerpt_of(start),
        method=method,
        url=resp.url,
    )


def text_of(resp: requests.Response) -> str:
    """The body as text, decoded by the response's charset, else UTF-8."""
    charset = requests.utils.get_encoding_from_headers(resp.headers)
    if charset is None or "charset" not in resp.headers.get("Content-Type", "").lower():
        charset = "utf-8"
    try:
        return resp.content.decode(charset, "replace")
    except LookupError:  # an unknown charset
        return resp.content.decode("utf-8", "replace")


def accepted(accept: str | Sequence[str] | None) -> Answer | None:
    """The check a call's ``accept=`` asks for (``None``: accept anything)."""
    if not accept:
        return None
    return Answer("bytes", tuple([accept] if isinstance(accept, str) else accept))
