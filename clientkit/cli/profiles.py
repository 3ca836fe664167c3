"""Connection profiles: the base URL, credentials and context values a command connects
with, from flags, ``CLIENTKIT_<SERVICE>_<NAME>`` environment variables or a TOML file.

Credential values are held as :class:`~clientkit.redaction.Secret` from the moment they are
read, so no message, log line or ``--verbose`` summary can show them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from clientkit._client.session import Session
from clientkit._declarations.service import Service
from clientkit.errors import InvalidRequestError
from clientkit.redaction import Secret

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: connect() keywords a profile may set besides credentials and context values
SETTINGS = ("base_url", "environment")
#: keywords connect() takes besides credentials (a token store, a credential provider)
NOT_CREDENTIALS = ("store", "credential_provider")


def env_prefix(short: str) -> str:
    """``CLIENTKIT_<SERVICE>_``: the service's short name in capitals, other signs as ``_``."""
    return "CLIENTKIT_" + re.sub(r"\W", "_", short).upper() + "_"


def names_of(service: type[Service]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The credential names the service's auth takes, and its context names."""
    accepts = getattr(service.auth, "accepts", None)
    credentials = tuple(n for n in (accepts() if callable(accepts) else ()) if n not in NOT_CREDENTIALS)
    return credentials, tuple(service.context)


def config_path(given: str | None, environ: Mapping[str, str]) -> Path:
    """The profiles file: ``--config``, ``CLIENTKIT_CONFIG``, else under the XDG config folder."""
    if given or environ.get("CLIENTKIT_CONFIG"):
        return Path(given or environ["CLIENTKIT_CONFIG"]).expanduser()
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "clientkit" / "profiles.toml"


def read_profile(path: Path, name: str, required: bool) -> dict[str, Any]:
    """The table ``name`` of the TOML file ``path`` (``{}`` when optional and absent)."""
    if not path.is_file():
        if required:
            raise InvalidRequestError(f"profile {name!r}: no profiles file at {path}")
        return {}
    try:
        tables = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidRequestError(f"cannot read the profiles file {path}: {exc}") from None
    table = tables.get(name)
    if table is None and required:
        raise InvalidRequestError(f"no profile [{name}] in {path} (it has {sorted(tables)})")
    if table is not None and not isinstance(table, dict):
        raise InvalidRequestError(f"profile [{name}] in {path} is not a table")
    return dict(table or {})


@attrs.frozen
class Connection:
    """What a command connects with; ``sources`` says where each value came from."""

    service: type[Service]
    base_url: str | None
    values: Mapping[str, Any]
    sources: Mapping[str, str]
    secret: frozenset[str]
    prefix: str = "CLIENTKIT_<SERVICE>_"  # of the service's environment variables

    def connect(self) -> Session:
        """Open the session (credentials revealed only here, for the auth strategy)."""
        given: dict[str, Any] = {k: _revealed(v) for k, v in self.values.items()}
        return self.service.connect(self.base_url, **given)

    def describe(self) -> str:
        """One line per value, credentials hidden: for ``--verbose``."""
        lines = [f"service {self.service.__name__}, base URL {self.base_url or '(declared)'}"]
        for name in sorted(self.values):
            shown = "(hidden)" if name in self.secret else repr(self.values[name])
            lines.append(f"  {name} = {shown}  [{self.sources[name]}]")
        return "\n".join(lines)


def _secret_kind(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _revealed(value: Any) -> Any:
    return value.reveal() if isinstance(value, Secret) else value


def resolve(
    service: type[Service],
    short: str,
    flags: Mapping[str, Any],
    *,
    profile: str | None = None,
    config: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Connection:
    """The connection from flags, then the environment, then the profile (the first wins)."""
    env = os.environ if environ is None else environ
    credentials, context = names_of(service)
    known = (*SETTINGS, *credentials, *context)
    name = profile or env.get("CLIENTKIT_PROFILE")
    path = config_path(config, env)
    table = read_profile(path, name or short, required=name is not None)
    expected = table.pop("service", short)
    if expected != short:
        raise InvalidRequestError(f"profile {name!r} is for the service {expected!r}, not {short!r}")
    found: dict[str, tuple[Any, str]] = {k: (v, f"profile [{name or short}]") for k, v in table.items()}
    prefix = env_prefix(short)
    found |= {k: (env[prefix + k.upper()], prefix + k.upper()) for k in known if prefix + k.upper() in env}
    found |= {k: (v, "flag") for k, v in flags.items() if v is not None}
    unknown = sorted(set(found) - set(known))
    if unknown:
        where = ", ".join(sorted({found[k][1] for k in unknown}))
        raise InvalidRequestError(f"{service.__name__} takes no {unknown} ({where}); it takes {list(known)}")
    values = {k: Secret(v) if k in credentials and _secret_kind(v) else v for k, (v, _) in found.items()}
    base_url = values.pop("base_url", None)
    return Connection(
        service=service,
        base_url=str(base_url) if base_url is not None else None,
        values=values,
        sources={k: src for k, (_, src) in found.items()},
        secret=frozenset(credentials),
        prefix=prefix,
    )
