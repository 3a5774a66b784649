from __future__ import annotations

from uuid import UUID

from sqlalchemy import Boolean, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, column_property, mapped_column

from backend.db.base import Base, SoftDeleteMixin, TenantMixin, TimestampMixin, tenant_fk, tenant_keys


class Location(TenantMixin, TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "locations"
    __table_args__ = tenant_keys(
        tenant_fk(["parent_id"], "locations"),
        UniqueConstraint("tenant_id", "code"),
        Index("ix_locations_tenant_id_parent_id", "tenant_id", "parent_id"),
        Index("uq_locations_tenant_id_default", "tenant_id", unique=True,
              sqlite_where=text("is_default"), postgresql_where=text("is_default")),
    )

    parent_id: Mapped[UUID | None] = mapped_column(default=None)
    name: Mapped[str] = mapped_column(String(200))
    # The label code scanned at the door (/l/{code}); from the tenant's "location" counter.
    code: Mapped[str] = mapped_column(String(32))
    # "HQ > Floor 2 > Room 204", kept up to date when an ancestor is renamed or moved.
    path: Mapped[str] = mapped_column(String(4000))
    description: Mapped[str] = mapped_column(String(10_000), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # What lists sort by: "annex" before "HQ", on SQLite and PostgreSQL alike.
    name_sort: Mapped[str] = column_property(func.lower(name))
    path_sort: Mapped[str] = column_property(func.lower(path))
