"""The start page, the favicon and the API documentation: all served by the app itself, nothing from a CDN."""

from __future__ import annotations

import re

import pytest
from tests.helpers import assert_error

from backend.app import PWA

pytestmark = pytest.mark.anyio

# Every address a page makes the browser load: scripts, styles, icons, images, frames.
LOADED = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
async def test_the_documentation_loads_only_the_apps_own_files(client, path):
    r = await client.get(path, headers={"host": "localhost"})
    assert r.status_code == 200, r.text
    loaded = LOADED.findall(r.text)
    assert any(url.endswith("swagger-ui-bundle.js") for url in loaded), loaded
    outside = [url for url in loaded if not url.startswith("/") or url.startswith("//")]
    assert outside == [], f"{path} loads files from elsewhere: {outside}"
    assert "cdn." not in r.text and "unpkg.com" not in r.text and "@latest" not in r.text
    texts = {}
    for url in loaded:
        file = await client.get(url, headers={"host": "localhost"})
        assert file.status_code == 200, (url, file.status_code)
        assert len(file.content) > 0
        texts[url] = file.text
    # The online validator would send the document to swagger.io (the page is started by a file of its own).
    assert "validatorUrl: null" in texts["/schema/swagger-init.js"]


async def test_the_documentation_files_come_from_the_pinned_package(client):
    r = await client.get("/app/vendor/swagger-ui-dist/swagger-ui-bundle.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.content == (PWA / "node_modules" / "swagger-ui-dist" / "swagger-ui-bundle.js").read_bytes()
    assert "SwaggerUIBundle" in r.text


async def test_the_favicon_is_the_apps_icon(client):
    r = await client.get("/favicon.ico", headers={"host": "no-such-tenant.localhost"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/x-icon"
    assert r.content == (PWA / "icons" / "favicon.ico").read_bytes()
    again = await client.get("/favicon.ico", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304


async def test_a_browser_opening_the_start_page_lands_in_the_app(client, tenant):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = await client.get("/", headers={"host": tenant.host, "accept": accept})
    assert r.status_code == 302
    assert r.headers["location"] == "/app/"
    assert r.headers["vary"] == "Accept"


async def test_a_program_opening_the_start_page_gets_links_to_the_app_and_the_docs(client, tenant):
    r = await client.get("/", headers={"host": tenant.host})
    assert r.status_code == 200
    assert 'href="/app/"' in r.text and 'href="/schema"' in r.text
    assert r.headers["vary"] == "Accept"


async def test_the_start_page_of_an_unknown_tenant_is_still_a_404_for_a_browser(client):
    assert_error(await client.get("/", headers={"host": "nosuch.localhost", "accept": "text/html"}), 404)
