"""The API documentation in a real browser with no internet: everything it loads comes from Fieldscan."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
def test_the_api_documentation_works_with_no_internet(browser, live_server, shot, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []
    origin = urlsplit(live_server.url).netloc

    def only_the_service(route: Route) -> None:
        if urlsplit(route.request.url).netloc == origin:
            route.continue_()
        else:  # what a machine with no internet would see: nothing answers
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_the_service)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", name="Fieldscan API")).to_be_visible()
        login = page.locator(".opblock-summary-path", has_text="/api/v1/auth/login").first
        expect(login).to_be_visible()
        login.click()
        expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
        shot(page, "page")
        assert elsewhere == []
    finally:
        context.close()
