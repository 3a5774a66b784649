"""SQLite's writer thread commits concurrent writes in groups: each write stands or falls alone, and
nobody is answered before the group is on disk."""

import asyncio
import sqlite3

import pytest
from sqlalchemy import text

from backend.db.engine import open_database

pytestmark = pytest.mark.anyio


def _write(session, n: int) -> int:
    session.execute(text("INSERT INTO marks (n) VALUES (:n)"), {"n": n})
    if n % 5 == 0:
        # Written, then failed: this write must leave nothing behind, and its neighbours must commit.
        raise ValueError(f"refused {n}")
    return n * 10


async def test_a_group_commits_its_good_writes_and_drops_the_failed_ones_alone(tmp_path):
    path = tmp_path / "writer.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE marks (n INTEGER PRIMARY KEY)")
    database = open_database(f"sqlite+aiosqlite:///{path}")
    try:
        writer = database.sqlite_writer
        results = await asyncio.gather(*(writer.run(_write, n) for n in range(1, 201)), return_exceptions=True)
    finally:
        await database.dispose()
    for n, result in enumerate(results, start=1):
        if n % 5 == 0:
            assert isinstance(result, ValueError) and str(result) == f"refused {n}"
        else:
            assert result == n * 10
    with sqlite3.connect(path) as conn:
        stored = [row[0] for row in conn.execute("SELECT n FROM marks ORDER BY n")]
    assert stored == [n for n in range(1, 201) if n % 5]


async def test_a_write_to_a_closed_writer_is_refused(tmp_path):
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'closed.sqlite3'}")
    writer = database.sqlite_writer
    await database.dispose()
    with pytest.raises(RuntimeError, match="closed"):
        await writer.run(_write, 1)
