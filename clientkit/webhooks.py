"""Checking incoming callbacks (webhooks): HMAC signatures of the raw body, with replay
protection, and echo handshakes (see docs/webhooks.md). Their errors sit in
:mod:`clientkit.errors`: :class:`SignatureError`, :class:`HandshakeError`."""

from clientkit._declarations.webhooks import EchoHandshake, HmacSignature

__all__ = ["EchoHandshake", "HmacSignature"]
