from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from backend.wire import Out, Wire

MAX_META_BYTES = 4096

EventName = Literal["quick_add_opened", "asset_created_quick", "asset_assigned", "advanced_opened"]
FlowId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$",
                             description="The client's id of one quick-add flow (a UUID or any token up to 64)")]


class QuickAddEventIn(Wire):
    event: EventName
    flow_id: FlowId | None = None
    item_id: UUID | None = None
    meta: dict[str, Any] | None = None


class QuickAddEventOut(Out):
    id: UUID
    event: str
    flow_id: str | None
    item_id: UUID | None
    user_id: UUID
    at: datetime


class TT10User(Out):
    """One user's onboarding speed: from their first quick-created asset to their tenth assignment."""

    user_id: UUID
    email: str | None
    name: str | None
    first_created_at: datetime | None
    tenth_assigned_at: datetime | None
    tt10_minutes: float | None
    meets_target: bool
    assets_created: int
    assets_assigned: int


class TT10Report(Out):
    tenant_id: UUID
    from_: datetime = msgspec.field(name="from")
    to: datetime
    target_minutes: int
    users: list[TT10User]
