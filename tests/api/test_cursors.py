"""List cursors are opaque and sealed to the list and sort that made them: one of another list, another
audit or another sort, or one altered by a byte, is a 400; a cursor shows nothing of the rows."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import TenantClient
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio


async def next_cursor(tenant: TenantClient, path: str, **params: object) -> str:
    r = await tenant.get(path, params={"limit": 1, **params})
    assert r.status_code == 200, r.text
    cursor = r.json()["nextCursor"]
    assert cursor
    return cursor


async def test_a_cursor_works_only_on_the_list_and_sort_it_came_from(tenant: TenantClient) -> None:
    room = await tenant.created("/locations", name="Room 12")
    for n in range(3):
        await tenant.created("/inventory-items", name=f"Secret project chair {n}", locationId=room["id"])
    audits = [await tenant.created("/sessions", name=f"Audit {n}", locationId=room["id"]) for n in range(2)]

    assets = await next_cursor(tenant, "/inventory-items", sort="name")
    follow = await tenant.get("/inventory-items", params={"limit": 1, "sort": "name", "cursor": assets})
    assert follow.status_code == 200 and follow.json()["items"][0]["name"] == "Secret project chair 1"
    assert b"Secret" not in base64.urlsafe_b64decode(assets + "=" * (-len(assets) % 4))  # opaque

    sessions = await next_cursor(tenant, "/sessions")
    first_audit = await next_cursor(tenant, f"/sessions/{audits[0]['id']}/items")
    refusals = [
        ("/inventory-items", {"sort": "name", "cursor": sessions}),  # another list
        ("/inventory-items", {"sort": "-name", "cursor": assets}),  # another sort
        (f"/sessions/{audits[1]['id']}/items", {"cursor": first_audit}),  # another audit's list
        ("/inventory-items", {"sort": "name", "cursor": assets[:20] + ("A" if assets[20] != "A" else "B") + assets[21:]}),
    ]
    for path, params in refusals:
        body = assert_error(await tenant.get(path, params={"limit": 1, **params}), 400)
        assert "cursor" in body["details"], (path, body)


async def test_a_cursor_of_another_tenant_is_refused(tenant: TenantClient, other_tenant: TenantClient) -> None:
    for n in range(2):
        await tenant.created("/categories", name=f"Kind {n}")
    cursor = await next_cursor(tenant, "/categories")
    # The same path and sort, on another tenant's host: sealed to the first, so refused.
    assert_error(await other_tenant.get("/categories", params={"limit": 1, "cursor": cursor}), 400, "cursor")
    assert (await tenant.get("/categories", params={"limit": 1, "cursor": cursor})).status_code == 200
