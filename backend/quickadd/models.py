from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, TenantMixin, tenant_keys, utcnow

EVENTS = ("quick_add_opened", "asset_created_quick", "asset_assigned", "advanced_opened")


class QuickAddEvent(TenantMixin, Base):
    """One step of a quick-add flow as the PWA reports it; append-only, the raw material of the TT10 report.

    No key to assets or users: the log keeps what happened even if the asset is later purged."""

    __tablename__ = "quick_add_events"
    __table_args__ = tenant_keys(
        Index("ix_quick_add_events_tenant_id_event_at", "tenant_id", "event", "at"),
        Index("ix_quick_add_events_tenant_id_user_id_at", "tenant_id", "user_id", "at"),
    )

    event: Mapped[str] = mapped_column(String(32))
    flow_id: Mapped[str | None] = mapped_column(String(64), default=None)
    item_id: Mapped[UUID | None] = mapped_column(default=None)
    user_id: Mapped[UUID] = mapped_column()
    at: Mapped[datetime] = mapped_column(default=utcnow)
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
