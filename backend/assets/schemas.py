from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from msgspec import UNSET, Meta, UnsetType

from backend.assets.models import STATUSES
from backend.wire import END, FieldText, LongText, Name, Out, Page, ShortText, Wire

Status = Literal[STATUSES]  # type: ignore[valid-type]  # the one list lives with the model
FieldKey = Annotated[str, Meta(min_length=1, max_length=64, pattern=rf"^[A-Za-z][A-Za-z0-9_]*{END}")]
FieldValue = FieldText | int | float | bool | None
CustomFields = Annotated[dict[FieldKey, FieldValue], Meta(max_length=100)]
# A tag as typed, pasted or read by a barcode scanner, whose trailing Tab or Enter is trimmed away; what a
# tag may hold is checked by rules.given_tag_problem, so that the error says what exactly is wrong.
GivenTag = Annotated[str, Meta(min_length=1, max_length=200, description=(
    "Up to 64 characters, compared ignoring case and surrounding whitespace; no spaces, control characters "
    "or / ? # % \\ (the tag is part of the label's web address)."))]

# A blank tag's code as printed, typed or scanned; checked (with its check character) by labels.codes.
ClaimCode = Annotated[str, Meta(min_length=1, max_length=64, description=(
    "The code of a blank tag to bind to the new asset (8 characters, the last a check character). Without "
    "`tag`, the code becomes the asset's tag."))]

# Quick-add from a phone: an id the phone made, so a resend after a lost answer creates nothing twice.
ClientId = Annotated[UUID, Meta(description=(
    "An id the client makes for this creation (a UUID), so that sending it again (an offline queue, a "
    "retry after a lost answer) creates nothing twice: the same clientId in this workspace answers 201 "
    "with the asset it created first, as that asset reads now, and the rest of the body is not used."))]
# Quick-add during an audit.
QuickAddSessionId = Annotated[UUID, Meta(description=(
    "An audit session of this workspace the asset is added during (404 if there is none). Without "
    "`locationId`, the asset goes where the caller stands in that session (the last door tag scanned), "
    "else to the session's location, else to the default location. If the session is active and the "
    "asset falls inside its scope (location subtree, categories), it joins the expected set as unscanned "
    "(progress total +1), so its scan then counts as expected, not as an extra. A closed session is "
    "left unchanged."))]


class AssetIn(Wire):
    name: Name
    tag: GivenTag | None = None
    claim_code: ClaimCode | None = None
    client_id: ClientId | None = None
    session_id: QuickAddSessionId | None = None
    category_id: UUID | None = None
    location_id: UUID | None = None
    assignee_id: UUID | None = None
    status: Status | UnsetType = UNSET
    serial: ShortText | None = None
    manufacturer: ShortText | None = None
    model: ShortText | None = None
    purchase_date: date | None = None
    purchase_cost: Decimal | None = None
    warranty_expiry: date | None = None
    notes: LongText = ""
    custom_fields: CustomFields = {}


class AssetPatch(Wire):
    name: Name | UnsetType = UNSET
    tag: GivenTag | UnsetType = UNSET
    category_id: UUID | UnsetType = UNSET
    location_id: UUID | UnsetType = UNSET
    assignee_id: UUID | None | UnsetType = UNSET
    serial: ShortText | None | UnsetType = UNSET
    manufacturer: ShortText | None | UnsetType = UNSET
    model: ShortText | None | UnsetType = UNSET
    purchase_date: date | None | UnsetType = UNSET
    purchase_cost: Decimal | None | UnsetType = UNSET
    warranty_expiry: date | None | UnsetType = UNSET
    notes: LongText | UnsetType = UNSET
    custom_fields: CustomFields | UnsetType = UNSET


class HealthReasonOut(Out):
    code: str
    message: str
    weight: int
    link: str | None = None


class HealthOut(Out):
    score: int
    badge: str
    reasons: list[HealthReasonOut]


class AssetOut(Out):
    id: UUID
    tag: str
    name: str
    category_id: UUID
    location_id: UUID
    assignee_id: UUID | None
    status: str
    serial: str | None
    manufacturer: str | None
    model: str | None
    purchase_date: date | None
    purchase_cost: Decimal | None
    warranty_expiry: date | None
    notes: str
    custom_fields: dict[str, Any]
    last_verified_at: datetime | None
    qr_url: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    # Check-out: when it was handed over and when it is due back; overdue once that has passed while in use.
    assigned_at: datetime | None
    due_back_at: datetime | None
    overdue: bool
    reserved_until: datetime | None  # set with `reserved` (meta.reservedUntil), cleared when it leaves
    health: HealthOut | None = None  # left out only where an answer does not compute it


AssetPage = Page[AssetOut]
