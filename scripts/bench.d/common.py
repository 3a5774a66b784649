"""What the benchmarks share: the figure printer, a free loopback port, a served process, a seeded database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIELDSCAN = str(ROOT / ".venv" / "bin" / "fieldscan")


def line(name: str, value: str, budget: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("  ok" if ok else "  OVER BUDGET")
    print(f"{name:<38} {value:>14}   {budget}{verdict}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(env: dict[str, str], work: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`fieldscan serve` on a free loopback port, ready to answer; its base URL and process. Stopped on exit."""
    port = free_port()
    server = subprocess.Popen([FIELDSCAN, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(work / "server.log", "w"), start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if urllib.request.urlopen(f"{base}/ready", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield base, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def migrated_database(work: Path) -> tuple[str, dict[str, str]]:
    """A fresh SQLite database in `work`, migrated; its URL and the environment that points at it."""
    url = f"sqlite+aiosqlite:///{work / 'bench.sqlite3'}"
    env = {**os.environ, "FIELDSCAN_DATABASE_URL": url, "FIELDSCAN_VAR_DIR": str(work), "FIELDSCAN_LOG_LEVEL": "WARNING"}
    subprocess.run([FIELDSCAN, "migrate"], env=env, check=True, capture_output=True)
    return url, env


async def seed(url: str, assets: int, in_scope: int) -> str:
    """Tenant "bench": HQ with 20 rooms holding assets AST-000001 … up to `in_scope`, a warehouse holding the
    rest, and a manager API key; returns the key."""
    from sqlalchemy import insert

    import backend.db.models  # noqa: F401  (every table, so foreign keys resolve)
    from backend.assets.models import Asset
    from backend.auth.service import create_api_key
    from backend.categories.service import default_category
    from backend.db.base import utcnow
    from backend.db.engine import open_database
    from backend.ids import uuid7
    from backend.locations.schemas import LocationIn
    from backend.locations.service import create as create_location
    from backend.tenancy.service import create_tenant

    database = open_database(url)
    async with database.write_sessions() as db:
        tenant = await create_tenant(db, "bench", "Bench Ltd")
        # Every request is still counted against a limit (what counting costs is part of the figures), but
        # one no load here reaches: a dedicated integration key's, not a person's. BENCH_RATE_LIMIT=0 turns
        # counting off, to measure what it costs.
        tenant.api_rate_limit = int(os.environ.get("BENCH_RATE_LIMIT", "1000000"))
        await db.commit()
        hq = await create_location(db, tenant.id, LocationIn(name="HQ"))
        rooms = [await create_location(db, tenant.id, LocationIn(name=f"Room {n}", parent_id=hq.id)) for n in range(20)]
        elsewhere = await create_location(db, tenant.id, LocationIn(name="Warehouse"))
        category = await default_category(db, tenant.id)
        now = utcnow()
        rows = []
        for n in range(1, assets + 1):
            tag = f"AST-{n:06d}"
            location = rooms[n % len(rooms)].id if n <= in_scope else elsewhere.id
            rows.append({"tenant_id": tenant.id, "id": uuid7(), "tag": tag, "tag_key": tag,
                         "name": f"Asset {n} — Dell Latitude 7440, floor {n % 7}",
                         "category_id": category.id, "location_id": location, "status": "available",
                         "serial": f"SN{n:08d}", "serial_key": f"SN{n:08d}", "notes": "", "custom_fields": {},
                         "created_at": now, "updated_at": now})
        await db.execute(insert(Asset), rows)
        _, token = await create_api_key(db, tenant.id, "bench", "manager", None)
        await db.commit()
    await database.dispose()
    return token
