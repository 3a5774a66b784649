from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, Index, Numeric, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, SoftDeleteMixin, TenantMixin, TimestampMixin, tenant_fk, tenant_keys

STATUSES = ("available", "in_use", "reserved", "maintenance", "missing", "retired")


class Asset(TenantMixin, TimestampMixin, SoftDeleteMixin, Base):
    """An inventory item: a laptop, a chair, a pump, with the tag on its label."""

    __tablename__ = "assets"
    __table_args__ = tenant_keys(
        # A deleted asset keeps its tag, so restoring it never collides.
        UniqueConstraint("tenant_id", "tag_key"),
        # A quick-add resent with the same clientId finds the asset it created. An index, not a constraint,
        # so that adding it leaves SQLite's table (and the rows that refer to it) as it is.
        Index("uq_assets_tenant_id_client_id", "tenant_id", "client_id", unique=True),
        tenant_fk(["category_id"], "categories"),
        tenant_fk(["location_id"], "locations"),
        tenant_fk(["assignee_id"], "people"),
        Index("ix_assets_tenant_id_serial_key", "tenant_id", "serial_key"),
        Index("ix_assets_tenant_id_location_id", "tenant_id", "location_id"),
        Index("ix_assets_tenant_id_category_id", "tenant_id", "category_id"),
        Index("ix_assets_tenant_id_assignee_id", "tenant_id", "assignee_id"),
        Index("ix_assets_tenant_id_status", "tenant_id", "status"),
        Index("ix_assets_tenant_id_name", "tenant_id", "name"),
        Index("ix_assets_tenant_id_created_at", "tenant_id", "created_at"),
        Index("ix_assets_tenant_id_updated_at", "tenant_id", "updated_at"),
        Index("ix_assets_tenant_id_due_back_at", "tenant_id", "due_back_at"),
    )

    tag: Mapped[str] = mapped_column(String(64))
    # The tag trimmed and upper-cased: what scans and uniqueness compare.
    tag_key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[UUID] = mapped_column()
    location_id: Mapped[UUID] = mapped_column()
    assignee_id: Mapped[UUID | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default="available")
    serial: Mapped[str | None] = mapped_column(String(200), default=None)
    serial_key: Mapped[str | None] = mapped_column(String(800), default=None)  # upper() can grow a text
    manufacturer: Mapped[str | None] = mapped_column(String(200), default=None)
    model: Mapped[str | None] = mapped_column(String(200), default=None)
    purchase_date: Mapped[date | None] = mapped_column(default=None)
    purchase_cost: Mapped[Decimal | None] = mapped_column(Numeric(15, 2), default=None)
    warranty_expiry: Mapped[date | None] = mapped_column(default=None)
    notes: Mapped[str] = mapped_column(String(10_000), default="")
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # Check-out: when it was handed to its assignee and when it is due back (overdue after that).
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    due_back_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set by POST …/status to `reserved` with meta.reservedUntil; cleared when it leaves `reserved`.
    reserved_until: Mapped[datetime | None] = mapped_column(default=None)
    # Whether the last completed audit that expected this asset did not find it (a health reason).
    missed_last_audit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The id the client made for the request that created it (quick-add), unique in the tenant; None otherwise.
    client_id: Mapped[UUID | None] = mapped_column(default=None)
