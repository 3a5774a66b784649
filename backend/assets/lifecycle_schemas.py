"""Bodies of the status, check-out and check-in routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from msgspec import Meta

from backend.assets.schemas import Status
from backend.wire import FieldText, Out, ShortText, Wire

MetaKey = Annotated[str, Meta(min_length=1, max_length=64)]
MetaValue = ShortText | int | float | bool | None
# Context kept on the STATUS_CHANGED event as given ("reservationReason", a ticket number, …): small and flat.
StatusMeta = Annotated[dict[MetaKey, MetaValue], Meta(max_length=20, description=(
    "Up to 20 keys, each a short text, number, boolean or null. For `reserved`, `reservedUntil` (an ISO date "
    "and time with a time zone, in the future) is kept on the asset until it leaves `reserved`."))]
Reason = FieldText  # up to 2,000 characters, line breaks allowed
AwareDateTime = Annotated[datetime, Meta(tz=True)]


class StatusIn(Wire):
    to_status: Status
    reason: Reason | None = None
    meta: StatusMeta | None = None


class CheckoutIn(Wire):
    person_id: UUID
    due_back_at: AwareDateTime | None = None
    note: Reason | None = None


class CheckinIn(Wire):
    note: Reason | None = None


class AllowedMove(Out):
    to_status: str
    # "status" (POST …/status), "checkout" or "checkin": the route that makes this move.
    via: str
    reason_required: bool


class AllowedTransitions(Out):
    status: str
    allowed: list[AllowedMove]
