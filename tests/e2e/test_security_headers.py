"""The app under its own Content-Security-Policy in a real browser: signing in, the service worker, the scan
screen with the camera's WebAssembly decoder, an asset's screen and a report, and not one violation."""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, expect

from tests.e2e.conftest import sign_in, wait_for_service_worker
from tests.e2e.test_scan import CAMERA_TIMEOUT, expect_outcome, open_scan_screen

# Runs in every document and frame before the page's own scripts: each violation is said on the console.
REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error(`securitypolicyviolation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
                + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""


def test_the_app_scans_with_the_camera_without_one_policy_violation(open_phone, live_server, shot):
    session = live_server.new_session("Security headers: everything")
    asset = live_server.assets()[0]
    phone = open_phone(signed_in=False, label_png=live_server.label_png(asset["id"]))
    page = phone.page
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "securitypolicyviolation" in message.text or "Content Security Policy" in message.text:
            violations.append(message.text)

    phone.context.add_init_script(REPORT_VIOLATIONS)
    page.on("console", watch)

    sign_in(page, live_server)
    wait_for_service_worker(page)
    workers = page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length")
    assert workers >= 1

    open_scan_screen(page, live_server, session["id"])
    start = page.locator("#start-camera")
    if start.is_visible():
        start.click()
    expect_outcome(page, "accepted", "Found", timeout=CAMERA_TIMEOUT)  # a code read from the camera's frames
    if not page.evaluate("() => 'BarcodeDetector' in window"):
        expect(page.locator("#camera")).to_have_attribute("data-decoder", "wasm")
        compiled = page.evaluate("() => performance.getEntriesByType('resource')"
                                 ".some((entry) => entry.name.endsWith('/zxing_reader.wasm'))")
        assert compiled, "the decoder's WebAssembly was never fetched"
    # The row's colour dot: a style given from JavaScript, which the policy must let through.
    dot = page.locator("[data-testid=recent-scan] .recent-dot").first
    expect(dot).not_to_have_css("background-color", "rgba(0, 0, 0, 0)")
    # The scan screen's stylesheet is a file now: its layout still applies.
    expect(page.locator(".scan-screen")).to_have_css("display", "flex")
    shot(page, "scan")

    page.goto(f"{live_server.url}/app/a/{asset['tag']}")
    expect(page.locator("#asset-tag")).to_have_text(asset["tag"])
    expect(page.locator("#asset-tag")).to_have_css("font-weight", "800")

    page.goto(f"{live_server.url}/app/sessions/{session['id']}/report")
    frame = page.frame_locator("#report-frame")
    expect(frame.locator("h1")).to_contain_text("Security headers")
    # The report's stylesheet (/app/report.css) applies inside the app's frame.
    expect(frame.locator(".totals")).to_have_css("display", re.compile(r"^grid$"))
    shot(page, "report")

    assert violations == [], "\n".join(violations)
