"""Declarative base, column types and the columns every tenant-owned table shares."""

from __future__ import annotations

from datetime import datetime, UTC
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, ForeignKeyConstraint, MetaData, PrimaryKeyConstraint, TypeDecorator, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from backend.ids import uuid7

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (naive text) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), UUID: Uuid()}


class IdMixin:
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid7)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TenantMixin:
    """A row owned by one tenant. Its primary key is (tenant_id, id), and every unique key,
    index and foreign key starts with tenant_id, so rows of two tenants can never meet in a join
    and the schema can be distributed by tenant."""

    @declared_attr
    def tenant_id(cls) -> Mapped[UUID]:
        return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid7)


def tenant_keys(*constraints: Any) -> tuple[Any, ...]:
    """__table_args__ for a tenant-owned table: the (tenant_id, id) key first, then the rest."""
    return (PrimaryKeyConstraint("tenant_id", "id"), *constraints)


def tenant_fk(columns: list[str], table: str, **kwargs: Any) -> ForeignKeyConstraint:
    """A foreign key to another tenant-owned table through (tenant_id, id)."""
    return ForeignKeyConstraint(["tenant_id", *columns], [f"{table}.tenant_id", f"{table}.id"], **kwargs)


class SoftDeleteMixin:
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
