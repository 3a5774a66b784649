from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from msgspec import UNSET, Meta, UnsetType

from backend.sessions.codes import MAX_CODE_LENGTH
from backend.sessions.models import ITEM_STATES, SESSION_STATUSES
from backend.wire import Name, Out, Page, Wire

SessionStatus = Literal[SESSION_STATUSES]  # type: ignore[valid-type]
ItemStateName = Literal[ITEM_STATES]  # type: ignore[valid-type]
Code = Annotated[str, Meta(min_length=1, max_length=MAX_CODE_LENGTH)]


class SessionIn(Wire):
    name: Name
    location_id: UUID | None = None
    include_sublocations: bool = True
    category_ids: Annotated[list[UUID], Meta(max_length=200)] = []
    due_date: date | None = None


class SessionPatch(Wire):
    name: Name | UnsetType = UNSET
    due_date: date | None | UnsetType = UNSET
    status: SessionStatus | UnsetType = UNSET
    # With status "completed": assets never scanned become "missing".
    mark_missing: bool = False


class Progress(Out):
    scanned: int
    total: int


class SessionOut(Out):
    id: UUID
    name: str
    status: str
    location_id: UUID | None
    include_sublocations: bool
    category_ids: list[str]
    due_date: date | None
    progress: Progress
    version: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


SessionPage = Page[SessionOut]


class LocationRef(Out):
    id: UUID
    name: str
    path: str
    code: str


class ItemOut(Out):
    asset_id: UUID
    tag: str
    name: str
    state: str
    expected_location_id: UUID | None
    location_id: UUID
    category_id: UUID
    scanned_at: datetime | None
    found_location_id: UUID | None


ItemPage = Page[ItemOut]


class ScanIn(Wire):
    item_id: UUID | None = None
    code: Code | None = None
    allow_mark_anyway: bool = False
    allow_rescan: bool = False
    relocate: bool = False
    client_scan_id: UUID | None = None
    # The device's clock, with its offset: a time without one cannot be placed.
    scanned_at: Annotated[datetime, Meta(tz=True)] | None = None
    location_id: UUID | None = None


class UnscanIn(Wire):
    scan_id: UUID | None = None
    item_id: UUID | None = None


class ScanRecord(Out):
    id: UUID
    client_scan_id: UUID | None
    code: str
    result: str
    asset_id: UUID | None
    scanned_at: datetime
    received_at: datetime
    undone_at: datetime | None = None


class ScanAnswer(Out):
    result: str
    item: ItemOut | None
    progress: Progress
    scan: ScanRecord
    expected_location: LocationRef | None = None
    current_location_id: UUID | None = None
    location: LocationRef | None = None


class RecentScan(Out):
    id: UUID
    code: str
    result: str
    asset_id: UUID | None
    tag: str | None
    name: str | None
    scanned_at: datetime
    undone: bool


class MobileOut(Out):
    id: UUID
    name: str
    status: str
    location: LocationRef | None
    progress: Progress
    version: int
    recent_scans: list[RecentScan]


class OfflinePack(Out):
    """Everything a phone needs to audit with no network. items are rows of `fields`, to stay small;
    an item's expected location is an index into `locations` (or null)."""

    session_id: UUID
    version: int
    fields: list[str]
    items: list[list[Any]]
    locations: list[LocationRef]
