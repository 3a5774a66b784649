from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, TenantMixin, TimestampMixin, tenant_fk, tenant_keys


class User(TenantMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = tenant_keys(UniqueConstraint("tenant_id", "email_key"))

    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(1016))  # lower() can grow a text
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class ApiKey(TenantMixin, Base):
    __tablename__ = "api_keys"
    __table_args__ = tenant_keys(
        UniqueConstraint("tenant_id", "token_hash"),
        tenant_fk(["created_by_id"], "users"),
    )

    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
