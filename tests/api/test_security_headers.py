"""Security headers on every answer: a Content-Security-Policy that allows no inline script or style and no
framing, nosniff, a referrer policy, and HSTS only where the service is reached over https."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
import pytest
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from backend.app import create_app
from backend.headers import CONTENT_SECURITY_POLICY
from tests.conftest import TenantClient
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

EVERYWHERE = {"x-frame-options": "DENY", "x-content-type-options": "nosniff"}
HSTS = "strict-transport-security"
# An inline script or style block, or an on…= / style= attribute, anywhere in a page's markup.
INLINE = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=", re.I)


def policy(response: httpx.Response) -> dict[str, list[str]]:
    """The Content-Security-Policy as {directive: [sources]}; the header must be sent exactly once."""
    values = response.headers.get_list("content-security-policy")
    assert len(values) == 1, values
    directives = [part.split() for part in values[0].split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def assert_secured(response: httpx.Response) -> dict[str, list[str]]:
    for name, value in EVERYWHERE.items():
        assert response.headers.get_list(name) == [value], (name, response.headers)
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    csp = policy(response)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    for sources in csp.values():
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, csp
    assert HSTS not in response.headers  # these tests talk plain http
    return csp


def assert_no_inline_code(html: str) -> None:
    assert INLINE.findall(html) == [], INLINE.findall(html)


async def test_the_app_policy_allows_its_own_files_the_decoder_and_the_worker_and_nothing_else(client):
    r = await client.get("/app/", headers={"host": "localhost"})
    assert r.status_code == 200
    csp = assert_secured(r)
    assert csp == {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'wasm-unsafe-eval'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "frame-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert_no_inline_code(r.text)


async def test_an_app_route_gets_the_shell_with_the_headers(client):
    r = await client.get("/app/sessions/42", headers={"host": "localhost"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert_secured(r)


async def test_an_api_answer_has_every_header(tenant: TenantClient):
    r = await tenant.get("/inventory-items")
    assert r.status_code == 200, r.text
    assert_secured(r)


@pytest.mark.parametrize(("path", "status"), [("/inventory-items", 401), ("/no-such-route", 404)])
async def test_an_api_error_has_every_header(tenant: TenantClient, path, status):
    r = await tenant.get(path, auth=False)
    assert_error(r, status)
    assert_secured(r)


async def test_a_route_that_matches_nothing_and_an_unknown_tenant_have_every_header(client):
    assert_secured(await client.get("/nothing/here", headers={"host": "localhost"}))
    assert_secured(await client.get("/api/v1/inventory-items", headers={"host": "nosuch.localhost"}))


async def test_a_streamed_download_has_every_header(tenant: TenantClient):
    r = await tenant.get("/inventory-items/export/csv")
    assert r.status_code == 200, r.text
    assert_secured(r)


@pytest.mark.parametrize("path", ["/app/js/app.js", "/app/styles.css", "/app/sw.js",
                                  "/app/vendor/zxing-wasm/dist/reader/zxing_reader.wasm", "/favicon.ico"])
async def test_a_static_file_has_every_header_once(client, path):
    r = await client.get(path, headers={"host": "localhost"})
    assert r.status_code == 200
    assert_secured(r)
    revalidated = await client.get(path, headers={"host": "localhost", "if-none-match": r.headers["etag"]})
    assert revalidated.status_code == 304
    assert_secured(revalidated)


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
async def test_the_api_documentation_has_every_header_and_no_inline_script(client, path):
    r = await client.get(path, headers={"host": "localhost"})
    assert r.status_code == 200
    assert_secured(r)
    assert_no_inline_code(r.text)
    start = await client.get("/schema/swagger-init.js", headers={"host": "localhost"})
    assert start.status_code == 200 and start.headers["content-type"].startswith("text/javascript")
    assert_secured(start)


async def test_the_documentation_has_no_oauth_redirect_page_with_an_inline_script(client):
    assert_error(await client.get("/schema/oauth2-redirect.html", headers={"host": "localhost"}), 404)


async def test_a_label_page_keeps_its_tighter_policy_and_loads_only_its_stylesheet(tenant: TenantClient):
    await tenant.created("/inventory-items", name="Projector", tag="SEC-1")
    r = await tenant.client.get("/a/SEC-1", headers={"host": tenant.host})
    assert r.status_code == 200, r.text
    csp = assert_secured(r)
    assert csp["default-src"] == ["'none'"] and csp["style-src"] == ["'self'"]
    assert_no_inline_code(r.text)
    assert '<link rel="stylesheet" href="/app/pages.css">' in r.text
    css = await tenant.client.get("/app/pages.css", headers={"host": tenant.host})
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


async def test_the_label_pages_errors_the_start_page_and_the_ca_page_have_every_header(tenant: TenantClient):
    for path in ("/l/NO-SUCH", "/t/NOPE", "/", "/ca"):
        r = await tenant.client.get(path, headers={"host": tenant.host})
        assert r.headers["content-type"].startswith("text/html"), (path, r.status_code)
        assert_secured(r)
        assert_no_inline_code(r.text)


async def test_a_report_page_has_every_header_and_its_stylesheet_is_a_file(tenant: TenantClient):
    audit = await tenant.created("/sessions", name="Headers")
    for path in ("report", "missing"):
        r = await tenant.get(f"/sessions/{audit['id']}/{path}", params={"format": "html"})
        assert r.status_code == 200, r.text
        assert_secured(r)
        assert_no_inline_code(r.text)
        assert '<link rel="stylesheet" href="/app/report.css">' in r.text
    css = await tenant.client.get("/app/report.css", headers={"host": tenant.host})
    assert css.status_code == 200 and "@page" in css.text


# ---- HSTS: only where browsers reach the service over https --------------------------------------------------

async def answer(app: Any, *, url: str = "http://127.0.0.1/health", peer: str = "127.0.0.1",
                 proxied: bool = False, **headers: str) -> httpx.Response:
    """One GET to `app` from `peer`; with `proxied`, through uvicorn's proxy-header handling as `serve` runs it
    (FIELDSCAN_TRUSTED_PROXIES decides whom X-Forwarded-Proto is believed from)."""
    served = ProxyHeadersMiddleware(app, trusted_hosts=app.state.settings.trusted_proxies) if proxied else app
    transport = httpx.ASGITransport(app=served, client=(peer, 51000))
    async with httpx.AsyncClient(transport=transport) as http:
        return await http.get(url, headers={"host": "localhost", **headers})


@pytest.fixture
async def https_public_app(settings) -> AsyncIterator[Any]:
    app = create_app(msgspec.structs.replace(settings, public_url="https://{tenant}.assets.example"))
    async with app.lifespan():
        yield app


async def test_no_hsts_over_plain_http(app, client):
    r = await answer(app)
    assert r.status_code == 200 and HSTS not in r.headers
    assert_secured(r)


async def test_hsts_over_https(app, client):
    r = await answer(app, url="https://127.0.0.1/health")
    assert r.headers.get_list(HSTS) == ["max-age=31536000"]


async def test_hsts_on_every_answer_when_the_public_address_is_https(https_public_app):
    for url in ("http://127.0.0.1/health", "http://127.0.0.1/app/", "http://127.0.0.1/api/v1/nothing"):
        r = await answer(https_public_app, url=url)
        assert r.headers.get_list(HSTS) == ["max-age=31536000"], url


async def test_hsts_when_a_trusted_proxy_says_the_request_came_over_https(app, client):
    r = await answer(app, proxied=True, **{"x-forwarded-proto": "https"})
    assert r.headers.get_list(HSTS) == ["max-age=31536000"]
    assert HSTS not in (await answer(app, proxied=True)).headers


async def test_no_hsts_when_anyone_else_says_so(app, client):
    r = await answer(app, proxied=True, peer="10.9.9.9", **{"x-forwarded-proto": "https"})
    assert r.status_code == 200 and HSTS not in r.headers
