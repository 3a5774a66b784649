"""The asset event log: every change to an asset appends one row here, in the transaction that makes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from backend.context import Principal
from backend.db.base import utcnow
from backend.events.models import AssetEvent
from backend.ids import uuid7


def event_row(principal: Principal | None, tenant_id: UUID, asset_id: UUID, type_: str, data: dict[str, Any] | None = None,
              *, person_id: UUID | None = None, at: datetime | None = None) -> dict[str, Any]:
    """One event as a row for a bulk `insert(AssetEvent)`."""
    return {"tenant_id": tenant_id, "id": uuid7(), "asset_id": asset_id, "type": type_, "at": at or utcnow(),
            "actor_user_id": principal.user_id if principal else None,
            "actor_api_key_id": principal.api_key_id if principal else None,
            "person_id": person_id, "data": data or {}}


def record(session: AsyncSession, principal: Principal | None, tenant_id: UUID, asset_id: UUID, type_: str,
           data: dict[str, Any] | None = None, *, person_id: UUID | None = None, at: datetime | None = None) -> AssetEvent:
    """Add one event to the session's unit of work; it is written with the change, at its commit."""
    event = AssetEvent(**event_row(principal, tenant_id, asset_id, type_, data, person_id=person_id, at=at))
    session.add(event)
    return event
