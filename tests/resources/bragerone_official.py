"""Runs scenarios with the official py-bragerone client (Python 3.13, asynchronous) against a
sandbox: ``python bragerone_official.py <sandbox url> <scenario>``. Run by
test_bragerone_parity.py, which runs the same scenarios with clientkit_services.bragerone and
compares what the sandbox received. Not imported by the test suite itself."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

EMAIL, PASSWORD, DEVID = "jan@example.com", "demo-password", "FTTCTBSLCE"


async def _assets(c: Any, url: str) -> None:
    await c.fetch_text_one("assets/index-4f2a.js")
    await c.fetch_json_one("/assets/i18n/pl/parameters.json")
    await c.fetch_text_one("")


async def _bytes(c: Any, url: str) -> None:
    await c.get_bytes(url + "/assets/index-4f2a.js")
    await c.get_bytes(url + "/assets/index-4f2a.js")


async def _connect(c: Any, url: str) -> None:
    await c.modules_connect("ns-1", [DEVID, DEVID], group_id=1234, engine_sid="eng-1")
    await c.modules_connect("ns-2", [DEVID])


async def _commands(c: Any, url: str) -> None:
    await c.module_command(
        devid=DEVID, pool="P4", parameter="v8", value=61, parameter_name="PARAM_66", unit=1
    )
    await c.module_command(
        devid=DEVID, pool="P4", parameter="v1", value=None, extra_payload={"value": "é", "x": 1}
    )
    await c.module_command_auto(devid=DEVID, pool="P5", parameter="s0", value=0, return_data=True)


async def _raw(c: Any, url: str) -> None:
    await c.module_command_raw(devid=DEVID, command="MODULE_RESTART", value="ONLINE")
    await c.module_command_raw(devid=DEVID, command="MODULE_OFF", extra_payload={"source": "app"})
    await c.module_command_auto(devid=DEVID, command="MODULE_RESTART")


SCENARIOS: dict[str, Callable[[Any, str], Awaitable[Any]]] = {
    "1 login": lambda c, url: c.ensure_auth(EMAIL, PASSWORD),
    "2 revoke": lambda c, url: c.revoke(),
    "3 system version": lambda c, url: c.get_system_version(),
    "4 user": lambda c, url: c.get_user(),
    "5 user permissions": lambda c, url: c.get_user_permissions(),
    "6 objects": lambda c, url: c.get_objects(),
    "7 object": lambda c, url: c.get_object(1234),
    "8 object permissions": lambda c, url: c.get_object_permissions(1235),
    "9 modules": lambda c, url: c.get_modules(1234),
    "10 module card": lambda c, url: c.get_module_card(DEVID),
    "11 devices menu": lambda c, url: c.get_devices_menu(0, 0, "0.0.0"),
    "12 modules connect": _connect,
    "13 parameters": lambda c, url: c.modules_parameters_prime([DEVID, "ZKPNSLR001"], return_data=True),
    "14 activity quantity": lambda c, url: c.modules_activity_quantity_prime([DEVID]),
    "15 activity": lambda c, url: c.modules_activity([DEVID], page=1, limit=5),
    "16 alarms quantity": lambda c, url: c.modules_alarms_quantity([DEVID], return_data=True),
    "17 alarms": lambda c, url: c.modules_alarms([DEVID]),
    "18 alarm history": lambda c, url: c.modules_alarms_history([DEVID], page=2, limit=10),
    "19 commands": _commands,
    "20 raw commands": _raw,
    "21 web app files": _assets,
    "22 bytes": _bytes,
}
PUBLIC = {"3 system version", "22 bytes"}  # sent without logging in first


async def main(url: str, name: str) -> None:
    from pybragerone.api.client import BragerOneApiClient

    client = BragerOneApiClient(api_base=url + "/v1", one_base=url)
    try:
        if name not in PUBLIC and name != "1 login":
            await client.ensure_auth(EMAIL, PASSWORD)
        await SCENARIOS[name](client, url)
    finally:
        await client.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
