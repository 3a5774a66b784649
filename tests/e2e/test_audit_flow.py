"""The whole audit on phones: a technician counts and hunts the missing, a manager finishes and reads the
report; offline quick-add of blank tags, a blank tag claimed by two phones, and a reused scan id.
Each test audits a location no other browser test uses, and checks what the server recorded."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, idb_all, scan_typed, sign_in, wait_for_service_worker
from tests.e2e.test_scan import expect_outcome, in_scope, open_scan_screen, wait_for_offline_pack

TECHNICIAN = ("tech@demo.example", "fieldscan-demo")
MANAGER = ("manager@demo.example", "fieldscan-demo")


def phone_as(open_phone: Any, live: LiveServer, who: tuple[str, str]) -> Page:
    page = open_phone(signed_in=False).page
    sign_in(page, live, *who)
    return page


def go_offline(page: Page, session_id: str) -> None:
    """The app shell and the audit's pack are on the phone; then the signal goes."""
    wait_for_service_worker(page)
    wait_for_offline_pack(page, session_id)
    page.context.set_offline(True)
    expect(page.locator("#offline-indicator")).to_be_visible()


def quick_add_offline(page: Page, live: LiveServer, code: str, name: str) -> None:
    """Scan a blank tag offline, give it a name, Create: back on the scan screen with the new row queued."""
    scan_typed(page, f"{live.url}/t/{code}")
    expect_outcome(page, "unknown_code", "Unknown code")
    page.locator("#quick-add-code").click()
    expect(page.locator("#qa-name")).to_be_focused()
    expect(page.locator("#qa-offline")).to_be_visible()
    page.keyboard.type(name)
    page.locator("#qa-create").click()
    expect(page.locator("#scan-input")).to_be_visible()
    expect(page.locator("[data-testid=recent-scan][data-new=true]").first).to_contain_text(name)


def test_a_technician_counts_and_hunts_the_missing_and_a_manager_finishes_on_the_phone(open_phone, live_server, shot):
    session = live_server.new_session("Whole audit: Plant room", "HQ > Basement > Plant room")
    assets = sorted(in_scope(live_server, "HQ > Basement > Plant room"), key=lambda a: a["tag"])
    assert len(assets) >= 3, "the demo's plant room holds a few assets"
    tech = phone_as(open_phone, live_server, TECHNICIAN)
    open_scan_screen(tech, live_server, session["id"])
    total = len(assets)
    expect(tech.locator("#tab-missing")).to_have_text(f"Missing {total}")

    scan_typed(tech, assets[0]["tag"])
    expect_outcome(tech, "accepted", "Found")
    # The Missing tab: grouped by where items belong, shrinking as items are found.
    tech.locator("#tab-missing").click()
    items = tech.locator("[data-testid=missing-item]")
    expect(items).to_have_count(total - 1)
    expect(tech.locator("[data-testid=missing-group]").first).to_contain_text("Plant room")
    expect(tech.locator(f"[data-testid=missing-item][data-tag='{assets[0]['tag']}']")).to_have_count(0)
    tech.locator("#missing-search").fill(assets[1]["tag"])
    expect(items).to_have_count(1)
    shot(tech, "missing-search")
    # Its card, and "Mark found here": a scan by itemId.
    items.first.click()
    card = tech.locator("#missing-card")
    expect(card).to_contain_text(assets[1]["name"])
    expect(card).to_contain_text("Plant room")
    shot(tech, "missing-card")
    tech.locator("#mark-found").click()
    expect_outcome(tech, "accepted", "Found")
    expect(tech.locator("#progress")).to_have_attribute("data-scanned", "2")
    expect(tech.locator("#tab-missing")).to_have_text(f"Missing {total - 2}")
    # A technician cannot finish: the sheet says to ask a manager, and shares the link.
    tech.locator("#finish-open").click()
    expect(tech.locator("#finish-ask")).to_be_visible()
    expect(tech.locator("#finish-share")).to_be_visible()
    expect(tech.locator("#finish-confirm")).to_have_count(0)
    shot(tech, "technician-finish")

    manager = phone_as(open_phone, live_server, MANAGER)
    open_scan_screen(manager, live_server, session["id"])
    expect(manager.locator("#progress")).to_have_attribute("data-scanned", "2")
    manager.locator("#finish-open").click()
    expect(manager.locator("#finish-scanned")).to_have_text(f"2 / {total}")
    expect(manager.locator("#finish-missing")).to_have_text(str(total - 2))
    expect(manager.locator("#finish-queued")).to_have_text("0")
    choice = manager.locator("#finish-mark-missing")
    expect(choice).not_to_be_checked()  # an explicit choice, never the default
    choice.check()
    shot(manager, "finish-sheet")
    manager.locator("#finish-confirm").click()
    expect(manager).to_have_url(re.compile(rf"/app/sessions/{session['id']}/report"))
    report = manager.frame_locator("iframe").locator("body")
    expect(report).to_contain_text(session["name"])
    expect(report).to_contain_text(assets[2]["tag"])  # on the missing list
    shot(manager, "report")

    recorded = live_server.api.get(f"/sessions/{session['id']}").raise_for_status().json()
    assert recorded["status"] == "completed"
    assert live_server.asset(assets[2]["id"])["status"] == "missing"
    assert live_server.asset(assets[0]["id"])["status"] != "missing"
    # The technician's screen turns read-only: a neutral banner, no Undo, no input.
    tech.locator("#tab-scan").click()
    expect(tech.locator("#outcome")).to_have_attribute("data-result", "closed", timeout=15_000)
    expect(tech.locator("#outcome-title")).to_have_text("Completed")
    expect(tech.locator("#scan-input")).to_be_hidden()
    expect(tech.locator("[data-action=undo]")).to_have_count(0)
    shot(tech, "completed")


def test_finishing_waits_for_scans_still_on_the_phone(open_phone, live_server, shot):
    session = live_server.new_session("Finish waits: Room 204", "HQ > Floor 2 > Room 204")
    asset = in_scope(live_server, "HQ > Floor 2 > Room 204")[0]
    page = phone_as(open_phone, live_server, MANAGER)
    open_scan_screen(page, live_server, session["id"])
    page.route("**/api/v1/sessions/*/scan", lambda route: route.abort())
    scan_typed(page, asset["tag"])
    expect(page.locator("#pending-badge")).to_have_attribute("data-count", "1")
    page.locator("#finish-open").click()
    expect(page.locator("#finish-queued")).to_have_text("1")
    expect(page.locator("#finish-blocked")).to_contain_text("still on this phone")
    expect(page.locator("#finish-confirm")).to_be_disabled()
    shot(page, "blocked")
    # Send now, with the server still out of reach: the scan stays, and finishing stays refused.
    page.locator("#finish-send").click()
    expect(page.locator("#finish-queued")).to_have_text("1")
    expect(page.locator("#finish-confirm")).to_be_disabled()
    # Once the server answers, the queue leaves by itself (retried every 2 s) and the sheet follows.
    page.unroute("**/api/v1/sessions/*/scan")
    expect(page.locator("#finish-queued")).to_have_text("0", timeout=15_000)
    expect(page.locator("#finish-confirm")).to_be_enabled()
    assert live_server.mobile(session["id"])["progress"]["scanned"] == 1


def test_a_blank_tag_quick_added_offline_is_created_once_in_the_audits_room_and_counted(open_phone, live_server, shot):
    session = live_server.new_session("Offline quick add: Server room", "HQ > Basement > Server room")
    room = live_server.location("HQ > Basement > Server room")
    code = live_server.blank_batch(1)["codes"][0]["code"]
    total = live_server.mobile(session["id"])["progress"]["total"]
    page = phone_as(open_phone, live_server, TECHNICIAN)
    open_scan_screen(page, live_server, session["id"])
    expect(page.locator("#progress")).to_have_attribute("data-total", str(total))
    go_offline(page, session["id"])

    quick_add_offline(page, live_server, code, "Sump pump 2")
    row = page.locator("[data-testid=recent-scan][data-new=true]")
    expect(row).to_have_attribute("data-pending", "true")
    expect(row).to_contain_text("new, waiting to sync")
    expect(page.locator("#progress")).to_have_attribute("data-total", str(total + 1))
    expect(page.locator("#progress")).to_have_attribute("data-scanned", "1")
    # The blank tag's own scan (unknown here), then the new asset, then the scan that counts it.
    queued = idb_all(page, "outbox")
    assert [entry.get("kind", "scan") for entry in queued] == ["scan", "create", "scan"]
    create = queued[1]
    assert create["body"]["claimCode"] == code and create["body"]["locationId"] == room["id"]
    shot(page, "queued")
    # A reload in the basement keeps it.
    page.reload()
    expect(row).to_contain_text("new, waiting to sync")
    expect(page.locator("#progress")).to_have_attribute("data-total", str(total + 1))

    page.context.set_offline(False)
    expect(page.locator("#pending-badge")).to_have_attribute("data-count", "0", timeout=20_000)
    expect(row).not_to_have_attribute("data-pending", "true")
    shot(page, "synced")
    made = [a for a in live_server.assets() if a["name"] == "Sump pump 2"]
    assert len(made) == 1
    assert made[0]["locationId"] == room["id"] and made[0]["tag"] == code
    assert live_server.mobile(session["id"])["progress"] == {"scanned": 1, "total": total + 1}
    item = live_server.api.get(f"/sessions/{session['id']}/items/{made[0]['id']}").raise_for_status().json()
    assert item["state"] == "scanned"  # an expected item of its room, not an extra
    # The create, sent again as a lost answer would make the phone do, makes nothing new.
    again = live_server.api.post("/inventory-items", json={**create["body"], "clientId": create["clientId"],
                                                           "sessionId": session["id"]})
    assert again.status_code == 201 and again.json()["id"] == made[0]["id"]
    assert len([a for a in live_server.assets() if a["name"] == "Sump pump 2"]) == 1


def test_the_same_blank_tag_added_offline_on_two_phones_is_one_asset_and_the_other_phone_is_told(
        open_phone, live_server, shot):
    session = live_server.new_session("Two phones quick add: Room 203", "HQ > Floor 2 > Room 203")
    code = live_server.blank_batch(1)["codes"][0]["code"]
    first = phone_as(open_phone, live_server, TECHNICIAN)
    second = phone_as(open_phone, live_server, MANAGER)
    for page in (first, second):
        open_scan_screen(page, live_server, session["id"])
        go_offline(page, session["id"])
    quick_add_offline(first, live_server, code, "Projector A")
    quick_add_offline(second, live_server, code, "Projector B")

    first.context.set_offline(False)
    expect(first.locator("#pending-badge")).to_have_attribute("data-count", "0", timeout=20_000)
    second.context.set_offline(False)
    expect(second.locator("#pending-badge")).to_have_attribute("data-count", "0", timeout=20_000)
    lost = second.locator("[data-testid=recent-scan][data-new=true]").first
    expect(lost).to_have_attribute("data-error", "409")
    expect(lost).to_contain_text("Not created")
    expect(lost).to_contain_text("already on asset")
    expect(lost.locator("[data-action=create-without-code]")).to_be_visible()
    shot(second, "claimed-elsewhere")
    names = {a["name"] for a in live_server.assets() if a["name"].startswith("Projector ")}
    assert names == {"Projector A"}
    # The loser keeps the asset it meant to add, under a new tag.
    lost.locator("[data-action=create-without-code]").click()
    expect(lost).not_to_have_attribute("data-error", "409")
    expect(lost).not_to_have_attribute("data-pending", "true", timeout=20_000)
    expect(lost).to_contain_text("Projector B")
    made = [a for a in live_server.assets() if a["name"] == "Projector B"]
    assert len(made) == 1 and made[0]["tag"] != code
    # Both are counted in the audit (the second phone's read of the label counts Projector A, which owns it now).
    mobile = live_server.mobile(session["id"])
    assert {s["name"] for s in mobile["recentScans"] if s["name"] and s["name"].startswith("Projector")} == {
        "Projector A", "Projector B"}


def test_a_scan_id_used_in_another_audit_is_refused_and_shown_on_the_row(open_phone, live_server, shot):
    session = live_server.new_session("Scan id: Room 202", "HQ > Floor 2 > Room 202")
    other = live_server.new_session("Scan id, elsewhere: Room 202", "HQ > Floor 2 > Room 202")
    asset = in_scope(live_server, "HQ > Floor 2 > Room 202")[0]
    page = phone_as(open_phone, live_server, TECHNICIAN)
    open_scan_screen(page, live_server, session["id"])
    go_offline(page, session["id"])
    scan_typed(page, asset["tag"])
    expect_outcome(page, "accepted", "Found")
    expect(page.locator("#pending-badge")).to_have_attribute("data-count", "1")
    [entry] = idb_all(page, "outbox")
    # Meanwhile the same id is spent on another audit's scan (a clone of the phone, a bug elsewhere).
    used = live_server.api.post(f"/sessions/{other['id']}/scan",
                                json={"code": asset["tag"], "clientScanId": entry["clientScanId"]})
    assert used.raise_for_status().json()["result"] == "accepted"

    page.context.set_offline(False)
    row = page.locator("[data-testid=recent-scan]").first
    expect(row).to_have_attribute("data-error", "409", timeout=20_000)
    expect(row).to_contain_text("Not recorded")
    expect(page.locator("#progress")).to_have_attribute("data-scanned", "0")
    shot(page, "refused")
    assert live_server.mobile(session["id"])["progress"]["scanned"] == 0
    assert live_server.mobile(other["id"])["progress"]["scanned"] == 1
