"""The missing list and the unknown codes page like every list (CONTRACT §5): `limit`, `cursor`,
`{items, nextCursor}`, a walk that sees every item once in order, `q`, bad paging refused by name."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers import assert_error, scan

pytestmark = pytest.mark.anyio

MISSING_KEYS = {"assetId", "tag", "name", "serial", "categoryId", "categoryName", "expectedLocation", "lastSeenAt"}


@dataclass
class Floor:
    """Locations "annex" (lower case), "B wing" and "HQ" > "Room 1"; nine assets spread over them, one of
    them (ZZ-9, in the annex) verified by an earlier, completed audit; a session over everything."""

    tenant: Any
    session_id: str
    annex: dict[str, Any]
    wing: dict[str, Any]
    room: dict[str, Any]
    tools: dict[str, Any]
    verified: dict[str, Any]


@pytest.fixture
async def floor(tenant) -> Floor:
    annex = await tenant.created("/locations", name="annex")
    wing = await tenant.created("/locations", name="B wing")
    hq = await tenant.created("/locations", name="HQ")
    room = await tenant.created("/locations", name="Room 1", parentId=hq["id"])
    tools = await tenant.created("/categories", name="Tools")
    for tag, name, place, serial in (
        ("T-3", "Drill", wing, "SN-100"), ("T-1", "Saw 50%", wing, None), ("T-2", "Hammer", wing, None),
        ("A-2", "Ladder", annex, "ABC-7"), ("A-1", "Cable drum", annex, None), ("R-1", "Desk", room, None),
        ("R-2", "Chair", room, "sn-drill-9"), ("H-1", "Printer", hq, None),
    ):
        await tenant.created("/inventory-items", name=name, tag=tag, serial=serial, categoryId=tools["id"],
                             locationId=place["id"])
    verified = await tenant.created("/inventory-items", name="Old crate", tag="ZZ-9", locationId=annex["id"])
    earlier = await tenant.created("/sessions", name="Earlier", locationId=annex["id"])
    await scan(tenant, earlier["id"], code="ZZ-9")
    assert (await tenant.patch(f"/sessions/{earlier['id']}", json={"status": "completed"})).status_code == 200
    verified = (await tenant.get(f"/inventory-items/{verified['id']}")).json()
    assert verified["lastVerifiedAt"] is not None
    session_id = (await tenant.created("/sessions", name="Everything"))["id"]
    return Floor(tenant, session_id, annex, wing, room, tools, verified)


# The expected location's path (compared without case: "annex" < "B wing" < "HQ" < "HQ > Room 1"), then the tag.
IN_ORDER = ["A-1", "A-2", "ZZ-9", "T-1", "T-2", "T-3", "H-1", "R-1", "R-2"]


async def test_missing_items_say_what_and_where_each_is_and_when_it_was_last_seen(floor):
    r = await floor.tenant.get(f"/sessions/{floor.session_id}/missing")
    assert r.status_code == 200, r.text
    page = r.json()
    assert set(page) == {"items", "nextCursor"} and page["nextCursor"] is None
    assert all(set(item) == MISSING_KEYS for item in page["items"])
    by_tag = {item["tag"]: item for item in page["items"]}
    drill = by_tag["T-3"]
    assert (drill["name"], drill["serial"], drill["categoryId"], drill["categoryName"]) == (
        "Drill", "SN-100", floor.tools["id"], "Tools")
    assert drill["expectedLocation"] == {"id": floor.wing["id"], "name": "B wing", "path": "B wing",
                                         "code": floor.wing["code"]}
    assert by_tag["R-1"]["expectedLocation"]["path"] == "HQ > Room 1"
    assert drill["lastSeenAt"] is None
    assert by_tag["ZZ-9"]["lastSeenAt"] == floor.verified["lastVerifiedAt"]
    assert by_tag["ZZ-9"]["categoryName"] and by_tag["ZZ-9"]["categoryId"] == floor.verified["categoryId"]


@pytest.mark.parametrize("limit", [1, 2, 4, 9, 200])
async def test_walking_the_missing_list_sees_every_item_once_in_location_then_tag_order(floor, limit):
    items = await floor.tenant.walk(f"/sessions/{floor.session_id}/missing", limit=limit)
    assert [item["tag"] for item in items] == IN_ORDER


async def test_the_missing_list_pages_by_fifty_by_default_and_says_when_there_is_more(floor):
    page = (await floor.tenant.get(f"/sessions/{floor.session_id}/missing", params={"limit": 4})).json()
    assert [item["tag"] for item in page["items"]] == IN_ORDER[:4] and page["nextCursor"]
    rest = (await floor.tenant.get(f"/sessions/{floor.session_id}/missing",
                                   params={"limit": 4, "cursor": page["nextCursor"]})).json()
    assert [item["tag"] for item in rest["items"]] == IN_ORDER[4:8]
    whole = (await floor.tenant.get(f"/sessions/{floor.session_id}/missing")).json()
    assert len(whole["items"]) == len(IN_ORDER) and whole["nextCursor"] is None


async def test_the_missing_list_leaves_out_what_was_seen_or_excluded(floor):
    tenant, sid = floor.tenant, floor.session_id
    await scan(tenant, sid, code="T-2")
    item = next(i for i in await tenant.walk(f"/sessions/{sid}/missing") if i["tag"] == "R-1")
    assert (await tenant.post(f"/sessions/{sid}/items/{item['assetId']}/exclude")).status_code == 200
    assert [i["tag"] for i in await tenant.walk(f"/sessions/{sid}/missing", limit=2)] == [
        t for t in IN_ORDER if t not in ("T-2", "R-1")]


@pytest.mark.parametrize(("q", "tags"), [
    pytest.param("t-", ["T-1", "T-2", "T-3"], id="tag-any-case"),
    pytest.param("DRUM", ["A-1"], id="name-any-case"),
    pytest.param("sn-", ["T-3", "R-2"], id="serial-any-case"),
    pytest.param("drill", ["T-3", "R-2"], id="name-or-serial"),
    pytest.param("50%", ["T-1"], id="percent-taken-literally"),
    pytest.param("nothing like it", [], id="no-match"),
])
async def test_q_finds_missing_items_by_tag_name_or_serial(floor, q, tags):
    items = await floor.tenant.walk(f"/sessions/{floor.session_id}/missing", limit=1, q=q)
    assert [item["tag"] for item in items] == tags


@pytest.mark.parametrize("path", ["missing", "unknown-codes"])
@pytest.mark.parametrize(("params", "field"), [
    pytest.param({"limit": 0}, "limit", id="limit-zero"),
    pytest.param({"limit": 201}, "limit", id="limit-too-big"),
    pytest.param({"limit": "ten"}, "limit", id="limit-not-a-number"),
    pytest.param({"cursor": "not-a-cursor"}, "cursor", id="cursor-garbage"),
    pytest.param({"cursor": "WyJhIl0"}, "cursor", id="cursor-of-another-shape"),  # ["a"]
    pytest.param({"cursor": "WzEsMiwzXQ"}, "cursor", id="cursor-of-numbers"),  # [1,2,3]
    pytest.param({"cursor": "WyJhIiwiYiIsIm5vdC1hbi1pZCJd"}, "cursor", id="cursor-with-a-bad-id"),
])
async def test_bad_paging_is_a_400_naming_the_parameter(floor, path, params, field):
    assert_error(await floor.tenant.get(f"/sessions/{floor.session_id}/{path}", params=params), 400, field)


async def test_a_cursor_from_the_items_list_is_refused_by_the_missing_list(floor):
    page = (await floor.tenant.get(f"/sessions/{floor.session_id}/items", params={"limit": 1})).json()
    r = await floor.tenant.get(f"/sessions/{floor.session_id}/missing", params={"cursor": page["nextCursor"]})
    assert_error(r, 400, "cursor")


@pytest.mark.parametrize("path", ["missing", "unknown-codes"])
async def test_another_tenants_or_an_unknown_session_is_a_404_even_with_paging(floor, other_tenant, path):
    params = {"limit": 1, "q": "T"} if path == "missing" else {"limit": 1}
    foreign = await other_tenant.get(f"/sessions/{floor.session_id}/{path}", params=params)
    unknown_id = str(uuid.uuid4())
    unknown = await other_tenant.get(f"/sessions/{unknown_id}/{path}", params=params)
    assert assert_error(foreign, 404)["message"] == assert_error(unknown, 404)["message"].replace(
        unknown_id, floor.session_id)
    assert "T-1" not in foreign.text


async def test_walking_the_unknown_codes_sees_each_code_once_in_the_order_first_seen(floor):
    tenant, sid = floor.tenant, floor.session_id
    technician = tenant.as_role("technician")
    for code, at, who in (("NOPE-B", "09:00", tenant), ("NOPE-A", "09:01", technician), ("NOPE-B", "09:02", technician),
                          ("NOPE-C", "09:03", tenant), ("NOPE-E", "09:04", tenant), ("NOPE-D", "09:04", tenant)):
        assert (await scan(who, sid, code=code, scannedAt=f"2024-02-01T{at}:00Z"))["result"] == "unknown_code"
    whole = (await tenant.get(f"/sessions/{sid}/unknown-codes")).json()
    # First seen, then the code where two were first seen at once.
    assert [u["code"] for u in whole["items"]] == ["NOPE-B", "NOPE-A", "NOPE-C", "NOPE-D", "NOPE-E"]
    assert whole["nextCursor"] is None
    nope_b = whole["items"][0]
    assert (nope_b["count"], nope_b["firstSeenAt"], nope_b["lastSeenAt"]) == (
        2, "2024-02-01T09:00:00Z", "2024-02-01T09:02:00Z")
    assert nope_b["scannedBy"] == [f"admin@{tenant.slug}.example", f"technician@{tenant.slug}.example"]
    for limit in (1, 2, 3):
        assert await tenant.walk(f"/sessions/{sid}/unknown-codes", limit=limit) == whole["items"]
