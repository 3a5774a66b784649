"""Label templates: the media a label is printed on and where each part of the label goes.

Each template is a TOML file under ``templates/labels/``: the page and label size, the grid of a sheet (none for
media that print one label per page), the formats it prints with their resolution, and two layouts in
millimetres from the label's top-left corner: ``layout`` for a label without a barcode and
``layout_with_barcode`` for one with (a template without the second never prints the barcode). Loading checks
that every box lies inside the label and that no two boxes overlap, so no label can print one part over another.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from backend.errors import BadRequest

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "labels"
FORMATS = ("png", "svg", "pdf", "zpl")
RASTER_FORMATS = ("png", "zpl")
MM_PER_PT = 25.4 / 72
ASCENT = 0.8  # a text line's baseline sits this many ems below the top of its line
LINE_HEIGHT = 1.15  # ems from one baseline to the next


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on the label, in millimetres from its top-left corner."""

    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box) -> bool:
        return self.x < other.x + other.w and other.x < self.x + self.w and \
            self.y < other.y + other.h and other.y < self.y + self.h


@dataclass(frozen=True, slots=True)
class TextBox:
    """Where a text goes: left edge, top, width, its type size, and how many lines it may wrap onto. A text
    with ``min_size_pt`` shrinks down to that size to fit its width before it is shortened with an ellipsis."""

    x: float
    y: float
    w: float
    size_pt: float
    lines: int = 1
    bold: bool = False
    min_size_pt: float | None = None

    @property
    def box(self) -> Box:
        return Box(self.x, self.y, self.w, self.lines * LINE_HEIGHT * self.size_pt * MM_PER_PT)


@dataclass(frozen=True, slots=True)
class Layout:
    """The parts of one label: the QR code's square (its quiet zone included), the tag, the name, the tenant's
    name, and the barcode's box (its quiet zones included). A layout without a part does not print it."""

    qr: Box
    tag: TextBox
    name: TextBox | None = None
    tenant: TextBox | None = None
    barcode: Box | None = None

    def boxes(self) -> dict[str, Box]:
        parts = {"qr": self.qr, "tag": self.tag.box}
        if self.name:
            parts["name"] = self.name.box
        if self.tenant:
            parts["tenant"] = self.tenant.box
        if self.barcode:
            parts["barcode"] = self.barcode
        return parts


@dataclass(frozen=True)
class LabelTemplate:
    """A label medium: a sheet of labels in a grid, or a roll (tape, thermal labels) printing one per page."""

    name: str
    title: str
    description: str
    page_width_mm: float
    page_height_mm: float
    label_width_mm: float
    label_height_mm: float
    columns: int  # 1 × 1 for one-label-per-page media
    rows: int
    margin_top_mm: float | None  # the top-left label's corner, and the step to the next label; None off sheets
    margin_left_mm: float | None
    pitch_x_mm: float | None
    pitch_y_mm: float | None
    formats: tuple[str, ...]
    dpi: Mapping[str, int] = field(hash=False)  # per raster format: png, zpl
    png_mode: str  # "1" (black and white only, for thermal and tape printers) or "L" (greys for smooth text)
    layout: Layout
    barcode_layout: Layout | None  # None: this template prints no barcode
    zpl: str | None = None  # the ZPL body of one label, a Jinja2 template

    @property
    def slots(self) -> int:
        """Labels per sheet (1 for media that print one label per page)."""
        return self.columns * self.rows

    @property
    def is_sheet(self) -> bool:
        return self.margin_top_mm is not None

    def slot_origin(self, slot: int) -> tuple[float, float]:
        """The top-left corner of the label in ``slot`` (0-based, left to right, top to bottom), in mm."""
        if not self.is_sheet:
            return 0.0, 0.0
        row, column = divmod(slot, self.columns)
        assert self.margin_left_mm is not None and self.pitch_x_mm is not None and self.pitch_y_mm is not None
        return self.margin_left_mm + column * self.pitch_x_mm, self.margin_top_mm + row * self.pitch_y_mm

    def layout_for(self, *, barcode: bool) -> Layout:
        return self.barcode_layout if barcode and self.barcode_layout else self.layout


def _text_box(raw: dict[str, Any]) -> TextBox:
    return TextBox(x=float(raw["x"]), y=float(raw["y"]), w=float(raw["w"]), size_pt=float(raw["size_pt"]),
                   lines=int(raw.get("lines", 1)), bold=bool(raw.get("bold", False)),
                   min_size_pt=float(raw["min_size_pt"]) if "min_size_pt" in raw else None)


def _layout(raw: dict[str, Any]) -> Layout:
    qr = raw["qr"]
    barcode = raw.get("barcode")
    return Layout(
        qr=Box(float(qr["x"]), float(qr["y"]), float(qr["size"]), float(qr["size"])),
        tag=_text_box(raw["tag"]),
        name=_text_box(raw["name"]) if "name" in raw else None,
        tenant=_text_box(raw["tenant"]) if "tenant" in raw else None,
        barcode=Box(float(barcode["x"]), float(barcode["y"]), float(barcode["w"]), float(barcode["h"]))
        if barcode else None,
    )


def _check_layout(name: str, which: str, layout: Layout, width: float, height: float) -> None:
    parts = list(layout.boxes().items())
    for part, box in parts:
        if box.x < 0 or box.y < 0 or box.x + box.w > width + 1e-9 or box.y + box.h > height + 1e-9:
            raise ValueError(f"label template {name}: {which}.{part} {box} does not fit a {width} × {height} mm label")
    for i, (part, box) in enumerate(parts):
        for other, other_box in parts[i + 1:]:
            if box.overlaps(other_box):
                raise ValueError(f"label template {name}: {which}.{part} overlaps {which}.{other}")


def parse_template(name: str, raw: dict[str, Any]) -> LabelTemplate:
    """A template from the contents of its TOML file; ValueError names what is wrong with it."""
    if raw.get("name") != name:
        raise ValueError(f"label template file {name}.toml names itself {raw.get('name')!r}")
    label = raw["label"]
    page = raw.get("page", label)
    sheet = raw.get("sheet")
    formats = tuple(raw["formats"])
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise ValueError(f"label template {name}: unknown formats {unknown}; known: {', '.join(FORMATS)}")
    dpi = {fmt: int(raw[fmt]["dpi"]) for fmt in RASTER_FORMATS if fmt in formats}
    if "zpl" in formats and "body" not in raw["zpl"]:
        raise ValueError(f"label template {name}: zpl needs a body")
    template = LabelTemplate(
        name=name,
        title=raw["title"],
        description=raw["description"],
        page_width_mm=float(page["width_mm"]),
        page_height_mm=float(page["height_mm"]),
        label_width_mm=float(label["width_mm"]),
        label_height_mm=float(label["height_mm"]),
        columns=int(sheet["columns"]) if sheet else 1,
        rows=int(sheet["rows"]) if sheet else 1,
        margin_top_mm=float(sheet["margin_top_mm"]) if sheet else None,
        margin_left_mm=float(sheet["margin_left_mm"]) if sheet else None,
        pitch_x_mm=float(sheet["pitch_x_mm"]) if sheet else None,
        pitch_y_mm=float(sheet["pitch_y_mm"]) if sheet else None,
        formats=formats,
        dpi=MappingProxyType(dpi),
        png_mode=str(raw.get("png", {}).get("mode", "L")),
        layout=_layout(raw["layout"]),
        barcode_layout=_layout(raw["layout_with_barcode"]) if "layout_with_barcode" in raw else None,
        zpl=raw["zpl"]["body"] if "zpl" in formats else None,
    )
    if template.png_mode not in ("1", "L"):
        raise ValueError(f"label template {name}: png mode must be '1' or 'L'")
    for which, layout in (("layout", template.layout), ("layout_with_barcode", template.barcode_layout)):
        if layout:
            _check_layout(name, which, layout, template.label_width_mm, template.label_height_mm)
    if template.barcode_layout and not template.barcode_layout.barcode:
        raise ValueError(f"label template {name}: layout_with_barcode has no barcode box")
    last_x, last_y = template.slot_origin(template.slots - 1)
    if last_x + template.label_width_mm > template.page_width_mm + 1e-6 or \
            last_y + template.label_height_mm > template.page_height_mm + 1e-6:
        raise ValueError(f"label template {name}: its labels do not fit the page")
    return template


@lru_cache(maxsize=1)
def _read_templates() -> MappingProxyType[str, LabelTemplate]:
    templates = {}
    for path in sorted(TEMPLATES_DIR.glob("*.toml")):
        with path.open("rb") as file:
            templates[path.stem] = parse_template(path.stem, tomllib.load(file))
    return MappingProxyType(templates)


def load_templates() -> dict[str, LabelTemplate]:
    """Every template under ``templates/labels/``, by name (the files are read once per process)."""
    return dict(_read_templates())


def get_template(name: str) -> LabelTemplate:
    """The template called ``name``; an unknown name is a BadRequest that lists the known ones."""
    templates = _read_templates()
    if name in templates:
        return templates[name]
    known = ", ".join(templates)
    raise BadRequest(f"Unknown label template '{name}'; use one of: {known}",
                     {"template": f"unknown; one of {known}"})
