"""Incoming callbacks checked: an HMAC signature of the raw body (with replay protection by a
signed timestamp), and the echo handshake that proves a receiver; pure code, no HTTP client.

Every comparison of a signature or a token is constant-time, and no error message holds the
secret, the expected signature or the shared token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol

import attrs

from clientkit._declarations.errors import (
    DeclarationError,
    HandshakeError,
    InvalidRequestError,
    SignatureError,
)
from clientkit._declarations.keywords import checked_keywords

Secret = str | bytes


class Headers(Protocol):
    """The headers ``verify`` reads: a dict, or requests' or werkzeug's headers."""

    def get(self, key: str, /) -> str | None: ...
    def items(self) -> Iterable[tuple[str, str]]: ...


def _str_dict(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value)

Encoding = Literal["hex", "base64"]
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@checked_keywords
@attrs.frozen
class HmacSignature:
    """How a service signs its callbacks: an HMAC of the raw body (and a timestamp) in a header.

    Attributes:
        header: the header holding the signature (``"X-Hub-Signature-256"``).
        algorithm: a :mod:`hashlib` name (``"sha256"``, ``"sha1"``, ``"sha512"``).
        prefix: text before the signature (``"sha256="``, ``"v0="``).
        encoding: how the signature is spelled: ``"hex"`` or ``"base64"``.
        message: what is signed: ``"{body}"``, or with the timestamp
            (``"v0:{timestamp}:{body}"`` for Slack, ``"{timestamp}.{body}"`` for Stripe).
        timestamp_header: a header holding the signing time, in seconds since the epoch.
        signature_key, timestamp_key: the header is comma-separated ``key=value`` pairs
            (Stripe: ``t=1492774577,v1=5257a8...``); signatures sit under ``signature_key``
            (any one may match, for secrets being rotated), the time under ``timestamp_key``.
        separator: the header holds several signatures split by it (Standard Webhooks:
            ``"v1,sig1 v1,sig2"`` with ``" "``); any one may match, and with a ``prefix`` those
            without it (another scheme version) are skipped. Pairs are split by it too.
        signed_headers: other signed headers, by the placeholder ``message`` signs them at
            (``{"id": "webhook-id"}`` for ``"{id}.{timestamp}.{body}"``).
        key_encoding: how the shared secret is spelled: ``"text"`` (its UTF-8 bytes are the
            key) or ``"base64"`` (the key is the decoded bytes, after ``key_prefix``).
        key_prefix: text before a base64 secret, removed when present (``"whsec_"``).
        tolerance: how far (seconds) the signing time may be from now: older callbacks are
            refused as replays.

    Example:
        >>> GITHUB = HmacSignature(header="X-Hub-Signature-256", prefix="sha256=")
        >>> GITHUB.verify(request.get_data(), request.headers, secret="...")
    """

    header: str
    algorithm: str = "sha256"
    prefix: str = ""
    encoding: Encoding = "hex"
    message: str = "{body}"
    timestamp_header: str | None = None
    signature_key: str | None = None
    timestamp_key: str | None = None
    tolerance: float = 300.0
    separator: str | None = None
    signed_headers: Mapping[str, str] = attrs.field(factory=dict, converter=_str_dict)
    key_encoding: Literal["text", "base64"] = "text"
    key_prefix: str = ""

    def __attrs_post_init__(self) -> None:
        if self.algorithm not in hashlib.algorithms_available:
            raise DeclarationError(f"HmacSignature algorithm {self.algorithm!r} is not a hashlib algorithm")
        if self.encoding not in ("hex", "base64"):
            raise DeclarationError(f"HmacSignature encoding must be 'hex' or 'base64', not {self.encoding!r}")
        if self.message.count("{body}") != 1:
            raise DeclarationError("HmacSignature message must hold {body} once")
        if self.timestamp_key is not None and self.signature_key is None:
            raise DeclarationError("HmacSignature timestamp_key needs signature_key (key=value pairs)")
        stamped = bool(self.timestamp_header or self.timestamp_key)
        if "{timestamp}" in self.message and not stamped:
            raise DeclarationError("HmacSignature message signs {timestamp}: declare where it is")
        if stamped and "{timestamp}" not in self.message:
            raise DeclarationError(
                "HmacSignature message must sign {timestamp} when a signing time is declared: an "
                "unsigned time can be replaced, so old callbacks would pass as fresh"
            )
        if not self.tolerance > 0:
            raise DeclarationError("HmacSignature tolerance must be a positive number of seconds")
        self._check_parts()

    def _check_parts(self) -> None:
        """The signed headers, placeholders, separator and key spelling are consistent."""
        named = set(_PLACEHOLDER.findall(self.message))
        for name in self.signed_headers:
            if name in ("body", "timestamp") or name not in named:
                raise DeclarationError(
                    f"HmacSignature signed_headers[{name!r}] must be a placeholder of message "
                    "other than {body} and {timestamp}"
                )
        unknown = named - {"body", "timestamp", *self.signed_headers}
        if unknown:
            raise DeclarationError(
                f"HmacSignature message names {sorted(unknown)}: declare them in signed_headers"
            )
        if self.separator is not None and not self.separator:
            raise DeclarationError("HmacSignature separator must not be empty")
        if self.key_encoding not in ("text", "base64"):
            raise DeclarationError(
                f"HmacSignature key_encoding must be 'text' or 'base64', not {self.key_encoding!r}"
            )

    def verify(
        self,
        body: bytes,
        headers: Headers,
        secret: Secret | Sequence[Secret],
        *,
        now: float | None = None,
    ) -> None:
        """Check a callback: ``body`` the raw bytes received, ``headers`` its headers (looked
        up ignoring case), ``secret`` the shared secret (or several, while one is rotated).
        Returns nothing; raises :class:`SignatureError` when the check fails."""
        if not isinstance(body, bytes | bytearray | memoryview):
            raise InvalidRequestError(f"verify() takes the raw body bytes, not {type(body).__name__}")
        keys = self._keys(secret)
        value = _header(headers, self.header)
        if value is None:
            raise SignatureError(f"the callback has no {self.header} header")
        candidates, stamp = self._read(value, headers)
        if self.timestamp_header or self.timestamp_key:
            stamp = self._fresh(stamp, time.time() if now is None else now)
        message = self._message(bytes(body), stamp, headers)
        signatures = [s for s in map(self._decode, candidates) if s is not None]
        if not signatures:
            raise SignatureError(f"the {self.header} header holds no {self.encoding} signature")
        found = False
        for key in keys:
            expected = hmac.new(key, message, self.algorithm).digest()
            for signature in signatures:
                found |= hmac.compare_digest(expected, signature)
        if not found:
            raise SignatureError(f"the {self.header} signature does not match the body")

    def _read(self, value: str, headers: Headers) -> tuple[list[str], str | None]:
        """The signatures a header holds (its prefix removed) and the signing time, if any."""
        stamp = _header(headers, self.timestamp_header) if self.timestamp_header else None
        if self.signature_key is None:
            parts = value.split(self.separator) if self.separator else [value]
            found = [part.strip() for part in parts if part.strip()]
        else:
            pairs = [part.strip().partition("=") for part in value.split(self.separator or ",")]
            found = [v.strip() for k, _, v in pairs if k.strip() == self.signature_key]
            if self.timestamp_key is not None:
                stamp = next((v.strip() for k, _, v in pairs if k.strip() == self.timestamp_key), None)
        if self.prefix:
            found = [s.removeprefix(self.prefix) for s in found if s.startswith(self.prefix)]
            if not found:
                raise SignatureError(f"the {self.header} signature does not start with {self.prefix!r}")
        return found, stamp

    def _message(self, body: bytes, stamp: str | None, headers: Headers) -> bytes:
        """The signed bytes: ``message`` with the body, the signing time and signed headers."""
        values = {"timestamp": stamp or ""}
        for name, header in self.signed_headers.items():
            found = _header(headers, header)
            if found is None:
                raise SignatureError(f"the callback has no {header} header (it is signed)")
            values[name] = found
        head, tail = (
            _PLACEHOLDER.sub(lambda m: values[m.group(1)], part).encode()
            for part in self.message.split("{body}")
        )
        return head + body + tail

    def _keys(self, secret: Secret | Sequence[Secret]) -> list[bytes]:
        """The HMAC keys of ``secret`` (one, or several while one is rotated)."""
        secrets = [secret] if isinstance(secret, str | bytes) else list(secret)
        keys = [s.encode() if isinstance(s, str) else bytes(s) for s in secrets]
        if self.key_encoding == "base64":
            keys = [_unbase64(k.removeprefix(self.key_prefix.encode())) for k in keys]
        if not keys or not all(keys):
            raise InvalidRequestError("a webhook secret is empty")
        return keys

    def _fresh(self, stamp: str | None, now: float) -> str:
        """The signing time, refused when missing, not a number or beyond the tolerance."""
        if stamp is None:
            raise SignatureError("the callback has no signing time (its replay protection)")
        try:
            when = float(stamp)
        except ValueError:
            raise SignatureError("the callback's signing time is not a number of seconds") from None
        if not abs(now - when) <= self.tolerance:
            raise SignatureError(
                f"the callback was signed {abs(now - when):.0f} s from now, beyond the tolerance "
                f"of {self.tolerance:g} s (a replay, or clocks apart)"
            )
        return stamp

    def _decode(self, text: str) -> bytes | None:
        try:
            if self.encoding == "hex":
                return bytes.fromhex(text)
            return base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error):
            return None


@checked_keywords
@attrs.frozen
class EchoHandshake:
    """A verification handshake: the service sends a challenge (and the shared token), the
    receiver answers the challenge back; or the service sends a one-time token that the
    receiver has the service ``confirm`` before trusting the call.

    Attributes:
        challenge: the name of the challenge among the incoming values (``None``: nothing is
            echoed, :meth:`answer` gives the incoming values themselves, the call).
        token: the name of the shared verify token (``None``: the service sends none).
        when: the values that make a request this handshake (``{"hub.mode": "subscribe"}``).
        reply: ``None`` to answer the challenge as text; a key to answer ``{key: challenge}``.

    Example:
        >>> WEBSUB = EchoHandshake()                  # ?hub.mode=subscribe&hub.verify_token=...
        >>> WEBSUB.answer(request.args, token="...")  # the hub.challenge, as text
        >>> CALL = EchoHandshake(challenge=None, token="handshakeToken", when={})
        >>> CALL.answer(request.get_data(), confirm=ask_the_service)  # the call, once confirmed
    """

    challenge: str | None = "hub.challenge"
    token: str | None = "hub.verify_token"
    when: Mapping[str, str] = attrs.field(factory=lambda: {"hub.mode": "subscribe"}, converter=_str_dict)
    reply: str | None = None

    def matches(self, values: Mapping[str, Any]) -> bool:
        """Whether ``values`` (a query or a JSON body) are this handshake."""
        return all(_value(values, k) == v for k, v in self.when.items())

    def answer(
        self,
        values: Mapping[str, Any] | bytes | str,
        token: str | None = None,
        confirm: Callable[[str], bool] | None = None,
    ) -> Any:
        """What to answer the handshake in ``values`` (a query, a JSON body or its raw text):
        its challenge (or the values, without one), when its token is ``token`` (compared in
        constant time) or ``confirm(token)`` is true (the service vouches for it); otherwise
        :class:`HandshakeError`."""
        values = self.parse(values)
        for key, wanted in self.when.items():
            if _value(values, key) != wanted:
                raise HandshakeError(f"not a handshake: {key} is not {wanted!r}")
        if self.token is not None:
            self._check(_value(values, self.token), token, confirm)
        if self.challenge is None:
            return dict(values)
        challenge = _value(values, self.challenge)
        if not isinstance(challenge, str) or not challenge:
            raise HandshakeError(f"the handshake has no {self.challenge}")
        return challenge if self.reply is None else {self.reply: challenge}

    @staticmethod
    def parse(values: Mapping[str, Any] | bytes | str) -> Mapping[str, Any]:
        """``values``, a raw JSON body parsed: a handshake is a JSON object or it is refused."""
        if isinstance(values, Mapping):
            return values
        try:
            parsed = json.loads(values)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise HandshakeError("the handshake's body is not a JSON object")
        return parsed

    def _check(self, sent: Any, token: str | None, confirm: Callable[[str], bool] | None) -> None:
        if confirm is not None:
            if not isinstance(sent, str) or not sent:
                raise HandshakeError(f"the handshake has no {self.token}")
            if not confirm(sent):
                raise HandshakeError(f"the service did not confirm the handshake's {self.token}")
            return
        if token is None:
            raise InvalidRequestError(f"the handshake checks {self.token}: pass the shared token or confirm=")
        if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), token.encode()):
            raise HandshakeError(f"the handshake's {self.token} does not match")


def _unbase64(key: bytes) -> bytes:
    """A base64 secret's bytes (padding optional); never the secret in the error."""
    try:
        return base64.b64decode(key + b"=" * (-len(key) % 4), validate=True)
    except (ValueError, binascii.Error):
        raise InvalidRequestError("a webhook secret is not base64, as the signature declares") from None


def _header(headers: Headers, name: str) -> str | None:
    """Header ``name``, whatever its case in ``headers``."""
    found = headers.get(name)
    if found is not None:
        return found
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _value(values: Mapping[str, Any], name: str) -> Any:
    """A value of a query or body; a list of one (``parse_qs``) is that one value."""
    value = values.get(name)
    if isinstance(value, list | tuple):
        return value[0] if len(value) == 1 else None
    return value
