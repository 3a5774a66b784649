"""`fieldscan serve --lan` as a phone on the network meets it: the machine's host name over HTTPS is a secure
context (service worker, camera API) on the default tenant, while plain HTTP on the same name is not.

Chromium trusts the server's key by its hash (--ignore-certificate-errors-spki-list, not a blanket "ignore
errors", so the page is as secure as on a phone that trusts the CA) and resolves the host name to loopback
and nothing else to anything: the only address any of this traffic goes to is 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import re
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Browser, Page, Playwright, expect

from backend import lan
from tests.e2e.conftest import (BROWSER_FLAGS, PHONE, Screenshots, _picture_failure, chromium_path,
                                sign_in, wait_for_service_worker)
from tests.served import Served, served

# The name the phone opens, given to serve (FIELDSCAN_LAN_NAME) so the test does not hang on this machine's own name.
HOSTNAME = "fieldscan-phone"
QR_LINE = re.compile(r"^(?=.*[█▀▄])[ █▀▄]{20,}$")  # a row of the QR code in half blocks


@dataclass
class LanServer:
    url: str  # https://<host name>:<port>, as a phone on the network opens it
    served: Served

    @property
    def port(self) -> int:
        return self.served.port

    @property
    def work(self) -> Path:
        return self.served.work

    def output(self) -> str:
        return self.served.output()


@pytest.fixture(scope="module")
def lan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LanServer]:
    with served(tmp_path_factory.mktemp("lan"), "--lan", demo_assets=20, env={"FIELDSCAN_LAN_NAME": HOSTNAME},
                ready=lambda server: ready(server.work, server.port)) as server:
        yield LanServer(url=f"https://{HOSTNAME}:{server.port}", served=server)


def ready(work: Path, port: int) -> bool:
    """Whether the server answers /ready over HTTPS on loopback with a certificate from its own CA."""
    ca = work / "lan" / "ca.pem"
    if not ca.exists():
        return False
    try:
        answer = httpx.get(f"https://127.0.0.1:{port}/ready", verify=ssl.create_default_context(cafile=str(ca)),
                           timeout=1)
    except (httpx.TransportError, ssl.SSLError):
        return False
    return answer.status_code == 200


def spki_hash(certificate: Path) -> str:
    """What --ignore-certificate-errors-spki-list takes: base64 of the SHA-256 of the SubjectPublicKeyInfo."""
    cert = x509.load_pem_x509_certificate(certificate.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="module")
def lan_browser(playwright: Playwright, lan_server: LanServer) -> Iterator[Browser]:
    flags = [*BROWSER_FLAGS, f"--ignore-certificate-errors-spki-list={spki_hash(lan_server.work / 'lan' / 'server.pem')}",
             f"--host-resolver-rules=MAP {HOSTNAME} 127.0.0.1, MAP * ~NOTFOUND"]
    browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=flags)
    yield browser
    browser.close()


@pytest.fixture
def phone(request: pytest.FixtureRequest, lan_browser: Browser, shot: Screenshots) -> Iterator[Page]:
    context = lan_browser.new_context(**PHONE)
    page = context.new_page()
    shot.pages.append(page)
    yield page
    _picture_failure(request, shot)
    context.close()


@pytest.fixture
def plain_http() -> Iterator[str]:
    """A plain-HTTP page on loopback, to be opened by the same host name."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            body = b"<!doctype html><title>plain</title><p>plain HTTP</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOSTNAME}:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_host_name_over_https_is_a_secure_context_with_a_service_worker_and_a_camera(
        phone: Page, lan_server: LanServer, shot: Screenshots):
    phone.goto(f"{lan_server.url}/app/")
    expect(phone).to_have_url(re.compile(rf"^https://{HOSTNAME}:{lan_server.port}/app/signin"))
    expect(phone.locator("#signin-email")).to_be_visible()
    assert phone.evaluate("window.isSecureContext") is True
    assert phone.evaluate("typeof navigator.mediaDevices?.getUserMedia") == "function"
    shot(phone, "signin")
    sign_in(phone, lan_server)  # the demo tenant's admin: the bare host name is the default tenant
    wait_for_service_worker(phone)
    assert reload_until_controlled(phone) == f"{lan_server.url}/app/sw.js"
    expect(phone.locator("#new-session")).to_be_visible()
    shot(phone, "audits")


def reload_until_controlled(page: Page, reloads: int = 10) -> str | None:
    """The script of the worker controlling the page after a reload. Chromium may find a worker that has
    only just activated for the navigation after next, so a few reloads are allowed."""
    for _ in range(reloads):
        page.reload()
        if url := page.evaluate("navigator.serviceWorker.controller?.scriptURL"):
            return url
    return None


def test_plain_http_on_the_same_host_name_is_not_a_secure_context(phone: Page, plain_http: str):
    phone.goto(plain_http)
    expect(phone.locator("p")).to_have_text("plain HTTP")
    assert phone.evaluate("window.isSecureContext") is False
    assert phone.evaluate("'serviceWorker' in navigator") is False
    assert phone.evaluate("typeof navigator.mediaDevices") == "undefined"


def test_the_ca_page_and_certificate_are_served_to_the_phone(phone: Page, lan_server: LanServer, shot: Screenshots):
    phone.goto(f"{lan_server.url}/ca")
    ca = x509.load_pem_x509_certificate((lan_server.work / "lan" / "ca.pem").read_bytes())
    expect(phone.locator("h1")).to_have_text("Trust this Fieldscan server")
    expect(phone.locator("body")).to_contain_text(f"Fieldscan local CA ({HOSTNAME})")
    expect(phone.locator("body")).to_contain_text(lan.fingerprint(ca))
    shot(phone, "ca-page", full_page=True)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download the certificate").click()
    assert download.value.suggested_filename == "fieldscan-local-ca.crt"
    assert x509.load_der_x509_certificate(Path(download.value.path()).read_bytes()) == ca


def test_serve_prints_the_https_address_a_qr_code_and_the_ca_page(lan_server: LanServer):
    output = lan_server.output()
    v4 = [a for a in lan.lan_addresses() if a.version == 4]
    first = str(v4[0]) if v4 else HOSTNAME
    assert f"https://{first}:{lan_server.port}/app/" in output
    assert f"https://{HOSTNAME}:{lan_server.port}/app/" in output
    assert f"https://{first}:{lan_server.port}/ca" in output
    assert sum(1 for line in output.splitlines() if QR_LINE.match(line)) >= 10
    served = (lan_server.work / "served.json").read_text()
    assert f"https://{first}:{lan_server.port}" in served
