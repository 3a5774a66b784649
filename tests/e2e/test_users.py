"""Accounts on the phone: an admin invites a technician, who opens the link on their own phone, chooses a
password and is signed in; the admin promotes and then deactivates them, which signs that phone out; a
user changes their own password. Each test makes users of its own on the shared server."""

from __future__ import annotations

import secrets
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, sign_in

GOOD = "a ladder, two pumps and a crane"


def unique_email(who: str) -> str:
    return f"{who}-{secrets.token_hex(3)}@demo.example"


def choose_password(page: Page, password: str) -> None:
    page.locator("#setpw-new").fill(password)
    page.locator("#setpw-again").fill(password)
    page.locator("#setpw-submit").click()


def invite_on_the_phone(admin: Page, email: str, name: str, role: str) -> str:
    admin.locator("#menu-users").click()
    expect(admin.locator("[data-testid=user-row][data-email='admin@demo.example']")).to_be_visible()
    admin.locator("#users-invite").click()
    admin.locator("#invite-email").fill(email)
    admin.locator("#invite-name").fill(name)
    admin.locator("#invite-role").select_option(role)
    admin.locator("#invite-submit").click()
    expect(admin.locator("#user-link-panel")).to_contain_text(f"Invitation for {email}")
    url = admin.locator("#user-link").input_value()
    assert "/app/set-password#" in url
    return url


def test_an_invited_technician_chooses_a_password_and_an_admin_promotes_then_deactivates_them(
        open_phone: Any, live_server: LiveServer, shot: Any) -> None:
    admin = open_phone().page
    email = unique_email("jane")
    link = invite_on_the_phone(admin, email, "Jane Field", "technician")
    shot(admin, "invited")

    jane = open_phone(signed_in=False).page
    jane.goto(link)
    expect(jane.locator("h1")).to_have_text("Welcome to Fieldscan")
    expect(jane.locator("#setpw-intro")).to_contain_text(email)
    assert "#" not in jane.url  # the token left the address bar and the history
    choose_password(jane, "password1234")
    expect(jane.locator("#setpw-error")).to_contain_text("breaches")
    jane.locator("#setpw-new").fill("short")
    jane.locator("#setpw-again").fill("short")
    jane.locator("#setpw-submit").click()
    expect(jane.locator("#setpw-error")).to_contain_text("at least 12 characters")
    shot(jane, "refused")
    choose_password(jane, GOOD)
    expect(jane.locator("#new-session")).to_be_visible()
    expect(jane.locator("#menu-users")).to_have_count(0)  # a technician manages no one
    jane.goto(f"{live_server.url}/app/users")
    expect(jane.locator("#users-not-admin")).to_be_visible()
    jane.goto(f"{live_server.url}/app/")
    expect(jane.locator("#new-session")).to_be_visible()

    # The admin sees Jane active, makes her a manager, then deactivates her.
    admin.locator("#invite-done").click()
    admin.locator("#users-search").fill("jane field")
    row = admin.locator(f"[data-testid=user-row][data-email='{email}']")
    expect(row.locator("[data-testid=user-status]")).to_have_text("Active")
    expect(admin.locator("[data-testid=user-row]")).to_have_count(1)
    row.click()
    admin.locator("#user-role").select_option("manager")
    admin.locator("#user-save").click()
    expect(admin.locator(".toast")).to_contain_text("Saved")
    assert [u for u in live_server.api.get("/users", params={"q": email}).json()["items"]][0]["role"] == "manager"
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.locator("#user-toggle").click()
    expect(admin.locator("#user-status")).to_have_text("Deactivated")
    expect(admin.locator("#user-toggle")).to_have_text("Reactivate")
    shot(admin, "deactivated")

    # Jane's phone is signed out at its next request, and her password no longer opens the app.
    jane.reload()
    expect(jane.locator("#signin-email")).to_be_visible()
    jane.locator("#signin-email").fill(email)
    jane.locator("#signin-password").fill(GOOD)
    jane.locator("#signin-submit").click()
    expect(jane.locator("#signin-error")).to_have_text("Wrong email or password")


def test_a_used_link_says_so_and_offers_the_sign_in(open_phone: Any, live_server: LiveServer) -> None:
    made = live_server.api.post("/users", json={"email": unique_email("once"), "role": "technician"}).json()
    token = made["link"]["url"].split("#", 1)[1]
    live_server.api.post("/auth/set-password", json={"token": token, "password": GOOD}).raise_for_status()
    phone = open_phone(signed_in=False).page
    phone.goto(f"{live_server.url}/app/set-password#{token}")
    expect(phone.locator("#setpw-dead")).to_contain_text("already used or has expired")
    phone.get_by_role("link", name="Go to sign-in").click()
    expect(phone.locator("#signin-email")).to_be_visible()


def test_a_user_changes_their_own_password_on_the_phone(open_phone: Any, live_server: LiveServer, shot: Any) -> None:
    email = unique_email("sam")
    made = live_server.api.post("/users", json={"email": email, "name": "Sam Counter", "role": "technician"}).json()
    live_server.api.post("/auth/set-password", json={"token": made["link"]["url"].split("#", 1)[1],
                                                     "password": GOOD}).raise_for_status()
    phone = open_phone(signed_in=False).page
    sign_in(phone, live_server, email, GOOD)
    phone.locator("#menu-account").click()
    phone.locator("#account-current").fill("not what it was")
    phone.locator("#account-new").fill("forklift on the third floor")
    phone.locator("#account-again").fill("forklift on the third floor")
    phone.locator("#account-submit").click()
    expect(phone.locator("#account-error")).to_have_text("The current password is not right.")
    phone.locator("#account-current").fill(GOOD)
    phone.locator("#account-again").fill("forklift on the 3rd floor")
    phone.locator("#account-submit").click()
    expect(phone.locator("#account-error")).to_have_text("The two passwords differ.")
    phone.locator("#account-again").fill("forklift on the third floor")
    shot(phone, "account")
    phone.locator("#account-submit").click()
    expect(phone.locator("#new-session")).to_be_visible()
    expect(phone.locator(".toast")).to_contain_text("Password changed")
    # Still signed in here (the app keeps the new token), and only the new password works.
    phone.reload()
    expect(phone.locator("#new-session")).to_be_visible()
    signed = live_server.api.post("/auth/login", json={"email": email, "password": GOOD})
    assert signed.status_code == 401
    assert live_server.api.post("/auth/login", json={"email": email, "password": "forklift on the third floor"}).status_code == 200
