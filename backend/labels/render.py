"""Labels rendered from a template: PNG and SVG (one label), PDF (sheets, or one label per page) and ZPL.

Every format follows the same plan of a label, worked out in millimetres from the template's layout: the QR
code's square, the text lines fitted to their boxes with the format's own font metrics (the tag shrinks to
fit, then any text is cut with an ellipsis; nothing overflows its box), and the Code 128 barcode when the label
asks for one and it fits its box with modules of at least 0.165 mm on the format's pixel or dot grid. Where the
barcode does not fit, or its text is not printable ASCII, the label prints without it (the QR code and the tag
carry the same information) using the template's layout without a barcode.

In ZPL each label is one ``^XA … ^XZ`` block and each copy repeats the block, so a printer, a spooler or a
preview shows exactly the labels that will come out, in order, as the PDF does.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import jinja2
from fontTools.ttLib import TTFont  # installed with fpdf2, which reads TrueType fonts with it
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from qrcode.exceptions import DataOverflowError

from backend.errors import BadRequest
from backend.labels import code128
from backend.labels.qr import QUIET_ZONE, dark_runs, qr_matrix
from backend.labels.templates import ASCENT, FORMATS, LINE_HEIGHT, MM_PER_PT, Box, LabelTemplate, Layout, TextBox

__all__ = ["FORMATS", "Label", "media_type", "render"]

MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "zpl": "application/x-zpl"}
MAX_COPIES = 100
MAX_OFFSET_MM = 10.0
MAX_LABELS = 10_000  # labels × copies in one document
MIN_BAR_MODULE_MM = 0.165  # narrowest Code 128 module printed: 2 pixels at 300 dpi, 2 dots at 203 dpi
MIN_QR_MODULE_MM = 0.25  # below this a phone camera struggles; 2 dots at 203 dpi
ZPL_QR_SHIFT = 10  # dots a Zebra prints a ^BQ code below its ^FO: the ^BY height, pinned to its power-up value
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"), Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"), Path("/Library/Fonts"),
)
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "condensed": "DejaVuSansCondensed-Bold.ttf"}
Progress = Callable[[int, int], None]  # (labels done, labels in all)
SVG_FONTS = "'DejaVu Sans', Verdana, 'Segoe UI', Arial, sans-serif"
FALLBACK_EM = 0.62  # width of a character, in ems, where no font file gives the real one


@dataclass(frozen=True, slots=True)
class Label:
    url: str  # what the QR code encodes
    tag: str  # printed in large type
    name: str = ""  # printed smaller, cut to fit
    tenant_name: str | None = None  # printed small when given
    barcode: str | None = None  # printed as Code 128 when given and it fits


def media_type(fmt: str) -> str:
    """The media type of a format's output (ZPL is text: the caller adds its charset, UTF-8)."""
    _check_format(fmt)
    return MEDIA_TYPES[fmt]


# --- fonts and text ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def font_path(style: str) -> Path | None:
    """The DejaVu Sans file for ``style`` (regular, bold, condensed), or None when it is not installed."""
    for directory in FONT_DIRS:
        if (directory / FONT_FILES[style]).is_file():
            return directory / FONT_FILES[style]
    return None


@lru_cache(maxsize=8)
def _advances(path: Path) -> Mapping[int, float]:
    """The advance width, in ems, of each character the font has."""
    font = TTFont(path, lazy=True)
    metrics, units = font["hmtx"].metrics, font["head"].unitsPerEm
    advances = {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}
    font.close()
    return advances


def _printable(text: str) -> str:
    """One line of printable text: control characters and line breaks become spaces, runs of spaces one."""
    cleaned = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp"):
            cleaned.append(" ")
        elif category in ("Cs", "Cn"):  # a lone surrogate or a non-character: no font or XML takes it
            cleaned.append("?")
        else:
            cleaned.append(char)
    return " ".join("".join(cleaned).split())


class _Metrics:
    """Widths of text in millimetres, in the fonts a format prints with, and the characters it can print:
    ``"font"`` those the font files have (Latin-1 without them), ``"latin-1"``, or ``"any"`` (the viewer's
    fonts choose); the others become "?"."""

    def __init__(self, regular: Path | None, bold: Path | None, *, charset: str = "font") -> None:
        self.files = {False: regular, True: bold or regular}
        self.charset = charset
        self.ellipsis = "…" if regular and charset != "latin-1" else "..."

    def prepare(self, text: str, bold: bool) -> str:
        text = _printable(text)
        path = self.files[bold]
        if self.charset == "any":
            return text
        if self.charset == "latin-1" or path is None:
            return "".join(char if ord(char) < 256 else "?" for char in text)
        advances = _advances(path)
        return "".join(char if ord(char) in advances else "?" for char in text)

    def width(self, text: str, size_pt: float, bold: bool) -> float:
        path = self.files[bold]
        if path is None:
            return len(text) * FALLBACK_EM * size_pt * MM_PER_PT
        advances = _advances(path)
        return sum(advances.get(ord(char), 1.0) for char in text) * size_pt * MM_PER_PT


def _longest_prefix(text: str, fits: Callable[[str], bool]) -> int:
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def _cut(text: str, width: float, measure: Callable[[str], float], ellipsis: str) -> str:
    """``text`` if it fits ``width``, else its longest beginning that fits with an ellipsis after it."""
    if measure(text) <= width:
        return text
    keep = _longest_prefix(text, lambda head: measure(head.rstrip() + ellipsis) <= width)
    return text[:keep].rstrip() + ellipsis if keep or measure(ellipsis) <= width else ""


def _wrap(text: str, width: float, lines: int, measure: Callable[[str], float], ellipsis: str) -> list[str]:
    """``text`` broken into at most ``lines`` lines at spaces (inside a word too long for a line), the last
    line cut with an ellipsis if the text goes on."""
    words = text.split()
    out: list[str] = []
    while words and len(out) < lines - 1:
        line = words.pop(0)
        if measure(line) > width:
            keep = max(1, _longest_prefix(line, lambda head: measure(head) <= width))
            words.insert(0, line[keep:])
            line = line[:keep]
        else:
            while words and measure(f"{line} {words[0]}") <= width:
                line = f"{line} {words.pop(0)}"
        out.append(line)
    if words:
        out.append(_cut(" ".join(words), width, measure, ellipsis))
    return [line for line in out if line]


# --- the plan of one label --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Line:
    x: float
    top: float
    size_pt: float
    bold: bool
    text: str
    part: str  # tenant, tag or name

    @property
    def baseline(self) -> float:
        return self.top + ASCENT * self.size_pt * MM_PER_PT


@dataclass(frozen=True, slots=True)
class _Plan:
    layout: Layout
    lines: tuple[_Line, ...]
    pattern: str | None  # Code 128 modules, quiet zones included
    module: float  # Code 128 module width in mm


def _bar_module(width: float, count: int, grid: float) -> float | None:
    module = width / count
    if grid:
        module = math.floor(module / grid + 1e-9) * grid
    return module if module >= MIN_BAR_MODULE_MM else None


def _text_lines(box: TextBox, text: str, part: str, metrics: _Metrics) -> list[_Line]:
    text = metrics.prepare(text, box.bold)
    size = box.size_pt
    if box.min_size_pt is not None and text:
        natural = metrics.width(text, size, box.bold)
        if natural > box.w:
            size = max(box.min_size_pt, math.floor(size * box.w / natural * 10) / 10)
    lines = _wrap(text, box.w, box.lines, lambda line: metrics.width(line, size, box.bold), metrics.ellipsis)
    step = LINE_HEIGHT * size * MM_PER_PT
    return [_Line(box.x, box.y + i * step, size, box.bold, line, part) for i, line in enumerate(lines)]


def _plan(template: LabelTemplate, label: Label, metrics: _Metrics, grid: float) -> _Plan:
    """Where everything on ``label`` goes; ``grid`` is the format's pixel or dot size in mm (0: vector)."""
    pattern, module = None, 0.0
    if label.barcode and template.barcode_layout and code128.encodable(label.barcode):
        candidate = code128.modules(label.barcode)
        assert template.barcode_layout.barcode is not None
        fitted = _bar_module(template.barcode_layout.barcode.w, len(candidate), grid)
        if fitted:
            pattern, module = candidate, fitted
    layout = template.layout_for(barcode=pattern is not None)
    lines: list[_Line] = []
    if layout.tenant and label.tenant_name:
        lines += _text_lines(layout.tenant, label.tenant_name, "tenant", metrics)
    lines += _text_lines(layout.tag, label.tag, "tag", metrics)
    if layout.name and label.name:
        lines += _text_lines(layout.name, label.name, "name", metrics)
    return _Plan(layout, tuple(lines), pattern, module)


def _qr_module(box: Box, count: int, grid: float) -> float:
    """The QR module size that fits ``box``: whole pixels or dots on a grid, any size in vector formats."""
    module = box.w / count
    if grid:
        module = math.floor(module / grid + 1e-9) * grid
    if module < MIN_QR_MODULE_MM:
        raise BadRequest(f"The web address is too long for a readable QR code on this label ({count} modules "
                         f"in {box.w:g} mm); use a shorter public URL or a larger label",
                         {"url": "too long for this label"})
    return module


def _matrix(url: str) -> list[list[bool]]:
    try:
        return qr_matrix(url)
    except DataOverflowError:
        raise BadRequest("The web address is too long for a QR code", {"url": "too long"}) from None


# --- formats ----------------------------------------------------------------------------------------------------

def _pdf(template: LabelTemplate, labels: Sequence[Label], start: int, copies: int, offset: tuple[float, float],
         progress: Progress) -> bytes:
    sheet = template.is_sheet
    page_size = (template.page_width_mm, template.page_height_mm) if sheet else \
        (template.label_width_mm, template.label_height_mm)
    pdf = FPDF(unit="mm", format=page_size)
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_compression(True)
    pdf.set_creator("Fieldscan")
    pdf.set_title(f"Labels: {template.title}")
    regular, bold = font_path("regular"), font_path("bold") or font_path("regular")
    if regular and bold:
        pdf.add_font("DejaVu", "", regular)
        pdf.add_font("DejaVu", "B", bold)
        family = "DejaVu"
    else:
        regular = bold = None
        family = "helvetica"
    metrics = _PdfMetrics(pdf, family, regular, bold)
    position = start - 1  # counts slots from the first on the first sheet
    for label in labels:
        plan = _plan(template, label, metrics, 0.0)
        matrix = _matrix(label.url)
        qr, count = plan.layout.qr, len(matrix)
        module = _qr_module(qr, count, 0.0)
        qr_cells = " ".join(f"{c} {r} {w} {h} re" for c, r, w, h in dark_runs(matrix))
        bar_cells = " ".join(f"{first} 0 {width} 1 re" for first, width in code128.bars(plan.pattern or ""))
        for _ in range(copies):
            slot = position % template.slots
            if slot == 0 or position == start - 1:
                pdf.add_page()
            position += 1
            x0, y0 = template.slot_origin(slot)
            x0, y0 = x0 + offset[0], y0 + offset[1]
            _fill_cells(pdf, x0 + qr.x + (qr.w - module * count) / 2, y0 + qr.y + (qr.h - module * count) / 2,
                        module, module, qr_cells)
            if bar_cells and plan.layout.barcode:
                bar_box = plan.layout.barcode
                _fill_cells(pdf, x0 + bar_box.x, y0 + bar_box.y, plan.module, bar_box.h, bar_cells)
            for line in plan.lines:
                pdf.set_font(family, "B" if line.bold else "", line.size_pt)
                pdf.text(x0 + line.x, y0 + line.baseline, line.text)
            progress(position - start + 1, len(labels) * copies)
    return bytes(pdf.output())


def _fill_cells(pdf: FPDF, x: float, y: float, cell_w: float, cell_h: float, cells: str) -> None:
    """Fill a grid's cells in black: ``cells`` is a path of ``re`` operators in cell units, placed with its
    top-left corner at (x, y) mm on the page, each cell ``cell_w`` × ``cell_h`` mm.

    One path per code: a viewer fills it in one pass, with no hairline seams between modules; the module edges
    are exact (whole cell units under one transformation); and it is far quicker than a ``rect()`` call per
    module (a 1,000-label sheet has some 250,000). fpdf2 has no public call for a raw path, hence ``_out``; the
    tests rasterize the PDF and decode every code from it.
    """
    k = pdf.k
    pdf._out(f"q {cell_w * k:.4f} 0 0 {-cell_h * k:.4f} {x * k:.3f} {(pdf.h - y) * k:.3f} cm 0 g {cells} f Q")


class _PdfMetrics(_Metrics):
    """Text widths from the PDF's own fonts, as fpdf2 will set them."""

    def __init__(self, pdf: FPDF, family: str, regular: Path | None, bold: Path | None) -> None:
        super().__init__(regular, bold)
        self.pdf, self.family = pdf, family

    def width(self, text: str, size_pt: float, bold: bool) -> float:
        self.pdf.set_font(self.family, "B" if bold else "", size_pt)
        return self.pdf.get_string_width(text)


class _PngMetrics(_Metrics):
    """Text widths from the very Pillow fonts that draw the PNG, at its resolution."""

    def __init__(self, dpi: int) -> None:
        super().__init__(font_path("regular"), font_path("bold"))
        self.px_per_mm = dpi / 25.4
        self.fonts: dict[tuple[bool, float], ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}

    def font(self, size_pt: float, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        key = (bold, size_pt)
        if key not in self.fonts:
            size_px = size_pt * MM_PER_PT * self.px_per_mm
            path = self.files[bold]
            self.fonts[key] = ImageFont.truetype(str(path), size_px) if path else ImageFont.load_default(size_px)
        return self.fonts[key]

    def width(self, text: str, size_pt: float, bold: bool) -> float:
        return self.font(size_pt, bold).getlength(text) / self.px_per_mm


def _png(template: LabelTemplate, label: Label, offset: tuple[float, float]) -> bytes:
    dpi = template.dpi["png"]
    metrics = _PngMetrics(dpi)
    grid = 25.4 / dpi

    def px(mm: float) -> int:
        return round(mm * metrics.px_per_mm)

    size = (px(template.label_width_mm), px(template.label_height_mm))
    image = Image.new(template.png_mode, size, 255)
    draw = ImageDraw.Draw(image)
    plan = _plan(template, label, metrics, grid)
    matrix = _matrix(label.url)
    qr, count = plan.layout.qr, len(matrix)
    module = round(_qr_module(qr, count, grid) / grid)
    symbol = Image.new("1", (count, count), 1)
    symbol.putdata([0 if dark else 1 for row in matrix for dark in row])
    symbol = symbol.resize((count * module, count * module), Image.Resampling.NEAREST)
    spare = int(qr.w * metrics.px_per_mm) - count * module
    image.paste(symbol.convert(template.png_mode),
                (px(qr.x + offset[0]) + spare // 2, px(qr.y + offset[1]) + spare // 2))
    if plan.pattern and plan.layout.barcode:
        bar_box, bar_px = plan.layout.barcode, round(plan.module / grid)
        left, top = px(bar_box.x + offset[0]), px(bar_box.y + offset[1])
        height = int(bar_box.h * metrics.px_per_mm)
        for first, width in code128.bars(plan.pattern):
            draw.rectangle((left + first * bar_px, top, left + (first + width) * bar_px - 1, top + height - 1), fill=0)
    for line in plan.lines:
        draw.text((px(line.x + offset[0]), px(line.baseline + offset[1])), line.text,
                  font=metrics.font(line.size_pt, line.bold), fill=0, anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _svg(template: LabelTemplate, label: Label, offset: tuple[float, float]) -> bytes:
    width, height = _num(template.label_width_mm), _num(template.label_height_mm)
    metrics = _Metrics(font_path("regular"), font_path("bold"), charset="any")
    plan = _plan(template, label, metrics, 0.0)
    matrix = _matrix(label.url)
    qr, count = plan.layout.qr, len(matrix)
    module = _qr_module(qr, count, 0.0)
    qx, qy = qr.x + (qr.w - module * count) / 2, qr.y + (qr.h - module * count) / 2
    path = "".join(f"M{c} {r}h{w}v{h}h-{w}z" for c, r, w, h in sorted(dark_runs(matrix), key=lambda d: (d[1], d[0])))
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
        f'viewBox="0 0 {width} {height}">',
        f"<title>{escape(metrics.prepare(label.tag, True))}</title>",
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        f'<g transform="translate({_num(offset[0])} {_num(offset[1])})">',
        f'<path fill="#000" shape-rendering="crispEdges" transform="translate({_num(qx)} {_num(qy)}) '
        f'scale({module:.5f})" d="{path}"/>',
    ]
    if plan.pattern and plan.layout.barcode:
        bar_box = plan.layout.barcode
        parts.append('<g fill="#000" shape-rendering="crispEdges">')
        parts.extend(f'<rect x="{_num(bar_box.x + first * plan.module)}" y="{_num(bar_box.y)}" '
                     f'width="{_num(bar * plan.module)}" height="{_num(bar_box.h)}"/>'
                     for first, bar in code128.bars(plan.pattern))
        parts.append("</g>")
    for line in plan.lines:
        weight = ' font-weight="bold"' if line.bold else ""
        parts.append(f'<text x="{_num(line.x)}" y="{_num(line.baseline)}" font-family={quoteattr(SVG_FONTS)} '
                     f'font-size="{_num(line.size_pt * MM_PER_PT)}"{weight} fill="#000">{escape(line.text)}</text>')
    parts.append("</g></svg>\n")
    return "".join(parts).encode("utf-8")


def _zpl_field(value: object) -> str:
    """A value as ZPL field data under ``^FH``: its indicator ``_`` and the command prefixes ``^ ~`` as hex."""
    if value is None:
        return ""
    return str(value).replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


@lru_cache(maxsize=8)
def _zpl_body(source: str) -> jinja2.Template:
    environment = jinja2.Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True,
                                     undefined=jinja2.StrictUndefined, finalize=_zpl_field)
    return environment.from_string(source)


def _zpl(template: LabelTemplate, labels: Sequence[Label], copies: int, offset: tuple[float, float],
         progress: Progress) -> bytes:
    assert template.zpl is not None
    body = _zpl_body(template.zpl)
    dpi = template.dpi["zpl"]
    dots_per_mm, grid = dpi / 25.4, 25.4 / dpi
    # The printer's font 0 is a bold condensed sans with Latin-1 at least; DejaVu Sans Condensed Bold is as
    # wide or wider, so text measured with it fits.
    condensed = font_path("condensed") or font_path("bold")
    metrics = _Metrics(condensed, condensed, charset="latin-1")

    def dots(mm: float) -> int:
        return max(0, round(mm * dots_per_mm))

    blocks = []
    for label in labels:
        plan = _plan(template, label, metrics, grid)
        matrix = _matrix(label.url)
        qr, count = plan.layout.qr, len(matrix)
        magnification = min(10, round(_qr_module(qr, count, grid) / grid))
        spare = int(qr.w * dots_per_mm) - count * magnification
        fields = {
            part: [{"x": dots(line.x + offset[0]), "y": dots(line.top + offset[1]),
                    "size": max(10, round(line.size_pt * MM_PER_PT * dots_per_mm)), "text": line.text}
                   for line in plan.lines if line.part == part]
            for part in ("tenant", "tag", "name")
        }
        barcode = None
        if plan.pattern and plan.layout.barcode:
            bar_box, bar_dots = plan.layout.barcode, round(plan.module / grid)
            barcode = {"x": dots(bar_box.x + offset[0]) + code128.QUIET_ZONE * bar_dots,
                       "y": dots(bar_box.y + offset[1]), "module": bar_dots, "height": int(bar_box.h * dots_per_mm),
                       "text": label.barcode}
        block = body.render(
            width=round(template.label_width_mm * dots_per_mm), height=round(template.label_height_mm * dots_per_mm),
            url=label.url,
            qr={"x": dots(qr.x + offset[0]) + spare // 2 + QUIET_ZONE * magnification,
                "y": max(0, dots(qr.y + offset[1]) + spare // 2 + QUIET_ZONE * magnification - ZPL_QR_SHIFT),
                "magnification": magnification, "shift": ZPL_QR_SHIFT},
            tenant=(fields["tenant"] or [None])[0], tag=(fields["tag"] or [None])[0], name=fields["name"],
            barcode=barcode,
        )
        blocks.extend([block] * copies)
        progress(len(blocks), len(labels) * copies)
    return "".join(blocks).encode("utf-8")


# --- the entry point --------------------------------------------------------------------------------------------

def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise BadRequest(f"Unknown label format '{fmt}'; use one of: {', '.join(FORMATS)}",
                         {"format": f"one of {', '.join(FORMATS)}"})


def _check(template: LabelTemplate, labels: Sequence[Label], fmt: str, start_position: int, copies: int,
           offset_mm: tuple[float, float]) -> None:
    _check_format(fmt)
    if fmt not in template.formats:
        supported = ", ".join(template.formats)
        raise BadRequest(f"The {template.name} template does not print {fmt}; it prints {supported}",
                         {"format": f"one of {supported} for the {template.name} template"})
    if not 1 <= copies <= MAX_COPIES:
        raise BadRequest(f"Copies must be between 1 and {MAX_COPIES}, not {copies}",
                         {"copies": f"between 1 and {MAX_COPIES}"})
    if not 1 <= start_position <= template.slots:
        where = f"the {template.slots} labels of a {template.name} sheet" if template.is_sheet else \
            f"{template.name} prints one label per page"
        raise BadRequest(f"Start position must be between 1 and {template.slots} ({where}), not {start_position}",
                         {"startPosition": f"between 1 and {template.slots}"})
    if not all(math.isfinite(v) and abs(v) <= MAX_OFFSET_MM for v in offset_mm):
        raise BadRequest(f"The printer offset must be within ±{MAX_OFFSET_MM:g} mm on each axis",
                         {"offset": f"x and y within ±{MAX_OFFSET_MM:g} mm"})
    if not labels:
        raise BadRequest("There are no labels to print", {"labels": "at least one"})
    total = len(labels) * copies
    if fmt in ("png", "svg") and total != 1:
        raise BadRequest(f"A {fmt.upper()} holds one label, and this asks for {total}; use pdf or zpl for many",
                         {"format": "pdf or zpl for more than one label"})
    if total > MAX_LABELS:
        raise BadRequest(f"At most {MAX_LABELS} labels in one document (labels × copies), not {total}",
                         {"copies": f"labels × copies at most {MAX_LABELS}"})
    for label in labels:
        if not label.url.strip():
            raise BadRequest(f"The label for '{label.tag}' has no web address for its QR code", {"url": "required"})


def _no_progress(done: int, total: int) -> None:
    pass


def render(template: LabelTemplate, labels: Sequence[Label], fmt: str, *, start_position: int = 1,
           copies: int = 1, offset_mm: tuple[float, float] = (0.0, 0.0), progress: Progress | None = None) -> bytes:
    """``labels`` on ``template`` as a document in ``fmt``.

    PNG and SVG hold one label. A PDF fills sheets left to right, top to bottom from ``start_position`` (1-based,
    so the first labels of a partly used sheet stay blank), each label ``copies`` times in a row, with new pages
    as needed; on one-label-per-page media each page is one label. ZPL holds one block per printed label.
    ``offset_mm`` (x, y, within ±10 mm) moves everything printed, to align a printer that does not print true.
    ``progress``, when given, is called with (labels done, labels in all) as a long document is drawn.
    """
    _check(template, labels, fmt, start_position, copies, offset_mm)
    offset = (float(offset_mm[0]), float(offset_mm[1]))
    if fmt == "pdf":
        return _pdf(template, labels, start_position, copies, offset, progress or _no_progress)
    if fmt == "zpl":
        return _zpl(template, labels, copies, offset, progress or _no_progress)
    output = _png(template, labels[0], offset) if fmt == "png" else _svg(template, labels[0], offset)
    if progress:
        progress(1, 1)
    return output
