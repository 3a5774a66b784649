from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint
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
    # Carried in every token; raised when the password is set or access is withdrawn, which ends the
    # user's earlier tokens. An invited user has no password yet (an empty hash) until their link is used.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


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


class AccountLink(TenantMixin, Base):
    """A one-time link that sets a user's password: an invitation or a reset. Only its hash is stored."""

    __tablename__ = "account_links"
    __table_args__ = tenant_keys(
        UniqueConstraint("tenant_id", "token_hash"),
        tenant_fk(["user_id"], "users", ondelete="CASCADE"),
        tenant_fk(["created_by_id"], "users"),
        Index("ix_account_links_tenant_id_user_id", "tenant_id", "user_id"),
    )

    user_id: Mapped[UUID] = mapped_column()
    purpose: Mapped[str] = mapped_column(String(16))  # invite | reset
    token_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
