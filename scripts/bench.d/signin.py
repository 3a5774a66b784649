"""scripts/bench signin: scans while wrong passwords flood the sign-in, on SQLite, one server process.

Seeds a 1,000-asset tenant and a user into a fresh SQLite database, starts `fieldscan serve`, and runs
4 scanning clients for a while alone, then again beside 16 clients looping on wrong passwords (each
check is a full Argon2 verification). Prints scan p50/p95 and throughput for both runs, and the 5xx
count, beside the budget (scan p95 <= 100 ms under the flood, no 5xx). Loopback only.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import line, migrated_database, seed, served

ASSETS = 1_000
SCANNERS = 4
FLOODERS = 16
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
EMAIL = "tech@bench.example"


async def add_user(url: str) -> None:
    from backend.auth.service import create_user
    from backend.db.engine import open_database
    from backend.tenancy.service import find_by_slug

    database = open_database(url)
    async with database.write_sessions() as db:
        tenant = await find_by_slug(db, "bench")
        assert tenant is not None
        await create_user(db, tenant.id, EMAIL, "the right password, long enough", "technician")
        await db.commit()
    await database.dispose()


async def run(base: str, token: str, session_id: str, flood: bool) -> dict[str, float]:
    headers = {"Host": "bench.localhost"}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    logins = 0
    stop = time.monotonic() + SECONDS
    limits = httpx.Limits(max_connections=SCANNERS + FLOODERS + 4)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30, limits=limits) as http:

        async def scanner(k: int) -> None:
            n = k
            auth = {"Authorization": f"ApiKey {token}"}
            while time.monotonic() < stop:
                n = n % ASSETS + 1
                start = time.perf_counter()
                r = await http.post(f"/api/v1/sessions/{session_id}/scan", json={"code": f"AST-{n:06d}"}, headers=auth)
                latencies.append((time.perf_counter() - start) * 1000)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                n += SCANNERS - 1

        async def flooder() -> None:
            nonlocal logins
            while time.monotonic() < stop:
                r = await http.post("/api/v1/auth/login", json={"email": EMAIL, "password": "not the password"})
                logins += 1
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        tasks = [scanner(k) for k in range(SCANNERS)] + ([flooder() for _ in range(FLOODERS)] if flood else [])
        await asyncio.gather(*tasks)
    cuts = statistics.quantiles(latencies, n=100)
    return {"scans": len(latencies) / SECONDS, "p50": cuts[49], "p95": cuts[94], "logins": logins / SECONDS,
            "5xx": sum(count for status, count in statuses.items() if status >= 500)}


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="fieldscan-bench-"))
    url, env = migrated_database(work)
    token = asyncio.run(seed(url, ASSETS, ASSETS))
    asyncio.run(add_user(url))
    with served(env, work) as (base, _):
        with httpx.Client(base_url=base, headers={"Host": "bench.localhost", "Authorization": f"ApiKey {token}"},
                          timeout=30) as http:
            hq = http.get("/api/v1/locations", params={"q": "HQ", "parentId": "root"}).json()["items"][0]
            sid = http.post("/api/v1/sessions", json={"name": "Bench audit", "locationId": hq["id"]}).json()["id"]
        print(f"Fieldscan sign-in flood benchmark: {SCANNERS} scanning clients, {FLOODERS} clients sending wrong "
              f"passwords, {SECONDS:g} s per run, SQLite, one server process")
        alone = asyncio.run(run(base, token, sid, flood=False))
        flooded = asyncio.run(run(base, token, sid, flood=True))
    line("scans alone: scans/s", f"{alone['scans']:.0f}")
    line("scans alone: p50 / p95", f"{alone['p50']:.1f} / {alone['p95']:.1f} ms")
    line("scans beside the flood: scans/s", f"{flooded['scans']:.0f}")
    line("scans beside the flood: p50 / p95", f"{flooded['p50']:.1f} / {flooded['p95']:.1f} ms", "p95 <= 100 ms",
         flooded["p95"] <= 100)
    line("wrong passwords answered/s", f"{flooded['logins']:.0f}")
    line("5xx answers (both runs)", f"{alone['5xx'] + flooded['5xx']:.0f}", "0", alone["5xx"] + flooded["5xx"] == 0)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
