"""Quick-add from the scan screen (CONTRACT §5, §6): a clientId makes a resent creation create nothing
twice, and a sessionId puts the new asset where the technician stands and, inside the audit's scope, into
its expected set, so that its scan counts as expected rather than as an extra."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers import assert_error, scan, session_of

pytestmark = pytest.mark.anyio


@dataclass
class Site:
    """HQ with Room 204 and Room 205 below it, a Warehouse; Laptops and Chairs; one laptop in Room 204."""

    tenant: Any
    technician: Any
    hq: dict[str, Any]
    room204: dict[str, Any]
    room205: dict[str, Any]
    warehouse: dict[str, Any]
    laptops: dict[str, Any]
    chairs: dict[str, Any]
    default_location_id: str


@pytest.fixture
async def site(tenant) -> Site:
    hq = await tenant.created("/locations", name="HQ")
    room204 = await tenant.created("/locations", name="Room 204", parentId=hq["id"])
    room205 = await tenant.created("/locations", name="Room 205", parentId=hq["id"])
    warehouse = await tenant.created("/locations", name="Warehouse")
    laptops = await tenant.created("/categories", name="Laptops")
    chairs = await tenant.created("/categories", name="Chairs")
    await tenant.created("/inventory-items", name="Laptop", tag="LAP-1", categoryId=laptops["id"],
                         locationId=room204["id"])
    default = next(loc for loc in await tenant.walk("/locations") if loc["isDefault"])
    return Site(tenant, tenant.as_role("technician"), hq, room204, room205, warehouse, laptops, chairs, default["id"])


async def items_of(client: Any, session_id: str) -> dict[str, dict[str, Any]]:
    return {item["assetId"]: item for item in await client.walk(f"/sessions/{session_id}/items")}


async def blank_codes(client: Any, count: int = 1) -> list[str]:
    r = await client.post("/labels/blank-batches", json={"count": count, "template": "avery-l7160"},
                          headers={"accept": "application/json"})
    assert r.status_code == 201, r.text
    return [entry["code"] for entry in r.json()["codes"]]


async def asset_ids(client: Any) -> list[str]:
    return [asset["id"] for asset in await client.walk("/inventory-items")]


# --- clientId --------------------------------------------------------------------------------------------


async def test_the_same_client_id_twice_creates_one_asset_and_answers_it_twice(site):
    tech = site.technician
    client_id = str(uuid.uuid4())
    before = await asset_ids(tech)
    first = await tech.post("/inventory-items", json={"name": "Chair", "clientId": client_id})
    assert first.status_code == 201, first.text
    # A resend after a lost answer: even a body that changed on the way makes nothing new.
    again = await tech.post("/inventory-items", json={"name": "Chair (edited)", "tag": "X-1", "clientId": client_id})
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert sorted(await asset_ids(tech)) == sorted([*before, first.json()["id"]])


async def test_a_resent_client_id_answers_the_asset_as_it_now_reads(site):
    client_id = str(uuid.uuid4())
    first = await site.technician.created("/inventory-items", name="Chair", clientId=client_id)
    renamed = await site.tenant.patch(f"/inventory-items/{first['id']}", json={"name": "Blue chair"})
    assert renamed.status_code == 200, renamed.text
    again = await site.technician.post("/inventory-items", json={"name": "Chair", "clientId": client_id})
    assert again.status_code == 201
    assert again.json() == (await site.tenant.get(f"/inventory-items/{first['id']}")).json()
    assert again.json()["name"] == "Blue chair"


async def test_one_client_id_sent_at_once_creates_one_asset(site):
    tech = site.technician
    client_id = str(uuid.uuid4())
    before = await asset_ids(tech)
    answers = await asyncio.gather(*[tech.post("/inventory-items", json={"name": "Stool", "clientId": client_id})
                                     for _ in range(6)])
    assert [r.status_code for r in answers] == [201] * 6, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    assert len(await asset_ids(tech)) == len(before) + 1


async def test_one_client_id_with_a_claim_code_sent_at_once_creates_one_asset_with_the_code(site):
    (code,) = await blank_codes(site.tenant)
    client_id = str(uuid.uuid4())
    answers = await asyncio.gather(*[site.technician.post("/inventory-items", json={
        "name": "Jack", "claimCode": code, "clientId": client_id}) for _ in range(4)])
    assert [r.status_code for r in answers] == [201] * 4, [r.text for r in answers]
    assert {r.json()["tag"] for r in answers} == {code}


async def test_another_tenants_client_id_is_unrelated(site, other_tenant):
    client_id = str(uuid.uuid4())
    ours = await site.technician.created("/inventory-items", name="Chair", clientId=client_id)
    theirs = await other_tenant.created("/inventory-items", name="Their chair", clientId=client_id)
    assert theirs["id"] != ours["id"] and theirs["name"] == "Their chair"
    assert (await site.tenant.get(f"/inventory-items/{ours['id']}")).json()["name"] == "Chair"


async def test_a_client_id_that_is_not_a_uuid_is_a_400_naming_it(site):
    assert_error(await site.technician.post("/inventory-items", json={"name": "Chair", "clientId": "abc"}), 400,
                 "clientId")


async def test_a_claim_code_taken_by_another_asset_is_a_409_naming_the_code_and_its_asset(site):
    (code,) = await blank_codes(site.tenant)
    holder = await site.tenant.created("/inventory-items", name="Pallet jack", claimCode=code)
    audit = await site.tenant.created("/sessions", name="Everything")
    before = await session_of(site.tenant, audit["id"])
    r = await site.technician.post("/inventory-items", json={"name": "Jack", "claimCode": code,
                                                             "clientId": str(uuid.uuid4()), "sessionId": audit["id"]})
    body = assert_error(r, 409, "claimCode")
    assert body["details"]["assetId"] == holder["id"] and holder["tag"] in body["message"]
    assert await session_of(site.tenant, audit["id"]) == before


# --- sessionId ---------------------------------------------------------------------------------------------


async def test_quick_add_at_a_door_in_scope_is_expected_there_and_its_scan_counts_as_expected(site):
    tech = site.technician
    audit = await site.tenant.created("/sessions", name="HQ audit", locationId=site.hq["id"])
    sid = audit["id"]
    assert (await scan(tech, sid, code=site.room205["qrUrl"]))["result"] == "location_set"
    before = await session_of(tech, sid)
    created = await tech.created("/inventory-items", name="Whiteboard", sessionId=sid, clientId=str(uuid.uuid4()))
    assert created["locationId"] == site.room205["id"]  # where the technician stands
    after = await session_of(tech, sid)
    assert after["progress"] == {"scanned": 0, "total": before["progress"]["total"] + 1}
    assert after["version"] == before["version"] + 1
    item = (await items_of(tech, sid))[created["id"]]
    assert (item["state"], item["expectedLocationId"]) == ("unscanned", site.room205["id"])

    counted = await scan(tech, sid, itemId=created["id"], allowMarkAnyway=True)
    assert counted["result"] == "accepted" and counted["item"]["state"] == "scanned"
    assert counted["progress"] == {"scanned": 1, "total": before["progress"]["total"] + 1}
    report = (await tech.get(f"/sessions/{sid}/report")).json()
    assert (report["totals"]["expected"], report["totals"]["scanned"], report["totals"]["extras"]) == (2, 1, 0)


async def test_quick_add_without_a_door_goes_to_the_sessions_location_and_a_given_location_wins(site):
    sid = (await site.tenant.created("/sessions", name="HQ audit", locationId=site.hq["id"]))["id"]
    # The admin scanned a door; the technician did not: each stands where their own scans put them.
    await scan(site.tenant, sid, code=site.room205["code"])
    at_session = await site.technician.created("/inventory-items", name="Chair", sessionId=sid)
    assert at_session["locationId"] == site.hq["id"]
    given = await site.tenant.created("/inventory-items", name="Lamp", sessionId=sid, locationId=site.room204["id"])
    assert given["locationId"] == site.room204["id"]
    items = await items_of(site.tenant, sid)
    assert items[at_session["id"]]["expectedLocationId"] == site.hq["id"]
    assert items[given["id"]]["expectedLocationId"] == site.room204["id"]
    assert (await session_of(site.tenant, sid))["progress"] == {"scanned": 0, "total": 3}


async def test_quick_add_in_a_session_without_a_location_goes_to_the_default_location(site):
    sid = (await site.tenant.created("/sessions", name="Chairs", categoryIds=[site.chairs["id"]]))["id"]
    chair = await site.technician.created("/inventory-items", name="Chair", categoryId=site.chairs["id"], sessionId=sid)
    assert chair["locationId"] == site.default_location_id
    assert (await items_of(site.tenant, sid))[chair["id"]]["state"] == "unscanned"
    assert (await session_of(site.tenant, sid))["progress"] == {"scanned": 0, "total": 1}


@pytest.mark.parametrize(("scope", "body"), [
    pytest.param(lambda s: {"locationId": s.hq["id"]}, lambda s: {"locationId": s.warehouse["id"]},
                 id="outside-the-location"),
    pytest.param(lambda s: {"locationId": s.hq["id"], "includeSublocations": False},
                 lambda s: {"locationId": s.room204["id"]}, id="below-a-location-without-sublocations"),
    pytest.param(lambda s: {"categoryIds": [s.laptops["id"]]}, lambda s: {"categoryId": s.chairs["id"]},
                 id="another-category"),
    pytest.param(lambda s: {}, lambda s: {"status": "retired"}, id="retired"),
])
async def test_quick_add_outside_the_scope_creates_the_asset_but_leaves_the_session_alone(site, scope, body):
    sid = (await site.tenant.created("/sessions", name="Audit", **scope(site)))["id"]
    before = await session_of(site.tenant, sid)
    created = await site.technician.created("/inventory-items", name="Box", sessionId=sid, **body(site))
    assert created["id"] in await asset_ids(site.tenant)
    assert await session_of(site.tenant, sid) == before
    assert created["id"] not in await items_of(site.tenant, sid)
    if created["status"] != "retired":
        marked = await scan(site.technician, sid, itemId=created["id"], allowMarkAnyway=True)
        assert marked["result"] == "accepted" and marked["item"]["state"] == "extra"  # found, not expected


@pytest.mark.parametrize("status", ["completed", "cancelled"])
async def test_quick_add_during_a_closed_session_creates_the_asset_and_leaves_the_session_alone(site, status):
    sid = (await site.tenant.created("/sessions", name="Done", locationId=site.hq["id"]))["id"]
    assert (await site.tenant.patch(f"/sessions/{sid}", json={"status": status})).status_code == 200
    before = await session_of(site.tenant, sid)
    created = await site.technician.created("/inventory-items", name="Late chair", sessionId=sid)
    assert created["locationId"] == site.hq["id"]
    assert await session_of(site.tenant, sid) == before
    assert created["id"] not in await items_of(site.tenant, sid)


async def test_a_resent_quick_add_into_a_session_adds_the_asset_once(site):
    sid = (await site.tenant.created("/sessions", name="HQ audit", locationId=site.hq["id"]))["id"]
    body = {"name": "Chair", "sessionId": sid, "clientId": str(uuid.uuid4())}
    answers = await asyncio.gather(*[site.technician.post("/inventory-items", json=body) for _ in range(3)])
    answers.append(await site.technician.post("/inventory-items", json=body))
    assert [r.status_code for r in answers] == [201] * 4, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    assert (await session_of(site.tenant, sid))["progress"] == {"scanned": 0, "total": 2}


async def test_a_session_that_is_not_there_is_a_404_naming_session_id_and_creates_nothing(site, other_tenant):
    theirs = (await other_tenant.created("/sessions", name="Theirs"))["id"]
    gone = (await site.tenant.created("/sessions", name="Gone"))["id"]
    assert (await site.tenant.delete(f"/sessions/{gone}")).status_code == 204
    before = await asset_ids(site.tenant)
    unknown = str(uuid.uuid4())
    answers = {}
    for what, session_id in (("foreign", theirs), ("deleted", gone), ("unknown", unknown)):
        r = await site.technician.post("/inventory-items", json={"name": "Chair", "sessionId": session_id})
        answers[what] = assert_error(r, 404, "sessionId")
    # Another tenant's session reads exactly like one that does not exist.
    assert answers["foreign"]["message"] == answers["unknown"]["message"].replace(unknown, theirs)
    assert await asset_ids(site.tenant) == before
    assert (await session_of(other_tenant, theirs))["progress"] == {"scanned": 0, "total": 0}


async def test_the_schema_documents_client_id_and_session_id(client):
    spec = (await client.get("/schema/openapi.json", headers={"host": "localhost"})).json()
    fields = spec["components"]["schemas"]["AssetIn"]["properties"]
    texts = {name: str(fields[name]) for name in ("clientId", "sessionId")}
    assert "twice" in texts["clientId"] and "scope" in texts["sessionId"], texts
