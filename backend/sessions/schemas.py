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
    # Only the stored answer to clientScanId, never a new scan: how a phone settles a scan it took back
    # after sending it (the send may or may not have arrived) without making it happen now.
    replay_only: bool = False


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
    # Seconds the device's clock was ahead of the server's, when its scannedAt was too far in the future to
    # keep (the scan is then recorded at the server's time); absent otherwise.
    clock_skew: Annotated[float, Meta(description=(
        "Seconds the device's clock was ahead: a scannedAt more than 5 minutes in the future is recorded at "
        "the server's time instead. Absent when the device's time was kept."))] | None = None


class RecentScan(Out):
    id: UUID
    client_scan_id: UUID | None  # the device's id for the scan, so a phone can match its queued scans
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


class MissingItem(Out):
    """An expected item not seen yet, with what a person needs to go and find it."""

    asset_id: UUID
    tag: str
    name: str
    serial: str | None
    category_id: UUID
    category_name: str | None
    expected_location: LocationRef | None
    last_seen_at: datetime | None  # the asset's last verification by a completed audit


MissingPage = Page[MissingItem]


class NamedRef(Out):
    id: UUID
    name: str


class TagFormat(Out):
    """How generated tags read: the prefix, then the number zero-padded to `digits` (AST-000042), then, when
    `randomChars` is not 0, a dash and that many characters of 0-9 and A-Z without I, L, O and U
    (AST-000042-K7QF9M)."""

    prefix: str
    digits: int
    random_chars: int


class OfflinePack(Out):
    """Everything a phone needs to audit with no network. items are rows of `fields`, to stay small (read
    them by name: fields may be appended); an item's expected location is an index into `locations` (or
    null); its codes are the blank tags claimed for it (or null); lastSeen is the asset's last verification
    as a date (or null). categories, people and the defaults pre-fill quick-add."""

    session_id: UUID
    version: int
    fields: list[str]
    items: list[list[Any]]
    locations: list[LocationRef]
    categories: list[NamedRef]
    people: list[NamedRef]
    default_category_id: UUID
    default_location_id: UUID
    tag_format: TagFormat


# --- the report ---------------------------------------------------------------------------------------------


ReportFormat = Literal["json", "csv", "html"]


class ReportTotals(Out):
    """expected = scanned + missing (the expected set, excluded items left out); extras were found on top."""

    expected: int
    scanned: int
    missing: int
    extras: int
    wrong_location: int  # distinct assets answered wrong_location
    moved: int  # distinct assets relocated by this session's scans
    unknown_codes: int  # distinct codes answered unknown_code


class CategoryCount(Out):
    category_id: UUID | None
    name: str
    expected: int
    scanned: int
    missing: int


class LocationCount(Out):
    location_id: UUID | None
    name: str
    path: str
    expected: int
    scanned: int
    missing: int


class ScannerCount(Out):
    """One scanner: a user (by email) or an API key (by name). scans: every asset or code scan it made
    (door tags left out); counted: the items seen now whose counting scan is its."""

    user_id: UUID | None
    api_key_id: UUID | None
    name: str
    scans: int
    counted: int


class ReportDuration(Out):
    created_at: datetime
    completed_at: datetime | None
    first_scan_at: datetime | None
    last_scan_at: datetime | None


class MissingRow(Out):
    asset_id: UUID
    tag: str
    name: str
    category: str | None
    expected_location: str | None


class ExtraRow(Out):
    asset_id: UUID
    tag: str
    name: str
    category: str | None
    found_location: str | None
    scanned_at: datetime | None
    scanned_by: str | None


class MovedRow(Out):
    asset_id: UUID
    tag: str
    name: str
    from_location: str | None
    to_location: str | None
    moved_at: datetime


class UnknownCode(Out):
    """A code that named nothing, kept so it can be onboarded with quick-add."""

    code: str
    count: int
    first_seen_at: datetime
    last_seen_at: datetime
    scanned_by: list[str]


UnknownCodePage = Page[UnknownCode]


class ReportSession(Out):
    id: UUID
    name: str
    status: str
    location: str | None  # the scope's path, when location-scoped
    tenant: str


class SessionReport(Out):
    totals: ReportTotals
    by_category: list[CategoryCount]
    by_location: list[LocationCount]
    scanners: list[ScannerCount]
    duration: ReportDuration
    missing: list[MissingRow]
    extras: list[ExtraRow]
    moves: list[MovedRow]
    unknown_codes: list[UnknownCode]
    session: ReportSession
    generated_at: datetime
