"""The PWA under /app/: its shell for every app route, its files with the right types and ETags, its browser
packages from an allowlist, and nothing else: no path reaches outside pwa/ or into what it does not list."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.helpers import assert_error

from backend.app import PWA, create_app

pytestmark = pytest.mark.anyio

INDEX = b"<!doctype html><title>Fieldscan</title><main id=screen></main>"
FILES = {
    "index.html": INDEX,
    "sw.js": b"self.addEventListener('install', () => {});",
    "manifest.webmanifest": b'{"name": "Fieldscan", "start_url": "/app/"}',
    "styles.css": b"body { margin: 0 }",
    "js/app.js": b"export const version = '1';",
    "js/screens/scan.js": b"export async function render() {}",
    "icons/icon-192.png": b"\x89PNG\r\n\x1a\n....",
    "icons/icon.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "favicon.ico": b"\x00\x00\x01\x00",
    "data/units.json": b'{"mm": 1}',
    "decoder.wasm": b"\x00asm\x01\x00\x00\x00",
    ".env.js": b"export const secret = 'hidden';",
    "package.json": json.dumps({"name": "fieldscan-pwa", "dependencies": {"zxing-wasm": "3.1.4",
                                                                           "@acme/scanner": "1.0.0"}}).encode(),
    "package-lock.json": b'{"lockfileVersion": 3}',
    "README.md": b"# notes",
    "node_modules/zxing-wasm/package.json": b'{"name": "zxing-wasm"}',
    "node_modules/zxing-wasm/dist/reader/index.js": b"export const read = 1;",
    "node_modules/zxing-wasm/dist/reader/index.mjs": b"export const read = 2;",
    "node_modules/zxing-wasm/dist/reader/zxing_reader.wasm": b"\x00asm\x01\x00\x00\x00reader",
    "node_modules/zxing-wasm/dist/reader/index.js.map": b'{"version": 3}',
    "node_modules/zxing-wasm/dist/style.css": b".x{}",
    "node_modules/zxing-wasm/README.md": b"# zxing-wasm",
    "node_modules/zxing-wasm/scripts/build.sh": b"#!/bin/sh",
    "node_modules/zxing-wasm/node_modules/left-pad/index.js": b"export default 1;",
    "node_modules/zxing-wasm/.secret.js": b"export const x = 1;",
    "node_modules/@acme/scanner/index.js": b"export const scanner = 1;",
    "node_modules/@acme/other/index.js": b"export const other = 1;",
    "node_modules/not-listed/index.js": b"export const notListed = 1;",
}
SECRET = b"export const leaked = 'outside pwa/';"


@pytest.fixture
def pwa_root(tmp_path: Path) -> Path:
    root = tmp_path / "pwa"
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (tmp_path / "secret.js").write_bytes(SECRET)
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "index.js").write_bytes(SECRET)
    # Links that point out of pwa/: their names look innocent, their targets are not ours to serve.
    os.symlink(tmp_path / "secret.js", root / "linked.js")
    os.symlink(tmp_path / "secret", root / "node_modules" / "zxing-wasm" / "dist" / "outside")
    return root


@pytest.fixture
def app(settings: Any, pwa_root: Path) -> Any:
    return create_app(settings, pwa_root=pwa_root)


async def get(client: Any, path: str, **headers: str) -> Any:
    return await client.get(path, headers={"host": "localhost", **headers})


async def test_app_without_a_slash_redirects_to_the_app(client):
    r = await get(client, "/app")
    assert r.status_code == 301
    assert r.headers["location"] == "/app/"


@pytest.mark.parametrize("path", ["/app/", "/app/signin", "/app/sessions/new", "/app/sessions/0192f5e0-aaaa",
                                  "/app/quick-add?code=7XK2M9QC", "/app/a/AST-000001", "/app/a/LAP.001",
                                  "/app/print"])
async def test_every_app_route_answers_the_shell(client, path):
    r = await get(client, path)
    assert r.status_code == 200, r.text
    assert r.content == INDEX
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(("path", "media_type"), [
    ("/app/index.html", "text/html; charset=utf-8"),
    ("/app/js/app.js", "text/javascript; charset=utf-8"),
    ("/app/js/screens/scan.js", "text/javascript; charset=utf-8"),
    ("/app/styles.css", "text/css; charset=utf-8"),
    ("/app/manifest.webmanifest", "application/manifest+json"),
    ("/app/icons/icon-192.png", "image/png"),
    ("/app/icons/icon.svg", "image/svg+xml"),
    ("/app/favicon.ico", "image/x-icon"),
    ("/app/data/units.json", "application/json"),
    ("/app/decoder.wasm", "application/wasm"),
])
async def test_the_apps_files_are_served_with_their_type_and_an_etag(client, path, media_type):
    r = await get(client, path)
    assert r.status_code == 200, r.text
    assert r.content == FILES[path.removeprefix("/app/")]
    assert r.headers["content-type"] == media_type
    assert r.headers["cache-control"] == "no-cache"
    assert r.headers["etag"].startswith('"') and len(r.headers["etag"]) > 10
    assert "service-worker-allowed" not in r.headers


async def test_the_service_worker_may_take_the_whole_origin_as_its_scope(client):
    r = await get(client, "/app/sw.js")
    assert r.status_code == 200
    assert r.content == FILES["sw.js"]
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert r.headers["service-worker-allowed"] == "/"
    assert r.headers["cache-control"] == "no-cache"


async def test_a_revalidation_with_the_etag_is_a_304_until_the_file_changes(client, pwa_root):
    first = await get(client, "/app/js/app.js")
    etag = first.headers["etag"]
    again = await get(client, "/app/js/app.js", **{"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    shell = await get(client, "/app/sessions/1")
    assert (await get(client, "/app/", **{"if-none-match": shell.headers["etag"]})).status_code == 304

    (pwa_root / "js" / "app.js").write_bytes(b"export const version = '2';")
    os.utime(pwa_root / "js" / "app.js", ns=(1, 2_000_000_000_000_000_000))  # a new mtime, whatever the clock
    changed = await get(client, "/app/js/app.js", **{"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.content == b"export const version = '2';"
    assert changed.headers["etag"] != etag


@pytest.mark.parametrize(("path", "source", "media_type"), [
    ("/app/vendor/zxing-wasm/dist/reader/index.js", "zxing-wasm/dist/reader/index.js", "text/javascript; charset=utf-8"),
    ("/app/vendor/zxing-wasm/dist/reader/index.mjs", "zxing-wasm/dist/reader/index.mjs",
     "text/javascript; charset=utf-8"),
    ("/app/vendor/zxing-wasm/dist/reader/zxing_reader.wasm", "zxing-wasm/dist/reader/zxing_reader.wasm",
     "application/wasm"),
    ("/app/vendor/zxing-wasm/dist/reader/index.js.map", "zxing-wasm/dist/reader/index.js.map", "application/json"),
    ("/app/vendor/zxing-wasm/dist/style.css", "zxing-wasm/dist/style.css", "text/css; charset=utf-8"),
    ("/app/vendor/zxing-wasm/package.json", "zxing-wasm/package.json", "application/json"),
    ("/app/vendor/@acme/scanner/index.js", "@acme/scanner/index.js", "text/javascript; charset=utf-8"),
])
async def test_listed_packages_are_served_from_node_modules(client, path, source, media_type):
    r = await get(client, path)
    assert r.status_code == 200, r.text
    assert r.content == FILES[f"node_modules/{source}"]
    assert r.headers["content-type"] == media_type
    assert r.headers["cache-control"] == "no-cache" and r.headers["etag"]


@pytest.mark.parametrize("path", [
    pytest.param("/app/vendor/not-listed/index.js", id="package-not-in-dependencies"),
    pytest.param("/app/vendor/@acme/other/index.js", id="scoped-package-not-in-dependencies"),
    pytest.param("/app/vendor/zxing-wasm/README.md", id="vendor-type-not-allowed"),
    pytest.param("/app/vendor/zxing-wasm/scripts/build.sh", id="vendor-script"),
    pytest.param("/app/vendor/zxing-wasm/node_modules/left-pad/index.js", id="nested-node-modules"),
    pytest.param("/app/vendor/zxing-wasm/.secret.js", id="vendor-hidden-file"),
    pytest.param("/app/vendor/zxing-wasm/dist/outside/index.js", id="vendor-symlink-out-of-pwa"),
    pytest.param("/app/vendor/zxing-wasm/dist/missing.js", id="vendor-missing-file"),
    pytest.param("/app/vendor/zxing-wasm", id="vendor-package-without-file"),
    pytest.param("/app/vendor/zxing-wasm/%2e%2e/not-listed/index.js", id="vendor-encoded-traversal"),
    pytest.param("/app/vendor/zxing-wasm/..%2f..%2fpackage.json", id="vendor-encoded-slash-traversal"),
    pytest.param("/app/node_modules/zxing-wasm/dist/reader/index.js", id="node-modules-directly"),
    pytest.param("/app/js/node_modules/x.js", id="node-modules-anywhere"),
    pytest.param("/app/.env.js", id="hidden-file"),
    pytest.param("/app/package.json", id="package-json"),
    pytest.param("/app/package-lock.json", id="package-lock"),
    pytest.param("/app/linked.js", id="symlink-out-of-pwa"),
    pytest.param("/app/missing.js", id="missing-file"),
    pytest.param("/app/icons/missing.png", id="missing-icon"),
    pytest.param("/app/%2e%2e/secret.js", id="encoded-traversal"),
    pytest.param("/app/%2E%2E/%2E%2E/etc/passwd.json", id="encoded-traversal-upper"),
    pytest.param("/app/js/%2e%2e%2f%2e%2e%2fsecret.js", id="encoded-slashes"),
    pytest.param("/app/%252e%252e/secret.js", id="double-encoded-traversal"),
    pytest.param("/app//etc/hosts.json", id="absolute-path"),
    pytest.param("/app/%2Fetc%2Fhosts.json", id="encoded-absolute-path"),
    pytest.param("/app/js%5c..%5c..%5csecret.js", id="backslashes"),
    pytest.param("/app/C:%5csecret.js", id="drive-letter"),
])
async def test_nothing_else_is_served(client, path):
    r = await get(client, path)
    body = assert_error(r, 404)
    assert "leaked" not in r.text and body["message"]


async def test_traversal_through_the_url_parser_ends_inside_the_app(client):
    # A client that resolves dot segments itself asks for /secret.js: no such route, never the file.
    r = await client.get("http://localhost/app/../secret.js")
    assert b"leaked" not in r.content
    assert_error(r, 404)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "no-such-tenant.localhost"])
async def test_static_files_need_no_tenant_and_no_sign_in(client, host):
    for path in ("/app/", "/app/js/app.js", "/app/vendor/zxing-wasm/dist/reader/index.js"):
        r = await client.get(path, headers={"host": host})
        assert r.status_code == 200, (path, r.text)


async def test_the_app_routes_are_not_in_the_api_description(client):
    spec = (await get(client, "/schema/openapi.json")).json()
    assert not [path for path in spec["paths"] if path.startswith("/app")]


async def test_without_an_index_the_shell_is_a_404(client, pwa_root):
    (pwa_root / "index.html").unlink()
    assert_error(await get(client, "/app/"), 404)
    assert_error(await get(client, "/app/sessions/1"), 404)


async def test_the_service_serves_the_repositorys_pwa_folder_by_default(settings):
    assert PWA == Path(__file__).resolve().parents[2] / "pwa"
    app = create_app(settings)
    async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                 base_url="http://localhost") as client:
        r = await client.get("/app/")
    assert r.status_code == 200, r.text
    assert r.content == (PWA / "index.html").read_bytes()
