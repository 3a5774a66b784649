"""SQLite's one writer, as a thread that commits in groups: hot write paths run there as plain
synchronous SQLAlchemy.

SQLite lets one transaction write at a time anyway; doing the writes on one dedicated thread costs
one hop from the event loop instead of one per statement. Writes that arrive while the thread is busy
wait in a queue; the thread then takes all of them into one transaction, each inside its own
SAVEPOINT (a write that fails rolls back alone and its caller gets its error), and commits once: one
fsync for the group instead of one per write. Nobody is answered before that commit, so an answered
write is a durable one. PostgreSQL takes many writers, so there the same synchronous function runs
through AsyncSession.run_sync and commits on its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import SingletonThreadPool

R = TypeVar("R")
WRITER_KEY = "sqlite_writer"
GROUP_LIMIT = 128  # writes per transaction at most, so one group never holds the lock for long


class SqliteWriter:
    def __init__(self, async_url: str, on_connect: Callable[..., None], on_begin: Callable[..., None]) -> None:
        url = make_url(async_url).set(drivername="sqlite+pysqlite")
        self.engine = create_engine(url, poolclass=SingletonThreadPool, connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", on_connect)
        event.listen(self.engine, "begin", on_begin)
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


__all__ = ["Session", "SqliteWriter", "run_write"]
