"""Answers that are not JSON, streamed bodies, downloads and uploads (see ``docs/files.md``)."""

from clientkit._client.downloads import Downloaded
from clientkit._client.streams import Stream
from clientkit._declarations.answers import Answer
from clientkit._declarations.files import File, requests_files
from clientkit._declarations.progress import Progress

__all__ = [
    "Answer",
    "Downloaded",
    "File",
    "Progress",
    "Stream",
    "requests_files",
]
