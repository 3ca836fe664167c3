"""A local emulator of declared services, served on 127.0.0.1."""

from clientkit.sandbox.server import ServerThread

__all__ = ["ServerThread"]
