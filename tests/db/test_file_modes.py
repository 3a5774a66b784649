"""The SQLite database, its -wal and -shm files, the data folder and the secret key are this user's alone:
the database holds every tenant's rows and password hashes, the key signs every sign-in token."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from sqlalchemy import text

from backend.db.engine import open_database
from backend.db.migrate import upgrade
from backend.settings import Settings

pytestmark = pytest.mark.anyio


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems start services with, under which SQLite alone would make its files 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


async def write_and_check(path: Path) -> None:
    database = open_database(f"sqlite+aiosqlite:///{path}")
    try:
        async with database.writer.begin() as connection:
            await connection.execute(text("CREATE TABLE IF NOT EXISTS marks (n INTEGER)"))
            await connection.execute(text("INSERT INTO marks VALUES (1)"))
        # The pool keeps the connection open, so the write-ahead log and its index are still there.
        files = {name: mode(path.with_name(path.name + name)) for name in ("", "-wal", "-shm")}
        assert files == {"": 0o600, "-wal": 0o600, "-shm": 0o600}
    finally:
        await database.dispose()


async def test_a_new_database_and_its_wal_and_shm_are_the_owners_alone(tmp_path):
    path = tmp_path / "data" / "fieldscan.sqlite3"
    await write_and_check(path)
    assert mode(path.parent) == 0o700


async def test_a_database_made_by_migrate_is_the_owners_alone(tmp_path):
    path = tmp_path / "migrated" / "fieldscan.sqlite3"
    await anyio.to_thread.run_sync(upgrade, f"sqlite+aiosqlite:///{path}")  # it runs its own event loop
    assert (mode(path.parent), mode(path)) == (0o700, 0o600)
    await write_and_check(path)


async def test_an_existing_world_readable_database_is_no_longer_readable_by_others(tmp_path):
    path = tmp_path / "fieldscan.sqlite3"
    path.touch()
    path.chmod(0o664)
    database = open_database(f"sqlite+aiosqlite:///{path}")
    await database.dispose()
    assert mode(path) == 0o660  # the group its owner chose keeps its access; others lose theirs


def test_the_data_folder_and_secret_key_are_the_owners_alone(tmp_path):
    var_dir = tmp_path / "var"
    Settings.from_env({"FIELDSCAN_VAR_DIR": str(var_dir)})
    assert (mode(var_dir), mode(var_dir / "secret_key")) == (0o700, 0o600)
