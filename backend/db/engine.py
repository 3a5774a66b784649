"""Engines and sessions. SQLite gets WAL, foreign keys and a busy timeout on every connection."""

from __future__ import annotations

import stat
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from backend.db.writer import READER_KEY, WRITER_KEY, SqliteReader, SqliteWriter

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_FILE_MODE = 0o600  # the database holds every tenant's data and password hashes
SQLITE_DIR_MODE = 0o700
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that BEGIN is ours (see _begin_*).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL with synchronous=FULL fsyncs on every commit: an acknowledged write survives power loss.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn: Any) -> None:
    # A writer takes the write lock up front; a deferred transaction that reads and then writes
    # would fail with SQLITE_BUSY instead of waiting when another writer committed in between.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _engine(url: str, begin: Any | None, **kwargs: Any) -> AsyncEngine:
    engine = create_async_engine(url, **kwargs)
    if begin is not None:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", begin)
    return engine


@dataclass
class Database:
    """A read engine and a write engine (the same one on PostgreSQL), and on SQLite the writer thread."""

    url: str
    reader: AsyncEngine
    writer: AsyncEngine
    read_sessions: async_sessionmaker[AsyncSession]
    write_sessions: async_sessionmaker[AsyncSession]
    sqlite_writer: SqliteWriter | None = None
    sqlite_reader: SqliteReader | None = None

    @property
    def dialect(self) -> str:
        return self.writer.dialect.name

    async def dispose(self) -> None:
        if self.sqlite_writer is not None:
            self.sqlite_writer.close()
        if self.sqlite_reader is not None:
            self.sqlite_reader.close()
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


def open_database(url: str) -> Database:
    parsed = make_url(url)
    sqlite_writer = sqlite_reader = None
    if parsed.get_backend_name() == "sqlite":
        _ensure_sqlite_dir(parsed.database)
        writer = _engine(url, _begin_immediate, pool_size=4, max_overflow=4)
        reader = _engine(url, _begin_deferred, pool_size=8, max_overflow=8)
        sqlite_writer = SqliteWriter(url, _sqlite_pragmas, _begin_immediate)
        sqlite_reader = SqliteReader(url, _sqlite_pragmas, _begin_deferred)
    else:
        writer = reader = create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    return Database(
        url=url,
        reader=reader,
        writer=writer,
        read_sessions=async_sessionmaker(reader, expire_on_commit=False, info={READER_KEY: sqlite_reader}
                                         if sqlite_reader else {}),
        write_sessions=async_sessionmaker(writer, expire_on_commit=False, info={WRITER_KEY: sqlite_writer}
                                          if sqlite_writer else {}),
        sqlite_writer=sqlite_writer,
        sqlite_reader=sqlite_reader,
    )


def _ensure_sqlite_dir(database: str | None) -> None:
    """The database's folder and file, made here readable by this user alone (0700, 0600) before SQLite
    opens the file: SQLite would create it 0644 under the usual umask, and it gives the -wal, -shm and
    -journal files it makes later the main file's mode, so the whole database stays private. A database
    made before is left to its owner's choice, except that nobody else may read it (the "other" bits go)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    import os
    from pathlib import Path

    path = Path(database).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True, mode=SQLITE_DIR_MODE)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SQLITE_FILE_MODE))
    except FileExistsError:
        for name in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_SIDE_FILES)):
            with suppress(OSError):  # gone since, or another user's file: SQLite will say what it needs
                mode = stat.S_IMODE(name.stat().st_mode)
                if mode & stat.S_IRWXO:
                    name.chmod(mode & ~stat.S_IRWXO)
