"""A manager finishes an audit and reads its report on the phone (412 x 915, touch): the home screen lists
it under Completed, the report opens inside the app signed in, fits the screen, downloads as CSV, is shared
by link, and opens again offline. Each test audits a room of its own, so marking the unseen missing touches
no other test's assets."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from tests.e2e.conftest import LiveServer, PhoneFactory, wait_for_service_worker

SCREEN = {"width": 412, "height": 915}
CSV_HEADER = "Tag,Name,Category,Expected location,State,Scanned at,Found at"
# Long enough to wrap on a phone: it must wrap between words, and never push the page sideways.
LONG_NAME = "Stretch wrapper for the outbound loading bay, with the turntable and the spare film roll holder"


# How many lines an element's text takes: one box per line.
LINES_OF_TEXT = "node => { const r = node.ownerDocument.createRange(); r.selectNodeContents(node); return r.getClientRects().length; }"


@dataclass
class CompletedAudit:
    id: str
    name: str
    expected: int
    scanned: int
    extras: int
    seen: list[dict[str, Any]]
    missing: list[dict[str, Any]]


def completed_audit(live: LiveServer, *, items: int = 5, scanned: int = 2) -> CompletedAudit:
    """A room of its own with `items` assets, an audit of it that saw the first `scanned`, an asset from a
    yard of its own (an extra) and a code nobody knows, then completed with the unseen marked missing."""
    suffix = uuid.uuid4().hex[:6]
    room, yard = (live.api.post("/locations", json={"name": f"{place} {suffix}"}).raise_for_status().json()
                  for place in ("Loading bay", "Yard"))
    assets = [live.api.post("/inventory-items", json={"name": LONG_NAME if n == items - 1 else f"Pallet scale {n + 1}",
                                                      "locationId": room["id"]}).raise_for_status().json()
              for n in range(items)]
    stray = live.api.post("/inventory-items", json={"name": "Hand truck", "locationId": yard["id"]}).raise_for_status()
    name = f"Year-end count: {room['name']}"
    session = live.api.post("/sessions", json={"name": name, "locationId": room["id"]}).raise_for_status().json()
    scans = [{"code": asset["tag"]} for asset in assets[:scanned]]
    scans += [{"code": stray.json()["tag"], "allowMarkAnyway": True}, {"code": f"PALLET-{suffix}"}]
    answers = [live.api.post(f"/sessions/{session['id']}/scan", json=body).raise_for_status().json()["result"]
               for body in scans]
    assert answers == ["accepted"] * (scanned + 1) + ["unknown_code"]
    done = live.api.patch(f"/sessions/{session['id']}", json={"status": "completed", "markMissing": True})
    assert done.raise_for_status().json()["status"] == "completed"
    return CompletedAudit(id=session["id"], name=name, expected=items, scanned=scanned, extras=1,
                          seen=assets[:scanned], missing=assets[scanned:])


@pytest.fixture
def phone(open_phone: PhoneFactory) -> Page:
    """A signed-in phone the size of a large Android one."""
    page = open_phone().page
    page.set_viewport_size(SCREEN)
    return page


def report_frame(page: Page) -> FrameLocator:
    return page.frame_locator("#report-frame")


def open_report_from_home(page: Page, live: LiveServer, audit: CompletedAudit) -> None:
    page.goto(f"{live.url}/app/")
    page.locator(f"[data-testid=completed-item][data-session-id='{audit.id}']").tap()
    expect(page).to_have_url(f"{live.url}/app/sessions/{audit.id}/report")
    expect(report_frame(page).locator("#total-expected")).to_have_text(str(audit.expected))


def widths(page: Page) -> dict[str, int]:
    """How wide the app's page and the report inside its frame are, against the room they have."""
    return page.evaluate("""() => {
        const frame = document.querySelector('#report-frame');
        const inner = frame.contentDocument.documentElement;
        return { app: document.documentElement.scrollWidth, screen: window.innerWidth,
                 frame: frame.getBoundingClientRect().width, report: inner.scrollWidth, reportRoom: inner.clientWidth };
    }""")


def assert_fits(page: Page) -> None:
    seen = widths(page)
    assert seen["report"] <= seen["reportRoom"], seen  # nothing in the report scrolls sideways
    assert seen["app"] <= seen["screen"], seen
    assert seen["frame"] == seen["screen"], seen  # the report has the whole width of the phone


def test_a_completed_audit_is_listed_at_home_and_its_report_opens_in_the_app(phone, live_server, shot):
    audit = completed_audit(live_server)
    phone.goto(f"{live_server.url}/app/")
    row = phone.locator(f"[data-testid=completed-item][data-session-id='{audit.id}']")
    expect(row).to_be_visible()
    expect(phone.locator("#completed")).to_contain_text("Completed")
    expect(row).to_contain_text(audit.name)
    # Counted as the scan screen counts: the extra is in both numbers, so the difference is what is missing.
    expect(row.locator(".count")).to_have_text(f"{audit.scanned + audit.extras} / {audit.expected + audit.extras}")
    expect(row).to_contain_text(f"{audit.expected - audit.scanned} missing")
    expect(row).to_contain_text("Completed")
    # A completed audit is no longer one to scan into: it is listed under Completed only.
    expect(phone.locator(f"[data-testid=session-item][data-session-id='{audit.id}']")).to_have_count(0)
    row.scroll_into_view_if_needed()
    shot(phone, "home")

    row.tap()
    expect(phone).to_have_url(f"{live_server.url}/app/sessions/{audit.id}/report")
    report = report_frame(phone)
    expect(report.locator("h1")).to_contain_text(audit.name)
    expect(report.locator("#total-expected")).to_have_text(str(audit.expected))
    expect(report.locator("#total-scanned")).to_have_text(str(audit.scanned))
    expect(report.locator("#total-missing")).to_have_text(str(audit.expected - audit.scanned))
    for asset in audit.missing:
        expect(report.get_by_text(asset["tag"], exact=True)).to_be_visible()
    expect(report.get_by_text(LONG_NAME)).to_be_visible()
    expect(phone.locator("#report-print")).to_be_enabled()
    expect(phone).to_have_title(re.compile(re.escape(audit.name)))
    assert_fits(phone)
    shot(phone, "report")
    shot(phone, "report-whole", full_page=True)

    # A tag is never cut in two (in a squeezed table it breaks at its hyphen): its text is on one line.
    for asset in audit.missing:
        tag = report.get_by_text(asset["tag"], exact=True)
        assert tag.evaluate(LINES_OF_TEXT) == 1, asset["tag"]

    phone.locator("#report-view-missing").tap()
    expect(phone).to_have_url(f"{live_server.url}/app/sessions/{audit.id}/report?view=missing")
    expect(report.locator("h1")).to_contain_text("missing items")
    expect(report.locator("#total-missing")).to_have_text(str(audit.expected - audit.scanned))
    expect(report.get_by_text(audit.missing[0]["tag"], exact=True)).to_be_visible()
    expect(report.get_by_text(audit.seen[0]["tag"], exact=True)).to_have_count(0)
    assert_fits(phone)
    shot(phone, "missing", full_page=True)

    phone.locator("#report-back").tap()
    expect(phone).to_have_url(f"{live_server.url}/app/sessions/{audit.id}")
    expect(phone.locator("#progress")).to_have_attribute("data-total", str(audit.expected + audit.extras))
    expect(phone.locator("#progress")).to_have_attribute("data-scanned", str(audit.scanned + audit.extras))


def test_download_csv_saves_the_report_rows_under_the_servers_file_name(phone, live_server, shot):
    audit = completed_audit(live_server)
    open_report_from_home(phone, live_server, audit)
    with phone.expect_download() as downloading:
        phone.locator("#report-csv").tap()
    download = downloading.value
    assert download.suggested_filename == f"session-{audit.id}-report.csv"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == CSV_HEADER
    assert len(lines) == 1 + audit.expected + audit.extras
    assert {a["tag"] for a in audit.seen + audit.missing} < {line.split(",")[0] for line in lines[1:]}
    expect(phone.locator("#report-csv")).to_have_text("Download CSV")
    shot(phone, "downloaded")


def test_print_prints_the_report_frame_and_not_the_app_around_it(phone, live_server):
    audit = completed_audit(live_server)
    console: list[str] = []
    phone.on("console", lambda message: console.append(message.text))
    open_report_from_home(phone, live_server, audit)
    expect(phone.locator("#report-print")).to_be_enabled()

    # The sandbox lets the report print (Chromium says so on the console when it refuses).
    phone.locator("#report-print").tap()
    phone.evaluate("() => 0")  # a round trip to the page: a refusal would have been logged by now
    assert not [text for text in console if "print()" in text], console

    # It is the frame's print, not the app's.
    phone.evaluate("""() => {
        window.printed = [];
        window.print = () => window.printed.push('app');
        document.querySelector('#report-frame').contentWindow.print = () => window.printed.push('report');
    }""")
    phone.locator("#report-print").tap()
    assert phone.evaluate("() => window.printed") == ["report"]


def test_share_hands_the_report_link_to_the_phone_or_copies_it(open_phone, live_server, shot):
    audit = completed_audit(live_server)
    link = f"{live_server.url}/app/sessions/{audit.id}/report"

    # A phone with a share sheet: it gets the audit's name and the in-app link.
    sharing = open_phone()
    sharing.context.add_init_script(
        "Navigator.prototype.share = function (data) { window.sharedReport = data; return Promise.resolve(); };")
    sharing.page.set_viewport_size(SCREEN)
    open_report_from_home(sharing.page, live_server, audit)
    sharing.page.locator("#report-share").tap()
    sharing.page.wait_for_function("() => window.sharedReport !== undefined")
    shared = sharing.page.evaluate("() => window.sharedReport")
    assert shared["url"] == link
    assert audit.name in shared["title"]

    # Without one (a desktop browser): the link is copied, and the toast says so.
    copying = open_phone()
    copying.context.add_init_script("delete Navigator.prototype.share;")
    copying.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    copying.page.set_viewport_size(SCREEN)
    open_report_from_home(copying.page, live_server, audit)
    copying.page.locator("#report-share").tap()
    toast = copying.page.locator(".toast")
    expect(toast).to_contain_text("Link copied")
    expect(toast).to_have_css("opacity", "1")  # faded in, for the picture
    assert copying.page.evaluate("() => navigator.clipboard.readText()") == link
    shot(copying.page, "link-copied")


def test_a_report_opened_once_opens_offline_and_says_when_it_was_fetched(phone, live_server, shot):
    audit = completed_audit(live_server)
    open_report_from_home(phone, live_server, audit)
    wait_for_service_worker(phone)

    phone.context.set_offline(True)
    phone.reload()
    expect(report_frame(phone).locator("#total-missing")).to_have_text(str(audit.expected - audit.scanned))
    expect(phone.locator("#report-status")).to_contain_text("Offline: showing the audit report as fetched")
    shot(phone, "offline")

    # The missing list was never opened on this phone: it says so instead of showing nothing.
    phone.locator("#report-view-missing").tap()
    expect(phone.locator("#report-problem")).to_contain_text("You are offline")
    expect(phone.locator("#report-frame")).to_be_hidden()
    shot(phone, "offline-not-stored")

    # Home, offline: the completed audit is still listed, from the phone's copy.
    phone.locator("#report-problem a").tap()
    expect(phone.locator(f"[data-testid=completed-item][data-session-id='{audit.id}']")).to_contain_text(audit.name)


def test_the_report_of_a_deleted_audit_says_it_no_longer_exists(phone, live_server, shot):
    audit = completed_audit(live_server)
    live_server.api.delete(f"/sessions/{audit.id}").raise_for_status()
    phone.goto(f"{live_server.url}/app/sessions/{audit.id}/report")
    expect(phone.locator("#report-problem h1")).to_have_text("This audit no longer exists")
    expect(phone.locator("#report-frame")).to_be_hidden()
    shot(phone, "deleted")
