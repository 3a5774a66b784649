"""SQLite's hot paths on threads of their own: one writer that commits in groups, and a few readers.
Both run plain synchronous SQLAlchemy.

SQLite lets one transaction write at a time anyway; doing the writes on one dedicated thread costs
one hop from the event loop instead of one per statement. Writes that arrive while the thread is busy
wait in a queue; the thread then takes all of them into one transaction, each inside its own
SAVEPOINT (a write that fails rolls back alone and its caller gets its error), and commits once: one
fsync for the group instead of one per write. Nobody is answered before that commit, so an answered
write is a durable one. PostgreSQL takes many writers, so there the same synchronous function runs
through AsyncSession.run_sync and commits on its own.

A read through the async driver pays a thread hop and a greenlet switch per statement; a hot read
(the scan screen's payload and its 304) runs whole on a reader thread instead: one hop per request.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, SingletonThreadPool

R = TypeVar("R")
WRITER_KEY = "sqlite_writer"
READER_KEY = "sqlite_reader"
READER_THREADS = 2
GROUP_LIMIT = 128  # writes per transaction at most, so one group never holds the lock for long


def _sync_engine(async_url: str, on_connect: Callable[..., None], on_begin: Callable[..., None], **pool: Any) -> Engine:
    """A synchronous engine on the same SQLite file, with the same pragmas and BEGIN as the async engines."""
    url = make_url(async_url).set(drivername="sqlite+pysqlite")
    engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)
    return engine


class SqliteWriter:
    def __init__(self, async_url: str, on_connect: Callable[..., None], on_begin: Callable[..., None]) -> None:
        self.engine = _sync_engine(async_url, on_connect, on_begin, poolclass=SingletonThreadPool)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._queue: deque[tuple[Callable[..., Any], tuple[Any, ...], Future[Any]]] = deque()
        self._wake = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._loop, name="fieldscan-sqlite-writer", daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[..., R], *args: Any) -> R:
        """fn(session, *args) inside the next group's transaction; its result once that group is committed."""
        future: Future[R] = Future()
        with self._wake:
            if self._closing:
                raise RuntimeError("the SQLite writer is closed")
            self._queue.append((fn, args, future))
            self._wake.notify()
        return await asyncio.wrap_future(future)

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._closing:
                    self._wake.wait()
                if not self._queue:
                    break
                group = [self._queue.popleft() for _ in range(min(len(self._queue), GROUP_LIMIT))]
            self._commit_group(group)
        self.engine.dispose()

    def _commit_group(self, group: list[tuple[Callable[..., Any], tuple[Any, ...], Future[Any]]]) -> None:
        outcomes: list[tuple[Future[Any], bool, Any]] = []
        try:
            with self.sessions() as session:
                for fn, args, future in group:
                    if not future.set_running_or_notify_cancel():
                        continue
                    savepoint = session.begin_nested()
                    try:
                        outcomes.append((future, True, fn(session, *args)))
                        savepoint.commit()
                    except BaseException as exc:  # noqa: B036 - handed to the caller, who raises it
                        savepoint.rollback()
                        outcomes.append((future, False, exc))
                session.commit()
        except BaseException as exc:  # noqa: B036 - the group's commit failed: nothing in it was written
            for _, _, future in group:
                if future.running():
                    future.set_exception(exc)
            return
        for future, ok, value in outcomes:
            future.set_result(value) if ok else future.set_exception(value)

    def close(self) -> None:
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join()


class SqliteReader:
    """A few threads with a synchronous connection each, for reads that run as one function."""

    def __init__(self, async_url: str, on_connect: Callable[..., None], on_begin: Callable[..., None]) -> None:
        self.engine = _sync_engine(async_url, on_connect, on_begin, poolclass=QueuePool, pool_size=READER_THREADS,
                                   max_overflow=0)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.executor = ThreadPoolExecutor(max_workers=READER_THREADS, thread_name_prefix="fieldscan-sqlite-reader")

    def _call(self, fn: Callable[..., R], args: tuple[Any, ...]) -> R:
        with self.sessions() as session:
            return fn(session, *args)

    async def run(self, fn: Callable[..., R], *args: Any) -> R:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._call, fn, args)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.engine.dispose()


async def run_read(db: AsyncSession, fn: Callable[..., R], *args: Any) -> R:
    """fn(sync_session, *args) in one read transaction: on a SQLite reader thread, elsewhere on this
    request's own session."""
    reader: SqliteReader | None = db.info.get(READER_KEY)
    if reader is not None:
        return await reader.run(fn, *args)
    return await db.run_sync(lambda session: fn(session, *args))


async def run_write(db: AsyncSession, fn: Callable[..., R], *args: Any) -> R:
    """fn(sync_session, *args), committed: on SQLite within the writer thread's next group, elsewhere on
    this request's own session. fn writes but does not commit."""
    writer: SqliteWriter | None = db.info.get(WRITER_KEY)
    if writer is not None:
        return await writer.run(fn, *args)
    try:
        result = await db.run_sync(lambda session: fn(session, *args))
        await db.commit()
    except BaseException:
        await db.rollback()
        raise
    return result


__all__ = ["Session", "SqliteReader", "SqliteWriter", "run_read", "run_write"]
