"""What the `fieldscan` commands share: their error, the database they work on, tenants, a progress bar."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from backend.settings import Settings


class CommandError(Exception):
    """A command cannot go on; the message says what to do. Printed as `fieldscan: …`, exit status 1."""


def require_database_file(settings: Settings) -> None:
    """Refuse a SQLite file that does not exist: opening it would create an empty one (and its folder)."""
    path = settings.sqlite_file
    if path is not None and not path.exists():
        raise CommandError(f"no database at {path}; run `fieldscan migrate` (scripts/run does it)")


def with_database(settings: Settings, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run work(session) in one write transaction on a migrated database."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from backend.db.engine import open_database
    from backend.db.migrate import current_revision, head_revision
    from backend.errors import FieldscanError

    require_database_file(settings)

    async def run() -> Any:
        database = open_database(settings.database_url)
        try:
            async with database.writer.connect() as connection:
                revision = await connection.run_sync(current_revision)
            if revision != head_revision():
                raise CommandError("the database is not migrated; run `fieldscan migrate` first")
            async with database.write_sessions() as session:
                result = await work(session)
                await session.commit()
                return result
        except FieldscanError as exc:
            raise CommandError(exc.message) from None
        except (OperationalError, ProgrammingError, OSError) as exc:
            raise CommandError(f"cannot use the database {safe_url(settings.database_url)}: {exc}") from None
        finally:
            await database.dispose()

    return asyncio.run(run())


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


async def find_tenant(session: Any, slug: str) -> Any:
    from backend.tenancy.service import find_by_slug

    tenant = await find_by_slug(session, slug)
    if tenant is None:
        raise CommandError(f"no tenant '{slug}'; create it with `fieldscan tenant create {slug}`")
    return tenant


class Progress:
    """A progress bar on standard error: redrawn in place on a terminal, every tenth elsewhere (logs, CI)."""

    WIDTH = 30

    def __init__(self, total: int, what: str) -> None:
        self.total, self.what = total, what
        self.shown = -1
        self.tty = sys.stderr.isatty()
        self.active = total >= 100  # small jobs finish before a bar helps

    def update(self, done: int, total: int | None = None) -> None:
        if not self.active:
            return
        total = total or self.total
        step = done * (self.WIDTH if self.tty else 10) // max(total, 1)
        if step == self.shown:
            return
        self.shown = step
        filled = done * self.WIDTH // max(total, 1)
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,}/{total:,} {self.what}"
        print(f"\r{line}" if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.active and self.tty:
            print(file=sys.stderr)
