from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, SoftDeleteMixin, TenantMixin, TimestampMixin, tenant_fk, tenant_keys

SESSION_STATUSES = ("active", "completed", "cancelled")
# An item's place in its session: expected and not yet seen, seen, taken out of the count, or found extra.
ITEM_STATES = ("unscanned", "scanned", "excluded", "extra")


class AuditSession(TenantMixin, TimestampMixin, SoftDeleteMixin, Base):
    """An audit: a scope, the expected set snapshotted at creation, and the scans against it."""

    __tablename__ = "audit_sessions"
    __table_args__ = tenant_keys(
        tenant_fk(["location_id"], "locations"),
        Index("ix_audit_sessions_tenant_id_status", "tenant_id", "status"),
    )

    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    location_id: Mapped[UUID | None] = mapped_column(default=None)
    include_sublocations: Mapped[bool] = mapped_column(Boolean, default=True)
    category_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    due_date: Mapped[date | None] = mapped_column(default=None)
    created_by_id: Mapped[UUID | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Progress kept with the session, so the scan screen never counts rows.
    expected_count: Mapped[int] = mapped_column(Integer, default=0)
    scanned_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every change a scan screen shows; the mobile payload's ETag.
    version: Mapped[int] = mapped_column(Integer, default=1)


class SessionItem(Base):
    """One asset in one session: where it was expected and whether it has been seen."""

    __tablename__ = "session_items"
    __table_args__ = (
        tenant_fk(["session_id"], "audit_sessions", ondelete="CASCADE"),
        tenant_fk(["asset_id"], "assets", ondelete="CASCADE"),
        tenant_fk(["expected_location_id"], "locations"),
        Index("ix_session_items_tenant_id_session_id_state", "tenant_id", "session_id", "state"),
    )

    tenant_id: Mapped[UUID] = mapped_column(primary_key=True)
    session_id: Mapped[UUID] = mapped_column(primary_key=True)
    asset_id: Mapped[UUID] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="unscanned")
    expected_location_id: Mapped[UUID | None] = mapped_column(default=None)
    scanned_at: Mapped[datetime | None] = mapped_column(default=None)
    scan_id: Mapped[UUID | None] = mapped_column(default=None)
    found_location_id: Mapped[UUID | None] = mapped_column(default=None)


class Scan(TenantMixin, Base):
    """One scan as the server answered it; the answer is kept so a replay gets it back verbatim."""

    __tablename__ = "scans"
    __table_args__ = tenant_keys(
        tenant_fk(["session_id"], "audit_sessions", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "client_scan_id"),
        Index("ix_scans_tenant_id_session_id_received_at", "tenant_id", "session_id", "received_at"),
    )

    session_id: Mapped[UUID] = mapped_column()
    client_scan_id: Mapped[UUID | None] = mapped_column(default=None)
    code: Mapped[str] = mapped_column(String(2000))
    result: Mapped[str] = mapped_column(String(32))
    asset_id: Mapped[UUID | None] = mapped_column(default=None)
    location_id: Mapped[UUID | None] = mapped_column(default=None)
    user_id: Mapped[UUID | None] = mapped_column(default=None)
    api_key_id: Mapped[UUID | None] = mapped_column(default=None)
    scanned_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column()
    undone_at: Mapped[datetime | None] = mapped_column(default=None)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ScannerPosition(Base):
    """The location a scanner (a user or an API key) last scanned the door tag of, in a session."""

    __tablename__ = "scanner_positions"
    __table_args__ = (
        tenant_fk(["session_id"], "audit_sessions", ondelete="CASCADE"),
        tenant_fk(["location_id"], "locations"),
    )

    tenant_id: Mapped[UUID] = mapped_column(primary_key=True)
    session_id: Mapped[UUID] = mapped_column(primary_key=True)
    scanner_id: Mapped[UUID] = mapped_column(primary_key=True)
    location_id: Mapped[UUID] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
