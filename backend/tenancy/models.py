from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, TimestampMixin


class Tenant(IdMixin, TimestampMixin, Base):
    __tablename__ = "tenants"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tag_prefix: Mapped[str] = mapped_column(String(16), default="AST-")
    tag_padding: Mapped[int] = mapped_column(Integer, default=6)
    # Random characters after the number of a generated tag (AST-000123-K7QF9M); 0: none.
    tag_random_chars: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # API requests a minute allowed to each API key or user of this tenant; None: the service's default
    # (FIELDSCAN_API_RATE_LIMIT), 0: no limit.
    api_rate_limit: Mapped[int | None] = mapped_column(Integer, default=None)


class Counter(Base):
    """Per-tenant sequences (asset tags, location codes), advanced with one atomic upsert."""

    __tablename__ = "counters"

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(default=None)
