from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, TenantMixin, tenant_fk, tenant_keys, utcnow

EVENT_TYPES = ("CREATED", "ASSIGNED", "UNASSIGNED", "MOVED", "MAINTENANCE_COMPLETED", "VERIFIED",
               "STATUS_CHANGED", "RETIRED", "UPDATED")


class AssetEvent(TenantMixin, Base):
    """The append-only history of an asset: what happened, when, by whom, from what to what."""

    __tablename__ = "asset_events"
    __table_args__ = tenant_keys(
        tenant_fk(["asset_id"], "assets", ondelete="CASCADE"),
        Index("ix_asset_events_tenant_id_asset_id_at", "tenant_id", "asset_id", "at"),
        Index("ix_asset_events_tenant_id_person_id_at", "tenant_id", "person_id", "at"),
    )

    asset_id: Mapped[UUID] = mapped_column()
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[UUID | None] = mapped_column(default=None)
    actor_api_key_id: Mapped[UUID | None] = mapped_column(default=None)
    # The person an ASSIGNED or UNASSIGNED event is about, for a person's assignment history.
    person_id: Mapped[UUID | None] = mapped_column(default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
