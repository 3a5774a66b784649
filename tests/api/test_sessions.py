"""Audit sessions through HTTP (CONTRACT §5): the snapshot, the scan outcomes and their progress, undo,
closing, the scan screen's payload, the offline pack, roles and tenants."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
from tests.helpers import assert_error, scan, session_of

pytestmark = pytest.mark.anyio

MSGPACK = {"accept": "application/msgpack"}


@dataclass
class Site:
    """HQ (with Room 204 and Room 205 below it) and a Warehouse; Laptops and Chairs; three live assets,
    one retired and one deleted, all in HQ's tree."""

    tenant: Any
    hq: dict[str, Any]
    room204: dict[str, Any]
    room205: dict[str, Any]
    warehouse: dict[str, Any]
    laptops: dict[str, Any]
    chairs: dict[str, Any]
    laptop: dict[str, Any]  # Laptops, in Room 204
    chair: dict[str, Any]  # Chairs, in HQ itself
    monitor: dict[str, Any]  # Laptops, in the Warehouse
    retired: dict[str, Any]
    deleted: dict[str, Any]

    async def session(self, **body: Any) -> dict[str, Any]:
        return await self.tenant.created("/sessions", name=body.pop("name", "Audit"), **body)


@pytest.fixture
async def site(tenant) -> Site:
    hq = await tenant.created("/locations", name="HQ")
    room204 = await tenant.created("/locations", name="Room 204", parentId=hq["id"])
    room205 = await tenant.created("/locations", name="Room 205", parentId=hq["id"])
    warehouse = await tenant.created("/locations", name="Warehouse")
    laptops = await tenant.created("/categories", name="Laptops")
    chairs = await tenant.created("/categories", name="Chairs")
    laptop = await tenant.created("/inventory-items", name="Laptop", tag="LAP-1", serial="SN-LAP-77",
                                  categoryId=laptops["id"], locationId=room204["id"])
    chair = await tenant.created("/inventory-items", name="Chair", tag="CHR-1", categoryId=chairs["id"],
                                 locationId=hq["id"])
    monitor = await tenant.created("/inventory-items", name="Monitor", tag="MON-1", categoryId=laptops["id"],
                                   locationId=warehouse["id"])
    retired = await tenant.created("/inventory-items", name="Old laptop", tag="OLD-1", categoryId=laptops["id"],
                                   locationId=room204["id"], status="retired")
    deleted = await tenant.created("/inventory-items", name="Gone laptop", tag="GONE-1", categoryId=laptops["id"],
                                   locationId=room204["id"])
    assert (await tenant.delete(f"/inventory-items/{deleted['id']}")).status_code == 204
    return Site(tenant, hq, room204, room205, warehouse, laptops, chairs, laptop, chair, monitor, retired, deleted)


async def item_states(tenant: Any, session_id: str) -> dict[str, str]:
    return {item["tag"]: item["state"] for item in await tenant.walk(f"/sessions/{session_id}/items")}


async def asset(tenant: Any, asset_id: str) -> dict[str, Any]:
    r = await tenant.get(f"/inventory-items/{asset_id}")
    assert r.status_code == 200, r.text
    return r.json()


# --- creating: the snapshot ----------------------------------------------------------------------------


@pytest.mark.parametrize(("scope", "expected"), [
    pytest.param(lambda s: {"locationId": s.hq["id"]}, {"LAP-1", "CHR-1"}, id="location-with-sublocations"),
    pytest.param(lambda s: {"locationId": s.hq["id"], "includeSublocations": False}, {"CHR-1"},
                 id="location-without-sublocations"),
    pytest.param(lambda s: {"categoryIds": [s.laptops["id"]]}, {"LAP-1", "MON-1"}, id="categories-only"),
    pytest.param(lambda s: {"locationId": s.hq["id"], "categoryIds": [s.laptops["id"]]}, {"LAP-1"},
                 id="location-and-categories"),
    pytest.param(lambda s: {}, {"LAP-1", "CHR-1", "MON-1"}, id="everything"),
])
async def test_a_new_session_expects_every_live_asset_in_its_scope_where_it_is_now(site, scope, expected):
    audit = await site.session(**scope(site))
    assert audit["status"] == "active"
    assert audit["progress"] == {"scanned": 0, "total": len(expected)}
    unscanned = await site.tenant.walk(f"/sessions/{audit['id']}/items", state="unscanned")
    assert {item["tag"] for item in unscanned} == expected
    recorded = {a["id"]: a["locationId"] for a in (site.laptop, site.chair, site.monitor)}
    for item in unscanned:
        assert item["expectedLocationId"] == recorded[item["assetId"]]
    everything = await site.tenant.walk(f"/sessions/{audit['id']}/items")
    assert {item["tag"] for item in everything} == expected  # retired and deleted assets are never expected


async def test_the_snapshot_does_not_follow_assets_created_after_it(site):
    audit = await site.session(locationId=site.hq["id"])
    await site.tenant.created("/inventory-items", name="Late laptop", locationId=site.room204["id"])
    assert (await session_of(site.tenant, audit["id"]))["progress"] == {"scanned": 0, "total": 2}


async def test_a_session_cannot_be_scoped_to_a_deleted_location_or_category(site):
    gone = await site.tenant.created("/locations", name="Closed wing")
    assert (await site.tenant.delete(f"/locations/{gone['id']}")).status_code == 204
    body = assert_error(await site.tenant.post("/sessions", json={"name": "A", "locationId": gone["id"]}), 400)
    assert "locationId" in body["details"]
    body = assert_error(await site.tenant.post("/sessions", json={"name": "A", "categoryIds": [str(uuid.uuid4())]}),
                        400)
    assert "categoryIds" in body["details"]


# --- listing, renaming, closing, deleting -----------------------------------------------------------------


async def test_sessions_list_filters_by_status_and_name_and_pages(site):
    tenant = site.tenant
    floor1 = await site.session(name="Floor 1 audit")
    floor2 = await site.session(name="Floor 2 audit")
    yearly = await site.session(name="Yearly check")
    assert (await tenant.patch(f"/sessions/{floor2['id']}", json={"status": "completed"})).status_code == 200
    assert (await tenant.patch(f"/sessions/{yearly['id']}", json={"status": "cancelled"})).status_code == 200

    def ids(items):
        return [item["id"] for item in items]

    assert ids(await tenant.walk("/sessions", limit=1)) == [yearly["id"], floor2["id"], floor1["id"]]
    assert ids(await tenant.walk("/sessions", status="completed")) == [floor2["id"]]
    assert ids(await tenant.walk("/sessions", status="completed,cancelled")) == [yearly["id"], floor2["id"]]
    assert ids(await tenant.walk("/sessions", q="floor")) == [floor2["id"], floor1["id"]]
    assert ids(await tenant.walk("/sessions/active")) == [floor1["id"]]
    assert_error(await tenant.get("/sessions", params={"status": "paused"}), 400)


async def test_renaming_and_setting_the_due_date(site):
    audit = await site.session(name="Q1")
    r = await site.tenant.patch(f"/sessions/{audit['id']}", json={"name": "  Q1 audit ", "dueDate": "2031-03-31"})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["dueDate"]) == ("Q1 audit", "2031-03-31")
    cleared = await site.tenant.patch(f"/sessions/{audit['id']}", json={"dueDate": None})
    assert cleared.json()["dueDate"] is None and cleared.json()["name"] == "Q1 audit"
    again = await session_of(site.tenant, audit["id"])
    assert (again["name"], again["dueDate"], again["status"]) == ("Q1 audit", None, "active")


async def test_completing_verifies_the_assets_seen_and_no_others(site):
    tenant = site.tenant
    audit = await site.session(locationId=site.hq["id"])
    await scan(tenant, audit["id"], code="LAP-1")
    done = await tenant.patch(f"/sessions/{audit['id']}", json={"status": "completed"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed" and done.json()["completedAt"] is not None
    assert (await asset(tenant, site.laptop["id"]))["lastVerifiedAt"] is not None
    chair = await asset(tenant, site.chair["id"])
    assert chair["lastVerifiedAt"] is None and chair["status"] == site.chair["status"]


async def test_completing_with_mark_missing_marks_the_unseen_missing(site):
    tenant = site.tenant
    audit = await site.session(locationId=site.hq["id"])
    await scan(tenant, audit["id"], code="LAP-1")
    done = await tenant.patch(f"/sessions/{audit['id']}", json={"status": "completed", "markMissing": True})
    assert done.status_code == 200, done.text
    assert (await asset(tenant, site.chair["id"]))["status"] == "missing"
    assert (await asset(tenant, site.laptop["id"]))["status"] == site.laptop["status"]
    assert (await asset(tenant, site.monitor["id"]))["status"] == site.monitor["status"]  # never in the session


@pytest.mark.parametrize("status", ["completed", "cancelled"])
async def test_a_closed_session_refuses_scans_undo_changes_and_another_status(site, status):
    tenant = site.tenant
    audit = await site.session(locationId=site.hq["id"])
    sid = audit["id"]
    await scan(tenant, sid, code="LAP-1")
    assert (await tenant.patch(f"/sessions/{sid}", json={"status": status})).status_code == 200
    before = await session_of(tenant, sid)
    assert_error(await tenant.post(f"/sessions/{sid}/scan", json={"code": "CHR-1"}), 409)
    assert_error(await tenant.post(f"/sessions/{sid}/unscan", json={"itemId": site.laptop["id"]}), 409)
    assert_error(await tenant.post(f"/sessions/{sid}/items/{site.chair['id']}/exclude"), 409)
    assert_error(await tenant.post(f"/sessions/{sid}/items/{site.monitor['id']}/include"), 409)
    for other in ("active", "completed", "cancelled"):
        assert_error(await tenant.patch(f"/sessions/{sid}", json={"status": other}), 409)
    assert await session_of(tenant, sid) == before


async def test_a_deleted_session_is_gone(site):
    tenant = site.tenant
    audit = await site.session()
    assert (await tenant.delete(f"/sessions/{audit['id']}")).status_code == 204
    assert_error(await tenant.get(f"/sessions/{audit['id']}"), 404)
    assert_error(await tenant.post(f"/sessions/{audit['id']}/scan", json={"code": "LAP-1"}), 404)
    assert_error(await tenant.get(f"/sessions/{audit['id']}/mobile"), 404)
    assert audit["id"] not in {s["id"] for s in await tenant.walk("/sessions")}
    assert audit["id"] not in {s["id"] for s in await tenant.walk("/sessions/active")}


# --- scan outcomes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [
    pytest.param(lambda s: {"code": "LAP-1"}, id="tag"),
    pytest.param(lambda s: {"code": "  lap-1 "}, id="lower-case-tag-with-spaces"),
    pytest.param(lambda s: {"code": "https://other.example/a/LAP-1"}, id="url-from-another-host"),
    pytest.param(lambda s: {"code": s.laptop["qrUrl"]}, id="qr-url"),
    pytest.param(lambda s: {"itemId": s.laptop["id"]}, id="itemId"),
    pytest.param(lambda s: {"code": s.laptop["id"]}, id="bare-id"),
    pytest.param(lambda s: {"code": "sn-lap-77"}, id="serial"),
])
async def test_scanning_an_expected_asset_counts_it(site, code):
    audit = await site.session(locationId=site.hq["id"])
    answer = await scan(site.tenant, audit["id"], **code(site))
    assert answer["result"] == "accepted"
    assert answer["progress"] == {"scanned": 1, "total": 2}
    assert answer["item"]["assetId"] == site.laptop["id"] and answer["item"]["state"] == "scanned"
    assert answer["scan"]["assetId"] == site.laptop["id"]
    assert await item_states(site.tenant, audit["id"]) == {"LAP-1": "scanned", "CHR-1": "unscanned"}
    assert (await session_of(site.tenant, audit["id"]))["progress"] == {"scanned": 1, "total": 2}


async def test_a_second_scan_is_already_scanned_and_counts_nothing(site):
    audit = await site.session(locationId=site.hq["id"])
    first = await scan(site.tenant, audit["id"], code="LAP-1")
    again = await scan(site.tenant, audit["id"], code="lap-1")
    assert again["result"] == "already_scanned"
    assert again["progress"] == {"scanned": 1, "total": 2}
    assert again["item"]["scannedAt"] == first["item"]["scannedAt"]


async def test_allow_rescan_rewrites_the_scan_time(site):
    audit = await site.session(locationId=site.hq["id"])
    await scan(site.tenant, audit["id"], code="LAP-1", scannedAt="2024-01-01T09:00:00Z")
    rescan = await scan(site.tenant, audit["id"], code="LAP-1", allowRescan=True, scannedAt="2024-01-01T10:30:00Z")
    assert rescan["result"] == "accepted"
    assert rescan["progress"] == {"scanned": 1, "total": 2}
    item = (await site.tenant.get(f"/sessions/{audit['id']}/items/{site.laptop['id']}")).json()
    assert item["scannedAt"] == "2024-01-01T10:30:00Z" and item["state"] == "scanned"


async def test_an_asset_from_outside_the_location_is_wrong_location_then_an_extra_when_marked_anyway(site):
    tenant = site.tenant
    audit = await site.session(locationId=site.hq["id"])
    wrong = await scan(tenant, audit["id"], code="MON-1")
    assert wrong["result"] == "wrong_location"
    assert wrong["expectedLocation"]["id"] == site.warehouse["id"]
    assert wrong["expectedLocation"]["path"] == "Warehouse"
    assert wrong["progress"] == {"scanned": 0, "total": 2}
    assert "MON-1" not in await item_states(tenant, audit["id"])

    extra = await scan(tenant, audit["id"], code="MON-1", allowMarkAnyway=True)
    assert extra["result"] == "accepted"
    assert extra["item"]["state"] == "extra"
    assert extra["progress"] == {"scanned": 1, "total": 3}
    assert (await item_states(tenant, audit["id"]))["MON-1"] == "extra"
    assert (await asset(tenant, site.monitor["id"]))["locationId"] == site.warehouse["id"]  # not moved


async def test_wrong_location_names_the_path_of_where_the_asset_is_recorded(site):
    shelf = await site.tenant.created("/locations", name="Shelf B", parentId=site.warehouse["id"])
    box = await site.tenant.created("/inventory-items", name="Box", tag="BOX-1", locationId=shelf["id"])
    audit = await site.session(locationId=site.hq["id"])
    wrong = await scan(site.tenant, audit["id"], code=box["tag"])
    assert wrong["result"] == "wrong_location"
    assert wrong["expectedLocation"]["name"] == "Shelf B"
    assert wrong["expectedLocation"]["path"].startswith("Warehouse") and "Shelf B" in wrong["expectedLocation"]["path"]


async def test_relocate_moves_the_asset_to_the_door_just_scanned(site):
    tenant = site.tenant
    audit = await site.session(locationId=site.hq["id"])
    door = await scan(tenant, audit["id"], code=site.room205["qrUrl"])
    assert door["result"] == "location_set"
    moved = await scan(tenant, audit["id"], code="MON-1", allowMarkAnyway=True, relocate=True)
    assert moved["result"] == "accepted"
    assert moved["progress"] == {"scanned": 1, "total": 3}
    assert moved["item"]["foundLocationId"] == site.room205["id"]
    assert (await asset(tenant, site.monitor["id"]))["locationId"] == site.room205["id"]


async def test_relocate_without_a_door_moves_the_asset_to_the_sessions_location(site):
    audit = await site.session(locationId=site.hq["id"])
    moved = await scan(site.tenant, audit["id"], code="MON-1", allowMarkAnyway=True, relocate=True)
    assert moved["result"] == "accepted"
    assert (await asset(site.tenant, site.monitor["id"]))["locationId"] == site.hq["id"]


async def test_an_asset_of_another_category_is_not_in_session_then_an_extra_when_marked_anyway(site):
    tenant = site.tenant
    audit = await site.session(categoryIds=[site.laptops["id"]])
    outside = await scan(tenant, audit["id"], code="CHR-1")
    assert outside["result"] == "not_in_session"
    assert outside["progress"] == {"scanned": 0, "total": 2}
    assert outside["item"]["assetId"] == site.chair["id"]
    assert "CHR-1" not in await item_states(tenant, audit["id"])

    extra = await scan(tenant, audit["id"], code="CHR-1", allowMarkAnyway=True)
    assert extra["result"] == "accepted"
    assert extra["progress"] == {"scanned": 1, "total": 3}
    assert (await item_states(tenant, audit["id"]))["CHR-1"] == "extra"
    assert (await asset(tenant, site.chair["id"]))["locationId"] == site.hq["id"]


async def test_an_unknown_code_is_an_answer_not_an_error(site):
    audit = await site.session(locationId=site.hq["id"])
    answer = await scan(site.tenant, audit["id"], code="NO-SUCH-TAG")
    assert answer["result"] == "unknown_code"
    assert answer["item"] is None
    assert answer["progress"] == {"scanned": 0, "total": 2}
    assert answer["scan"]["code"] == "NO-SUCH-TAG"


async def test_another_tenants_asset_scans_as_an_unknown_code(site, other_tenant):
    foreign = await other_tenant.created("/inventory-items", name="Their laptop", tag="THEIRS-1")
    audit = await site.session()
    for code in ("THEIRS-1", foreign["id"], foreign["qrUrl"]):
        assert (await scan(site.tenant, audit["id"], code=code))["result"] == "unknown_code"
    assert (await scan(site.tenant, audit["id"], itemId=foreign["id"]))["result"] == "unknown_code"


@pytest.mark.parametrize("code", [
    pytest.param(lambda room: room["qrUrl"], id="location-url"),
    pytest.param(lambda room: f"https://other.example/l/{room['code']}", id="location-url-other-host"),
    pytest.param(lambda room: room["code"], id="bare-code"),
    pytest.param(lambda room: room["code"].lower(), id="bare-code-lower-case"),
])
async def test_scanning_a_location_tag_sets_the_scanners_location(site, code):
    audit = await site.session(locationId=site.hq["id"])
    door = await scan(site.tenant, audit["id"], code=code(site.room204))
    assert door["result"] == "location_set"
    assert door["currentLocationId"] == site.room204["id"]
    assert door["location"]["id"] == site.room204["id"] and door["location"]["name"] == "Room 204"
    assert door["item"] is None
    assert door["progress"] == {"scanned": 0, "total": 2}
    following = await scan(site.tenant, audit["id"], code="LAP-1")
    assert following["currentLocationId"] == site.room204["id"]
    assert following["item"]["foundLocationId"] == site.room204["id"]


async def test_a_location_sent_with_the_scan_is_where_the_asset_was_found(site):
    audit = await site.session(locationId=site.hq["id"])
    answer = await scan(site.tenant, audit["id"], code="CHR-1", locationId=site.room205["id"])
    assert answer["result"] == "accepted"
    assert answer["currentLocationId"] == site.room205["id"]
    assert answer["item"]["foundLocationId"] == site.room205["id"]
    assert (await asset(site.tenant, site.chair["id"]))["locationId"] == site.hq["id"]
    bad = await site.tenant.post(f"/sessions/{audit['id']}/scan", json={"code": "LAP-1",
                                                                          "locationId": str(uuid.uuid4())})
    assert "locationId" in assert_error(bad, 400)["details"]


async def test_a_replayed_client_scan_id_answers_the_first_answer_and_changes_nothing(site):
    tenant = site.tenant
    audit = await site.session(locationId=site.hq["id"])
    client_scan_id = str(uuid.uuid4())
    first = await tenant.post(f"/sessions/{audit['id']}/scan", json={"code": "LAP-1", "clientScanId": client_scan_id})
    assert first.status_code == 200
    await scan(tenant, audit["id"], code="LAP-1", allowRescan=True)  # whatever happened since
    before = await session_of(tenant, audit["id"])
    for body in ({"code": "LAP-1"}, {"code": "LAP-1", "allowRescan": True, "scannedAt": "2024-01-01T00:00:00Z"}):
        replay = await tenant.post(f"/sessions/{audit['id']}/scan", json={**body, "clientScanId": client_scan_id})
        assert replay.status_code == 200
        assert replay.json() == first.json()
    assert first.json()["scan"]["clientScanId"] == client_scan_id
    assert await session_of(tenant, audit["id"]) == before
    assert await item_states(tenant, audit["id"]) == {"LAP-1": "scanned", "CHR-1": "unscanned"}
    recent = (await tenant.get(f"/sessions/{audit['id']}/mobile")).json()["recentScans"]
    assert [s["clientScanId"] for s in recent] == [None, client_scan_id]


async def test_replay_only_answers_a_stored_scan_and_never_makes_a_new_one(site):
    tenant = site.tenant
    audit = await site.session(locationId=site.hq["id"])
    sent = str(uuid.uuid4())
    first = await scan(tenant, audit["id"], code="LAP-1", clientScanId=sent)
    replay = await tenant.post(f"/sessions/{audit['id']}/scan", json={"code": "LAP-1", "clientScanId": sent, "replayOnly": True})
    assert replay.status_code == 200 and replay.json() == first
    never = await tenant.post(f"/sessions/{audit['id']}/scan",
                              json={"code": "CHR-1", "clientScanId": str(uuid.uuid4()), "replayOnly": True})
    assert_error(never, 404)
    assert never.json()["details"] == {"clientScanId": "never received"}
    assert_error(await tenant.post(f"/sessions/{audit['id']}/scan", json={"code": "CHR-1", "replayOnly": True}), 400)
    assert await item_states(tenant, audit["id"]) == {"LAP-1": "scanned", "CHR-1": "unscanned"}


async def test_the_devices_scan_time_is_kept(site):
    audit = await site.session(locationId=site.hq["id"])
    answer = await scan(site.tenant, audit["id"], code="LAP-1", scannedAt="2024-05-06T07:08:09+02:00")
    assert answer["scan"]["scannedAt"] == "2024-05-06T05:08:09Z"
    item = (await site.tenant.get(f"/sessions/{audit['id']}/items/{site.laptop['id']}")).json()
    assert item["scannedAt"] == "2024-05-06T05:08:09Z"
    recent = (await site.tenant.get(f"/sessions/{audit['id']}/mobile")).json()["recentScans"]
    assert recent[0]["scannedAt"] == "2024-05-06T05:08:09Z"


async def test_a_scan_time_without_a_time_zone_is_refused(site):
    audit = await site.session(locationId=site.hq["id"])
    r = await site.tenant.post(f"/sessions/{audit['id']}/scan", json={"code": "LAP-1",
                                                                      "scannedAt": "2024-05-06T07:08:09"})
    assert "scannedAt" in assert_error(r, 400)["message"] + str(assert_error(r, 400)["details"])
    assert (await session_of(site.tenant, audit["id"]))["progress"] == {"scanned": 0, "total": 2}


@pytest.mark.parametrize("body", [
    pytest.param({}, id="neither"),
    pytest.param({"code": "LAP-1", "itemId": "00000000-0000-4000-8000-000000000000"}, id="both"),
])
async def test_a_scan_names_exactly_one_of_code_or_item(site, body):
    audit = await site.session(locationId=site.hq["id"])
    assert_error(await site.tenant.post(f"/sessions/{audit['id']}/scan", json=body), 400)
    assert (await session_of(site.tenant, audit["id"]))["progress"] == {"scanned": 0, "total": 2}


# --- adjusting the expected set, undoing ----------------------------------------------------------------


async def test_excluding_and_including_adjust_the_progress(site):
    tenant = site.tenant
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    await scan(tenant, sid, code="LAP-1")

    excluded = await tenant.post(f"/sessions/{sid}/items/{site.laptop['id']}/exclude")
    assert excluded.status_code == 200, excluded.text
    assert excluded.json()["state"] == "excluded"
    assert (await session_of(tenant, sid))["progress"] == {"scanned": 0, "total": 1}
    # Excluding twice changes nothing more.
    assert (await tenant.post(f"/sessions/{sid}/items/{site.laptop['id']}/exclude")).status_code == 200
    assert (await session_of(tenant, sid))["progress"] == {"scanned": 0, "total": 1}

    back = await tenant.post(f"/sessions/{sid}/items/{site.laptop['id']}/include")
    assert back.json()["state"] == "scanned"
    assert (await session_of(tenant, sid))["progress"] == {"scanned": 1, "total": 2}

    added = await tenant.post(f"/sessions/{sid}/items/{site.monitor['id']}/include")
    assert added.status_code == 200, added.text
    assert added.json()["state"] == "unscanned"
    assert added.json()["expectedLocationId"] == site.warehouse["id"]
    assert (await session_of(tenant, sid))["progress"] == {"scanned": 1, "total": 3}
    assert (await scan(tenant, sid, code="MON-1"))["result"] == "accepted"
    assert (await session_of(tenant, sid))["progress"] == {"scanned": 2, "total": 3}

    assert_error(await tenant.post(f"/sessions/{sid}/items/{uuid.uuid4()}/exclude"), 404)
    assert_error(await tenant.post(f"/sessions/{sid}/items/{site.deleted['id']}/include"), 400)


async def test_an_excluded_item_scans_as_not_in_session(site):
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    await site.tenant.post(f"/sessions/{sid}/items/{site.chair['id']}/exclude")
    answer = await scan(site.tenant, sid, code="CHR-1")
    assert answer["result"] == "not_in_session"
    assert answer["progress"] == {"scanned": 0, "total": 1}


async def test_unscan_by_scan_id_and_by_item_id(site):
    tenant = site.tenant
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    laptop = await scan(tenant, sid, code="LAP-1")
    await scan(tenant, sid, code="CHR-1")

    r = await tenant.post(f"/sessions/{sid}/unscan", json={"scanId": laptop["scan"]["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "unscanned" and r.json()["progress"] == {"scanned": 1, "total": 2}
    r = await tenant.post(f"/sessions/{sid}/unscan", json={"itemId": site.chair["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["progress"] == {"scanned": 0, "total": 2}
    assert await item_states(tenant, sid) == {"LAP-1": "unscanned", "CHR-1": "unscanned"}
    recent = (await tenant.get(f"/sessions/{sid}/mobile")).json()["recentScans"]
    assert [scan_["undone"] for scan_ in recent] == [True, True]
    # Nothing left to undo.
    assert_error(await tenant.post(f"/sessions/{sid}/unscan", json={"itemId": site.chair["id"]}), 409)
    assert_error(await tenant.post(f"/sessions/{sid}/unscan", json={"scanId": str(uuid.uuid4())}), 404)
    assert_error(await tenant.post(f"/sessions/{sid}/unscan", json={}), 400)


async def test_undoing_an_old_scan_again_does_not_uncount_a_newer_one(site):
    tenant = site.tenant
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    old = await scan(tenant, sid, code="LAP-1")
    assert (await tenant.post(f"/sessions/{sid}/unscan", json={"scanId": old["scan"]["id"]})).status_code == 200
    await scan(tenant, sid, code="LAP-1")
    assert_error(await tenant.post(f"/sessions/{sid}/unscan", json={"scanId": old["scan"]["id"]}), 409)
    assert (await session_of(tenant, sid))["progress"] == {"scanned": 1, "total": 2}


async def test_undoing_a_scan_that_counted_nothing_does_not_uncount_the_one_that_did(site):
    tenant = site.tenant
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    first = await scan(tenant, sid, code="LAP-1")  # another phone's, say
    second = await scan(tenant, sid, code="LAP-1")
    assert second["result"] == "already_scanned" and second["scan"]["id"] != first["scan"]["id"]
    r = await tenant.post(f"/sessions/{sid}/unscan", json={"scanId": second["scan"]["id"]})
    assert_error(r, 409)
    assert r.json()["details"] == {"scanId": "not the counting scan"}
    assert (await session_of(tenant, sid))["progress"] == {"scanned": 1, "total": 2}
    assert (await tenant.post(f"/sessions/{sid}/unscan", json={"scanId": first["scan"]["id"]})).status_code == 200


async def test_undoing_an_extra_takes_it_out_of_the_session(site):
    tenant = site.tenant
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    extra = await scan(tenant, sid, code="MON-1", allowMarkAnyway=True)
    assert extra["progress"] == {"scanned": 1, "total": 3}
    r = await tenant.post(f"/sessions/{sid}/unscan", json={"scanId": extra["scan"]["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["progress"] == {"scanned": 0, "total": 2}
    assert "MON-1" not in await item_states(tenant, sid)
    assert (await scan(tenant, sid, code="MON-1"))["result"] == "wrong_location"


async def test_undoing_a_marked_anyway_excluded_item_leaves_it_excluded(site):
    tenant = site.tenant
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    await tenant.post(f"/sessions/{sid}/items/{site.chair['id']}/exclude")
    marked = await scan(tenant, sid, code="CHR-1", allowMarkAnyway=True)
    assert marked["result"] == "accepted" and marked["progress"] == {"scanned": 1, "total": 2}
    r = await tenant.post(f"/sessions/{sid}/unscan", json={"itemId": site.chair["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["progress"] == {"scanned": 0, "total": 1}
    assert (await item_states(tenant, sid))["CHR-1"] == "excluded"
    back = await tenant.post(f"/sessions/{sid}/items/{site.chair['id']}/include")
    assert back.json()["state"] == "unscanned"
    assert (await session_of(tenant, sid))["progress"] == {"scanned": 0, "total": 2}


async def test_missing_lists_the_expected_items_not_yet_seen(site):
    tenant = site.tenant
    sid = (await site.session())["id"]
    # By expected location path (HQ, HQ > Room 204, Warehouse), then tag.
    assert [i["tag"] for i in await tenant.walk(f"/sessions/{sid}/missing")] == ["CHR-1", "LAP-1", "MON-1"]
    await scan(tenant, sid, code="LAP-1")
    await tenant.post(f"/sessions/{sid}/items/{site.monitor['id']}/exclude")
    assert [i["tag"] for i in await tenant.walk(f"/sessions/{sid}/missing")] == ["CHR-1"]


# --- what the phone reads -------------------------------------------------------------------------------


async def test_the_mobile_payload_shows_the_session_and_its_recent_scans_newest_first(site):
    tenant = site.tenant
    sid = (await site.session(name="HQ audit", locationId=site.hq["id"]))["id"]
    codes = [f"NOPE-{n}" for n in range(22)] + ["LAP-1"]
    for code in codes:
        await scan(tenant, sid, code=code)
    r = await tenant.get(f"/sessions/{sid}/mobile")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"id", "name", "status", "location", "progress", "version", "recentScans"}
    assert (body["id"], body["name"], body["status"]) == (sid, "HQ audit", "active")
    assert body["location"]["id"] == site.hq["id"] and body["location"]["path"] == "HQ"
    assert body["progress"] == {"scanned": 1, "total": 2}
    assert [s["code"] for s in body["recentScans"]] == list(reversed(codes))[:20]
    newest = body["recentScans"][0]
    assert (newest["result"], newest["assetId"], newest["tag"], newest["name"], newest["undone"]) == (
        "accepted", site.laptop["id"], "LAP-1", "Laptop", False)
    assert all(s["clientScanId"] is None for s in body["recentScans"])  # present, null: none was sent


async def test_the_mobile_etag_changes_with_a_scan_and_answers_304_while_unchanged(site):
    tenant = site.tenant
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    first = await tenant.get(f"/sessions/{sid}/mobile")
    etag = first.headers["etag"]
    unchanged = await tenant.get(f"/sessions/{sid}/mobile", headers={"if-none-match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    await scan(tenant, sid, code="LAP-1")
    changed = await tenant.get(f"/sessions/{sid}/mobile", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["progress"] == {"scanned": 1, "total": 2}


async def test_the_mobile_payload_in_messagepack_is_the_json_payload(site):
    tenant = site.tenant
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    await scan(tenant, sid, code="LAP-1", scannedAt="2024-05-06T07:08:09Z")
    await scan(tenant, sid, code="NOPE-1")
    as_json = await tenant.get(f"/sessions/{sid}/mobile")
    packed = await tenant.get(f"/sessions/{sid}/mobile", headers=MSGPACK)
    assert packed.status_code == 200
    assert packed.headers["content-type"].startswith("application/msgpack")
    assert msgspec.msgpack.decode(packed.content) == as_json.json()


async def test_the_offline_pack_has_one_row_per_item_and_indexes_locations(site):
    tenant = site.tenant
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    await scan(tenant, sid, code="LAP-1")
    r = await tenant.get(f"/sessions/{sid}/offline-pack")
    assert r.status_code == 200, r.text
    pack = r.json()
    assert pack["sessionId"] == sid
    # New fields are appended: a PWA that reads the first six by position still reads them right.
    assert pack["fields"] == ["assetId", "tag", "serial", "expectedLocation", "state", "codes", "name", "lastSeen"]
    rows = {row[0]: dict(zip(pack["fields"], row, strict=True)) for row in pack["items"]}
    assert len(pack["items"]) == 2 and set(rows) == {site.laptop["id"], site.chair["id"]}
    laptop, chair = rows[site.laptop["id"]], rows[site.chair["id"]]
    assert (laptop["tag"], laptop["serial"], laptop["state"], laptop["name"]) == ("LAP-1", "SN-LAP-77", "scanned",
                                                                                  "Laptop")
    assert (chair["tag"], chair["serial"], chair["state"], chair["name"]) == ("CHR-1", None, "unscanned", "Chair")
    assert laptop["lastSeen"] is None and chair["lastSeen"] is None  # never verified by a completed audit
    assert pack["locations"][laptop["expectedLocation"]]["id"] == site.room204["id"]
    assert pack["locations"][chair["expectedLocation"]]["id"] == site.hq["id"]
    # Door tags of every place, so a location scan resolves offline too.
    codes = {location["id"]: location["code"] for location in pack["locations"]}
    assert codes[site.warehouse["id"]] == site.warehouse["code"]

    packed = await tenant.get(f"/sessions/{sid}/offline-pack", headers=MSGPACK)
    assert packed.headers["content-type"].startswith("application/msgpack")
    assert msgspec.msgpack.decode(packed.content) == pack


# --- roles and tenants ------------------------------------------------------------------------------------


async def test_a_technician_scans_and_reads_but_does_not_manage_sessions(site):
    tech = site.tenant.as_role("technician")
    sid = (await site.session(locationId=site.hq["id"]))["id"]
    assert (await scan(tech, sid, code="LAP-1"))["result"] == "accepted"
    assert (await tech.post(f"/sessions/{sid}/unscan", json={"itemId": site.laptop["id"]})).status_code == 200
    for path in (f"/sessions/{sid}", f"/sessions/{sid}/items", f"/sessions/{sid}/missing", f"/sessions/{sid}/mobile",
                 f"/sessions/{sid}/offline-pack", "/sessions", "/sessions/active"):
        assert (await tech.get(path)).status_code == 200, path
    before = await session_of(site.tenant, sid)
    assert_error(await tech.post("/sessions", json={"name": "Mine"}), 403)
    assert_error(await tech.patch(f"/sessions/{sid}", json={"name": "Mine"}), 403)
    assert_error(await tech.patch(f"/sessions/{sid}", json={"status": "completed"}), 403)
    assert_error(await tech.delete(f"/sessions/{sid}"), 403)
    assert_error(await tech.post(f"/sessions/{sid}/items/{site.chair['id']}/exclude"), 403)
    assert_error(await tech.post(f"/sessions/{sid}/items/{site.monitor['id']}/include"), 403)
    assert await session_of(site.tenant, sid) == before


async def test_a_manager_runs_sessions(site):
    manager = site.tenant.as_role("manager")
    audit = await manager.created("/sessions", name="Managed", locationId=site.hq["id"])
    assert (await manager.post(f"/sessions/{audit['id']}/items/{site.chair['id']}/exclude")).status_code == 200
    assert (await manager.patch(f"/sessions/{audit['id']}", json={"status": "completed"})).status_code == 200
    assert (await manager.delete(f"/sessions/{audit['id']}")).status_code == 204


async def test_another_tenants_sessions_are_not_listed_and_its_ids_are_404(site, other_tenant):
    audit = await site.session()
    assert await other_tenant.walk("/sessions") == []
    assert await other_tenant.walk("/sessions/active") == []
    assert_error(await other_tenant.get(f"/sessions/{audit['id']}"), 404)
    assert_error(await other_tenant.post(f"/sessions/{audit['id']}/scan", json={"code": "LAP-1"}), 404)
    assert (await session_of(site.tenant, audit["id"]))["progress"] == {"scanned": 0, "total": 3}
