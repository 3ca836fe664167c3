"""Services found by name: a package shipped in ``clientkit_services`` or any ``module:Class``."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Callable
from typing import Any

from clientkit._declarations.service import Service
from clientkit.errors import ClientKitError


class UnknownService(ClientKitError, LookupError):
    """A name that names no declared service."""


def shipped() -> list[str]:
    """The short names of the service packages shipped in ``clientkit_services``."""
    try:
        services = importlib.import_module("clientkit_services")
    except ImportError:  # pragma: no cover - installed without the service packages
        return []
    return sorted(m.name for m in pkgutil.iter_modules(services.__path__) if m.ispkg)


def _import(module_name: str, name: str) -> Any:
    """Import ``module_name`` with the current folder importable, as ``python -m`` would."""
    here = os.getcwd()
    if here not in sys.path and "" not in sys.path:
        sys.path.insert(0, here)
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise UnknownService(
                f"{name!r}: no module {exc.name!r} in the current folder or the installed packages"
            ) from None
        raise UnknownService(f"{name!r}: importing {module_name} failed: {exc}") from None


def load_service(name: str) -> tuple[type[Service], Callable[..., Any] | None]:
    """The service class named ``name``, and its package's sandbox factory if it has one.

    ``name`` is ``module:ServiceClass`` (the module may sit in the current folder) or the
    short name of a package in ``clientkit_services`` exposing ``SERVICE`` and, optionally, ``SANDBOX``.
    """
    factory = None
    if ":" in name:
        module_name, _, attr = name.partition(":")
        service = getattr(_import(module_name, name), attr, None)
    elif name in shipped():
        module = _import(f"clientkit_services.{name}", name)
        service = getattr(module, "SERVICE", None)
        factory = getattr(module, "SANDBOX", None)
    else:
        known = ", ".join(shipped()) or "none"
        raise UnknownService(f"unknown service {name!r}: give module:ServiceClass or one of {known}")
    if not (isinstance(service, type) and issubclass(service, Service)):
        raise UnknownService(f"{name!r} does not name a clientkit service")
    return service, factory if callable(factory) else None
