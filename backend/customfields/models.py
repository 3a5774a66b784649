from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, SoftDeleteMixin, TenantMixin, TimestampMixin, tenant_keys

FIELD_TYPES = ("text", "number", "date", "boolean", "select")


class CustomField(TenantMixin, TimestampMixin, SoftDeleteMixin, Base):
    """A tenant's own asset field: its values live in assets.custom_fields under `key`."""

    __tablename__ = "custom_fields"
    __table_args__ = tenant_keys(
        # Keys are unique among live definitions, compared ignoring case (CSV headers are matched that way).
        Index("uq_custom_fields_tenant_id_key_lower", "tenant_id", "key_lower", unique=True,
              sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
    )

    key: Mapped[str] = mapped_column(String(64))
    key_lower: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(String(10_000), default="")
