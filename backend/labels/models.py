from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Float, ForeignKey, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, TenantMixin, tenant_fk, tenant_keys, utcnow


class BlankBatch(TenantMixin, Base):
    """Blank tags printed together: codes reserved before any asset exists, stuck on as assets arrive."""

    __tablename__ = "blank_batches"
    __table_args__ = tenant_keys(
        Index("ix_blank_batches_tenant_id_created_at", "tenant_id", "created_at"),
    )

    count: Mapped[int] = mapped_column(Integer)
    template: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_user_id: Mapped[UUID | None] = mapped_column(default=None)
    created_by_api_key_id: Mapped[UUID | None] = mapped_column(default=None)


class BlankTag(Base):
    """One printed code; bound to the asset it was stuck on once claimed, and for good."""

    __tablename__ = "blank_tags"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "code"),
        tenant_fk(["batch_id"], "blank_batches", ondelete="CASCADE"),
        # No ON DELETE: an asset is only ever soft-deleted; removing one for good must unbind its codes first.
        tenant_fk(["asset_id"], "assets"),
        Index("ix_blank_tags_tenant_id_batch_id_position", "tenant_id", "batch_id", "position"),
        Index("ix_blank_tags_tenant_id_asset_id", "tenant_id", "asset_id"),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[UUID] = mapped_column()
    # Where on the batch's sheet the code is printed, so a reprint puts every code back in its place.
    position: Mapped[int] = mapped_column(Integer)
    asset_id: Mapped[UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by_user_id: Mapped[UUID | None] = mapped_column(default=None)
    claimed_by_api_key_id: Mapped[UUID | None] = mapped_column(default=None)


class LabelCalibration(Base):
    """How far a tenant's printer is off for one template: every label is shifted by this much."""

    __tablename__ = "label_calibrations"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "template"),)

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    template: Mapped[str] = mapped_column(String(64))
    offset_x_mm: Mapped[float] = mapped_column(Float, default=0.0)
    offset_y_mm: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_user_id: Mapped[UUID | None] = mapped_column(default=None)
