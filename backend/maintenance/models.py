from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, SoftDeleteMixin, TenantMixin, TimestampMixin, tenant_fk, tenant_keys

INTERVAL_UNITS = ("days", "months")


class MaintenanceSchedule(TenantMixin, TimestampMixin, SoftDeleteMixin, Base):
    """Recurring work on one asset: every `interval_value` `interval_unit`, next due on `next_due_date`."""

    __tablename__ = "maintenance_schedules"
    __table_args__ = tenant_keys(
        tenant_fk(["asset_id"], "assets", ondelete="CASCADE"),
        Index("ix_maintenance_schedules_tenant_id_asset_id", "tenant_id", "asset_id"),
        Index("ix_maintenance_schedules_tenant_id_next_due_date", "tenant_id", "next_due_date"),
    )

    asset_id: Mapped[UUID] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(64), default="service")
    interval_value: Mapped[int] = mapped_column(Integer)
    interval_unit: Mapped[str] = mapped_column(String(8))
    next_due_date: Mapped[date] = mapped_column()
    reminder_days: Mapped[int] = mapped_column(Integer, default=7)
    notes: Mapped[str] = mapped_column(String(10_000), default="")


class MaintenanceLog(TenantMixin, TimestampMixin, SoftDeleteMixin, Base):
    """Work done on an asset, ad hoc or for a schedule (which it then advances)."""

    __tablename__ = "maintenance_logs"
    __table_args__ = tenant_keys(
        tenant_fk(["asset_id"], "assets", ondelete="CASCADE"),
        # No ON DELETE SET NULL: it would null tenant_id too (part of the key); the trash clears schedule_id itself.
        tenant_fk(["schedule_id"], "maintenance_schedules"),
        Index("ix_maintenance_logs_tenant_id_asset_id_completed_date", "tenant_id", "asset_id", "completed_date"),
        Index("ix_maintenance_logs_tenant_id_schedule_id", "tenant_id", "schedule_id"),
    )

    asset_id: Mapped[UUID] = mapped_column()
    schedule_id: Mapped[UUID | None] = mapped_column(default=None)
    type: Mapped[str] = mapped_column(String(64), default="service")
    completed_date: Mapped[datetime] = mapped_column()
    cost: Mapped[Decimal | None] = mapped_column(Numeric(15, 2), default=None)
    notes: Mapped[str] = mapped_column(String(10_000), default="")
    performed_by_user_id: Mapped[UUID | None] = mapped_column(default=None)
