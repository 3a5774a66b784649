from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from msgspec import Meta

from backend.wire import Out, Page, Wire

MAX_LABELS = 2000  # per request: a sheet of 2,000 labels renders in a few seconds
MAX_OFFSET_MM = 10.0
MAX_BLANK_BATCH = 1000
MAX_COPIES = 100

TemplateName = Annotated[str, Meta(min_length=1, max_length=64)]
FormatName = Annotated[str, Meta(min_length=1, max_length=16)]
Offset = Annotated[float, Meta(ge=-MAX_OFFSET_MM, le=MAX_OFFSET_MM,
                               description=f"Millimetres, between -{MAX_OFFSET_MM:g} and {MAX_OFFSET_MM:g}")]
Position = Annotated[int, Meta(ge=1, description="The first slot of the sheet to print on (1 = top left)")]
Copies = Annotated[int, Meta(ge=1, le=MAX_COPIES, description="Labels printed of each, side by side")]
Search = Annotated[str, Meta(max_length=200)]


class PrintFilter(Wire):
    """The assets a list would show with these filters, labelled in tag order."""

    q: Search | None = None
    status: Search | None = None  # comma-separated, as in the list
    category_id: UUID | None = None
    location_id: UUID | None = None
    include_sublocations: bool = False


class PrintIn(Wire):
    """Exactly one of itemIds, locationIds and filter names what to label."""

    template: TemplateName
    format: FormatName
    item_ids: list[UUID] | None = None
    location_ids: list[UUID] | None = None
    filter: PrintFilter | None = None
    start_position: Position = 1
    copies: Copies = 1
    show_tenant: bool = True
    barcode: bool = True


class CalibrationIn(Wire):
    offset_x_mm: Offset
    offset_y_mm: Offset


class CalibrationOut(Out):
    template: str
    offset_x_mm: float
    offset_y_mm: float
    updated_at: datetime | None


class TemplateOut(Out):
    """A label medium: a sheet of columns × rows labels, or a roll (1 × 1: one label per page)."""

    name: str
    title: str
    description: str
    page_width_mm: float
    page_height_mm: float
    label_width_mm: float
    label_height_mm: float
    columns: int
    rows: int
    slots: int
    formats: list[str]
    calibration: CalibrationOut


class BlankBatchIn(Wire):
    count: Annotated[int, Meta(ge=1, le=MAX_BLANK_BATCH)]
    template: TemplateName
    format: FormatName = "pdf"
    start_position: Position = 1
    show_tenant: bool = True


class BlankCodeOut(Out):
    code: str
    asset_id: UUID | None
    claimed_at: datetime | None


class BlankBatchOut(Out):
    """A batch with its codes in sheet order; a code has an assetId once claimed."""

    id: UUID
    template: str
    count: int
    claimed: int
    created_at: datetime
    codes: list[BlankCodeOut]


class BlankBatchSummary(Out):
    id: UUID
    template: str
    count: int
    claimed: int
    created_at: datetime


BlankBatchPage = Page[BlankBatchSummary]
