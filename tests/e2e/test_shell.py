"""The app shell in a real browser: signing in, installability, the service worker, and opening offline."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN, sign_in, wait_for_service_worker


def test_a_wrong_password_is_refused_and_the_right_one_opens_the_sessions_list(open_phone, live_server, shot):
    page = open_phone(signed_in=False).page
    page.goto(f"{live_server.url}/app/")
    expect(page).to_have_url(re.compile(r"/app/signin"))
    expect(page.locator("#signin-email")).to_be_visible()
    shot(page, "signin")

    page.locator("#signin-email").fill(ADMIN[0])
    page.locator("#signin-password").fill("not the password")
    page.locator("#signin-submit").click()
    expect(page.locator("#signin-error")).to_be_visible()
    expect(page.locator("#signin-error")).not_to_be_empty()
    expect(page).to_have_url(re.compile(r"/app/signin"))
    shot(page, "signin-error")

    session = live_server.new_session("Shell test: Floor 1", "HQ > Floor 1")
    page.locator("#signin-password").fill(ADMIN[1])
    page.locator("#signin-submit").click()
    expect(page.locator("#new-session")).to_be_visible()
    item = page.locator(f"[data-testid=session-item][data-session-id='{session['id']}']")
    expect(item).to_be_visible()
    expect(item).to_contain_text("Shell test: Floor 1")
    expect(page.locator("#signout")).to_be_visible()
    shot(page, "sessions")


def test_signing_out_forgets_the_user(page, live_server):
    page.locator("#signout").click()
    expect(page).to_have_url(re.compile(r"/app/signin"))
    page.goto(f"{live_server.url}/app/")
    expect(page).to_have_url(re.compile(r"/app/signin"))


def test_the_manifest_makes_the_app_installable(page, live_server):
    href = page.locator("link[rel=manifest]").get_attribute("href")
    assert href, "index.html links no manifest"
    manifest_url = urljoin(page.url, href)
    answer = httpx.get(manifest_url)
    assert answer.status_code == 200
    manifest = answer.json()
    assert manifest["name"] and manifest.get("short_name")
    assert manifest["display"] == "standalone"
    start = urljoin(manifest_url, manifest["start_url"])
    assert start.startswith(f"{live_server.url}/app/")
    assert httpx.get(start).status_code == 200
    scope = urljoin(manifest_url, manifest.get("scope", "./"))
    assert scope == f"{live_server.url}/app/"
    sizes = set()
    for icon in manifest["icons"]:
        picture = httpx.get(urljoin(manifest_url, icon["src"]))
        assert picture.status_code == 200, icon
        assert picture.headers["content-type"].startswith(icon.get("type", "image/")), icon
        sizes |= set(icon["sizes"].split())
    assert {"192x192", "512x512"} <= sizes


def test_the_service_worker_takes_over_and_the_app_opens_offline(page, live_server, shot):
    wait_for_service_worker(page)
    scope = page.evaluate("async () => (await navigator.serviceWorker.getRegistration('/app/')).scope")
    assert f"{live_server.url}/app/".startswith(scope)  # it controls the app's pages

    indicator = page.locator("#offline-indicator")
    expect(indicator).to_be_hidden()
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#new-session")).to_be_visible()  # the shell and the audit list, from the phone
    expect(indicator).to_be_visible()
    expect(indicator).to_have_text("Offline")
    assert page.evaluate("() => !!navigator.serviceWorker.controller")
    shot(page, "offline")

    page.goto(f"{live_server.url}/app/sessions/new")
    expect(page.locator("#session-name")).to_be_visible()
    expect(indicator).to_be_visible()

    # Back online, with no reload: the app's next probe of the server notices.
    page.context.set_offline(False)
    expect(indicator).to_be_hidden(timeout=20_000)
    expect(page.locator("#session-name")).to_be_visible()
    shot(page, "back-online")


def test_a_phone_offline_right_after_its_first_sign_in_still_opens_screens_it_has_not_shown(open_phone, live_server):
    """No reload between the first visit and the basement: the service worker takes over the page it was
    installed from, so the screens it cached are served from the phone."""
    page = open_phone(signed_in=False).page
    sign_in(page, live_server, *ADMIN)
    wait_for_service_worker(page)
    # The signal goes; the home screen asks nothing of the server meanwhile, so nothing may say so yet.
    page.context.set_offline(True)
    page.locator("#menu-quick-add").click()
    expect(page.locator("#qa-name")).to_be_visible()
    expect(page.locator("h1", has_text="could not be loaded")).to_have_count(0)


def test_an_audit_started_on_the_phone_is_on_the_server(page, live_server, shot):
    page.locator("#new-session").click()
    expect(page).to_have_url(re.compile(r"/app/sessions/new"))
    page.locator("#session-name").fill("Basement walk")
    page.locator("#session-location").select_option(label="HQ > Basement")
    page.locator("#session-sublocations").check()
    shot(page, "new-session")
    page.locator("#session-create").click()
    expect(page).to_have_url(re.compile(r"/app/sessions/[0-9a-f-]{36}$"))
    session_id = page.url.rsplit("/", 1)[1]
    session = live_server.api.get(f"/sessions/{session_id}").raise_for_status().json()
    assert session["name"] == "Basement walk"
    basement = live_server.location("HQ > Basement")
    in_scope = [a for a in live_server.assets() if a["locationId"] in live_server.descendants(basement["id"])]
    expect(page.locator("#progress")).to_have_attribute("data-total", str(len(in_scope)))
    expect(page.locator("#progress")).to_have_attribute("data-scanned", "0")


def test_signing_in_again_after_a_reload_is_not_needed(page, live_server):
    page.reload()
    expect(page.locator("#new-session")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/app/signin"))


def test_a_technician_signs_in_too(open_phone, live_server):
    page = open_phone(signed_in=False).page
    sign_in(page, live_server, "tech@demo.example", ADMIN[1])
    expect(page.locator("#signout")).to_be_visible()


def test_a_link_opened_before_signing_in_is_shown_after_it(open_phone, live_server):
    asset = live_server.assets()[0]
    page = open_phone(signed_in=False).page
    page.goto(f"{live_server.url}/app/a/{asset['tag']}")
    expect(page).to_have_url(re.compile(r"/app/signin"))
    page.locator("#signin-email").fill(ADMIN[0])
    page.locator("#signin-password").fill(ADMIN[1])
    page.locator("#signin-submit").click()
    expect(page).to_have_url(re.compile(rf"/app/a/{asset['tag']}$"))
    expect(page.locator("#asset-name")).to_have_text(asset["name"])
