"""Every live object of one account, per kind, so a test can assert that destroy left nothing.

"Live" means not deleted: objects AWS still shows in a `deleted` state are left out.
"""

from __future__ import annotations

from typing import Any

from .world import World


def collect_inventory(world: World, account: str, region: str | None) -> dict[str, list[dict[str, Any]]]:
    from .services import client_vpn, direct_connect, ds_data, mgn, nat_gateways, ram, security_groups, transit_gateways, vpc_endpoints

    objects: dict[str, list[dict[str, Any]]] = {}
    for part in (
        transit_gateways.inventory(world, account, region),
        ram.inventory(world, account, region),
        direct_connect.inventory(world, account, region),
        client_vpn.inventory(world, account, region),
        ds_data.inventory(world, account, region),
        mgn.inventory(world, account, region),
        nat_gateways.inventory(world, account, region),
        vpc_endpoints.inventory(world, account, region),
        security_groups.inventory(world, account, region),
    ):
        for kind, items in part.items():
            objects.setdefault(kind, []).extend(items)
    return objects
