from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, TenantMixin, tenant_keys, utcnow

DEFAULT_PORT = 9100  # raw TCP printing (JetDirect / AppSocket), what Zebra printers listen on
DEFAULT_TEMPLATE = "thermal-50x25"


class Printer(TenantMixin, Base):
    """A network label printer that takes ZPL over raw TCP."""

    __tablename__ = "printers"
    __table_args__ = tenant_keys(
        Index("ix_printers_tenant_id_name", "tenant_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(Integer, default=DEFAULT_PORT)
    template: Mapped[str] = mapped_column(String(64), default=DEFAULT_TEMPLATE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
