"""Where rate-limit counters live, shared by every process that serves one database.

One atomic upsert per hit (`INSERT … ON CONFLICT … RETURNING`) counts a key in its current window; a
count from an older window starts again at the hit.
- PostgreSQL: the `rate_counters` table of the database itself, on a small engine of its own in
  autocommit with `synchronous_commit=off` (a counter need not wait for the disk): one round trip a hit,
  exact across processes and hosts.
- SQLite: the same table in a file of its own beside the database (`<database>-ratelimit`), so that
  counting never takes the database's write lock, which every scan needs; WAL with `synchronous=OFF`,
  shared by every process on the host. A hit takes some tens of microseconds, run inline.
Counters are not data: losing them in a crash only forgets recent hits.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

PRUNE_EVERY = 2_000  # hits between deletions of counters untouched for PRUNE_AFTER_S
PRUNE_AFTER_S = 2 * 3600

UPSERT = """
INSERT INTO rate_counters (bucket, slot, hits, touched_at) VALUES ({p}bucket, {p}slot, {p}cost, {p}now)
ON CONFLICT (bucket) DO UPDATE SET
  hits = CASE WHEN rate_counters.slot = excluded.slot THEN rate_counters.hits + excluded.hits ELSE excluded.hits END,
  slot = excluded.slot, touched_at = excluded.touched_at
RETURNING hits
"""
READ = "SELECT slot, hits, touched_at FROM rate_counters WHERE bucket = {p}bucket"
# Attempts (sign-in back-off): no windows; the count is forgotten once its last attempt is older than
# `forget_before`. `slot` keeps the previous attempt's time (ms), returned so the caller can tell whether
# this attempt came too soon: one statement, so of two attempts at once each sees the other's.
ATTEMPT = """
INSERT INTO rate_counters (bucket, slot, hits, touched_at) VALUES ({p}bucket, 0, 1, {p}now)
ON CONFLICT (bucket) DO UPDATE SET
  hits = CASE WHEN rate_counters.touched_at < {p}forget_before THEN 1 ELSE rate_counters.hits + 1 END,
  slot = CAST(rate_counters.touched_at * 1000 AS BIGINT),
  touched_at = excluded.touched_at
RETURNING hits, slot
"""
# An attempt refused before it was made is taken back, unless another attempt has been counted since.
RELEASE = """
UPDATE rate_counters SET hits = hits - 1, touched_at = {p}previous WHERE bucket = {p}bucket AND hits = {p}count
"""
CLEAR = "DELETE FROM rate_counters WHERE bucket = {p}bucket"
# Sign-in epochs are not counters: pruning one would restart it at a number a process may have cached.
PRUNE = "DELETE FROM rate_counters WHERE touched_at < {p}cutoff AND bucket NOT LIKE 'auth-epoch:%'"
CREATE_SQLITE = """
CREATE TABLE IF NOT EXISTS rate_counters (
  bucket VARCHAR(200) NOT NULL PRIMARY KEY, slot BIGINT NOT NULL, hits INTEGER NOT NULL, touched_at FLOAT NOT NULL
)
"""


class Counters(Protocol):
    async def hit(self, bucket: str, slot: int, now: float, cost: int = 1) -> int:
        """Count `cost` hits for `bucket` in window `slot`; the window's count after them."""

    async def read(self, bucket: str, slot: int) -> tuple[int, float]:
        """(hits in window `slot`, Unix time of the last hit); (0, 0.0) for none."""

    async def attempt(self, bucket: str, now: float, forget_before: float) -> tuple[int, float]:
        """Count one attempt: (attempts counted now, Unix time of the previous one; 0.0 for none)."""

    async def release(self, bucket: str, count: int, previous: float) -> None:
        """Take back the attempt that `attempt` counted as `count`, if it is still the last one."""

    async def last(self, bucket: str) -> tuple[int, float]:
        """(count, Unix time of the last hit), whatever the window; (0, 0.0) for none."""

    async def clear(self, bucket: str) -> None: ...

    async def close(self) -> None: ...


class SqliteCounters:
    def __init__(self, path: str) -> None:
        if path != ":memory:":
            # Private like the database beside it: created 0600 before SQLite opens it.
            os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("PRAGMA busy_timeout=1000")
        self._conn.execute(CREATE_SQLITE)
        self._lock = threading.Lock()
        self._hits = 0
        self._upsert = UPSERT.format(p=":")
        self._read = READ.format(p=":")

    async def hit(self, bucket: str, slot: int, now: float, cost: int = 1) -> int:
        with self._lock:
            self._hits += 1
            if self._hits % PRUNE_EVERY == 0:
                self._conn.execute(PRUNE.format(p=":"), {"cutoff": now - PRUNE_AFTER_S})
            row = self._conn.execute(self._upsert, {"bucket": bucket, "slot": slot, "cost": cost, "now": now}).fetchone()
        return int(row[0])

    async def read(self, bucket: str, slot: int) -> tuple[int, float]:
        with self._lock:
            row = self._conn.execute(self._read, {"bucket": bucket}).fetchone()
        if row is None or row[0] != slot:
            return 0, float(row[2]) if row else 0.0
        return int(row[1]), float(row[2])

    async def attempt(self, bucket: str, now: float, forget_before: float) -> tuple[int, float]:
        with self._lock:
            row = self._conn.execute(ATTEMPT.format(p=":"), {"bucket": bucket, "now": now,
                                                              "forget_before": forget_before}).fetchone()
        return int(row[0]), int(row[1]) / 1000

    async def release(self, bucket: str, count: int, previous: float) -> None:
        with self._lock:
            self._conn.execute(RELEASE.format(p=":"), {"bucket": bucket, "count": count, "previous": previous})

    async def last(self, bucket: str) -> tuple[int, float]:
        with self._lock:
            row = self._conn.execute(self._read, {"bucket": bucket}).fetchone()
        return (int(row[1]), float(row[2])) if row else (0, 0.0)

    async def clear(self, bucket: str) -> None:
        with self._lock:
            self._conn.execute(CLEAR.format(p=":"), {"bucket": bucket})

    async def close(self) -> None:
        with self._lock:
            self._conn.close()


class PostgresCounters:
    def __init__(self, url: str) -> None:
        self._engine: AsyncEngine = create_async_engine(
            url, isolation_level="AUTOCOMMIT", pool_size=4, max_overflow=8, pool_pre_ping=True,
            connect_args={"server_settings": {"synchronous_commit": "off"}})
        self._hits = 0
        self._upsert = text(UPSERT.format(p=":"))
        self._read = text(READ.format(p=":"))

    async def hit(self, bucket: str, slot: int, now: float, cost: int = 1) -> int:
        async with self._engine.connect() as conn:
            self._hits += 1
            if self._hits % PRUNE_EVERY == 0:
                await conn.execute(text(PRUNE.format(p=":")), {"cutoff": now - PRUNE_AFTER_S})
            result = await conn.execute(self._upsert, {"bucket": bucket, "slot": slot, "cost": cost, "now": now})
            return int(result.scalar_one())

    async def read(self, bucket: str, slot: int) -> tuple[int, float]:
        async with self._engine.connect() as conn:
            row = (await conn.execute(self._read, {"bucket": bucket})).first()
        if row is None or row.slot != slot:
            return 0, float(row.touched_at) if row else 0.0
        return int(row.hits), float(row.touched_at)

    async def attempt(self, bucket: str, now: float, forget_before: float) -> tuple[int, float]:
        async with self._engine.connect() as conn:
            row = (await conn.execute(text(ATTEMPT.format(p=":")), {"bucket": bucket, "now": now,
                                                                   "forget_before": forget_before})).one()
        return int(row.hits), int(row.slot) / 1000

    async def release(self, bucket: str, count: int, previous: float) -> None:
        async with self._engine.connect() as conn:
            await conn.execute(text(RELEASE.format(p=":")), {"bucket": bucket, "count": count, "previous": previous})

    async def last(self, bucket: str) -> tuple[int, float]:
        async with self._engine.connect() as conn:
            row = (await conn.execute(self._read, {"bucket": bucket})).first()
        return (int(row.hits), float(row.touched_at)) if row else (0, 0.0)

    async def clear(self, bucket: str) -> None:
        async with self._engine.connect() as conn:
            await conn.execute(text(CLEAR.format(p=":")), {"bucket": bucket})

    async def close(self) -> None:
        await self._engine.dispose()


def counters_for(database_url: str) -> Counters:
    """The counters shared by every process serving `database_url`."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return SqliteCounters(":memory:")
        return SqliteCounters(str(Path(database).expanduser().resolve()) + "-ratelimit")
    return PostgresCounters(database_url)


def now() -> float:
    return time.time()
