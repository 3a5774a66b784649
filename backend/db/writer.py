"""SQLite's one writer, as a thread: hot write paths run there as plain synchronous SQLAlchemy.

SQLite lets one transaction write at a time anyway; doing the whole transaction on one dedicated
thread costs one hop from the event loop instead of one per statement. PostgreSQL takes many
writers, so there the same synchronous function runs through AsyncSession.run_sync.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import SingletonThreadPool

R = TypeVar("R")
WRITER_KEY = "sqlite_writer"


class SqliteWriter:
    def __init__(self, async_url: str, on_connect: Callable[..., None], on_begin: Callable[..., None]) -> None:
        url = make_url(async_url).set(drivername="sqlite+pysqlite")
        self.engine = create_engine(url, poolclass=SingletonThreadPool, connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", on_connect)
        event.listen(self.engine, "begin", on_begin)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldscan-sqlite-writer")

    def _call(self, fn: Callable[..., R], args: tuple[Any, ...]) -> R:
        with self.sessions() as session:
            return fn(session, *args)

    async def run(self, fn: Callable[..., R], *args: Any) -> R:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._call, fn, args)

    def close(self) -> None:
        self.executor.submit(self.engine.dispose).result()
        self.executor.shutdown(wait=True)


async def run_write(db: AsyncSession, fn: Callable[..., R], *args: Any) -> R:
    """fn(sync_session, *args) as one transaction that fn commits: on SQLite's writer thread, elsewhere on
    this request's own session."""
    writer: SqliteWriter | None = db.info.get(WRITER_KEY)
    if writer is not None:
        return await writer.run(fn, *args)
    return await db.run_sync(lambda session: fn(session, *args))


__all__ = ["Session", "SqliteWriter", "run_write"]
