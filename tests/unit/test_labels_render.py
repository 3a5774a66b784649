"""Labels as they come out of the printer: every code on every template and format decodes with a real decoder
(zxing-cpp), at the place the sheet's published geometry puts it, and bad requests say what to change."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import qrcode
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFont
from pypdf import PdfReader
from qrcode.constants import ERROR_CORRECT_M

from backend.errors import BadRequest
from backend.labels import code128, render as render_module
from backend.labels.qr import QUIET_ZONE, qr_matrix, qr_png, qr_svg
from backend.labels.render import FORMATS, Label, media_type, render
from backend.labels.templates import TEMPLATES_DIR, LabelTemplate, get_template, load_templates, parse_template

URL = "https://demo.example/a/AST-000042"
TAG = "AST-000042"
DPI = 300
PX_PER_MM = DPI / 25.4
MM_PER_PT = 25.4 / 72
SVG = "{http://www.w3.org/2000/svg}"
TEMPLATES = ["avery-l7160", "avery-5160", "thermal-50x25", "brother-62"]
PUBLISHED = {
    # name: page (w, h), columns × rows, label (w, h), top-left label corner (x, y), pitch (x, y); all in mm
    "avery-l7160": ((210, 297), (3, 7), (63.5, 38.1), (7.21, 15.15), (66.04, 38.1)),
    "avery-5160": ((215.9, 279.4), (3, 10), (66.675, 25.4), (4.7625, 12.7), (69.85, 25.4)),
    "thermal-50x25": ((50, 25), (1, 1), (50, 25), (0, 0), None),
    "brother-62": ((62, 29), (1, 1), (62, 29), (0, 0), None),
}


def asset(number: int, *, barcode: bool = True, name: str = "Dell Latitude 5440") -> Label:
    tag = f"AST-{number:06d}"
    return Label(url=f"https://demo.example/a/{tag}", tag=tag, name=name, tenant_name="Demo Works",
                 barcode=tag if barcode else None)


def decode(image: Image.Image, fmt: str = "") -> list[zxingcpp.Barcode]:
    formats = {"qr": zxingcpp.BarcodeFormat.QRCode, "code128": zxingcpp.BarcodeFormat.Code128}
    if fmt:
        return list(zxingcpp.read_barcodes(image.convert("L"), formats=formats[fmt]))
    return list(zxingcpp.read_barcodes(image.convert("L")))


def texts(image: Image.Image, fmt: str) -> list[str]:
    return sorted(barcode.text for barcode in decode(image, fmt))


def rasterize(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    """Each page of ``pdf`` as poppler prints it at 300 dpi."""
    executable = shutil.which("pdftoppm")
    assert executable, "pdftoppm (poppler-utils) is needed to check printed PDFs: apt-get install poppler-utils"
    source = tmp_path / "labels.pdf"
    source.write_bytes(pdf)
    subprocess.run([executable, "-r", str(DPI), "-png", str(source), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [Image.open(page).convert("L") for page in pages]


def corner_mm(barcode: zxingcpp.Barcode) -> tuple[float, float]:
    """The top-left corner of a decoded code on a 300 dpi raster, in mm."""
    points = [barcode.position.top_left, barcode.position.top_right, barcode.position.bottom_left,
              barcode.position.bottom_right]
    return min(p.x for p in points) / PX_PER_MM, min(p.y for p in points) / PX_PER_MM


def qr_corner(template: LabelTemplate, slot: int, url: str, *, barcode: bool) -> tuple[float, float]:
    """Where the top-left corner of the QR symbol (inside its quiet zone) belongs on a page, in mm."""
    x0, y0 = template.slot_origin(slot)
    box = template.layout_for(barcode=barcode).qr
    module = box.w / len(qr_matrix(url))
    return x0 + box.x + QUIET_ZONE * module, y0 + box.y + QUIET_ZONE * module


def slot_of(template: LabelTemplate, point: tuple[float, float]) -> int | None:
    """Which slot's published rectangle (give or take 0.5 mm) holds ``point``."""
    for slot in range(template.slots):
        x0, y0 = template.slot_origin(slot)
        if x0 - 0.5 <= point[0] <= x0 + template.label_width_mm + 0.5 and \
                y0 - 0.5 <= point[1] <= y0 + template.label_height_mm + 0.5:
            return slot
    return None


def crop_mm(image: Image.Image, x: float, y: float, w: float, h: float) -> Image.Image:
    return image.crop((round(x * PX_PER_MM), round(y * PX_PER_MM), round((x + w) * PX_PER_MM),
                       round((y + h) * PX_PER_MM)))


def is_blank(image: Image.Image) -> bool:
    return image.getextrema()[0] >= 250


@pytest.fixture
def no_dejavu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine without DejaVu Sans: the renderers fall back to built-in fonts."""
    monkeypatch.setattr(render_module, "FONT_DIRS", (tmp_path / "no-fonts",))
    render_module.font_path.cache_clear()
    yield
    render_module.font_path.cache_clear()


# --- templates --------------------------------------------------------------------------------------------------

def test_the_four_built_in_templates_load() -> None:
    assert sorted(load_templates()) == sorted(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_follow_the_published_geometry(name: str) -> None:
    template = get_template(name)
    page, grid, label, first, pitch = PUBLISHED[name]
    assert (template.page_width_mm, template.page_height_mm) == pytest.approx(page)
    assert (template.columns, template.rows) == grid and template.slots == grid[0] * grid[1]
    assert (template.label_width_mm, template.label_height_mm) == pytest.approx(label)
    assert template.slot_origin(0) == pytest.approx(first)
    if pitch:
        assert (template.pitch_x_mm, template.pitch_y_mm) == pytest.approx(pitch)
        last_x, last_y = template.slot_origin(template.slots - 1)
        # The grid sits centred on the sheet, as printed label stock is cut.
        assert last_x + template.label_width_mm == pytest.approx(page[0] - first[0], abs=0.01)
        assert last_y + template.label_height_mm == pytest.approx(page[1] - first[1], abs=0.01)


def test_a_template_whose_parts_overlap_does_not_load() -> None:
    path = TEMPLATES_DIR / "brother-62.toml"
    raw = tomllib.loads(path.read_text())
    raw["layout"]["tag"]["y"] = raw["layout"]["tenant"]["y"]
    with pytest.raises(ValueError, match="overlaps"):
        parse_template("brother-62", raw)
    raw = tomllib.loads(path.read_text())
    raw["layout"]["qr"]["size"] = 40.0
    with pytest.raises(ValueError, match="does not fit"):
        parse_template("brother-62", raw)


def test_an_unknown_template_names_the_known_ones() -> None:
    with pytest.raises(BadRequest) as error:
        get_template("avery-9999")
    assert all(name in error.value.message for name in TEMPLATES)
    assert "template" in error.value.details


# --- PNG --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("barcode", [True, False], ids=["with barcode", "without barcode"])
@pytest.mark.parametrize("name", TEMPLATES)
def test_png_label_decodes_to_its_url_and_tag(name: str, barcode: bool) -> None:
    template = get_template(name)
    label = Label(url=URL, tag=TAG, name="Dell Latitude 5440", tenant_name="Demo Works",
                  barcode=TAG if barcode else None)
    image = Image.open(io.BytesIO(render(template, [label], "png")))
    assert image.size == (round(template.label_width_mm * PX_PER_MM), round(template.label_height_mm * PX_PER_MM))
    assert image.mode == template.png_mode and image.mode in ("1", "L")
    assert image.info["dpi"] == pytest.approx((DPI, DPI), abs=0.01)
    assert texts(image, "qr") == [URL]
    assert texts(image, "code128") == ([TAG] if barcode else [])
    # Codes are pure black and white: label printers dither greys into broken modules.
    layout = template.layout_for(barcode=barcode)
    for box in filter(None, [layout.qr, layout.barcode]):
        code = crop_mm(image.convert("L"), box.x, box.y, box.w, box.h)
        assert {value for _, value in code.getcolors(256)} <= {0, 255}


@pytest.mark.parametrize("name", TEMPLATES)
def test_png_qr_modules_stay_large_enough_for_a_phone(name: str) -> None:
    # A typical production address: 44 characters, 41 modules with the quiet zone.
    label = Label(url="https://acme.fieldscan.example/a/AST-000123", tag="AST-000123", barcode="AST-000123")
    image = Image.open(io.BytesIO(render(get_template(name), [label], "png")))
    found = decode(image, "qr")
    assert [b.text for b in found] == [label.url]
    side_px = found[0].position.top_right.x - found[0].position.top_left.x
    assert side_px / 33 / PX_PER_MM >= 0.4


def test_offset_moves_everything_printed(tmp_path: Path) -> None:
    template = get_template("thermal-50x25")
    label = Label(url=URL, tag=TAG)
    plain = decode(Image.open(io.BytesIO(render(template, [label], "png"))), "qr")[0]
    moved = decode(Image.open(io.BytesIO(render(template, [label], "png", offset_mm=(1.5, -0.5)))), "qr")[0]
    assert corner_mm(moved)[0] - corner_mm(plain)[0] == pytest.approx(1.5, abs=0.1)
    assert corner_mm(moved)[1] - corner_mm(plain)[1] == pytest.approx(-0.5, abs=0.1)

    sheet = get_template("avery-l7160")
    page = rasterize(render(sheet, [asset(1)], "pdf", offset_mm=(-2.0, 3.0)), tmp_path)[0]
    found = decode(page, "qr")[0]
    expected = qr_corner(sheet, 0, found.text, barcode=True)
    assert corner_mm(found) == pytest.approx((expected[0] - 2.0, expected[1] + 3.0), abs=0.5)


# --- PDF --------------------------------------------------------------------------------------------------------

def test_a_full_l7160_sheet_decodes_to_21_labels_in_their_slots(tmp_path: Path) -> None:
    template = get_template("avery-l7160")
    labels = [asset(n) for n in range(1, 22)]
    pdf = render(template, labels, "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert float(reader.pages[0].mediabox.width) * 25.4 / 72 == pytest.approx(210, abs=0.5)
    assert float(reader.pages[0].mediabox.height) * 25.4 / 72 == pytest.approx(297, abs=0.5)
    (page,) = rasterize(pdf, tmp_path)
    qr_codes = decode(page, "qr")
    assert sorted(b.text for b in qr_codes) == sorted(label.url for label in labels)
    assert sorted(b.text for b in decode(page, "code128")) == sorted(label.tag for label in labels)
    for found in qr_codes:
        slot = [label.url for label in labels].index(found.text)  # left to right, top to bottom
        assert slot_of(template, corner_mm(found)) == slot
        assert corner_mm(found) == pytest.approx(qr_corner(template, slot, found.text, barcode=True), abs=0.5)


@pytest.mark.parametrize("name", ["avery-l7160", "avery-5160"])
def test_start_position_leaves_the_used_slots_blank(name: str, tmp_path: Path) -> None:
    template = get_template(name)
    labels = [asset(n, barcode=False) for n in range(1, 4)]
    (page,) = rasterize(render(template, labels, "pdf", start_position=5), tmp_path)
    for slot in range(4):
        x0, y0 = template.slot_origin(slot)
        assert is_blank(crop_mm(page, x0, y0, template.label_width_mm, template.label_height_mm)), slot
    found = {b.text: b for b in decode(page, "qr")}
    assert sorted(found) == sorted(label.url for label in labels)
    for slot, label in enumerate(labels, start=4):
        assert slot_of(template, corner_mm(found[label.url])) == slot
        assert corner_mm(found[label.url]) == pytest.approx(qr_corner(template, slot, label.url, barcode=False),
                                                            abs=0.5)


def test_labels_and_copies_flow_onto_new_sheets(tmp_path: Path) -> None:
    template = get_template("avery-5160")
    labels = [asset(n) for n in range(1, 4)]
    pdf = render(template, labels, "pdf", start_position=29, copies=2)  # 6 labels: slots 29, 30, then 1..4
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert float(page.mediabox.width) * 25.4 / 72 == pytest.approx(215.9, abs=0.5)
        assert float(page.mediabox.height) * 25.4 / 72 == pytest.approx(279.4, abs=0.5)
    first, second = rasterize(pdf, tmp_path)
    placed = {}
    for number, image in enumerate((first, second)):
        for found in decode(image, "qr"):
            placed.setdefault(found.text, []).append((number, slot_of(template, corner_mm(found))))
    assert placed == {
        labels[0].url: [(0, 28), (0, 29)],
        labels[1].url: [(1, 0), (1, 1)],
        labels[2].url: [(1, 2), (1, 3)],
    }


@pytest.mark.parametrize("name", ["thermal-50x25", "brother-62"])
def test_label_printers_get_one_label_per_page(name: str, tmp_path: Path) -> None:
    template = get_template(name)
    labels = [asset(n) for n in range(1, 4)]
    pdf = render(template, labels, "pdf", copies=2)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 6
    for page in reader.pages:
        assert float(page.mediabox.width) * 25.4 / 72 == pytest.approx(template.label_width_mm, abs=0.5)
        assert float(page.mediabox.height) * 25.4 / 72 == pytest.approx(template.label_height_mm, abs=0.5)
    images = rasterize(pdf, tmp_path)
    assert [texts(image, "qr") for image in images] == [[label.url] for label in labels for _ in range(2)]
    assert [texts(image, "code128") for image in images] == [[label.tag] for label in labels for _ in range(2)]


def test_pdf_text_is_real_text_in_unicode() -> None:
    label = Label(url=URL, tag=TAG, name="Büro Zürich, 2. OG", tenant_name="Demo Works")
    text = PdfReader(io.BytesIO(render(get_template("avery-l7160"), [label], "pdf"))).pages[0].extract_text()
    assert TAG in text and "Büro Zürich, 2. OG" in text and "Demo Works" in text


# --- SVG --------------------------------------------------------------------------------------------------------

def svg_codes(root: ET.Element) -> tuple[Image.Image, Image.Image]:
    """The SVG's QR path and barcode rectangles drawn again at 20 px per mm, to decode them."""
    scale = 20
    width = float(root.get("viewBox").split()[2])
    height = float(root.get("viewBox").split()[3])
    qr_image = Image.new("L", (round(width * scale), round(height * scale)), 255)
    (path,) = root.iter(f"{SVG}path")
    placed = re.fullmatch(r"translate\((\S+) (\S+)\) scale\((\S+)\)", path.get("transform"))
    tx, ty, module = map(float, placed.groups())
    for c, r, w, h in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)h-\d+z", path.get("d")):
        x, y = tx + int(c) * module, ty + int(r) * module
        qr_image.paste(0, (round(x * scale), round(y * scale), round((x + int(w) * module) * scale),
                           round((y + int(h) * module) * scale)))
    bar_image = Image.new("L", qr_image.size, 255)
    for rect in root.iter(f"{SVG}rect"):
        if rect.get("fill") == "#fff":
            continue
        x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        bar_image.paste(0, (round(x * scale), round(y * scale), round((x + w) * scale), round((y + h) * scale)))
    return qr_image, bar_image


@pytest.mark.parametrize("name", TEMPLATES)
def test_svg_is_one_well_formed_label_of_the_right_size(name: str) -> None:
    template = get_template(name)
    label = Label(url=URL, tag=TAG, name="R&D <lab> \"north\"", tenant_name="Demo & Co", barcode=TAG)
    root = ET.fromstring(render(template, [label], "svg"))
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == f"{template.label_width_mm:g}mm"
    assert root.get("height") == f"{template.label_height_mm:g}mm"
    assert [float(v) for v in root.get("viewBox").split()] == [0, 0, template.label_width_mm,
                                                                template.label_height_mm]
    paths = list(root.iter(f"{SVG}path"))
    assert len(paths) == 1 and paths[0].get("shape-rendering") == "crispEdges"
    printed = [element.text for element in root.iter(f"{SVG}text")]
    assert TAG in printed and "Demo & Co" in printed
    assert any("R&D <lab>" in (text or "") for text in printed)
    qr_image, bar_image = svg_codes(root)
    assert texts(qr_image, "qr") == [URL]
    assert texts(bar_image, "code128") == [TAG]


# --- the QR code on its own -------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300) | st.from_regex(r"https://[a-z0-9.-]{1,30}/a/[A-Za-z0-9._~-]{1,64}", fullmatch=True))
def test_qr_matrix_is_the_qrcode_librarys_own(text: str) -> None:
    symbol = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    symbol.add_data(text)
    symbol.make(fit=True)
    assert qr_matrix(text) == [[bool(module) for module in row] for row in symbol.get_matrix()]


def test_qr_png_is_crisp_and_decodes() -> None:
    image = Image.open(io.BytesIO(qr_png(URL, size_px=300)))
    assert image.size == (300, 300) and image.mode == "1"
    assert texts(image, "qr") == [URL]
    count = len(qr_matrix(URL))
    found = decode(image, "qr")[0]
    # Whole pixels per module: the symbol (without its quiet zone) spans a multiple of the module count.
    assert (found.position.top_right.x - found.position.top_left.x) % (count - 2 * QUIET_ZONE) == 0


def test_qr_svg_is_one_path_in_module_units() -> None:
    root = ET.fromstring(qr_svg(URL))
    count = len(qr_matrix(URL))
    assert root.get("viewBox") == f"0 0 {count} {count}"
    assert root.get("shape-rendering") == "crispEdges"
    (path,) = root.iter(f"{SVG}path")
    image = Image.new("L", (count * 8, count * 8), 255)
    for c, r, w, h in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)h-\d+z", path.get("d")):
        c, r, w, h = int(c), int(r), int(w), int(h)
        image.paste(0, (c * 8, r * 8, (c + w) * 8, (r + h) * 8))
    assert texts(image, "qr") == [URL]


# --- ZPL --------------------------------------------------------------------------------------------------------

def zpl_blocks(zpl: bytes) -> list[str]:
    """The ^XA … ^XZ label formats of a ZPL document, which holds nothing else."""
    text = zpl.decode("utf-8")
    assert re.sub(r"\^XA.*?\^XZ", "", text, flags=re.S).strip() == ""
    return re.findall(r"\^XA.*?\^XZ", text, flags=re.S)


def test_zpl_has_one_block_per_printed_label() -> None:
    labels = [asset(1), asset(2, barcode=False)]
    blocks = zpl_blocks(render(get_template("thermal-50x25"), labels, "zpl", copies=2))
    assert len(blocks) == 4
    for block, label in zip(blocks, [labels[0], labels[0], labels[1], labels[1]], strict=True):
        assert block.startswith("^XA") and block.endswith("^XZ")
        assert block.count("^XA") == 1 and block.count("^XZ") == 1
        assert "^CI28" in block
        assert "^PW400" in block and "^LL200" in block  # 50 × 25 mm at 8 dots per mm
        assert re.search(rf"\^BQN,2,\d+\^FH\^FDMA,{re.escape(label.url)}\^FS", block)
        assert ("^BC" in block) == (label.barcode is not None)
        assert f"^FD{label.tag}^FS" in block


def test_zpl_escapes_field_data() -> None:
    label = Label(url="https://demo.example/a/A_1~2", tag="A^B~C_D", name="caret ^ tilde ~", barcode="A^B~C_D")
    (block,) = zpl_blocks(render(get_template("thermal-50x25"), [label], "zpl"))
    assert "^FH^FDMA,https://demo.example/a/A_5F1_7E2^FS" in block
    assert "^FH^FDA_5EB_7EC_5FD^FS" in block
    assert "^FH^FDcaret _5E tilde _7E^FS" in block
    for data in re.findall(r"\^FD(.*?)\^FS", block):
        assert "^" not in data and "~" not in data and re.fullmatch(r"([^_]|_[0-9A-F]{2})*", data)
    assert block.count("^FD") == block.count("^FH^FD")  # every field's data is read with ^FH


def test_zpl_codes_stay_on_the_label_and_apart() -> None:
    template = get_template("thermal-50x25")
    label = Label(url="https://acme.fieldscan.example/a/AST-000123", tag="AST-000123", barcode="AST-000123")
    (block,) = zpl_blocks(render(template, [label], "zpl"))
    width, height = int(re.search(r"\^PW(\d+)", block)[1]), int(re.search(r"\^LL(\d+)", block)[1])
    shift = int(re.search(r"\^BY\d+,[\d.]+,(\d+)\s*\^FO", block)[1])
    x, y, magnification = map(int, re.search(r"\^FO(\d+),(\d+)\^BQN,2,(\d+)", block).groups())
    side = (len(qr_matrix(label.url)) - 2 * QUIET_ZONE) * magnification
    top = y + shift  # where the printer puts the symbol
    assert magnification >= 3  # 0.375 mm modules at 203 dpi
    assert QUIET_ZONE * magnification <= x and x + side + QUIET_ZONE * magnification <= width
    assert QUIET_ZONE * magnification <= top
    bx, by, module, bar_height = map(int, re.search(r"\^FO(\d+),(\d+)\^BY(\d+)\^BCN,(\d+)", block).groups())
    bar_width = (len(code128.modules(label.barcode)) - 2 * code128.QUIET_ZONE) * module
    assert module >= 2 and bx + bar_width <= width and by + bar_height <= height
    assert top + side + QUIET_ZONE * magnification <= by  # the barcode starts below the QR code's quiet zone


# --- text -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", TEMPLATES)
def test_a_long_name_is_cut_to_fit_and_never_overflows(name: str) -> None:
    template = get_template(name)
    long_name = "Very long asset name that goes on " * 8
    label = Label(url=URL, tag="AST-" + "W" * 40, name=long_name, tenant_name="Tenant " * 20, barcode=TAG)
    root = ET.fromstring(render(template, [label], "svg"))
    printed = [element.text or "" for element in root.iter(f"{SVG}text")]
    name_box = template.layout_for(barcode=True).name
    assert printed[-1].endswith("…")
    assert len([text for text in printed if "asset" in text or "Very" in text]) <= name_box.lines
    image = Image.open(io.BytesIO(render(template, [label], "png"))).convert("L")
    right = max(box.x + box.w for box in template.layout_for(barcode=True).boxes().values())
    # Nothing is printed to the right of the widest box: no text runs off its column.
    assert is_blank(crop_mm(image, right + 0.2, 0, template.label_width_mm - right - 0.2, template.label_height_mm))
    assert texts(image, "qr") == [URL]


@pytest.mark.parametrize("fmt", FORMATS)
def test_names_outside_latin_print_without_failing(fmt: str, tmp_path: Path) -> None:
    template = get_template("thermal-50x25")
    label = Label(url=URL, tag=TAG, name="Zürich 東京", tenant_name="Ünïcødé")
    output = render(template, [label], fmt)
    if fmt == "png":
        assert texts(Image.open(io.BytesIO(output)), "qr") == [URL]
    elif fmt == "pdf":
        text = PdfReader(io.BytesIO(output)).pages[0].extract_text()
        assert "Zürich ??" in text  # DejaVu Sans has no CJK glyphs: they print as "?"
        assert texts(rasterize(output, tmp_path)[0], "qr") == [URL]
    elif fmt == "svg":
        assert "Zürich 東京" in [element.text for element in ET.fromstring(output).iter(f"{SVG}text")]
    else:
        assert "^FDZürich ??^FS" in output.decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_labels_print_with_built_in_fonts_when_dejavu_is_missing(fmt: str, no_dejavu: None, tmp_path: Path) -> None:
    assert render_module.font_path("regular") is None
    template = get_template("thermal-50x25")
    label = Label(url=URL, tag=TAG, name="Zürich 東京 " * 12, tenant_name="Demo Works", barcode=TAG)
    output = render(template, [label], fmt)
    if fmt == "pdf":
        text = PdfReader(io.BytesIO(output)).pages[0].extract_text()
        assert "Zürich ??" in text and "..." in text  # Helvetica: Latin-1 only, and a three-dot ellipsis
        image = rasterize(output, tmp_path)[0]
    elif fmt == "png":
        image = Image.open(io.BytesIO(output))
    else:
        assert TAG in output.decode("utf-8")
        return
    assert texts(image, "qr") == [URL] and texts(image, "code128") == [TAG]


@settings(max_examples=40, deadline=None)
@given(name=st.text(st.characters(exclude_categories=("Cs",)), max_size=200),
       tag=st.text(st.characters(min_codepoint=33, max_codepoint=0x24F), min_size=1, max_size=64),
       template_name=st.sampled_from(TEMPLATES))
def test_no_text_is_wider_than_its_column(name: str, tag: str, template_name: str) -> None:
    template = get_template(template_name)
    root = ET.fromstring(render(template, [Label(url=URL, tag=tag, name=name, tenant_name=name)], "svg"))
    layout = template.layout_for(barcode=False)
    column = max(box.w for box in (layout.tag, layout.name, layout.tenant) if box)
    for element in root.iter(f"{SVG}text"):
        bold = element.get("font-weight") == "bold"
        path = render_module.font_path("bold" if bold else "regular")
        size_mm = float(element.get("font-size"))
        # Measured by FreeType through Pillow, not by the code under test.
        font = ImageFont.truetype(str(path), 1000)
        assert font.getlength(element.text or "") / 1000 * size_mm <= column * 1.01, element.text


def test_an_empty_name_and_no_tenant_print_the_tag_alone() -> None:
    root = ET.fromstring(render(get_template("avery-5160"), [Label(url=URL, tag=TAG)], "svg"))
    assert [element.text for element in root.iter(f"{SVG}text")] == [TAG]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_label_without_tag_text_still_prints_its_code(fmt: str) -> None:
    output = render(get_template("thermal-50x25"), [Label(url=URL, tag="")], fmt)
    if fmt == "png":
        assert texts(Image.open(io.BytesIO(output)), "qr") == [URL]
    elif fmt == "zpl":
        assert f"^FDMA,{URL}^FS" in output.decode() and "^A0N" not in output.decode()
    else:
        assert output


def test_control_characters_do_not_break_the_svg() -> None:
    label = Label(url=URL, tag=TAG, name="line\nbreak\x00nul\x07bell \ud800")
    root = ET.fromstring(render(get_template("avery-5160"), [label], "svg"))
    assert any("line break nul bell ?" in (element.text or "") for element in root.iter(f"{SVG}text"))


# --- barcode fitting --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("barcode", [pytest.param("AST-" + "X" * 36, id="too long to fit"),
                                     pytest.param("ÄST-1", id="not ASCII")])
def test_a_barcode_that_cannot_print_is_left_off_and_the_qr_code_stays(barcode: str) -> None:
    template = get_template("avery-l7160")
    image = Image.open(io.BytesIO(render(template, [Label(url=URL, tag=TAG, barcode=barcode)], "png")))
    assert texts(image, "qr") == [URL]
    assert texts(image, "code128") == []
    root = ET.fromstring(render(template, [Label(url=URL, tag=TAG, barcode=barcode)], "svg"))
    assert [r for r in root.iter(f"{SVG}rect") if r.get("fill") != "#fff"] == []


# --- requests that cannot be printed ----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "labels", "fmt", "options", "field", "words"), [
    pytest.param("avery-l7160", 1, "gif", {}, "format", "png, svg, pdf, zpl", id="unknown format"),
    pytest.param("avery-l7160", 1, "zpl", {}, "format", "it prints pdf, png, svg", id="zpl on a sheet"),
    pytest.param("brother-62", 1, "zpl", {}, "format", "it prints pdf, png, svg", id="zpl on tape"),
    pytest.param("avery-l7160", 2, "png", {}, "format", "use pdf or zpl", id="png with 2 labels"),
    pytest.param("thermal-50x25", 1, "svg", {"copies": 2}, "format", "use pdf or zpl", id="svg with 2 copies"),
    pytest.param("avery-l7160", 1, "pdf", {"start_position": 0}, "startPosition", "between 1 and 21",
                 id="start position 0"),
    pytest.param("avery-l7160", 1, "pdf", {"start_position": 22}, "startPosition", "between 1 and 21",
                 id="start position past the sheet"),
    pytest.param("avery-5160", 1, "pdf", {"start_position": 31}, "startPosition", "between 1 and 30",
                 id="start position past a 5160 sheet"),
    pytest.param("thermal-50x25", 1, "zpl", {"start_position": 2}, "startPosition", "one label per page",
                 id="start position on a roll"),
    pytest.param("avery-l7160", 1, "pdf", {"copies": 0}, "copies", "between 1 and 100", id="copies 0"),
    pytest.param("avery-l7160", 1, "pdf", {"copies": 101}, "copies", "between 1 and 100", id="copies 101"),
    pytest.param("avery-l7160", 1, "pdf", {"offset_mm": (10.5, 0)}, "offset", "±10 mm", id="offset too far"),
    pytest.param("avery-l7160", 1, "pdf", {"offset_mm": (0, float("nan"))}, "offset", "±10 mm", id="offset nan"),
    pytest.param("avery-l7160", 0, "pdf", {}, "labels", "no labels", id="nothing to print"),
])
def test_requests_that_cannot_be_printed_say_what_to_change(name: str, labels: int, fmt: str, options: dict,
                                                            field: str, words: str) -> None:
    with pytest.raises(BadRequest) as error:
        render(get_template(name), [asset(n) for n in range(labels)], fmt, **options)
    assert words in error.value.message
    assert field in error.value.details


def test_a_web_address_too_long_for_the_label_is_refused() -> None:
    label = Label(url="https://demo.example/a/" + "X" * 1500, tag=TAG)
    with pytest.raises(BadRequest) as error:
        render(get_template("thermal-50x25"), [label], "zpl")
    assert "too long" in error.value.message and "url" in error.value.details


@pytest.mark.parametrize("fmt", ["pdf", "zpl"])
def test_a_long_document_reports_its_progress(fmt: str) -> None:
    seen: list[tuple[int, int]] = []
    render(get_template("thermal-50x25"), [asset(n) for n in range(3)], fmt, copies=2,
           progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (6, 6)
    assert [done for done, _ in seen] == sorted({done for done, _ in seen})  # counts up, never back


def test_media_types() -> None:
    assert [media_type(fmt) for fmt in FORMATS] == ["image/png", "image/svg+xml", "application/pdf",
                                                    "application/x-zpl"]
    with pytest.raises(BadRequest):
        media_type("gif")
