"""The asset page drives the lifecycle: health, status and due date, check-out and check-in, status moves with
their reasons, and the history. Each test makes assets of its own in a location of its own, so the audits of
the other browser tests never meet them."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN, LiveServer, PhoneFactory, sign_in

MANAGER = ("manager@demo.example", ADMIN[1])
TECHNICIAN = ("tech@demo.example", ADMIN[1])


@pytest.fixture(scope="module")
def bench(live_server: LiveServer) -> dict[str, Any]:
    """A location only these tests use."""
    answer = live_server.api.post("/locations", json={"name": f"Lifecycle bench {uuid.uuid4().hex[:6]}"})
    return answer.raise_for_status().json()


def new_asset(live: LiveServer, bench: dict[str, Any], name: str) -> dict[str, Any]:
    answer = live.api.post("/inventory-items", json={"name": name, "locationId": bench["id"]})
    return answer.raise_for_status().json()


def new_person(live: LiveServer, name: str) -> dict[str, Any]:
    return live.api.post("/people", json={"name": name}).raise_for_status().json()


def phone_as(open_phone: PhoneFactory, live: LiveServer, who: tuple[str, str]) -> Page:
    page = open_phone(signed_in=False).page
    sign_in(page, live, *who)
    return page


def open_asset(page: Page, live: LiveServer, asset: dict[str, Any]) -> None:
    page.goto(f"{live.url}/app/a/{asset['tag']}")
    expect(page.locator("#asset-name")).to_have_text(asset["name"])
    expect(page.locator("#asset-history .history-item").first).to_be_visible()


def newest_event(page: Page):
    return page.locator("#asset-history .history-item").first


def test_a_manager_checks_an_asset_out_and_in_then_retires_it(open_phone, live_server, bench, shot):
    asset = new_asset(live_server, bench, "Cordless drill 18V")
    suffix = uuid.uuid4().hex[:5]
    person = new_person(live_server, f"Rosa Okafor {suffix}")
    new_person(live_server, f"Rosalind Decoy {suffix}")
    page = phone_as(open_phone, live_server, MANAGER)
    open_asset(page, live_server, asset)
    expect(page.locator("#asset-status")).to_have_text("Available")
    expect(page.locator("#asset-health-badge")).to_have_text(re.compile("Healthy"))
    expect(page.locator("#asset-due")).to_be_hidden()
    expect(newest_event(page)).to_have_attribute("data-type", "CREATED")
    shot(page, "available")

    # Check out: find the person by name, pick a due date a week ahead.
    page.locator("[data-action=checkout]").click()
    page.locator("#checkout-person-search").fill(f"okafor {suffix}")
    pick = page.locator("#checkout-people button", has_text=person["name"])
    expect(page.locator("#checkout-people button")).to_have_count(1)
    pick.click()
    expect(pick).to_have_attribute("aria-pressed", "true")
    due = date.today() + timedelta(days=7)
    page.locator("#checkout-due").fill(due.isoformat())
    shot(page, "checkout-form")
    page.locator("#asset-action-submit").click()

    expect(page.locator("#asset-action-result")).to_have_text(f"Checked out to {person['name']}.")
    expect(page.locator("#asset-status")).to_have_text("In use")
    expect(page.locator("#asset-assignee")).to_have_text(person["name"])
    expect(page.locator("#asset-due")).to_be_visible()
    expect(page.locator("#asset-due")).to_contain_text(str(due.year))
    expect(page.locator("#asset-overdue")).to_be_hidden()
    assigned = page.locator("#asset-history .history-item[data-type=ASSIGNED]")
    expect(assigned).to_contain_text(f"Checked out to {person['name']}")
    expect(assigned).to_contain_text("Demo manager")
    expect(newest_event(page)).to_have_text(re.compile("Status: Available → In use"))
    expect(page.locator("[data-action=checkout]")).to_have_count(0)
    shot(page, "in-use")
    held = live_server.asset(asset["id"])
    assert held["status"] == "in_use" and held["assigneeId"] == person["id"]
    assert datetime.fromisoformat(held["dueBackAt"]).astimezone().date() == due

    # Check in.
    page.locator("[data-action=checkin]").click()
    expect(page.locator("#asset-action-result")).to_have_text("Checked in.")
    expect(page.locator("#asset-status")).to_have_text("Available")
    expect(page.locator("#asset-assignee")).to_have_text("Nobody")
    expect(page.locator("#asset-due")).to_be_hidden()
    expect(page.locator("#asset-history .history-item[data-type=UNASSIGNED]")).to_contain_text(person["name"])
    assert live_server.asset(asset["id"])["status"] == "available"

    # Retire: a reason is asked for before anything is sent.
    page.locator("[data-action=retired]").click()
    page.locator("#asset-action-submit").click()
    expect(page.locator("#asset-action-result")).to_have_text("Give a reason.")
    expect(page.locator("#asset-action-reason")).to_be_focused()
    assert live_server.asset(asset["id"])["status"] == "available"
    page.locator("#asset-action-reason").fill("Gearbox worn out")
    page.locator("#asset-action-submit").click()
    expect(page.locator("#asset-status")).to_have_text("Retired")
    expect(newest_event(page)).to_have_attribute("data-type", "RETIRED")
    expect(newest_event(page)).to_contain_text("Gearbox worn out")
    expect(page.locator("#asset-action-form")).to_be_hidden()
    expect(page.locator("[data-action=available]")).to_be_visible()  # the only move left from retired
    shot(page, "retired")
    retired = live_server.asset(asset["id"])
    assert retired["status"] == "retired"
    events = live_server.api.get(f"/inventory-items/{asset['id']}/status-events").raise_for_status().json()
    assert events["items"][0]["reason"] == "Gearbox worn out"


def test_a_move_the_server_refuses_shows_its_message(open_phone, live_server, bench, shot):
    asset = new_asset(live_server, bench, "Laser level")
    person = new_person(live_server, f"Tomas Lind {uuid.uuid4().hex[:5]}")
    page = phone_as(open_phone, live_server, MANAGER)
    open_asset(page, live_server, asset)
    expect(page.locator("[data-action=checkout]")).to_be_visible()
    # Meanwhile someone else sends it to maintenance; this phone still offers a check-out.
    live_server.api.post(f"/inventory-items/{asset['id']}/status", json={"toStatus": "maintenance"}).raise_for_status()
    refused = live_server.api.post(f"/inventory-items/{asset['id']}/checkout", json={"personId": person["id"]})
    assert refused.status_code == 409

    page.locator("[data-action=checkout]").click()
    page.locator("#checkout-person-search").fill(person["name"])
    page.locator("#checkout-people button", has_text=person["name"]).click()
    page.locator("#asset-action-submit").click()
    result = page.locator("#asset-action-result")
    expect(result).to_have_text(refused.json()["message"])
    expect(result).to_have_attribute("aria-live", "polite")
    expect(result).to_have_class("error")
    # and the page now shows the asset as it is, with the moves it allows from there
    expect(page.locator("#asset-status")).to_have_text("In maintenance")
    expect(page.locator("[data-action=checkout]")).to_have_count(0)
    expect(page.locator("[data-action=available]")).to_be_visible()
    expect(newest_event(page)).to_have_text(re.compile("Status: Available → In maintenance"))
    shot(page, "refused")
    assert live_server.asset(asset["id"])["assigneeId"] is None


def test_a_missing_asset_shows_at_risk_with_its_reason(page, live_server, bench, shot):
    asset = new_asset(live_server, bench, "Thermal camera")
    live_server.api.post(f"/inventory-items/{asset['id']}/status",
                         json={"toStatus": "missing", "reason": "Not on its shelf"}).raise_for_status()
    health = live_server.asset(asset["id"])["health"]
    assert health["badge"] == "AT_RISK"
    open_asset(page, live_server, asset)
    badge = page.locator("#asset-health-badge")
    expect(badge).to_have_attribute("data-badge", "AT_RISK")
    expect(badge).to_have_text(re.compile("At risk"))
    for reason in health["reasons"]:
        expect(page.locator(f"#asset-health-reasons li[data-code={reason['code']}]")).to_have_text(reason["message"])
    expect(page.locator("#asset-status")).to_have_text("Missing")
    expect(newest_event(page)).to_contain_text("Not on its shelf")
    shot(page, "at-risk")


def test_an_overdue_check_out_is_marked_and_needs_attention(page, live_server, bench, shot):
    asset = new_asset(live_server, bench, "Pipe threader")
    person = new_person(live_server, f"Ada Kerr {uuid.uuid4().hex[:5]}")
    soon = datetime.now(UTC) + timedelta(seconds=2)
    live_server.api.post(f"/inventory-items/{asset['id']}/checkout",
                         json={"personId": person["id"], "dueBackAt": soon.isoformat()}).raise_for_status()
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.5)
    overdue = live_server.asset(asset["id"])
    assert overdue["overdue"] is True
    open_asset(page, live_server, asset)
    expect(page.locator("#asset-status")).to_have_text("In use")
    expect(page.locator("#asset-assignee")).to_have_text(person["name"])
    expect(page.locator("#asset-overdue")).to_be_visible()
    expect(page.locator("#asset-overdue")).to_have_text("Overdue")
    expect(page.locator("#asset-health-badge")).to_have_text(re.compile("Needs attention"))
    reason = next(r for r in overdue["health"]["reasons"] if r["code"] == "checkout_overdue")
    expect(page.locator("#asset-health-reasons")).to_contain_text(reason["message"])
    shot(page, "overdue")


def test_a_technician_reads_health_and_history_but_has_no_actions(open_phone, live_server, bench, shot):
    asset = new_asset(live_server, bench, "Cable tester")
    person = new_person(live_server, f"Ivo Brandt {uuid.uuid4().hex[:5]}")
    for _ in range(6):  # 1 + 6 × 4 = 25 events
        live_server.api.post(f"/inventory-items/{asset['id']}/checkout", json={"personId": person["id"]}).raise_for_status()
        live_server.api.post(f"/inventory-items/{asset['id']}/checkin").raise_for_status()
    page = phone_as(open_phone, live_server, TECHNICIAN)
    open_asset(page, live_server, asset)
    expect(page.locator("#asset-health-badge")).to_have_text(re.compile("Healthy"))
    expect(page.locator("#asset-status")).to_have_text("Available")
    items = page.locator("#asset-history .history-item")
    expect(items).to_have_count(10)
    expect(page.locator("#asset-lifecycle")).to_be_hidden()
    expect(page.locator("#asset-lifecycle button")).to_have_count(0)
    expect(page.locator("[data-action=checkout], [data-action=checkin], [data-action=retired]")).to_have_count(0)
    shot(page, "technician")

    more = page.locator("#asset-history-more")
    more.click()
    expect(items).to_have_count(20)
    more.click()
    expect(items).to_have_count(25)
    expect(more).to_be_hidden()
    expect(items.last).to_have_attribute("data-type", "CREATED")
