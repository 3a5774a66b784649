"""Read printed labels back the way a printer and a phone would: rasterize what the service produced
with real renderers (poppler for PDF, librsvg for SVG, a ZPL renderer for Zebra output), then decode
every barcode on the picture with zxing-cpp. scripts/test installs the renderers."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
ZPL_RENDERER = ROOT / "tests" / "zpl"
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class Read:
    text: str
    format: str
    # The symbol's centre on the picture, in mm from its top-left corner.
    x_mm: float
    y_mm: float


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: scripts/test installs it"
    return path


def decode(image: Image.Image, dpi: float) -> list[Read]:
    """Every barcode zxing-cpp finds on the picture."""
    found = []
    for result in zxingcpp.read_barcodes(image.convert("L")):
        p = result.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_right.x, p.bottom_left.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_right.y, p.bottom_left.y]
        found.append(Read(result.text, result.format.name, sum(xs) / 4 / dpi * MM_PER_INCH,
                          sum(ys) / 4 / dpi * MM_PER_INCH))
    return found


def png_pages(data: bytes) -> list[Image.Image]:
    image = Image.open(io.BytesIO(data))
    image.load()
    return [image]


def pdf_pages(data: bytes, dpi: int = 300) -> list[Image.Image]:
    """Each page of the PDF at `dpi`, through poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "labels.pdf"
        source.write_bytes(data)
        subprocess.run([_tool("pdftoppm"), "-r", str(dpi), "-gray", "-png", str(source), str(Path(work) / "page")],
                       check=True, capture_output=True, timeout=120)
        pages = []
        for path in sorted(Path(work).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
            image = Image.open(path)
            image.load()
            pages.append(image)
    return pages


def svg_page(data: bytes, dpi: int = 300) -> Image.Image:
    """The SVG at `dpi` on white, through librsvg's rsvg-convert."""
    done = subprocess.run([_tool("rsvg-convert"), "--dpi-x", str(dpi), "--dpi-y", str(dpi), "--background-color",
                           "white", "--format", "png"], input=data, check=True, capture_output=True, timeout=60)
    image = Image.open(io.BytesIO(done.stdout))
    image.load()
    return image


def zpl_pages(data: bytes, width_mm: float, height_mm: float, dots_per_mm: int = 8) -> list[Image.Image]:
    """Each ^XA…^XZ label as the ZPL renderer (zpl-renderer-js, a port of a real ZPL engine) draws it."""
    assert (ZPL_RENDERER / "node_modules").is_dir(), "tests/zpl's npm packages are missing: scripts/test installs them"
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([_tool("node"), str(ZPL_RENDERER / "render.mjs"), work, str(width_mm), str(height_mm),
                        str(dots_per_mm)], input=data, check=True, capture_output=True, timeout=120)
        pages = []
        for path in sorted(Path(work).glob("label-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
            image = Image.open(path)
            image.load()
            pages.append(image)
    return pages
