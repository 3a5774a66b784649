from __future__ import annotations

from sqlalchemy import Index, String, func, text
from sqlalchemy.orm import Mapped, column_property, mapped_column

from backend.db.base import Base, SoftDeleteMixin, TenantMixin, TimestampMixin, tenant_keys


class Person(TenantMixin, TimestampMixin, SoftDeleteMixin, Base):
    """Someone assets are assigned to; not necessarily a user who signs in."""

    __tablename__ = "people"
    __table_args__ = tenant_keys(
        Index("uq_people_tenant_id_email_key", "tenant_id", "email_key", unique=True,
              sqlite_where=text("email_key IS NOT NULL AND deleted_at IS NULL"),
              postgresql_where=text("email_key IS NOT NULL AND deleted_at IS NULL")),
        Index("ix_people_tenant_id_name", "tenant_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    email_key: Mapped[str | None] = mapped_column(String(1016), default=None)  # lower() can grow a text
    employee_number: Mapped[str | None] = mapped_column(String(200), default=None)
    department: Mapped[str | None] = mapped_column(String(200), default=None)
    notes: Mapped[str] = mapped_column(String(10_000), default="")
    # What lists sort by: "bravo" before "Charlie", on SQLite and PostgreSQL alike.
    name_sort: Mapped[str] = column_property(func.lower(name))
