"""Every label the service prints reads back: each template × format is rasterized by a real renderer,
decoded with zxing-cpp, and what it decodes to is scanned into an audit, which must name the right
asset (or location, or blank tag)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.readback import Read, decode, pdf_pages, png_pages, svg_page, zpl_pages

pytestmark = pytest.mark.anyio

DPI = 300
# template -> (formats it prints, label width and height in mm)
TEMPLATES = {
    "avery-l7160": (("pdf", "png", "svg"), (63.5, 38.1)),
    "avery-5160": (("pdf", "png", "svg"), (66.675, 25.4)),
    "thermal-50x25": (("pdf", "png", "svg", "zpl"), (50.0, 25.0)),
    "brother-62": (("pdf", "png", "svg"), (62.0, 29.0)),
}
CASES = [(template, fmt) for template, (formats, _) in TEMPLATES.items() for fmt in formats]


def read_all(template: str, fmt: str, body: bytes) -> list[list[Read]]:
    """The barcodes on each page (or label) of a printed document."""
    if fmt == "png":
        return [decode(page, page.info.get("dpi", (DPI, DPI))[0]) for page in png_pages(body)]
    if fmt == "svg":
        return [decode(svg_page(body, DPI), DPI)]
    if fmt == "pdf":
        return [decode(page, DPI) for page in pdf_pages(body, DPI)]
    width, height = TEMPLATES[template][1]
    return [decode(page, 203.2) for page in zpl_pages(body, width, height, 8)]


def qr_texts(reads: list[Read]) -> list[str]:
    return [r.text for r in reads if r.format == "QRCode"]


async def scan(tenant: Any, session_id: str, code: str) -> dict[str, Any]:
    r = await tenant.post(f"/sessions/{session_id}/scan", json={"code": code})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
async def audit(tenant: Any) -> str:
    """An audit of everything, to resolve decoded codes through the scan path itself."""
    return (await tenant.created("/sessions", name="Label read-back"))["id"]


@pytest.mark.parametrize(("template", "fmt"), CASES)
async def test_an_asset_label_reads_back_to_its_asset(tenant, audit, template, fmt):
    asset = await tenant.created("/inventory-items", name="Pump 7 — Kühlkreislauf, Halle Nord, linke Wand, unten",
                                 serial="SN-4411")
    r = await tenant.get(f"/inventory-items/{asset['id']}/label", params={"template": template, "format": fmt})
    assert r.status_code == 200, r.text
    pages = read_all(template, fmt, r.content)
    assert len(pages) == 1
    texts = qr_texts(pages[0])
    assert texts == [asset["qrUrl"]]
    answer = await scan(tenant, audit, texts[0])
    assert answer["item"]["assetId"] == asset["id"]
    # Every template prints a Code 128 of a tag this short, for handheld laser scanners.
    assert [read.text for read in pages[0] if read.format == "Code128"] == [asset["tag"]]


async def test_a_full_sheet_reads_back_in_slot_order(tenant, audit):
    assets = [await tenant.created("/inventory-items", name=f"Chair {n}") for n in range(21)]
    r = await tenant.post("/labels/print", json={"itemIds": [a["id"] for a in assets], "template": "avery-l7160",
                                                 "format": "pdf"})
    assert r.status_code == 200, r.text
    (page,) = read_all("avery-l7160", "pdf", r.content)
    qrs = [read for read in page if read.format == "QRCode"]
    # Slots run left to right, top to bottom: sort the reads the same way (rows are 38.1 mm apart).
    in_slot_order = sorted(qrs, key=lambda read: (round(read.y_mm / 38.1), read.x_mm))
    assert [read.text for read in in_slot_order] == [a["qrUrl"] for a in assets]
    for read, asset in zip(in_slot_order[:3], assets[:3], strict=True):
        assert (await scan(tenant, audit, read.text))["item"]["assetId"] == asset["id"]


async def test_zebra_labels_in_one_job_each_read_back(tenant, audit):
    assets = [await tenant.created("/inventory-items", name=f"Laptop {n}") for n in range(3)]
    r = await tenant.post("/labels/print", json={"itemIds": [a["id"] for a in assets], "template": "thermal-50x25",
                                                 "format": "zpl"})
    assert r.status_code == 200, r.text
    assert r.content.count(b"^XA") == 3
    pages = read_all("thermal-50x25", "zpl", r.content)
    assert [qr_texts(page) for page in pages] == [[a["qrUrl"]] for a in assets]
    for page, asset in zip(pages, assets, strict=True):
        assert (await scan(tenant, audit, qr_texts(page)[0]))["item"]["assetId"] == asset["id"]


@pytest.mark.parametrize(("template", "fmt"), [("avery-l7160", "pdf"), ("thermal-50x25", "zpl"), ("brother-62", "png")])
async def test_a_location_label_reads_back_to_its_location(tenant, audit, template, fmt):
    room = await tenant.created("/locations", name="Room 205", code="R-205")
    r = await tenant.get(f"/locations/{room['id']}/label", params={"template": template, "format": fmt})
    assert r.status_code == 200, r.text
    (page,) = read_all(template, fmt, r.content)
    texts = qr_texts(page)
    assert texts == [room["qrUrl"]]
    answer = await scan(tenant, audit, texts[0])
    assert answer["result"] == "location_set"
    assert answer["location"]["id"] == room["id"]


@pytest.mark.parametrize(("template", "fmt"), [("avery-l7160", "pdf"), ("thermal-50x25", "zpl")])
async def test_blank_tags_read_back_unclaimed_then_as_the_asset_that_claimed_them(tenant, audit, template, fmt):
    r = await tenant.post("/labels/blank-batches", json={"count": 4, "template": template, "format": fmt})
    assert r.status_code == 201, r.text
    pages = read_all(template, fmt, r.content)
    urls = [text for page in pages for text in qr_texts(page)]
    assert len(urls) == 4 and all("/t/" in url for url in urls)
    assert (await scan(tenant, audit, urls[0]))["result"] == "unknown_code"
    code = urls[0].rsplit("/", 1)[1]
    asset = await tenant.created("/inventory-items", name="Pallet jack", claimCode=code)
    answer = await scan(tenant, audit, urls[0])
    assert answer["item"]["assetId"] == asset["id"]


async def test_a_calibration_offset_moves_the_printed_labels(tenant):
    asset = await tenant.created("/inventory-items", name="Desk")

    async def qr_centre() -> tuple[float, float]:
        r = await tenant.get(f"/inventory-items/{asset['id']}/label", params={"template": "avery-l7160", "format": "pdf"})
        assert r.status_code == 200, r.text
        (page,) = read_all("avery-l7160", "pdf", r.content)
        (qr,) = [read for read in page if read.format == "QRCode"]
        return qr.x_mm, qr.y_mm

    x0, y0 = await qr_centre()
    r = await tenant.request("PUT", "/labels/templates/avery-l7160/calibration", json={"offsetXMm": 2.0,
                                                                                      "offsetYMm": -1.5})
    assert r.status_code == 200, r.text
    x1, y1 = await qr_centre()
    assert abs((x1 - x0) - 2.0) < 0.3 and abs((y1 - y0) + 1.5) < 0.3
