"""End-to-end fixtures: a live `fieldscan serve` on loopback with the demo tenant, Chromium driven by
Playwright (sync API) as a phone, signed in through the app, and screenshots under test-output/.

Chromium is the system package (`scripts/test` installs it); Playwright's own browser download is not used.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.e2e.video import write_label_video
from tests.served import served

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
ADMIN = ("admin@demo.example", "fieldscan-demo")
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "service_workers": "allow"}

expect.set_options(timeout=10_000)


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium is needed for the browser tests: scripts/test installs it "
                    "(Debian package chromium), or run: apt-get install -y chromium", pytrace=False)
    return path


@dataclass
class LiveServer:
    """A running server and an API client signed in as the demo admin."""

    url: str
    api: httpx.Client
    work: Path
    _locations: list[dict[str, Any]] = field(default_factory=list)

    def pages(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paged list."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            answer = self.api.get(path, params={"limit": 200, **params, **({"cursor": cursor} if cursor else {})})
            body = answer.raise_for_status().json()
            items += body["items"]
            cursor = body.get("nextCursor")
            if not cursor:
                return items

    def locations(self) -> list[dict[str, Any]]:
        if not self._locations:
            self._locations = self.pages("/locations")
        return self._locations

    def location(self, path: str) -> dict[str, Any]:
        return next(loc for loc in self.locations() if loc["path"] == path)

    def assets(self, **params: Any) -> list[dict[str, Any]]:
        return self.pages("/inventory-items", **params)

    def asset(self, asset_id: str) -> dict[str, Any]:
        return self.api.get(f"/inventory-items/{asset_id}").raise_for_status().json()

    def descendants(self, location_id: str) -> set[str]:
        found = {location_id}
        grew = True
        while grew:
            grew = False
            for loc in self.locations():
                if loc["parentId"] in found and loc["id"] not in found:
                    found.add(loc["id"])
                    grew = True
        return found

    def new_session(self, name: str, location_path: str | None = None, sublocations: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name}
        if location_path:
            body |= {"locationId": self.location(location_path)["id"], "includeSublocations": sublocations}
        return self.api.post("/sessions", json=body).raise_for_status().json()

    def mobile(self, session_id: str) -> dict[str, Any]:
        return self.api.get(f"/sessions/{session_id}/mobile").raise_for_status().json()

    def label_png(self, asset_id: str) -> bytes:
        answer = self.api.get(f"/inventory-items/{asset_id}/label",
                              params={"template": "thermal-50x25", "format": "png"}).raise_for_status()
        return answer.content

    def blank_batch(self, count: int = 1) -> dict[str, Any]:
        answer = self.api.post("/labels/blank-batches", json={"count": count, "template": "thermal-50x25"},
                               headers={"Accept": "application/json"})
        return answer.raise_for_status().json()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with served(tmp_path_factory.mktemp("live"), demo_assets=60) as server:
        token = httpx.post(f"{server.url}/api/v1/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]})
        with httpx.Client(base_url=f"{server.url}/api/v1", timeout=30,
                          headers={"Authorization": f"Bearer {token.raise_for_status().json()['token']}"}) as api:
            yield LiveServer(url=server.url, api=api, work=server.work)


# Module scope, not session: while sync Playwright runs, its event loop is the thread's running loop, so
# the tests after these (asyncio.run, anyio) must not start before it has stopped.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    chromium_path()
    with sync_playwright() as p:
        yield p


def launch(playwright: Playwright, video: Path | None = None) -> Browser:
    flags = list(BROWSER_FLAGS)
    if video is not None:
        flags += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                  f"--use-file-for-fake-video-capture={video}"]
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=flags)


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = launch(playwright)
    yield browser
    browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


@dataclass
class Screenshots:
    test: str
    pages: list[Page] = field(default_factory=list)

    def __call__(self, page: Page, step: str, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{_slug(self.test)}--{_slug(step)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Screenshots:
    """shot(page, "step") saves test-output/screenshots/<test>--<step>.png; every phone opened in the test is
    saved as <test>--failed.png when the test fails."""
    shots = Screenshots(request.node.name.removeprefix("test_"))
    # From an earlier run of this test only ("--" ends the name: test[a] must not take test[a-b]'s pictures).
    for old in SCREENSHOTS.glob(f"{_slug(shots.test)}--*.png"):
        old.unlink(missing_ok=True)
    return shots


def _picture_failure(request: pytest.FixtureRequest, shots: Screenshots) -> None:
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    for n, page in enumerate(shots.pages):
        try:
            shots(page, "failed" if n == 0 else f"failed-{n}", full_page=True)
        except Exception as error:  # noqa: BLE001 — a closed page cannot be pictured; say so and go on
            print(f"no failure screenshot of page {n}: {error}")


def sign_in(page: Page, live: LiveServer, email: str = ADMIN[0], password: str = ADMIN[1]) -> None:
    page.goto(f"{live.url}/app/")
    expect(page).to_have_url(re.compile(r"/app/signin"))
    page.locator("#signin-email").fill(email)
    page.locator("#signin-password").fill(password)
    page.locator("#signin-submit").click()
    expect(page.locator("#new-session")).to_be_visible()


@dataclass
class Phone:
    """One phone: a browser context with the app's pages."""

    context: BrowserContext
    page: Page


PhoneFactory = Callable[..., Phone]


@pytest.fixture
def open_phone(request: pytest.FixtureRequest, playwright: Playwright, browser: Browser, live_server: LiveServer,
               shot: Screenshots, tmp_path: Path) -> Iterator[PhoneFactory]:
    """open_phone(signed_in=True, label_png=None, away=0): a new phone; with label_png its camera films that
    label (in a browser of its own, since the fake camera's file is fixed per launch), looping; with `away`,
    the label leaves the picture for that many frames (0.1 s each) in each loop."""
    opened: list[tuple[Browser | None, BrowserContext]] = []

    def factory(signed_in: bool = True, label_png: bytes | None = None, away: int = 0) -> Phone:
        own = None
        if label_png is not None:
            video = write_label_video(label_png, tmp_path / f"camera-{len(opened)}.y4m", away=away)
            own = launch(playwright, video)
        context = (own or browser).new_context(**PHONE)
        if label_png is not None:
            context.grant_permissions(["camera"], origin=live_server.url)
        opened.append((own, context))
        page = context.new_page()
        shot.pages.append(page)
        if signed_in:
            sign_in(page, live_server)
        return Phone(context=context, page=page)

    yield factory
    _picture_failure(request, shot)
    for own, context in opened:
        context.close()
        if own is not None:
            own.close()


@pytest.fixture
def page(open_phone: PhoneFactory) -> Page:
    """A phone signed in as the demo admin, on the sessions list."""
    return open_phone().page


def wait_for_service_worker(page: Page) -> None:
    """Until the app's service worker is active (it has cached the shell by then)."""
    page.wait_for_function("async () => { const r = await navigator.serviceWorker?.getRegistration('/app/');"
                           " return r?.active?.state === 'activated'; }", timeout=20_000)


def idb_all(page: Page, store: str) -> list[Any]:
    """Every value in one store of the app's IndexedDB database."""
    return page.evaluate("""(store) => new Promise((resolve, reject) => {
        const open = indexedDB.open('fieldscan');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains(store)) { db.close(); resolve([]); return; }
            const all = db.transaction(store).objectStore(store).getAll();
            all.onsuccess = () => { db.close(); resolve(all.result); };
            all.onerror = () => { db.close(); reject(all.error); };
        };
    })""", store)


def scan_typed(page: Page, code: str) -> None:
    """What a handheld (keyboard wedge) scanner does: types the code into the focused field, then Enter."""
    field_ = page.locator("#scan-input")
    expect(field_).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
