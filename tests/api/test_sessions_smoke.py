import pytest

pytestmark = pytest.mark.anyio


async def test_the_scan_loop_end_to_end(tenant):
    hq = await tenant.created("/locations", name="HQ")
    room = await tenant.created("/locations", name="Room 204", parentId=hq["id"])
    other = await tenant.created("/locations", name="Warehouse")
    laptop = await tenant.created("/inventory-items", name="Laptop", locationId=room["id"])
    chair = await tenant.created("/inventory-items", name="Chair", locationId=other["id"])
    audit = await tenant.created("/sessions", name="HQ audit", locationId=hq["id"])
    assert audit["progress"] == {"scanned": 0, "total": 1}
    sid = audit["id"]
    r = await tenant.post(f"/sessions/{sid}/scan", json={"code": laptop["qrUrl"], "clientScanId": "01900000-0000-7000-8000-000000000001"})
    assert r.status_code == 200, r.text
    assert r.json()["result"] == "accepted"
    replay = await tenant.post(f"/sessions/{sid}/scan", json={"code": laptop["qrUrl"], "clientScanId": "01900000-0000-7000-8000-000000000001"})
    assert replay.json() == r.json()
    reused = await tenant.post(f"/sessions/{sid}/scan", json={"code": "junk", "clientScanId": "01900000-0000-7000-8000-000000000001"})
    assert reused.status_code == 409 and "clientScanId" in reused.json()["details"]
    again = await tenant.post(f"/sessions/{sid}/scan", json={"code": laptop["tag"].lower()})
    assert again.json()["result"] == "already_scanned"
    wrong = await tenant.post(f"/sessions/{sid}/scan", json={"code": chair["tag"]})
    assert wrong.json()["result"] == "wrong_location", wrong.text
    assert wrong.json()["expectedLocation"]["path"] == "Warehouse"
    door = await tenant.post(f"/sessions/{sid}/scan", json={"code": room["qrUrl"]})
    assert door.json()["result"] == "location_set"
    moved = await tenant.post(f"/sessions/{sid}/scan", json={"code": chair["tag"], "allowMarkAnyway": True, "relocate": True})
    assert moved.json()["result"] == "accepted", moved.text
    assert (await tenant.get(f"/inventory-items/{chair['id']}")).json()["locationId"] == room["id"]
    unknown = await tenant.post(f"/sessions/{sid}/scan", json={"code": "NOPE-1"})
    assert unknown.json()["result"] == "unknown_code"
    m = await tenant.get(f"/sessions/{sid}/mobile")
    assert m.status_code == 200 and m.json()["progress"] == {"scanned": 2, "total": 2}
    etag = m.headers["etag"]
    assert (await tenant.get(f"/sessions/{sid}/mobile", headers={"if-none-match": etag})).status_code == 304
    pack = await tenant.get(f"/sessions/{sid}/offline-pack", headers={"accept": "application/msgpack"})
    assert pack.headers["content-type"].startswith("application/msgpack")
    done = await tenant.patch(f"/sessions/{sid}", json={"status": "completed"})
    assert done.status_code == 200, done.text
    closed = await tenant.post(f"/sessions/{sid}/scan", json={"code": laptop["tag"]})
    assert closed.status_code == 409
    assert (await tenant.get(f"/inventory-items/{laptop['id']}")).json()["lastVerifiedAt"] is not None
