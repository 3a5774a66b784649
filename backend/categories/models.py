from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, SoftDeleteMixin, TenantMixin, TimestampMixin, tenant_keys


class Category(TenantMixin, TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "categories"
    __table_args__ = tenant_keys(
        # Names are unique among live categories, so CSV imports can resolve them by name.
        Index("uq_categories_tenant_id_name_key", "tenant_id", "name_key", unique=True,
              sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
        Index("uq_categories_tenant_id_default", "tenant_id", unique=True,
              sqlite_where=text("is_default"), postgresql_where=text("is_default")),
    )

    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(800))  # casefold() can grow a text ("ß" → "ss")
    description: Mapped[str] = mapped_column(String(10_000), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # How long an asset of this kind is expected to serve, from its purchase date (a health reason past it).
    life_expectancy_months: Mapped[int | None] = mapped_column(Integer, default=None)
