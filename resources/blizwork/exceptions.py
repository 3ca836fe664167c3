"""BlizWork's errors: ``RuntimeError``s, as the official convenience calls raise them, that are
clientkit's typed errors too (``except RuntimeError`` and ``except clientkit.APIError`` both work)."""

from __future__ import annotations

from clientkit.errors import APIError


class BlizWorkError(RuntimeError):
    """Every BlizWork API error, as the official client raises it: a ``RuntimeError``."""


class BlizWorkCallError(APIError, BlizWorkError):
    """A call the convenience methods (``get_case``, ``exec``, ``get_dictionary``) found failed:
    ``status``, ``code`` and ``body`` are the answer's, ``reason`` its ``resultMessage``."""
