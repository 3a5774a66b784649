"""scripts/bench revoke [--pg]: how soon an API key revoked through one served process is refused by another.

Starts two `fieldscan serve` processes, A and B (separate ports, one database and data folder): SQLite,
or with --pg a throwaway PostgreSQL (scripts/pg). Then, for each of REPEATS new keys: one client polls B
with the key (GET /api/v1/me) as fast as it can, so that B answers from its cache; the key is revoked
through A; the poll stops at B's first refusal. Prints the time from A's answer to B's first refusal
(p50/max) and the requests sent to B after A's answer that B still accepted, with the budget (refused at
B's next request: 0 accepted), and what one read of the tenant's sign-in epoch costs. Loopback only.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import httpx
from common import FIELDSCAN, ROOT, line, migrated_database, served

REPEATS = int(os.environ.get("BENCH_REPEATS", "20"))
WARM = 10  # B's answers to a key before it is revoked: all but the first from B's cache
EPOCH_READS = 2_000
HOST = "bench.localhost"


@dataclass(frozen=True)
class Poll:
    sent: float
    answered: float
    status: int


async def seed_admin_key(url: str) -> tuple[str, UUID]:
    """Tenant "bench" and an admin API key (which may create and revoke keys); the key and the tenant's id."""
    import backend.db.models  # noqa: F401  (every table, so foreign keys resolve)
    from backend.auth.service import create_api_key
    from backend.db.engine import open_database
    from backend.tenancy.service import create_tenant

    database = open_database(url)
    async with database.write_sessions() as db:
        tenant = await create_tenant(db, "bench", "Bench Ltd")
        await db.commit()
        _, token = await create_api_key(db, tenant.id, "bench admin", "admin", None)
        await db.commit()
        tenant_id = tenant.id
    await database.dispose()
    return token, tenant_id


async def epoch_read_cost(url: str, tenant_id: UUID) -> list[float]:
    """Microseconds of each of EPOCH_READS reads of the tenant's sign-in epoch, as a request makes it."""
    from backend.ratelimit.service import AuthEpochs
    from backend.ratelimit.store import counters_for

    counters = counters_for(url)
    epochs = AuthEpochs(counters)
    try:
        for _ in range(100):
            await epochs.current(tenant_id)
        costs = []
        for _ in range(EPOCH_READS):
            start = time.perf_counter()
            await epochs.current(tenant_id)
            costs.append((time.perf_counter() - start) * 1e6)
        return costs
    finally:
        await counters.close()


def poll_b(base: str, token: str, warm: threading.Event, polls: list[Poll]) -> None:
    """One client asking B with `token`, each request sent as soon as the last is answered, until B refuses
    it (or 30 s pass: far beyond B's 5 s cache, so a broken epoch shows as accepted requests, not a hang)."""
    try:
        with httpx.Client(base_url=base, headers={"Host": HOST, "Authorization": f"ApiKey {token}"}, timeout=30) as http:
            stop = time.perf_counter() + 30
            while time.perf_counter() < stop:
                sent = time.perf_counter()
                status = http.get("/api/v1/me").status_code
                polls.append(Poll(sent, time.perf_counter(), status))
                if status != 200:
                    break
                if len(polls) == WARM:
                    warm.set()
    finally:
        warm.set()  # a poller that failed must not leave the revocation waiting


def revocation(a: httpx.Client, b_base: str, n: int) -> tuple[float, list[Poll]]:
    """A new key used on B, then revoked through A; when A's answer arrived, and B's answers to the key."""
    key = a.post("/api/v1/api-keys", json={"name": f"bench key {n}", "role": "technician"}).raise_for_status().json()
    polls: list[Poll] = []
    warm = threading.Event()
    poller = threading.Thread(target=poll_b, args=(b_base, key["token"], warm, polls))
    poller.start()
    warm.wait()
    revoked = a.delete(f"/api/v1/api-keys/{key['id']}")
    answered = time.perf_counter()
    revoked.raise_for_status()
    poller.join()
    return answered, polls


def measure(url: str, env: dict[str, str], work: Path, database: str) -> None:
    token, tenant_id = asyncio.run(seed_admin_key(url))
    (work / "a").mkdir()
    (work / "b").mkdir()
    with served(env, work / "a") as (a_base, _), served(env, work / "b") as (b_base, _):
        print(f"Fieldscan revocation benchmark: two `fieldscan serve` processes on one {database} database, "
              f"{REPEATS} keys each used {WARM} times on B, then revoked through A while one client polls B")
        with httpx.Client(base_url=a_base, headers={"Host": HOST, "Authorization": f"ApiKey {token}"},
                          timeout=30) as a:
            runs = [revocation(a, b_base, n) for n in range(REPEATS)]
    delays, accepted_after, refused_first, round_trips, refusing, statuses = [], 0, 0, [], [], set()
    for answered, polls in runs:
        refusal = polls[-1]
        statuses.add(refusal.status)
        delays.append((refusal.answered - answered) * 1000)
        refused_first += refusal.answered < answered
        accepted_after += sum(1 for poll in polls if poll.sent > answered and poll.status == 200)
        round_trips += [(poll.answered - poll.sent) * 1000 for poll in polls[:-1]]
        refusing.append((refusal.answered - refusal.sent) * 1000)
    costs = asyncio.run(epoch_read_cost(url, tenant_id))
    refused_ok = statuses == {401} and accepted_after == 0
    line("revoke answered → B refuses: p50 / max", f"{statistics.median(delays):.1f} / {max(delays):.1f} ms",
         "refused at B's next request", refused_ok)
    line("B's accepts after the revoke answered", f"{accepted_after}", "0", accepted_after == 0)
    line("B refused before A's answer arrived", f"{refused_first} of {REPEATS}")
    line("B's refusals", ", ".join(str(status) for status in sorted(statuses)), "401", statuses == {401})
    line("B's accepting round trip: p50 / max", f"{statistics.median(round_trips):.1f} / {max(round_trips):.1f} ms")
    line("B's refusing round trip: p50 / max", f"{statistics.median(refusing):.1f} / {max(refusing):.1f} ms")
    cuts = statistics.quantiles(costs, n=100)
    line("one epoch read, in process: p50 / p99", f"{cuts[49]:.0f} / {cuts[98]:.0f} µs")


def postgres_database(pg_env: dict[str, str], work: Path) -> tuple[str, dict[str, str]]:
    """A throwaway PostgreSQL (scripts/pg), migrated; its URL and the environment that points at it."""
    started = subprocess.run([str(ROOT / "scripts" / "pg"), "start"], env=pg_env, check=True, capture_output=True,
                             text=True)
    url = started.stdout.strip().splitlines()[-1]
    env = {**os.environ, "FIELDSCAN_DATABASE_URL": url, "FIELDSCAN_VAR_DIR": str(work), "FIELDSCAN_LOG_LEVEL": "WARNING"}
    subprocess.run([FIELDSCAN, "migrate"], env=env, check=True, capture_output=True)
    return url, env


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="fieldscan-bench-"))
    try:
        if "--pg" in sys.argv[1:]:
            # A folder of its own: scripts/pg hands it to the postgres user, who cannot enter `work`.
            pg_env = {**os.environ, "FIELDSCAN_PG_DIR": tempfile.mkdtemp(prefix="fieldscan-bench-pg-")}
            try:
                url, env = postgres_database(pg_env, work)
                measure(url, env, work, "PostgreSQL")
            finally:
                subprocess.run([str(ROOT / "scripts" / "pg"), "stop"], env=pg_env, capture_output=True)
        else:
            url, env = migrated_database(work)
            measure(url, env, work, "SQLite")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
