"""/locations through HTTP: the tree, its paths and door-label codes, lists, soft delete, roles, tenancy."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest


pytestmark = pytest.mark.anyio

MISSING_ID = "01890000-0000-7000-8000-000000000000"


async def make(tenant: Any, name: str, parent: dict | None = None, **fields: Any) -> dict:
    body = {"name": name, **fields}
    if parent is not None:
        body["parentId"] = parent["id"]
    return await tenant.created("/locations", **body)


async def fetch(tenant: Any, location: dict) -> dict:
    r = await tenant.get(f"/locations/{location['id']}")
    assert r.status_code == 200, r.text
    return r.json()


async def move(tenant: Any, location: dict, parent: dict | None) -> Any:
    return await tenant.patch(f"/locations/{location['id']}", json={"parentId": parent["id"] if parent else None})


async def walk(tenant: Any, limit: int = 200, **params: Any) -> list[dict]:
    return await tenant.walk("/locations", limit=limit, **params)


async def hq_tree(tenant: Any) -> tuple[dict, dict, dict]:
    hq = await make(tenant, "HQ")
    floor = await make(tenant, "Floor 2", hq)
    room = await make(tenant, "Room 204", floor)
    return hq, floor, room


# --- the default location -------------------------------------------------------------------------------


async def test_a_new_tenant_has_a_default_location(tenant):
    r = await tenant.get("/locations/default")
    assert r.status_code == 200, r.text
    default = r.json()
    assert default["isDefault"] is True
    assert default["parentId"] is None
    assert default["path"] == default["name"] == "Default location"
    assert default["code"] == "LOC-0001"
    assert default["deletedAt"] is None
    assert [item["id"] for item in await walk(tenant)] == [default["id"]]


async def test_quick_added_assets_land_in_the_default_location(tenant):
    default = (await tenant.get("/locations/default")).json()
    r = await tenant.post("/inventory-items", json={"name": "Drill"})
    assert r.status_code == 201, r.text
    assert r.json()["locationId"] == default["id"]


# --- creating a tree ------------------------------------------------------------------------------------


async def test_a_tree_reads_as_paths_from_the_root(tenant):
    hq, floor, room = await hq_tree(tenant)
    assert (hq["path"], floor["path"], room["path"]) == ("HQ", "HQ > Floor 2", "HQ > Floor 2 > Room 204")
    assert (floor["parentId"], room["parentId"]) == (hq["id"], floor["id"])
    assert (await fetch(tenant, room))["path"] == "HQ > Floor 2 > Room 204"
    assert room["isDefault"] is False and room["deletedAt"] is None


async def test_codes_are_generated_in_order_and_unique(tenant):
    hq, floor, room = await hq_tree(tenant)
    assert [hq["code"], floor["code"], room["code"]] == ["LOC-0002", "LOC-0003", "LOC-0004"]
    codes = [item["code"] for item in await walk(tenant)]
    assert len(codes) == len(set(codes)) == 4


async def test_a_given_code_is_kept_upper_cased(tenant):
    lab = await make(tenant, "Lab", code="lab-3.b_x")
    assert lab["code"] == "LAB-3.B_X"
    assert (await fetch(tenant, lab))["code"] == "LAB-3.B_X"
    assert lab["qrUrl"].endswith("/l/LAB-3.B_X")


async def test_generated_codes_skip_a_code_someone_typed_in(tenant):
    typed = await make(tenant, "Typed", code="loc-0003")
    assert typed["code"] == "LOC-0003"
    assert [(await make(tenant, f"Auto {i}"))["code"] for i in range(2)] == ["LOC-0002", "LOC-0004"]


async def test_a_code_already_in_use_is_a_conflict(tenant):
    await make(tenant, "Lab", code="LAB-1")
    r = await tenant.post("/locations", json={"name": "Other lab", "code": "lab-1"})
    assert r.status_code == 409, r.text
    assert "code" in r.json()["details"]
    r = await tenant.post("/locations", json={"name": "Clash", "code": "LOC-0001"})  # the default location's
    assert r.status_code == 409, r.text
    assert [item["name"] for item in await walk(tenant, q="lab")] == ["Lab"]


async def test_a_deleted_location_keeps_its_code(tenant):
    """A printed door label must never come to mean another room."""
    old = await make(tenant, "Old store", code="STORE")
    assert (await tenant.delete(f"/locations/{old['id']}")).status_code == 204
    r = await tenant.post("/locations", json={"name": "New store", "code": "store"})
    assert r.status_code == 409, r.text


async def test_changing_a_code_to_one_in_use_is_a_conflict(tenant):
    a = await make(tenant, "A", code="ROOM-A")
    b = await make(tenant, "B")
    r = await tenant.patch(f"/locations/{b['id']}", json={"code": "room-a"})
    assert r.status_code == 409, r.text
    assert "code" in r.json()["details"]
    assert (await fetch(tenant, b))["code"] == b["code"]
    r = await tenant.patch(f"/locations/{a['id']}", json={"code": "room-a"})  # its own code, other spelling
    assert r.status_code == 200, r.text
    assert r.json()["code"] == "ROOM-A"
    r = await tenant.patch(f"/locations/{b['id']}", json={"code": "room-b"})
    assert r.status_code == 200, r.text
    assert r.json()["code"] == "ROOM-B"
    assert r.json()["qrUrl"].endswith("/l/ROOM-B")


@pytest.mark.parametrize("code", [
    pytest.param("", id="empty"),
    pytest.param("ROOM 1", id="space"),
    pytest.param("A/B", id="slash"),
    pytest.param("X" * 33, id="too-long"),
    pytest.param(".", id="dot"),
    pytest.param("..", id="dot-dot"),
])
async def test_a_code_that_cannot_be_a_door_label_url_is_refused(tenant, code):
    r = await tenant.post("/locations", json={"name": "Room", "code": code})
    assert r.status_code == 400, r.text
    assert "code" in r.json()["details"]
    assert len(await walk(tenant)) == 1


async def test_qr_url_points_at_the_door_label_page(tenant):
    hq, floor, room = await hq_tree(tenant)
    for location in (hq, floor, room, (await tenant.get("/locations/default")).json()):
        assert location["qrUrl"] == f"http://{tenant.host}/l/{location['code']}"


@pytest.mark.parametrize("name", [
    pytest.param("", id="empty"),
    pytest.param("   ", id="only-spaces"),
    pytest.param("Room\n204", id="line-break"),
    pytest.param("x" * 201, id="too-long"),
])
async def test_a_location_needs_a_name_on_one_line(tenant, name):
    r = await tenant.post("/locations", json={"name": name})
    assert r.status_code == 400, r.text
    assert "name" in r.json()["details"]
    hq = await make(tenant, "HQ")
    r = await tenant.patch(f"/locations/{hq['id']}", json={"name": name})
    assert r.status_code == 400, r.text
    assert "name" in r.json()["details"]
    assert (await fetch(tenant, hq))["name"] == "HQ"


async def test_names_are_trimmed(tenant):
    hq = await make(tenant, "  HQ  ")
    floor = await make(tenant, " Floor 2", hq)
    assert (hq["name"], floor["path"]) == ("HQ", "HQ > Floor 2")


async def test_unknown_fields_are_refused_by_name(tenant):
    r = await tenant.post("/locations", json={"name": "HQ", "parent": None})
    assert r.status_code == 400, r.text
    assert "parent" in r.json()["details"]


async def test_a_very_deep_tree_is_refused_with_400_not_a_server_error(tenant):
    """Paths are stored up to 4000 characters; a location whose path would be longer is refused by name."""
    parent = None
    for level in range(19):
        parent = await make(tenant, f"{level:02d}" + "x" * 198, parent)
    assert len(parent["path"]) == 19 * 200 + 18 * 3
    r = await tenant.post("/locations", json={"name": "y" * 200, "parentId": parent["id"]})
    assert r.status_code == 400, r.text
    assert "parentId" in r.json()["details"] or "name" in r.json()["details"]
    assert len(await walk(tenant)) == 20


async def test_a_rename_or_move_that_makes_a_path_too_long_is_refused(tenant):
    chain = []
    for level in range(19):  # 19 × 200 characters and 18 separators: 3854
        chain.append(await make(tenant, f"{level:02d}" + "x" * 198, chain[-1] if chain else None))
    short = await make(tenant, "Short")
    leaf = await make(tenant, "Leaf", short)
    r = await move(tenant, short, chain[-1])  # " > Short > Leaf" still fits
    assert r.status_code == 200, r.text
    r = await tenant.patch(f"/locations/{short['id']}", json={"name": "s" * 200})  # the leaf's path would not
    assert r.status_code == 400, r.text
    assert "name" in r.json()["details"]
    assert (await fetch(tenant, short))["name"] == "Short"
    assert (await fetch(tenant, leaf))["path"].endswith(" > Short > Leaf")
    r = await tenant.patch(f"/locations/{chain[0]['id']}", json={"name": "z" * 200})  # nothing grows: fine
    assert r.status_code == 200, r.text
    assert (await fetch(tenant, leaf))["path"].startswith("z" * 200 + " > 01")
    outer = await make(tenant, "o" * 200)
    inner = await make(tenant, "i" * 200, outer)
    r = await move(tenant, chain[1], inner)  # one level deeper than before: too long for the leaf
    assert r.status_code == 400, r.text
    assert "parentId" in r.json()["details"]
    assert (await fetch(tenant, chain[1]))["parentId"] == chain[0]["id"]
    assert (await fetch(tenant, leaf))["path"].startswith("z" * 200 + " > 01")
    r = await move(tenant, chain[1], outer)  # the same depth as before: fine
    assert r.status_code == 200, r.text
    assert (await fetch(tenant, leaf))["path"].startswith("o" * 200 + " > 01")


# --- renaming and moving --------------------------------------------------------------------------------


async def test_renaming_a_location_renames_the_path_of_everything_below_it(tenant):
    hq, floor, room = await hq_tree(tenant)
    closet = await make(tenant, "Closet", hq)
    annex = await make(tenant, "Annex")
    r = await tenant.patch(f"/locations/{hq['id']}", json={"name": "Head Office"})
    assert r.status_code == 200, r.text
    assert r.json()["path"] == "Head Office"
    assert (await fetch(tenant, floor))["path"] == "Head Office > Floor 2"
    assert (await fetch(tenant, room))["path"] == "Head Office > Floor 2 > Room 204"
    assert (await fetch(tenant, closet))["path"] == "Head Office > Closet"
    assert (await fetch(tenant, annex))["path"] == "Annex"
    listed = {item["name"]: item["path"] for item in await walk(tenant)}
    assert listed["Room 204"] == "Head Office > Floor 2 > Room 204"


async def test_renaming_a_middle_location_leaves_its_parent_alone(tenant):
    hq, floor, room = await hq_tree(tenant)
    r = await tenant.patch(f"/locations/{floor['id']}", json={"name": "Second floor"})
    assert r.status_code == 200, r.text
    assert r.json()["path"] == "HQ > Second floor"
    assert (await fetch(tenant, room))["path"] == "HQ > Second floor > Room 204"
    assert (await fetch(tenant, hq))["path"] == "HQ"


async def test_moving_a_location_moves_everything_below_it(tenant):
    hq, floor, room = await hq_tree(tenant)
    closet = await make(tenant, "Closet", hq)
    warehouse = await make(tenant, "Warehouse")
    r = await move(tenant, floor, warehouse)
    assert r.status_code == 200, r.text
    assert (r.json()["parentId"], r.json()["path"]) == (warehouse["id"], "Warehouse > Floor 2")
    assert (await fetch(tenant, room))["path"] == "Warehouse > Floor 2 > Room 204"
    assert (await fetch(tenant, closet))["path"] == "HQ > Closet"
    assert {item["id"] for item in await walk(tenant, parentId=hq["id"])} == {closet["id"]}
    assert {item["id"] for item in await walk(tenant, parentId=warehouse["id"])} == {floor["id"]}


async def test_moving_a_location_to_the_top(tenant):
    hq, floor, room = await hq_tree(tenant)
    r = await move(tenant, floor, None)
    assert r.status_code == 200, r.text
    assert (r.json()["parentId"], r.json()["path"]) == (None, "Floor 2")
    assert (await fetch(tenant, room))["path"] == "Floor 2 > Room 204"


async def test_rename_and_move_in_one_request(tenant):
    hq, floor, room = await hq_tree(tenant)
    warehouse = await make(tenant, "Warehouse")
    r = await tenant.patch(f"/locations/{floor['id']}",
                           json={"name": "Mezzanine", "parentId": warehouse["id"], "description": "upstairs"})
    assert r.status_code == 200, r.text
    assert (r.json()["path"], r.json()["description"]) == ("Warehouse > Mezzanine", "upstairs")
    assert (await fetch(tenant, room))["path"] == "Warehouse > Mezzanine > Room 204"


async def test_a_deleted_sub_location_follows_a_rename_and_comes_back_right(tenant):
    """Deleted sub-locations follow a rename too, so they are right when restored."""
    hq, floor, room = await hq_tree(tenant)
    assert (await tenant.delete(f"/locations/{room['id']}")).status_code == 204
    assert (await tenant.patch(f"/locations/{hq['id']}", json={"name": "HQ East"})).status_code == 200
    r = await tenant.post(f"/locations/{room['id']}/restore")
    assert r.status_code == 200, r.text
    assert r.json()["path"] == "HQ East > Floor 2 > Room 204"


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
async def test_a_location_cannot_move_under_itself_or_below_itself(tenant, target):
    hq, floor, room = await hq_tree(tenant)
    new_parent = {"itself": hq, "child": floor, "grandchild": room}[target]
    before = await walk(tenant)
    r = await move(tenant, hq, new_parent)
    assert r.status_code == 400, r.text
    assert "parentId" in r.json()["details"]
    after = await walk(tenant)
    assert [(i["id"], i["parentId"], i["path"], i["updatedAt"]) for i in after] == \
        [(i["id"], i["parentId"], i["path"], i["updatedAt"]) for i in before]


async def test_a_refused_move_also_drops_the_rename_sent_with_it(tenant):
    hq, floor, room = await hq_tree(tenant)
    r = await tenant.patch(f"/locations/{floor['id']}", json={"name": "Renamed", "parentId": room["id"]})
    assert r.status_code == 400, r.text
    assert (await fetch(tenant, floor))["name"] == "Floor 2"
    assert (await fetch(tenant, room))["path"] == "HQ > Floor 2 > Room 204"


async def test_two_opposite_moves_at_once_never_make_a_loop(tenant, settings):
    """Moving A under B while someone moves B under A: one of them must be refused."""
    send = tenant.request
    for _ in range(5):
        a = await make(tenant, "A")
        b = await make(tenant, "B")
        answers = await asyncio.gather(send("PATCH", f"/locations/{a['id']}", json={"parentId": b["id"]}),
                                       send("PATCH", f"/locations/{b['id']}", json={"parentId": a["id"]}))
        assert sorted(r.status_code for r in answers) == [200, 400], [r.text for r in answers]
        a, b = await fetch(tenant, a), await fetch(tenant, b)
        assert None in (a["parentId"], b["parentId"])
        assert {a["path"], b["path"]} in ({"A", "A > B"}, {"B", "B > A"})


async def test_renames_moves_and_new_children_at_once_leave_every_path_right(tenant, settings):
    hq, floor, room = await hq_tree(tenant)
    warehouse = await make(tenant, "Warehouse")
    send = tenant.request
    answers = await asyncio.gather(
        send("PATCH", f"/locations/{hq['id']}", json={"name": "Head Office"}),
        send("PATCH", f"/locations/{room['id']}", json={"parentId": warehouse["id"]}),
        send("POST", "/locations", json={"name": "Closet", "parentId": floor["id"]}),
        send("PATCH", f"/locations/{warehouse['id']}", json={"name": "Depot"}),
        send("PATCH", f"/locations/{floor['id']}", json={"name": "Floor Two"}),
    )
    assert [r.status_code for r in answers] == [200, 200, 201, 200, 200], [r.text for r in answers]
    paths = {item["name"]: item["path"] for item in await walk(tenant)}
    assert paths["Floor Two"] == "Head Office > Floor Two"
    assert paths["Closet"] == "Head Office > Floor Two > Closet"
    assert paths["Room 204"] == "Depot > Room 204"


async def test_deleting_a_parent_while_a_child_is_added_leaves_no_orphan(tenant, settings):
    send = tenant.request
    for _ in range(5):
        shed = await make(tenant, "Shed")
        answers = await asyncio.gather(send("DELETE", f"/locations/{shed['id']}"),
                                       send("POST", "/locations", json={"name": "Shelf", "parentId": shed["id"]}))
        assert sorted(r.status_code for r in answers) in ([201, 409], [204, 400]), [r.text for r in answers]
    for location in await walk(tenant):
        if location["parentId"] is not None:
            assert (await fetch(tenant, {"id": location["parentId"]}))["deletedAt"] is None


async def test_the_same_code_given_twice_at_once_is_one_location_and_one_conflict(tenant, settings):
    send = tenant.request
    for i in range(5):
        answers = await asyncio.gather(*(send("POST", "/locations", json={"name": f"Dock {n}", "code": f"DOCK-{i}"})
                                         for n in range(3)))
        assert sorted(r.status_code for r in answers) == [201, 409, 409], [r.text for r in answers]
    assert len(await walk(tenant, q="dock")) == 5


@pytest.mark.parametrize("how", ["missing", "other-tenant", "deleted"])
async def test_the_parent_must_be_a_live_location_of_this_tenant(tenant, other_tenant, how):
    if how == "missing":
        parent_id = MISSING_ID
    elif how == "other-tenant":
        parent_id = (await make(other_tenant, "Their HQ"))["id"]
    else:
        gone = await make(tenant, "Gone")
        assert (await tenant.delete(f"/locations/{gone['id']}")).status_code == 204
        parent_id = gone["id"]
    r = await tenant.post("/locations", json={"name": "Room", "parentId": parent_id})
    assert r.status_code == 400, r.text
    assert "parentId" in r.json()["details"]
    room = await make(tenant, "Room")
    r = await tenant.patch(f"/locations/{room['id']}", json={"parentId": parent_id})
    assert r.status_code == 400, r.text
    assert "parentId" in r.json()["details"]
    assert (await fetch(tenant, room))["parentId"] is None
    assert [i["name"] for i in await walk(tenant, q="room")] == ["Room"]


async def test_parent_id_that_is_not_a_uuid_is_400(tenant):
    r = await tenant.post("/locations", json={"name": "Room", "parentId": "HQ"})
    assert r.status_code == 400, r.text
    assert "parentId" in r.json()["details"]


# --- lists ----------------------------------------------------------------------------------------------


async def test_list_by_parent_gives_the_direct_children_only(tenant):
    hq, floor, room = await hq_tree(tenant)
    closet = await make(tenant, "Closet", hq)
    default = (await tenant.get("/locations/default")).json()
    assert [i["id"] for i in await walk(tenant, parentId=hq["id"])] == [closet["id"], floor["id"]]
    assert [i["id"] for i in await walk(tenant, parentId=floor["id"])] == [room["id"]]
    assert await walk(tenant, parentId=room["id"]) == []
    assert [i["id"] for i in await walk(tenant, parentId="root")] == [default["id"], hq["id"]]


async def test_list_by_parent_of_another_tenant_shows_nothing(tenant, other_tenant):
    theirs = await make(other_tenant, "Their HQ")
    await make(other_tenant, "Their floor", theirs)
    assert await walk(tenant, parentId=theirs["id"]) == []


async def test_list_by_a_parent_id_that_is_not_a_uuid_is_400(tenant):
    r = await tenant.get("/locations", params={"parentId": "top"})
    assert r.status_code == 400, r.text
    assert "parentId" in r.json()["details"]


async def test_search_matches_name_code_and_path_ignoring_case(tenant):
    hq, floor, room = await hq_tree(tenant)
    lab = await make(tenant, "Lab", code="XR-7")
    assert [i["id"] for i in await walk(tenant, q="room 2")] == [room["id"]]
    assert [i["id"] for i in await walk(tenant, q="xr-7")] == [lab["id"]]
    assert [i["id"] for i in await walk(tenant, q=room["code"].lower())] == [room["id"]]
    assert [i["id"] for i in await walk(tenant, q="hq > floor")] == [floor["id"], room["id"]]
    assert [i["id"] for i in await walk(tenant, q="  FLOOR  ")] == [floor["id"], room["id"]]
    assert await walk(tenant, q="basement") == []
    assert len(await walk(tenant, q="   ")) == 5


async def test_search_takes_percent_and_underscore_literally(tenant):
    fifty = await make(tenant, "50% zone")
    await make(tenant, "500 zone")
    under = await make(tenant, "cold_room")
    await make(tenant, "coldXroom")
    assert [i["id"] for i in await walk(tenant, q="50%")] == [fifty["id"]]
    assert [i["id"] for i in await walk(tenant, q="d_r")] == [under["id"]]


async def test_search_and_parent_filters_combine(tenant):
    hq, floor, room = await hq_tree(tenant)
    annex = await make(tenant, "Annex")
    await make(tenant, "Room 9", annex)
    assert [i["id"] for i in await walk(tenant, q="room", parentId=floor["id"])] == [room["id"]]


async def test_sort_by_path_name_and_reverse_name_ignoring_case(tenant):
    hq, floor, room = await hq_tree(tenant)
    annex = await make(tenant, "annex")
    zone = await make(tenant, "Zone B", annex)
    bay = await make(tenant, "bay 1", hq)
    default = (await tenant.get("/locations/default")).json()
    by_path = ["annex", "annex > Zone B", "Default location", "HQ", "HQ > bay 1", "HQ > Floor 2",
               "HQ > Floor 2 > Room 204"]
    assert [i["path"] for i in await walk(tenant)] == by_path
    assert [i["path"] for i in await walk(tenant, sort="path")] == by_path
    assert [i["path"] for i in await walk(tenant, sort="-path")] == by_path[::-1]
    by_name = [annex["id"], bay["id"], default["id"], floor["id"], hq["id"], room["id"], zone["id"]]
    assert [i["id"] for i in await walk(tenant, sort="name")] == by_name
    assert [i["id"] for i in await walk(tenant, sort="-name")] == by_name[::-1]


async def test_an_unknown_sort_is_400_naming_the_options(tenant):
    r = await tenant.get("/locations", params={"sort": "floor"})
    assert r.status_code == 400, r.text
    assert "sort" in r.json()["details"] and "path" in r.json()["message"]


@pytest.mark.parametrize("limit", [0, 201, -1])
async def test_a_limit_out_of_range_is_400(tenant, limit):
    r = await tenant.get("/locations", params={"limit": limit})
    assert r.status_code == 400, r.text
    assert "limit" in r.json()["details"]


async def test_a_garbled_cursor_is_400(tenant):
    r = await tenant.get("/locations", params={"cursor": "not-a-cursor"})
    assert r.status_code == 400, r.text
    assert "cursor" in r.json()["details"]


@pytest.mark.parametrize("sort", ["path", "-path", "name", "-name", "code", "createdAt", "-updatedAt"])
async def test_paging_visits_every_location_exactly_once_in_order(tenant, sort):
    hq = await make(tenant, "HQ")
    for i in range(3):
        await make(tenant, "Room", hq)  # same name and path three times: the id breaks the tie
        await make(tenant, f"Store {i}")
    await make(tenant, "room", hq)
    everything = [i["id"] for i in await walk(tenant, sort=sort)]
    assert len(everything) == 9 == len(set(everything))
    for limit in (1, 2, 3, 4):
        assert [i["id"] for i in await walk(tenant, limit=limit, sort=sort)] == everything


async def test_paging_with_a_filter_keeps_the_filter(tenant):
    hq = await make(tenant, "HQ")
    rooms = [await make(tenant, f"Room {i}", hq) for i in range(5)]
    await make(tenant, "Annex")
    paged = await walk(tenant, limit=2, parentId=hq["id"])
    assert [i["id"] for i in paged] == [r["id"] for r in rooms]


async def test_the_last_page_has_no_next_cursor(tenant):
    await make(tenant, "HQ")
    r = await tenant.get("/locations", params={"limit": 2})
    assert r.json()["nextCursor"] is None and len(r.json()["items"]) == 2
    r = await tenant.get("/locations", params={"limit": 1})
    assert r.json()["nextCursor"] is not None and len(r.json()["items"]) == 1


# --- delete and restore ---------------------------------------------------------------------------------


async def test_the_default_location_cannot_be_deleted(tenant):
    default = (await tenant.get("/locations/default")).json()
    r = await tenant.delete(f"/locations/{default['id']}")
    assert r.status_code == 409, r.text
    assert (await fetch(tenant, default))["deletedAt"] is None


async def test_a_location_with_live_sub_locations_cannot_be_deleted(tenant):
    hq, floor, room = await hq_tree(tenant)
    r = await tenant.delete(f"/locations/{hq['id']}")
    assert r.status_code == 409, r.text
    assert r.json()["details"] == {"subLocations": 1}
    assert (await fetch(tenant, hq))["deletedAt"] is None
    for location in (room, floor, hq):  # bottom up works
        assert (await tenant.delete(f"/locations/{location['id']}")).status_code == 204


async def test_a_location_with_live_assets_cannot_be_deleted(tenant):
    room = await make(tenant, "Room 204")
    assets = []
    for name in ("Projector", "Screen"):
        r = await tenant.post("/inventory-items", json={"name": name, "locationId": room["id"]})
        assert r.status_code == 201, r.text
        assets.append(r.json())
    r = await tenant.delete(f"/locations/{room['id']}")
    assert r.status_code == 409, r.text
    assert r.json()["details"] == {"assets": 2}
    assert (await fetch(tenant, room))["deletedAt"] is None
    for asset in assets:
        assert (await tenant.delete(f"/inventory-items/{asset['id']}")).status_code == 204
    assert (await tenant.delete(f"/locations/{room['id']}")).status_code == 204


async def test_a_deleted_leaf_leaves_the_list_and_shows_with_deleted_only(tenant):
    hq, floor, room = await hq_tree(tenant)
    r = await tenant.delete(f"/locations/{room['id']}")
    assert r.status_code == 204, r.text
    assert room["id"] not in [i["id"] for i in await walk(tenant)]
    only = await walk(tenant, deleted="only")
    assert [i["id"] for i in only] == [room["id"]]
    assert only[0]["deletedAt"] is not None
    assert room["id"] in [i["id"] for i in await walk(tenant, deleted="include")]
    assert len(await walk(tenant, deleted="include")) == 4
    assert (await fetch(tenant, room))["deletedAt"] is not None  # still readable by id
    assert await walk(tenant, parentId=floor["id"]) == []
    r = await tenant.delete(f"/locations/{floor['id']}")  # its only child is deleted now
    assert r.status_code == 204, r.text


async def test_deleting_twice_is_harmless(tenant):
    room = await make(tenant, "Room")
    assert (await tenant.delete(f"/locations/{room['id']}")).status_code == 204
    deleted_at = (await fetch(tenant, room))["deletedAt"]
    assert (await tenant.delete(f"/locations/{room['id']}")).status_code == 204
    assert (await fetch(tenant, room))["deletedAt"] == deleted_at


async def test_an_unknown_deleted_filter_is_400(tenant):
    r = await tenant.get("/locations", params={"deleted": "yes"})
    assert r.status_code == 400, r.text
    assert "deleted" in r.json()["details"]


async def test_restore_brings_a_location_back(tenant):
    room = await make(tenant, "Room")
    assert (await tenant.delete(f"/locations/{room['id']}")).status_code == 204
    r = await tenant.post(f"/locations/{room['id']}/restore")
    assert r.status_code == 200, r.text
    assert r.json()["deletedAt"] is None and r.json()["code"] == room["code"]
    assert room["id"] in [i["id"] for i in await walk(tenant)]
    r = await tenant.post(f"/locations/{room['id']}/restore")  # restoring a live one changes nothing
    assert r.status_code == 200, r.text


async def test_a_child_cannot_be_restored_under_a_deleted_parent(tenant):
    hq, floor, room = await hq_tree(tenant)
    for location in (room, floor):
        assert (await tenant.delete(f"/locations/{location['id']}")).status_code == 204
    r = await tenant.post(f"/locations/{room['id']}/restore")
    assert r.status_code == 409, r.text
    assert r.json()["details"] == {"parentId": floor["id"]}
    assert (await fetch(tenant, room))["deletedAt"] is not None
    assert (await tenant.post(f"/locations/{floor['id']}/restore")).status_code == 200
    assert (await tenant.post(f"/locations/{room['id']}/restore")).status_code == 200
    assert [i["path"] for i in await walk(tenant, q="room")] == ["HQ > Floor 2 > Room 204"]


async def test_a_deleted_location_cannot_be_changed(tenant):
    room = await make(tenant, "Room")
    assert (await tenant.delete(f"/locations/{room['id']}")).status_code == 204
    r = await tenant.patch(f"/locations/{room['id']}", json={"name": "Other"})
    assert r.status_code == 409, r.text
    assert (await fetch(tenant, room))["name"] == "Room"


async def test_a_location_cannot_move_under_a_deleted_parent(tenant):
    hq, floor, room = await hq_tree(tenant)
    annex = await make(tenant, "Annex")
    assert (await tenant.delete(f"/locations/{annex['id']}")).status_code == 204
    r = await move(tenant, floor, annex)
    assert r.status_code == 400, r.text
    assert "parentId" in r.json()["details"]
    assert (await fetch(tenant, floor))["path"] == "HQ > Floor 2"


# --- roles ----------------------------------------------------------------------------------------------


async def test_a_technician_can_look_but_not_change(tenant):
    hq, floor, room = await hq_tree(tenant)
    tech = tenant.as_role("technician")
    assert (await tech.get("/locations")).status_code == 200
    assert (await tech.get(f"/locations/{hq['id']}")).status_code == 200
    assert (await tech.get("/locations/default")).status_code == 200
    r = await tech.post("/locations", json={"name": "Shed"})
    assert r.status_code == 403, r.text
    assert r.json()["message"]
    assert (await tech.patch(f"/locations/{hq['id']}", json={"name": "Mine"})).status_code == 403
    assert (await tech.delete(f"/locations/{room['id']}")).status_code == 403
    assert (await tenant.delete(f"/locations/{room['id']}")).status_code == 204
    assert (await tech.post(f"/locations/{room['id']}/restore")).status_code == 403
    assert (await fetch(tenant, hq))["name"] == "HQ"
    assert (await fetch(tenant, room))["deletedAt"] is not None
    assert [i["name"] for i in await walk(tenant, q="shed")] == []


async def test_a_manager_can_change_locations(tenant):
    manager = tenant.as_role("manager")
    r = await manager.post("/locations", json={"name": "Shed"})
    assert r.status_code == 201, r.text
    shed = r.json()
    assert (await manager.patch(f"/locations/{shed['id']}", json={"name": "Big shed"})).status_code == 200
    assert (await manager.delete(f"/locations/{shed['id']}")).status_code == 204
    assert (await manager.post(f"/locations/{shed['id']}/restore")).status_code == 200


async def test_no_token_is_401(tenant):
    r = await tenant.get("/locations", auth=False)
    assert r.status_code == 401, r.text


# --- tenancy and ids ------------------------------------------------------------------------------------


async def test_another_tenants_location_is_not_found(tenant, other_tenant):
    theirs = await make(other_tenant, "Their HQ")
    path = f"/locations/{theirs['id']}"
    for r in (await tenant.get(path), await tenant.patch(path, json={"name": "Ours now"}),
              await tenant.delete(path), await tenant.post(f"{path}/restore")):
        assert r.status_code == 404, r.text
        assert r.json()["message"]
    assert (await fetch(other_tenant, theirs)) == theirs
    assert theirs["id"] not in [i["id"] for i in await walk(tenant, deleted="include")]


async def test_each_tenant_has_its_own_default_and_code_sequence(tenant, other_tenant):
    ours = (await tenant.get("/locations/default")).json()
    theirs = (await other_tenant.get("/locations/default")).json()
    assert ours["id"] != theirs["id"]
    assert (await make(tenant, "HQ", code="HQ"))["code"] == "HQ"
    assert (await make(other_tenant, "HQ", code="HQ"))["code"] == "HQ"  # codes are unique per tenant only
    assert (await make(other_tenant, "Next"))["code"] == "LOC-0002"


async def test_a_missing_location_is_404(tenant):
    for r in (await tenant.get(f"/locations/{MISSING_ID}"),
              await tenant.patch(f"/locations/{MISSING_ID}", json={"name": "x"}),
              await tenant.delete(f"/locations/{MISSING_ID}"),
              await tenant.post(f"/locations/{MISSING_ID}/restore")):
        assert r.status_code == 404, r.text


async def test_an_id_that_is_not_a_uuid_is_400(tenant):
    for r in (await tenant.get("/locations/room-204"),
              await tenant.patch("/locations/room-204", json={"name": "x"}),
              await tenant.delete("/locations/room-204"),
              await tenant.post("/locations/room-204/restore")):
        assert r.status_code == 400, r.text
        assert r.json()["details"] == {"locationId": "must be a UUID"}
