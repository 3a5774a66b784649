"""The scan screen when the phone is interrupted: answers that come while it is away or loading, a reload
at the wrong moment, an Undo of a scan already on its way, a queue that cannot be written, a new asset whose
pre-printed code or audit is gone by the time it is sent. Each test audits a room of its own, made here,
and checks what the server recorded."""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any, NamedTuple

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import LiveServer, idb_all, scan_typed
from tests.e2e.test_audit_flow import MANAGER, TECHNICIAN, go_offline, phone_as, quick_add_offline
from tests.e2e.test_scan import expect_outcome, open_scan_screen, wait_for_offline_pack

ROWS = "[data-testid=recent-scan]"


def room_with_assets(live: LiveServer, count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A new room under HQ with `count` assets in it, sorted by tag."""
    hq = live.location("HQ")
    room = live.api.post("/locations", json={"name": f"Room {uuid.uuid4().hex[:6]}", "parentId": hq["id"]})
    room = room.raise_for_status().json()
    made = [live.api.post("/inventory-items", json={"name": f"Chair {n}", "locationId": room["id"]}).raise_for_status().json()
            for n in range(count)]
    return room, sorted(made, key=lambda asset: asset["tag"])


def audit_of(live: LiveServer, room: dict[str, Any], name: str) -> dict[str, Any]:
    return live.api.post("/sessions", json={"name": name, "locationId": room["id"]}).raise_for_status().json()


class OnPhone(NamedTuple):
    page: Page
    session: dict[str, Any]
    room: dict[str, Any]
    assets: list[dict[str, Any]]


def audit_on_phone(open_phone: Any, live: LiveServer, name: str, count: int, who: tuple[str, str] = TECHNICIAN) -> OnPhone:
    """An audit of a new room of `count` assets, open on the scan screen of a phone signed in as `who`."""
    room, assets = room_with_assets(live, count)
    session = audit_of(live, room, name)
    page = phone_as(open_phone, live, who)
    open_scan_screen(page, live, session["id"])
    return OnPhone(page, session, room, assets)


def found_offline(page: Page, session: dict[str, Any], assets: list[dict[str, Any]]) -> None:
    go_offline(page, session["id"])
    for asset in assets:
        scan_typed(page, asset["tag"])
        expect_outcome(page, "accepted", "Found")


def home(page: Page) -> None:
    page.locator("#scan-back").click()
    expect(page.locator("#new-session")).to_be_visible()


def drained(page: Page) -> None:
    expect(page.locator("#pending-badge")).to_have_attribute("data-count", "0", timeout=20_000)


def answered_while_away_then_offline(page: Page, live: LiveServer, session: dict[str, Any]) -> None:
    """Away from the audit, the signal comes back and the queue is answered; then it goes again and the
    audit is opened."""
    home(page)
    page.context.set_offline(False)
    drained(page)
    page.context.set_offline(True)
    expect(page.locator("#offline-indicator")).to_be_visible()
    page.goto(f"{live.url}/app/sessions/{session['id']}")


def test_answers_that_came_while_the_screen_was_away_count_once_and_stay_counted_offline(open_phone, live_server, shot):
    page, session, _, assets = audit_on_phone(open_phone, live_server, "Away: answers", 4)
    found_offline(page, session, assets[:2])
    answered_while_away_then_offline(page, live_server, session)
    expect(page.locator("#scan-input")).to_be_visible()
    progress = page.locator("#progress")
    expect(progress).to_have_text("2 / 4")
    expect(page.locator(f"{ROWS}[data-pending=true]")).to_have_count(0)
    # The server's answers are in the offline pack too: a second read says so, and the Missing tab agrees.
    scan_typed(page, assets[0]["tag"])
    expect_outcome(page, "already_scanned", "Already counted")
    expect(progress).to_have_text("2 / 4")
    page.locator("#tab-missing").click()
    expect(page.locator("[data-testid=missing-item]")).to_have_count(2)
    shot(page, "away-missing")
    # And after a reload, still offline.
    page.reload()
    expect(progress).to_have_text("2 / 4")
    page.locator("#tab-missing").click()
    expect(page.locator("[data-testid=missing-item]")).to_have_count(2)
    page.locator("#tab-scan").click()
    scan_typed(page, assets[1]["tag"])
    expect_outcome(page, "already_scanned", "Already counted")
    expect(progress).to_have_text("2 / 4")
    assert live_server.mobile(session["id"])["progress"] == {"scanned": 2, "total": 4}


SLOW_ROWS = """(() => {
    if (!sessionStorage.getItem('slow-rows')) return;
    const get = IDBObjectStore.prototype.get;
    IDBObjectStore.prototype.get = function (key) {
        const request = get.call(this, key);
        if (typeof key !== 'string' || !key.startsWith('rows:')) return request;
        let handler = null;
        Object.defineProperty(request, 'onsuccess', { configurable: true, get: () => handler, set: (fn) => { handler = fn; } });
        request.addEventListener('success', (event) => setTimeout(() => handler && handler.call(request, event), 800));
        return request;
    };
})()"""


def test_a_reload_while_the_queue_is_being_sent_ends_with_every_row_answered_once(open_phone, live_server, shot):
    page, session, _, assets = audit_on_phone(open_phone, live_server, "Reload while sending", 6)
    found_offline(page, session, assets[:5])
    # Back online with a reload: the queue leaves while the screen is still reading what it stored (made
    # certain here by holding the stored rows back for 0.8 s, as a slow phone's storage would).
    page.add_init_script(SLOW_ROWS)
    page.evaluate("sessionStorage.setItem('slow-rows', '1')")
    # The server's recent list is held back too: the rows must be right from the answers alone.
    held: list[Route] = []
    page.route("**/api/v1/sessions/*/mobile", lambda route: held.append(route))
    page.context.set_offline(False)
    page.reload()
    drained(page)
    ready = page.wait_for_function("() => window.fieldscan && window.fieldscan.scanReadyAt").json_value()
    assert ready > 800, "the stored rows were held back"
    rows = page.locator(ROWS)
    expect(page.locator(f"{ROWS}[data-pending=true]")).to_have_count(0)
    expect(page.locator(f"{ROWS}[data-result=accepted]")).to_have_count(5)
    expect(page.locator("#progress")).to_have_text("5 / 6")
    shot(page, "answered")
    page.unroute("**/api/v1/sessions/*/mobile")
    page.evaluate("sessionStorage.removeItem('slow-rows')")
    page.reload()
    expect(page.locator("#progress")).to_have_text("5 / 6")
    expect(rows).to_have_count(5)
    expect(page.locator(f"{ROWS}[data-pending=true]")).to_have_count(0)
    assert live_server.mobile(session["id"])["progress"] == {"scanned": 5, "total": 6}
    assert not [key for key in idb_keys(page, "meta") if key.startswith("answer:")], "answers are deleted once shown"


def idb_keys(page: Page, store: str) -> list[str]:
    return page.evaluate("""(store) => new Promise((resolve, reject) => {
        const open = indexedDB.open('fieldscan');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const all = open.result.transaction(store).objectStore(store).getAllKeys();
            all.onsuccess = () => { open.result.close(); resolve(all.result.map(String)); };
            all.onerror = () => reject(all.error);
        };
    })""", store)


def undone_everywhere(page: Page, live: LiveServer, session: dict[str, Any], shot: Any) -> None:
    """The one scan of a 3-item audit was taken back: once the queue is sent, the phone and the server say 0."""
    drained(page)
    expect(page.locator("#progress")).to_have_text("0 / 3")
    expect(page.locator(f"{ROWS}[data-result=accepted]:not([data-undone])")).to_have_count(0)
    shot(page, "undone")
    mobile = live.mobile(session["id"])
    assert mobile["progress"] == {"scanned": 0, "total": 3}
    assert [scan["undone"] for scan in mobile["recentScans"]] == [True]


def test_undo_of_a_scan_on_its_way_is_undone_on_the_server_even_after_a_reload(open_phone, live_server, shot):
    page, session, _, assets = audit_on_phone(open_phone, live_server, "Undo on its way", 3)
    wait_for_offline_pack(page, session["id"])
    held: list[Route] = []
    page.route("**/api/v1/sessions/*/scan", lambda route: held.append(route))  # the answer does not come back
    scan_typed(page, assets[0]["tag"])
    expect_outcome(page, "accepted", "Found")
    expect(page.locator(f"{ROWS}[data-pending=true]")).to_have_count(1)
    page.locator(f"{ROWS} [data-action=undo]").first.click()
    expect(page.locator(ROWS)).to_have_count(0)
    expect(page.locator("#progress")).to_have_text("0 / 3")
    [entry] = idb_all(page, "outbox")
    assert entry["undo"] is True  # kept, flagged: it may have reached the server
    # The phone reloads before the answer comes; the scan is sent again and its count undone.
    page.unroute("**/api/v1/sessions/*/scan")
    page.reload()
    undone_everywhere(page, live_server, session, shot)


def test_undo_of_a_scan_whose_answer_was_lost_is_undone_on_the_server(open_phone, live_server, shot):
    page, session, _, assets = audit_on_phone(open_phone, live_server, "Undo, answer lost", 3)
    wait_for_offline_pack(page, session["id"])

    def counted_then_lost(route: Route) -> None:
        route.fetch()  # the server counts it...
        route.abort()  # ...and the answer never reaches the phone

    page.route("**/api/v1/sessions/*/scan", counted_then_lost)
    scan_typed(page, assets[0]["tag"])
    expect_outcome(page, "accepted", "Found")
    expect(page.locator("#offline-indicator")).to_be_visible()
    assert live_server.mobile(session["id"])["progress"]["scanned"] == 1
    page.unroute("**/api/v1/sessions/*/scan")
    page.locator(f"{ROWS} [data-action=undo]").first.click()
    expect(page.locator(ROWS)).to_have_count(0)
    [entry] = idb_all(page, "outbox")
    assert entry["attempted"] is True and entry["undo"] is True  # it may have been counted: undone when answered
    undone_everywhere(page, live_server, session, shot)


def test_undo_of_a_scan_that_never_arrived_leaves_nothing_on_the_server(open_phone, live_server, shot):
    page, session, _, assets = audit_on_phone(open_phone, live_server, "Undo, never arrived", 3)
    wait_for_offline_pack(page, session["id"])
    page.route("**/api/v1/sessions/*/scan", lambda route: route.abort())  # lost before the server
    scan_typed(page, assets[0]["tag"])
    expect_outcome(page, "accepted", "Found")
    expect(page.locator("#offline-indicator")).to_be_visible()
    page.unroute("**/api/v1/sessions/*/scan")
    page.locator(f"{ROWS} [data-action=undo]").first.click()
    expect(page.locator(ROWS)).to_have_count(0)
    [entry] = idb_all(page, "outbox")
    assert entry["attempted"] is True and entry["undo"] is True
    drained(page)
    expect(page.locator("#progress")).to_have_text("0 / 3")
    shot(page, "nothing-sent")
    mobile = live_server.mobile(session["id"])
    assert mobile["progress"] == {"scanned": 0, "total": 3}
    assert mobile["recentScans"] == []  # asked only for its answer: the scan was never made now


def test_an_undo_refused_because_the_audit_was_completed_says_so_and_the_count_stands(open_phone, live_server, shot):
    page, session, _, assets = audit_on_phone(open_phone, live_server, "Undo, then completed", 3)
    wait_for_offline_pack(page, session["id"])

    def counted_then_lost(route: Route) -> None:
        route.fetch()
        route.abort()

    page.route("**/api/v1/sessions/*/scan", counted_then_lost)
    scan_typed(page, assets[0]["tag"])
    expect(page.locator("#offline-indicator")).to_be_visible()
    page.unroute("**/api/v1/sessions/*/scan")
    page.locator(f"{ROWS} [data-action=undo]").first.click()
    expect(page.locator(ROWS)).to_have_count(0)
    live_server.api.patch(f"/sessions/{session['id']}", json={"status": "completed"}).raise_for_status()
    drained(page)
    expect(page.locator(".toast-error")).to_contain_text("Could not undo")
    shot(page, "refused")
    expect(page.locator(ROWS)).to_have_count(1)  # back, as the server counted it
    assert live_server.mobile(session["id"])["progress"]["scanned"] == 1


def test_a_double_tap_on_undo_takes_back_one_scan(open_phone, live_server, shot):
    page, session, _, assets = audit_on_phone(open_phone, live_server, "Double tap", 3)
    found_offline(page, session, assets[:2])
    expect(page.locator("#progress")).to_have_text("2 / 3")
    page.locator(f"{ROWS} [data-action=undo]").first.evaluate("(button) => { button.click(); button.click(); }")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator("#progress")).to_have_text("1 / 3")
    shot(page, "one-left")
    assert len(idb_all(page, "outbox")) == 1
    page.context.set_offline(False)
    drained(page)
    assert live_server.mobile(session["id"])["progress"] == {"scanned": 1, "total": 3}


def test_answers_that_come_while_the_pack_downloads_stay_in_it(open_phone, live_server, shot):
    page, session, _, assets = audit_on_phone(open_phone, live_server, "Pack on its way", 3)
    wait_for_offline_pack(page, session["id"])
    home(page)
    # The next pack is made by the server now, before the scan, and reaches the phone after its answer.
    held: list[tuple[Route, Any]] = []
    page.route("**/api/v1/sessions/*/offline-pack", lambda route: held.append((route, route.fetch())))
    page.goto(f"{live_server.url}/app/sessions/{session['id']}")
    expect(page.locator("#scan-input")).to_be_focused()
    page.wait_for_function("() => window.fieldscan && window.fieldscan.scanReadyAt")
    deadline = time.monotonic() + 10
    while not held:
        assert time.monotonic() < deadline, "the scan screen did not ask for the pack"
        page.wait_for_timeout(100)
    scan_typed(page, assets[0]["tag"])
    expect_outcome(page, "accepted", "Found")
    drained(page)
    expect(page.locator(f"{ROWS}[data-pending=true]")).to_have_count(0)
    route, response = held[0]
    route.fulfill(response=response)
    page.unroute("**/api/v1/sessions/*/offline-pack")
    page.wait_for_timeout(600)  # the pack is stored as soon as it is in use
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#progress")).to_have_text("1 / 3")
    scan_typed(page, assets[0]["tag"])
    expect_outcome(page, "already_scanned", "Already counted")
    expect(page.locator("#progress")).to_have_text("1 / 3")
    shot(page, "still-counted")


def test_more_answers_than_rows_shown_are_all_taken_in(open_phone, live_server, shot):
    page, session, _, assets = audit_on_phone(open_phone, live_server, "Many while away", 64)
    found_offline(page, session, assets[:63])
    answered_while_away_then_offline(page, live_server, session)
    expect(page.locator("#progress")).to_have_text("63 / 64")
    scan_typed(page, assets[0]["tag"])  # the oldest: its answer came while away, like the rest
    expect_outcome(page, "already_scanned", "Already counted")
    expect(page.locator("#progress")).to_have_text("63 / 64")
    page.locator("#tab-missing").click()
    expect(page.locator("[data-testid=missing-item]")).to_have_count(1)
    shot(page, "one-missing")
    assert not [key for key in idb_keys(page, "meta") if key.startswith("answer:")], "every answer taken in"


def test_a_scan_the_phone_cannot_keep_says_so_and_counts_for_nothing(open_phone, live_server, shot):
    page, session, _, assets = audit_on_phone(open_phone, live_server, "Storage full", 2)
    page.evaluate("""async () => {
        const { outbox } = await import('/app/js/outbox.js');
        outbox.enqueue = () => Promise.reject(new DOMException('The quota has been exceeded', 'QuotaExceededError'));
    }""")
    scan_typed(page, assets[0]["tag"])
    row = page.locator(ROWS).first
    expect(row).to_have_attribute("data-result", "refused")
    expect(row).to_contain_text("Not kept on this phone")
    expect(page.locator("#outcome")).to_contain_text("Not kept on this phone")
    expect(page.locator("#progress")).to_have_text("0 / 2")
    shot(page, "not-kept")
    assert live_server.mobile(session["id"])["progress"]["scanned"] == 0


def test_an_asset_quick_added_online_counts_once_while_its_scan_waits(open_phone, live_server, shot):
    page, session, _, _ = audit_on_phone(open_phone, live_server, "Quick add online", 2, MANAGER)
    code = live_server.blank_batch(1)["codes"][0]["code"]
    scan_typed(page, f"{live_server.url}/t/{code}")
    expect_outcome(page, "unknown_code", "Unknown code")
    page.locator("#quick-add-code").click()
    expect(page.locator("#qa-name")).to_be_focused()
    page.route("**/api/v1/sessions/*/scan", lambda route: route.abort())  # its scan waits in the queue
    page.keyboard.type("Whiteboard")
    page.locator("#qa-create").click()
    expect(page.locator("#scan-input")).to_be_visible()
    new_row = page.locator(f"{ROWS}[data-new=true]")
    expect(new_row).to_have_attribute("data-pending", "true")
    # The server expects it in this room already: its waiting scan adds to the counted, not to the total.
    expect(page.locator("#progress")).to_have_text("1 / 3", timeout=15_000)
    shot(page, "waiting")
    page.reload()  # what the phone stored says the same
    expect(page.locator("#progress")).to_have_text("1 / 3")
    page.unroute("**/api/v1/sessions/*/scan")
    drained(page)
    expect(page.locator(f"{ROWS}[data-new=true]")).not_to_have_attribute("data-pending", "true")
    expect(page.locator("#progress")).to_have_text("1 / 3")
    assert live_server.mobile(session["id"])["progress"] == {"scanned": 1, "total": 3}


def test_a_code_taken_while_the_phone_was_away_offers_a_new_tag_when_the_audit_is_opened(open_phone, live_server, shot):
    page, session, room, _ = audit_on_phone(open_phone, live_server, "Code taken while away", 1)
    code = live_server.blank_batch(1)["codes"][0]["code"]
    go_offline(page, session["id"])
    quick_add_offline(page, live_server, code, "Fan heater B")
    home(page)
    # Meanwhile the same pre-printed tag went on another asset.
    live_server.api.post("/inventory-items", json={"name": "Fan heater A", "claimCode": code}).raise_for_status()
    page.context.set_offline(False)
    drained(page)
    page.goto(f"{live_server.url}/app/sessions/{session['id']}")
    row = page.locator(f"{ROWS}[data-new=true]").first
    expect(row).to_contain_text("Not created")
    expect(row).to_contain_text("already on asset")
    shot(page, "taken")
    row.locator("[data-action=create-without-code]").click()
    expect(row).not_to_have_attribute("data-error", "409")
    expect(row).not_to_have_attribute("data-pending", "true", timeout=20_000)
    drained(page)
    expect(row).to_contain_text("Fan heater B")
    made = [a for a in live_server.assets() if a["name"] == "Fan heater B"]
    assert len(made) == 1 and made[0]["tag"] != code and made[0]["locationId"] == room["id"]


def test_an_asset_added_offline_to_an_audit_deleted_meanwhile_is_still_created(open_phone, live_server, shot):
    page, session, room, _ = audit_on_phone(open_phone, live_server, "Deleted while offline", 1, MANAGER)
    code = live_server.blank_batch(1)["codes"][0]["code"]
    go_offline(page, session["id"])
    quick_add_offline(page, live_server, code, "Ladder 3 m")
    home(page)
    live_server.api.delete(f"/sessions/{session['id']}").raise_for_status()
    page.context.set_offline(False)
    drained(page)
    made = [a for a in live_server.assets() if a["name"] == "Ladder 3 m"]
    assert len(made) == 1
    assert made[0]["tag"] == code and made[0]["locationId"] == room["id"]


def test_create_pressed_before_the_lists_have_loaded_is_done_once_they_have(open_phone, live_server, shot):
    room, _ = room_with_assets(live_server, 1)
    session = audit_of(live_server, room, "Quick add, slow lists")
    page = phone_as(open_phone, live_server, TECHNICIAN)
    held: list[Route] = []
    page.route("**/api/v1/locations?*", lambda route: held.append(route))  # a slow network
    page.goto(f"{live_server.url}/app/quick-add?sessionId={session['id']}")
    expect(page.locator("#qa-name")).to_be_focused()
    page.keyboard.type("Step stool")
    page.locator("#qa-create").click()
    expect(page.locator("#qa-name")).to_have_value("Step stool")  # nothing lost to a page load
    page.wait_for_timeout(300)
    assert not [a for a in live_server.assets() if a["name"] == "Step stool"]
    page.unroute("**/api/v1/locations?*")
    for route in held:
        with contextlib.suppress(PlaywrightError):  # a request the app gave up on (its timeout) is gone
            route.continue_()
    expect(page.locator("#scan-input")).to_be_visible()  # created, counted, back in the audit
    made = [a for a in live_server.assets() if a["name"] == "Step stool"]
    assert len(made) == 1 and made[0]["locationId"] == room["id"]
