"""The shared rate-limit counters: one row per key (a limit and who it counts), its window and hits."""

from __future__ import annotations

from sqlalchemy import BigInteger, Double, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base


class RateCounter(Base):
    """Not tenant data: keys name the tenant themselves where a limit is per tenant. On PostgreSQL every
    process and host counts in this table; on SQLite the same table lives in a file of its own beside the
    database (ratelimit/store.py), so counting never takes the database's write lock."""

    __tablename__ = "rate_counters"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    slot: Mapped[int] = mapped_column(BigInteger)  # the fixed window: Unix time // window length
    hits: Mapped[int] = mapped_column(Integer)
    touched_at: Mapped[float] = mapped_column(Double)  # Unix time of the last hit
