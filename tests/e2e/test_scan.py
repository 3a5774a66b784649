"""The scan loop on a phone: camera, handheld scanner, wrong place, unknown codes, and scanning offline.
Each test audits a location of its own and checks what the server recorded."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import LiveServer, idb_all, scan_typed, wait_for_service_worker

CAMERA_TIMEOUT = 20_000


def open_scan_screen(page: Page, live: LiveServer, session_id: str) -> None:
    page.goto(f"{live.url}/app/sessions/{session_id}")
    expect(page.locator("#scan-input")).to_be_visible()
    expect(page.locator("#progress")).to_have_attribute("data-total", re.compile(r"^\d+$"))


def wait_for_offline_pack(page: Page, session_id: str) -> None:
    deadline = time.monotonic() + 15
    while not any(session_id in str(pack) for pack in idb_all(page, "packs")):
        assert time.monotonic() < deadline, "the scan screen did not keep the session's offline pack"
        time.sleep(0.2)


def in_scope(live: LiveServer, path: str) -> list[dict[str, Any]]:
    places = live.descendants(live.location(path)["id"])
    return [asset for asset in live.assets() if asset["locationId"] in places]


def expect_outcome(page: Page, result: str, title: str, timeout: float | None = None) -> None:
    outcome = page.locator("#outcome")
    expect(outcome).to_have_attribute("data-result", result, timeout=timeout)
    expect(page.locator("#outcome-title")).to_have_text(title)


def live_scans(live: LiveServer, session_id: str) -> list[dict[str, Any]]:
    return [scan for scan in live.mobile(session_id)["recentScans"] if not scan["undone"]]


def test_the_camera_counts_a_label_once_and_then_says_already_counted(open_phone, live_server, shot):
    session = live_server.new_session("Camera: Floor 2", "HQ > Floor 2")
    asset = in_scope(live_server, "HQ > Floor 2")[0]
    # The camera sees the label for 3 s, then 3 s of nothing (the phone moved away), then the label again.
    page = open_phone(label_png=live_server.label_png(asset["id"]), away=30).page
    open_scan_screen(page, live_server, session["id"])
    start = page.locator("#start-camera")
    if start.is_visible():
        start.click()
    expect_outcome(page, "accepted", "Found", timeout=CAMERA_TIMEOUT)
    expect(page.locator("#camera")).to_be_visible()
    expect(page.locator("#progress")).to_have_attribute("data-scanned", "1")
    shot(page, "found")

    # The same label again, after the phone moved off it: said so, and not counted twice.
    expect_outcome(page, "already_scanned", "Already counted", timeout=CAMERA_TIMEOUT)
    shot(page, "already-counted")
    expect(page.locator("#progress")).to_have_attribute("data-scanned", "1")

    mobile = live_server.mobile(session["id"])
    assert mobile["progress"]["scanned"] == 1
    accepted = [s for s in mobile["recentScans"] if s["result"] == "accepted" and not s["undone"]]
    assert [s["assetId"] for s in accepted] == [asset["id"]]
    assert all(s["assetId"] == asset["id"] for s in mobile["recentScans"])
    assert any(s["result"] == "already_scanned" for s in mobile["recentScans"])
    assert page.evaluate("() => typeof window.fieldscan.lastFeedbackMs") == "number"


def test_a_handheld_scanner_types_codes_and_each_is_found_and_can_be_undone(page, live_server, shot):
    session = live_server.new_session("Handheld: Floor 1", "HQ > Floor 1")
    first, second = in_scope(live_server, "HQ > Floor 1")[:2]
    open_scan_screen(page, live_server, session["id"])

    scan_typed(page, first["qrUrl"])  # what the scanner reads from a label's QR
    expect_outcome(page, "accepted", "Found")
    expect(page.locator("#outcome")).to_contain_text(first["name"])
    scan_typed(page, second["tag"])  # or the printed tag, from a barcode
    expect_outcome(page, "accepted", "Found")
    expect(page.locator("#scan-input")).to_be_focused()
    expect(page.locator("#scan-input")).to_have_value("")
    expect(page.locator("#progress")).to_have_attribute("data-scanned", "2")
    expect(page.locator("[data-testid=recent-scan][data-result=accepted]")).to_have_count(2)
    shot(page, "found")
    assert {s["assetId"] for s in live_scans(live_server, session["id"])} == {first["id"], second["id"]}

    recent = page.locator("[data-testid=recent-scan]").filter(has_text=second["tag"])
    recent.locator("[data-action=undo]").click()
    expect(page.locator("#progress")).to_have_attribute("data-scanned", "1")
    deadline = time.monotonic() + 10
    while live_server.mobile(session["id"])["progress"]["scanned"] != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    mobile = live_server.mobile(session["id"])
    assert mobile["progress"]["scanned"] == 1
    assert [s["assetId"] for s in mobile["recentScans"] if not s["undone"]] == [first["id"]]


def test_an_asset_from_elsewhere_is_wrong_place_and_moves_here(page, live_server, shot):
    room = live_server.location("HQ > Floor 2 > Room 205")
    session = live_server.new_session("Wrong place: Room 205", "HQ > Floor 2 > Room 205")
    stray = in_scope(live_server, "Warehouse > Aisle A")[0]
    open_scan_screen(page, live_server, session["id"])

    scan_typed(page, stray["qrUrl"])
    expect_outcome(page, "wrong_location", "Wrong place")
    expect(page.locator("#outcome-detail")).to_contain_text("Belongs in")
    expect(page.locator("#outcome-detail")).to_contain_text("Aisle A")
    expect(page.locator("#move-here")).to_be_visible()
    shot(page, "wrong-place")

    page.locator("#move-here").click()
    expect_outcome(page, "accepted", "Found")
    expect(page.locator("#outcome")).not_to_have_attribute("data-local", "true")  # the server's answer, not the guess
    shot(page, "moved-here")
    assert live_server.asset(stray["id"])["locationId"] == room["id"]
    assert any(s["assetId"] == stray["id"] and s["result"] == "accepted"
               for s in live_scans(live_server, session["id"]))


def test_an_unknown_blank_tag_is_quick_added_in_the_audits_room_and_counted(page, live_server, shot):
    session = live_server.new_session("Quick add: Aisle B", "Warehouse > Aisle B")
    aisle = live_server.location("Warehouse > Aisle B")
    batch = live_server.blank_batch(1)
    code = batch["codes"][0]["code"]
    open_scan_screen(page, live_server, session["id"])
    total = live_server.mobile(session["id"])["progress"]["total"]
    expect(page.locator("#progress")).to_have_attribute("data-total", str(total))

    scan_typed(page, f"{live_server.url}/t/{code}")
    expect_outcome(page, "unknown_code", "Unknown code")
    shot(page, "unknown-code")
    page.locator("#quick-add-code").click()
    expect(page).to_have_url(re.compile(r"/app/quick-add"))
    expect(page.locator("#qa-name")).to_be_focused()
    assert code in page.locator("#qa-code").evaluate("el => el.value ?? el.textContent")
    # Filed where the audit is, not in the default location.
    expect(page.locator("#qa-location")).to_have_value(aisle["id"])
    page.keyboard.type("Pallet jack 7")
    shot(page, "quick-add")
    page.locator("#qa-create").click()

    # Straight back to scanning: the new asset is counted as an expected item of this room, not an extra.
    expect(page).to_have_url(re.compile(rf"/app/sessions/{session['id']}$"))
    expect(page.locator("#scan-input")).to_be_focused()
    new_row = page.locator("[data-testid=recent-scan][data-new=true]")
    expect(new_row).to_contain_text("Pallet jack 7")
    expect(new_row).not_to_have_attribute("data-pending", "true")
    expect(page.locator("#progress")).to_have_attribute("data-total", str(total + 1))
    expect(page.locator("#progress")).to_have_attribute("data-scanned", "1")
    shot(page, "back-to-scanning")

    asset = next(a for a in live_server.assets() if a["name"] == "Pallet jack 7")
    assert asset["locationId"] == aisle["id"]
    bound = live_server.api.get(f"/labels/blank-batches/{batch['id']}").raise_for_status().json()
    assert bound["codes"][0]["assetId"] == asset["id"]
    mobile = live_server.mobile(session["id"])
    assert mobile["progress"] == {"scanned": 1, "total": total + 1}
    item = live_server.api.get(f"/sessions/{session['id']}/items/{asset['id']}").raise_for_status().json()
    assert item["state"] == "scanned" and item["expectedLocationId"] == aisle["id"]
    # Its label read again is already counted.
    scan_typed(page, f"{live_server.url}/t/{code}")
    expect_outcome(page, "already_scanned", "Already counted", timeout=15_000)


def test_the_asset_page_shows_where_an_asset_is(page, live_server, shot):
    asset = live_server.assets()[5]
    location = next(loc for loc in live_server.locations() if loc["id"] == asset["locationId"])
    page.goto(f"{live_server.url}/app/a/{asset['tag']}")
    expect(page.locator("#asset-name")).to_have_text(asset["name"])
    expect(page.locator("#asset-tag")).to_have_text(asset["tag"])
    expect(page.locator("#asset-location")).to_contain_text(location["name"])
    expect(page.locator("#asset-status")).to_be_visible()
    expect(page.locator("#asset-edit")).to_be_visible()
    shot(page, "asset")


def test_scans_made_offline_survive_a_reload_and_reach_the_server_once(page, live_server, shot):
    session = live_server.new_session("Offline: Workshop", "Warehouse > Workshop")
    assets = in_scope(live_server, "Warehouse > Workshop")[:3]
    assert len(assets) == 3
    open_scan_screen(page, live_server, session["id"])
    wait_for_service_worker(page)
    wait_for_offline_pack(page, session["id"])

    page.context.set_offline(True)
    expect(page.locator("#offline-indicator")).to_be_visible()
    codes = [assets[0]["qrUrl"], assets[1]["tag"], assets[2]["serial"]]
    for n, code in enumerate(codes, start=1):
        scan_typed(page, code)
        expect(page.locator("[data-testid=recent-scan]")).to_have_count(n)
        expect(page.locator("#outcome")).to_have_attribute("data-local", "true")
        expect_outcome(page, "accepted", "Found")
    badge = page.locator("#pending-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_attribute("data-count", "3")
    shot(page, "offline-pending")
    queued = idb_all(page, "outbox")
    assert len(queued) == 3
    assert [entry["code"] for entry in queued] == codes
    client_ids = [entry["clientScanId"] for entry in queued]
    assert live_server.mobile(session["id"])["progress"]["scanned"] == 0

    rows = page.locator("[data-testid=recent-scan]")
    before = (page.locator("#progress").inner_text(), rows.all_text_contents())
    assert before[0].startswith("3 / ")

    page.reload()
    expect(page.locator("#scan-input")).to_be_visible()
    expect(page.locator("#pending-badge")).to_have_attribute("data-count", "3")
    # The same progress and the same rows after the reload: nothing looks lost, nothing "already counted".
    expect(page.locator("#progress")).to_have_text(before[0])
    expect(rows).to_have_text(before[1])
    expect(page.locator("[data-testid=recent-scan][data-result=accepted][data-pending=true]")).to_have_count(3)
    expect(page.locator("#outcome-title")).to_have_text("Found")
    shot(page, "offline-reloaded")

    page.context.set_offline(False)
    expect(page.locator("#pending-badge")).to_have_attribute("data-count", "0", timeout=20_000)
    expect(page.locator("#pending-badge")).to_be_hidden()
    expect(page.locator("#offline-indicator")).to_be_hidden()
    expect(page.locator("[data-testid=recent-scan][data-pending=true]")).to_have_count(0)
    # The server agreed with every guess: no row says it was corrected.
    expect(page.locator("[data-testid=recent-scan][data-result=accepted]")).to_have_count(3)
    expect(page.locator("[data-testid=recent-scan][data-changed=true]")).to_have_count(0)
    expect(page.locator("#progress")).to_have_text(before[0])
    shot(page, "synced")

    mobile = live_server.mobile(session["id"])
    assert mobile["progress"]["scanned"] == 3
    scans = mobile["recentScans"]
    assert sorted(s["assetId"] for s in scans) == sorted(a["id"] for a in assets)
    assert all(s["result"] == "accepted" and not s["undone"] for s in scans)
    # Sending a queued scan again (as a phone would after a lost answer) finds it stored, not counted twice.
    for client_id, code in zip(client_ids, codes, strict=True):
        replay = live_server.api.post(f"/sessions/{session['id']}/scan", json={"code": code, "clientScanId": client_id})
        assert replay.raise_for_status().json()["scan"]["clientScanId"] == client_id
        assert replay.json()["scan"]["id"] in {s["id"] for s in scans}
    assert len(live_server.mobile(session["id"])["recentScans"]) == 3



def test_with_a_network_but_no_server_the_app_says_offline_and_sends_the_scan_when_the_server_answers(
        page, live_server, shot):
    session = live_server.new_session("No server: Room 102", "HQ > Floor 1 > Room 102")
    asset = in_scope(live_server, "HQ > Floor 1 > Room 102")[0]
    open_scan_screen(page, live_server, session["id"])
    wait_for_service_worker(page)
    wait_for_offline_pack(page, session["id"])

    # A Wi-Fi without uplink or a captive portal: the phone has a network, the server never answers.
    def no_server(route: Route) -> None:
        route.abort("addressunreachable")

    page.context.route("**/health", no_server)
    page.context.route("**/api/v1/**", no_server)
    assert page.evaluate("() => navigator.onLine")  # the browser still believes it is online
    indicator = page.locator("#offline-indicator")
    expect(indicator).to_be_visible()
    expect(indicator).to_have_text("Offline")

    scan_typed(page, asset["tag"])
    expect(page.locator("#outcome")).to_have_attribute("data-local", "true")
    expect_outcome(page, "accepted", "Found")
    badge = page.locator("#pending-badge")
    expect(badge).to_have_attribute("data-count", "1")
    expect(badge).to_be_visible()
    shot(page, "no-server-pending")
    assert [entry["code"] for entry in idb_all(page, "outbox")] == [asset["tag"]]
    assert live_server.mobile(session["id"])["progress"]["scanned"] == 0

    page.context.unroute("**/health")
    page.context.unroute("**/api/v1/**")
    expect(indicator).to_be_hidden(timeout=20_000)
    expect(badge).to_have_attribute("data-count", "0", timeout=20_000)
    expect(badge).to_be_hidden()
    shot(page, "server-back")
    scans = live_scans(live_server, session["id"])
    assert [(s["assetId"], s["result"]) for s in scans] == [(asset["id"], "accepted")]

def test_a_location_label_sets_where_the_phone_is(page, live_server, shot):
    session = live_server.new_session("Walk: everything")
    room = live_server.location("HQ > Floor 1 > Room 103")
    open_scan_screen(page, live_server, session["id"])

    scan_typed(page, room["qrUrl"])
    expect_outcome(page, "location_set", "Location set")
    expect(page.locator("#outcome")).to_contain_text("Room 103")
    expect(page.locator("#progress")).to_have_attribute("data-scanned", "0")
    shot(page, "location-set")
    scans = live_scans(live_server, session["id"])
    assert [(s["result"], s["code"]) for s in scans] == [("location_set", room["qrUrl"])]


def test_when_another_phone_counted_it_first_the_servers_answer_replaces_the_guess(page, live_server, shot):
    session = live_server.new_session("Two phones: Room 101", "HQ > Floor 1 > Room 101")
    asset = in_scope(live_server, "HQ > Floor 1 > Room 101")[0]
    open_scan_screen(page, live_server, session["id"])
    wait_for_offline_pack(page, session["id"])

    page.context.set_offline(True)
    expect(page.locator("#offline-indicator")).to_be_visible()
    other = live_server.api.post(f"/sessions/{session['id']}/scan", json={"code": asset["tag"]})
    assert other.raise_for_status().json()["result"] == "accepted"
    scan_typed(page, asset["tag"])
    expect(page.locator("#outcome")).to_have_attribute("data-local", "true")
    expect_outcome(page, "accepted", "Found")  # all this phone knows

    page.context.set_offline(False)
    mine = page.locator(f"[data-testid=recent-scan][data-code='{asset['tag']}'][data-changed=true]")
    expect(mine).to_have_count(1, timeout=20_000)
    expect(mine).to_have_attribute("data-result", "already_scanned")
    expect(mine).to_contain_text("Already counted")
    # The list now holds both phones' scans of it: the other's (counted) and this one's.
    expect(page.locator(f"[data-testid=recent-scan][data-code='{asset['tag']}']")).to_have_count(2)
    expect(page.locator("#pending-badge")).to_have_attribute("data-count", "0")
    shot(page, "changed")
    mobile = live_server.mobile(session["id"])
    assert mobile["progress"]["scanned"] == 1
    assert sorted(s["result"] for s in mobile["recentScans"]) == ["accepted", "already_scanned"]
