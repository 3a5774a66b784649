"""scripts/bench signin: scans while wrong passwords flood the sign-in, on SQLite, one server process.

Seeds a 1,000-asset tenant and a user into a fresh SQLite database, starts `fieldscan serve`, and runs
4 scanning clients for a while alone, then beside 16 clients looping on wrong passwords, twice:
- from one address at one account, as the limits see it: past the sign-in limits most attempts are
  refused (429) before any password check;
- from many addresses (a new X-Forwarded-For every 20 attempts, the server trusting loopback as its
  proxy) at accounts that do not exist, which no per-address or per-account limit stops: every attempt
  is a full Argon2 verification, the worst case for the scans.
Prints scan p50/p95 and throughput for each run, and the 5xx count, beside the budget (scan p95 <= 100 ms
under the flood, no 5xx). Loopback only.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
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


async def flood_loop(base: str, flood: str, seconds: float) -> dict[int, int]:
    """16 clients sending wrong passwords for `seconds`; the count of each status answered."""
    statuses: dict[int, int] = {}
    stop = time.monotonic() + seconds
    addresses = itertools.count(1)
    limits = httpx.Limits(max_connections=FLOODERS + 2)
    async with httpx.AsyncClient(base_url=base, headers={"Host": "bench.localhost"}, timeout=30, limits=limits) as http:

        async def flooder() -> None:
            attempt, n = 0, 0
            forwarded: dict[str, str] = {}
            while time.monotonic() < stop:
                if flood == "many":  # a botnet: another address every 20 attempts, accounts that do not exist
                    if attempt % 20 == 0:
                        n = next(addresses)
                        forwarded = {"X-Forwarded-For": f"198.18.{n // 250 % 250}.{n % 250 + 1}"}
                    body = {"email": f"guess{attempt}-{n}@bench.example", "password": "not the password"}
                else:
                    body = {"email": EMAIL, "password": "not the password"}
                r = await http.post("/api/v1/auth/login", json=body, headers=forwarded)
                attempt += 1
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        await asyncio.gather(*(flooder() for _ in range(FLOODERS)))
    return statuses


def flood_process(base: str, flood: str, seconds: float, answers: multiprocessing.Queue) -> None:
    answers.put(asyncio.run(flood_loop(base, flood, seconds)))


async def run(base: str, token: str, session_id: str, flood: str | None) -> dict[str, float]:
    """The scanners in this process; the flood, if any, in a process of its own, so that the scans' times
    are the server's and not spent waiting behind the flood's answers in one client event loop."""
    headers = {"Host": "bench.localhost"}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    answers: multiprocessing.Queue = multiprocessing.Queue()
    flooding = multiprocessing.Process(target=flood_process, args=(base, flood, SECONDS, answers)) if flood else None
    if flooding:
        flooding.start()
        await asyncio.sleep(0.5)  # the flood under way before the first scan
    stop = time.monotonic() + SECONDS - (0.5 if flooding else 0)
    limits = httpx.Limits(max_connections=SCANNERS + 2)
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

        scanning = time.monotonic()
        await asyncio.gather(*(scanner(k) for k in range(SCANNERS)))
        scanned_for = time.monotonic() - scanning
    flooded: dict[int, int] = {}
    if flooding:
        flooded = answers.get(timeout=60)
        flooding.join()
    cuts = statistics.quantiles(latencies, n=100)
    every = {**statuses, **{k: statuses.get(k, 0) + v for k, v in flooded.items()}}
    return {"scans": len(latencies) / scanned_for, "p50": cuts[49], "p95": cuts[94],
            "logins": sum(flooded.values()) / SECONDS, "refused": flooded.get(429, 0) / SECONDS,
            "5xx": sum(count for status, count in every.items() if status >= 500)}


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="fieldscan-bench-"))
    url, env = migrated_database(work)
    env = {**env, "FIELDSCAN_TRUSTED_PROXIES": "127.0.0.1"}  # the many-address run names its address
    token = asyncio.run(seed(url, ASSETS, ASSETS))
    asyncio.run(add_user(url))
    with served(env, work) as (base, _):
        with httpx.Client(base_url=base, headers={"Host": "bench.localhost", "Authorization": f"ApiKey {token}"},
                          timeout=30) as http:
            hq = http.get("/api/v1/locations", params={"q": "HQ", "parentId": "root"}).json()["items"][0]
            sid = http.post("/api/v1/sessions", json={"name": "Bench audit", "locationId": hq["id"]}).json()["id"]
        print(f"Fieldscan sign-in flood benchmark: {SCANNERS} scanning clients, {FLOODERS} clients sending wrong "
              f"passwords, {SECONDS:g} s per run, SQLite, one server process")
        alone = asyncio.run(run(base, token, sid, flood=None))
        one = asyncio.run(run(base, token, sid, flood="one"))
        many = asyncio.run(run(base, token, sid, flood="many"))
    line("scans alone: scans/s", f"{alone['scans']:.0f}")
    line("scans alone: p50 / p95", f"{alone['p50']:.1f} / {alone['p95']:.1f} ms")
    for name, flooded in (("one address", one), ("many addresses", many)):
        line(f"flood from {name}: scans/s", f"{flooded['scans']:.0f}")
        line(f"flood from {name}: scan p50 / p95", f"{flooded['p50']:.1f} / {flooded['p95']:.1f} ms", "p95 <= 100 ms",
             flooded["p95"] <= 100)
        line(f"flood from {name}: wrong passwords answered/s (429 of them)",
             f"{flooded['logins']:.0f} ({flooded['refused']:.0f})")
    errors = alone["5xx"] + one["5xx"] + many["5xx"]
    line("5xx answers (all runs)", f"{errors:.0f}", "0", errors == 0)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
