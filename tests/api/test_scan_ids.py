"""What a phone's offline queue relies on (CONTRACT §5): a clientScanId names one scan, a replay of it gets
the first answer, a reuse for another scan is refused instead of answered wrongly; a device clock that runs
ahead is caught; the scan screen names each recent scan's clientScanId; undone scans do not date the audit."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.helpers import assert_error, scan

pytestmark = pytest.mark.anyio


async def state_of(tenant: Any, session_id: str) -> tuple[Any, ...]:
    """Everything a scan could change in a session: progress, version, item states, recent scans."""
    session = (await tenant.get(f"/sessions/{session_id}")).json()
    items = {i["tag"]: i["state"] for i in await tenant.walk(f"/sessions/{session_id}/items")}
    recent = (await tenant.get(f"/sessions/{session_id}/mobile")).json()["recentScans"]
    return session["progress"], session["version"], items, [s["id"] for s in recent]


@pytest.fixture
async def desk(tenant) -> dict[str, Any]:
    """Two assets (DESK-1, DESK-2) and two active sessions over everything."""
    assets = [await tenant.created("/inventory-items", name=f"Desk {n}", tag=f"DESK-{n}") for n in (1, 2)]
    sessions = [(await tenant.created("/sessions", name=name))["id"] for name in ("Morning", "Evening")]
    return {"tenant": tenant, "assets": assets, "sessions": sessions}


@pytest.mark.parametrize(("first", "second", "reason"), [
    pytest.param({"code": "DESK-1"}, {"code": "DESK-2"}, "already used for another code", id="another-code"),
    pytest.param({"code": "DESK-1"}, {"code": "NOPE-1"}, "already used for another code", id="an-unknown-code"),
    pytest.param({"item": 0}, {"item": 1}, "already used for another code", id="another-item"),
    pytest.param({"item": 0}, {"code": "DESK-1"}, "already used for another code", id="an-item-then-its-tag"),
])
async def test_a_client_scan_id_reused_for_another_code_is_a_409_and_changes_nothing(desk, first, second, reason):
    tenant, (sid, _) = desk["tenant"], desk["sessions"]

    def body(spec: dict[str, Any]) -> dict[str, Any]:
        return {"itemId": desk["assets"][spec["item"]]["id"]} if "item" in spec else dict(spec)

    client_scan_id = str(uuid.uuid4())
    answer = await scan(tenant, sid, **body(first), clientScanId=client_scan_id)
    before = await state_of(tenant, sid)
    r = await tenant.post(f"/sessions/{sid}/scan", json={**body(second), "clientScanId": client_scan_id})
    error = assert_error(r, 409)
    assert error["details"] == {"clientScanId": reason}
    assert client_scan_id in error["message"] and sid in error["message"]
    assert await state_of(tenant, sid) == before
    # The first scan's own replay still gets its first answer.
    again = await tenant.post(f"/sessions/{sid}/scan", json={**body(first), "clientScanId": client_scan_id})
    assert again.status_code == 200 and again.json() == answer


async def test_a_client_scan_id_reused_in_another_session_is_a_409_and_changes_neither(desk):
    tenant, (morning, evening) = desk["tenant"], desk["sessions"]
    client_scan_id = str(uuid.uuid4())
    await scan(tenant, morning, code="DESK-1", clientScanId=client_scan_id)
    before = await state_of(tenant, morning), await state_of(tenant, evening)
    r = await tenant.post(f"/sessions/{evening}/scan", json={"code": "DESK-1", "clientScanId": client_scan_id})
    error = assert_error(r, 409)
    assert error["details"] == {"clientScanId": "already used in another session"}
    assert morning in error["message"] and "DESK-1" in error["message"]
    assert (await state_of(tenant, morning), await state_of(tenant, evening)) == before


async def test_another_tenants_client_scan_id_is_unrelated(desk, other_tenant):
    client_scan_id = str(uuid.uuid4())
    await scan(desk["tenant"], desk["sessions"][0], code="DESK-1", clientScanId=client_scan_id)
    await other_tenant.created("/inventory-items", name="Their desk", tag="THEIRS-1")
    theirs = (await other_tenant.created("/sessions", name="Theirs"))["id"]
    answer = await scan(other_tenant, theirs, code="THEIRS-1", clientScanId=client_scan_id)
    assert answer["result"] == "accepted" and answer["scan"]["clientScanId"] == client_scan_id


async def test_a_replay_by_item_id_gets_the_first_answer(desk):
    tenant, (sid, _) = desk["tenant"], desk["sessions"]
    client_scan_id = str(uuid.uuid4())
    body = {"itemId": desk["assets"][0]["id"], "clientScanId": client_scan_id}
    first = await scan(tenant, sid, **body)
    before = await state_of(tenant, sid)
    assert await scan(tenant, sid, **body) == first
    assert await state_of(tenant, sid) == before


async def test_one_scan_sent_twice_at_once_is_one_scan_with_one_answer(desk):
    tenant, (sid, _) = desk["tenant"], desk["sessions"]
    body = {"code": "DESK-1", "clientScanId": str(uuid.uuid4())}
    answers = await asyncio.gather(*[tenant.post(f"/sessions/{sid}/scan", json=body) for _ in range(4)])
    assert [r.status_code for r in answers] == [200] * 4, [r.text for r in answers]
    assert len({r.text for r in answers}) == 1
    progress, _, items, recent = await state_of(tenant, sid)
    assert progress == {"scanned": 1, "total": 2} and items["DESK-1"] == "scanned" and len(recent) == 1


async def test_one_client_scan_id_sent_at_once_for_two_codes_counts_one_and_refuses_the_other(desk):
    tenant, (sid, _) = desk["tenant"], desk["sessions"]
    client_scan_id = str(uuid.uuid4())
    answers = await asyncio.gather(*[tenant.post(f"/sessions/{sid}/scan", json={"code": code,
                                                                                 "clientScanId": client_scan_id})
                                     for code in ("DESK-1", "DESK-2")])
    assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
    won = next(r.json() for r in answers if r.status_code == 200)
    assert_error(next(r for r in answers if r.status_code == 409), 409, "clientScanId")
    progress, _, items, recent = await state_of(tenant, sid)
    assert progress == {"scanned": 1, "total": 2} and len(recent) == 1
    assert items[won["item"]["tag"]] == "scanned" and sorted(items.values()) == ["scanned", "unscanned"]


# --- the device's clock ------------------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_a_scan_time_far_in_the_future_is_recorded_at_the_servers_time_with_the_skew(desk):
    tenant, (sid, _) = desk["tenant"], desk["sessions"]
    ahead = datetime.now(UTC) + timedelta(days=1)
    body = {"code": "DESK-1", "scannedAt": iso(ahead), "clientScanId": str(uuid.uuid4())}
    answer = await scan(tenant, sid, **body)
    assert answer["result"] == "accepted"
    # About a day (the seconds between the device's reading and the server's are not a day's worth).
    assert 86_400 - 600 < answer["clockSkew"] <= 86_400
    assert answer["scan"]["scannedAt"] == answer["scan"]["receivedAt"]
    item = (await tenant.get(f"/sessions/{sid}/items/{desk['assets'][0]['id']}")).json()
    assert item["scannedAt"] == answer["scan"]["receivedAt"]
    recent = (await tenant.get(f"/sessions/{sid}/mobile")).json()["recentScans"]
    assert recent[0]["scannedAt"] == answer["scan"]["receivedAt"]
    assert await scan(tenant, sid, **body) == answer  # a replay carries the same skew


async def test_a_scan_time_in_the_past_or_just_ahead_is_kept_and_no_skew_is_reported(desk):
    tenant, (sid, _) = desk["tenant"], desk["sessions"]
    earlier = await scan(tenant, sid, code="DESK-1", scannedAt="2024-03-04T05:06:07Z")
    assert earlier["scan"]["scannedAt"] == "2024-03-04T05:06:07Z" and "clockSkew" not in earlier
    # A minute ahead is a clock a little fast, not a wrong one: kept as sent.
    soon = (datetime.now(UTC) + timedelta(minutes=1)).replace(microsecond=0)
    just_ahead = await scan(tenant, sid, code="DESK-2", scannedAt=iso(soon))
    assert just_ahead["scan"]["scannedAt"] == iso(soon) and "clockSkew" not in just_ahead
    assert "clockSkew" not in await scan(tenant, sid, code="NOPE-7")


# --- the scan screen and the report ------------------------------------------------------------------------


async def test_each_recent_scan_names_the_client_scan_id_it_was_sent_with(desk):
    tenant, (sid, _) = desk["tenant"], desk["sessions"]
    ids = [str(uuid.uuid4()), None, str(uuid.uuid4())]
    for code, client_scan_id in zip(("DESK-1", "NOPE-1", "DESK-2"), ids, strict=True):
        await scan(tenant, sid, code=code, **({"clientScanId": client_scan_id} if client_scan_id else {}))
    recent = (await tenant.get(f"/sessions/{sid}/mobile")).json()["recentScans"]
    assert [(s["code"], s["clientScanId"]) for s in recent] == list(zip(("DESK-2", "NOPE-1", "DESK-1"),
                                                                        reversed(ids), strict=True))


async def test_undone_scans_do_not_count_in_the_reports_first_and_last_scan(desk):
    tenant, (sid, _) = desk["tenant"], desk["sessions"]
    first = await scan(tenant, sid, code="DESK-1", scannedAt="2024-03-04T08:00:00Z")
    await scan(tenant, sid, code="NOPE-1", scannedAt="2024-03-04T09:00:00Z")
    last = await scan(tenant, sid, code="DESK-2", scannedAt="2024-03-04T10:00:00Z")
    duration = (await tenant.get(f"/sessions/{sid}/report")).json()["duration"]
    assert (duration["firstScanAt"], duration["lastScanAt"]) == ("2024-03-04T08:00:00Z", "2024-03-04T10:00:00Z")
    for undone in (first, last):
        r = await tenant.post(f"/sessions/{sid}/unscan", json={"scanId": undone["scan"]["id"]})
        assert r.status_code == 200, r.text
    duration = (await tenant.get(f"/sessions/{sid}/report")).json()["duration"]
    assert (duration["firstScanAt"], duration["lastScanAt"]) == ("2024-03-04T09:00:00Z", "2024-03-04T09:00:00Z")
