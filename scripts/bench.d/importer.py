"""scripts/bench import: a 100,000-row CSV import, measured the way it ships.

Writes a realistic spreadsheet (varied categories, a location tree, people with emails, dates in several
spellings, amounts with currency signs, custom fields, quoted notes with commas and line breaks, a tenth
of the rows without a tag), then runs `fieldscan import` as a separate process against a fresh SQLite
database, twice: the first run creates every asset (and the names), the second finds them all unchanged.
Reports wall time, rows/s and the process's peak resident memory. Budget (CONTRACT §10): ≤ 60 s, ≤ 300 MB.
Then streams the export of those assets from `fieldscan serve` and reports the server's memory growth.
"""

from __future__ import annotations

import asyncio
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import FIELDSCAN, line, migrated_database, served

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
CATEGORIES = ["Laptop", "Monitor", "Phone", "Tablet", "Printer", "Chair", "Desk", "Projector", "Router", "Pump",
              "Forklift", "Drill", "Camera", "Server", "Switch", "Scanner", "Headset", "Dock", "Whiteboard", "Van"]
MAKERS = [("Dell", "Latitude 7440"), ("Apple", "MacBook Pro 16"), ("Lenovo", "ThinkPad T14"), ("HP", "EliteBook 840"),
          ("Samsung", "Galaxy Tab S9"), ("Brother", "HL-L2350DW"), ("Herman Miller", "Aeron"), ("Bosch", "GSB 18V")]
STATUSES = ["available"] * 5 + ["In Use"] * 3 + ["maintenance", "reserved", "missing", "deployed"]


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(6)
    sites = [f"Site {chr(65 + s)}" for s in range(10)]
    locations = [f"{site} > Floor {f} > Room {f}{r:02d}" for site in sites for f in range(1, 6) for r in range(1, 11)]
    people = [(f"Person {n}", f"person{n}@bench.example") for n in range(2_000)]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Asset Tag", "Name", "Status", "Category", "Location", "Assigned To", "Assignee Email",
                         "Serial Number", "Manufacturer", "Model", "Purchase Date", "Purchase Cost", "Warranty",
                         "Notes", "cost_center", "insured"])
        for n in range(1, rows + 1):
            maker, model = rng.choice(MAKERS)
            status = rng.choice(STATUSES)
            person = rng.choice(people) if status in ("In Use", "deployed") else ("", "")
            bought = 44_000 + rng.randrange(1_800)  # Excel serial days, 2020 … 2024
            purchase_date = str(bought) if n % 3 == 0 else f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}"
            cost = f"${rng.randrange(50, 5_000):,}.{rng.randrange(100):02d}" if n % 2 else f"{rng.randrange(50, 5_000)}.00"
            notes = f'Bought for "project {n % 50}", checked, labelled\nsecond line' if n % 7 == 0 else ""
            writer.writerow([f"BEN-{n:06d}" if n % 10 else "", f"{maker} {model} #{n}", status,
                             rng.choice(CATEGORIES), rng.choice(locations), *person, f"SN{n:09d}", maker, model,
                             purchase_date, cost, f"{2026 + n % 3}-06-30", notes, f"CC-{n % 40:03d}",
                             "yes" if n % 4 else "no"])


async def prepare(url: str) -> None:
    """Tenant "bench" with two custom fields, as a workspace would define them before importing."""
    import backend.db.models  # noqa: F401  (every table, so foreign keys resolve)
    from backend.customfields import service as custom_fields
    from backend.customfields.schemas import CustomFieldIn
    from backend.db.engine import open_database
    from backend.tenancy.service import create_tenant

    database = open_database(url)
    async with database.write_sessions() as db:
        tenant = await create_tenant(db, "bench", "Bench Ltd", tag_prefix="BEN-")
        await db.commit()
        await custom_fields.create(db, tenant.id, CustomFieldIn(key="cost_center", name="Cost center", type="text"))
        await custom_fields.create(db, tenant.id, CustomFieldIn(key="insured", name="Insured", type="boolean"))
    await database.dispose()


def run(env: dict[str, str], csv_path: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak resident MiB and the summary line of one `fieldscan import` run."""
    start = time.perf_counter()
    child = subprocess.Popen([FIELDSCAN, "import", str(csv_path), "--tenant", "bench"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    summary = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)  # the child's own peak, which Popen.wait would not report
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"fieldscan import failed: {summary}")
    cpu = usage.ru_utime + usage.ru_stime  # what the import cost, whatever else the machine was doing
    return elapsed, cpu, usage.ru_maxrss / 1024, summary.splitlines()[0] if summary else ""


def rss_mib(pid: int, field: str) -> float:
    for status_line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if status_line.startswith(field):
            return int(status_line.split()[1]) / 1024
    return 0.0


def export(env: dict[str, str], work: Path) -> tuple[float, float, float, int]:
    """Seconds, server RSS before and its peak after, and bytes of a full export from `fieldscan serve`."""
    token = subprocess.run([FIELDSCAN, "apikey", "create", "--tenant", "bench", "--name", "bench", "--role", "manager"],
                           env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    with served(env, work) as (base, server):
        headers = {"Host": f"bench.localhost:{base.rsplit(':', 1)[1]}", "Authorization": f"ApiKey {token}"}
        small = urllib.request.Request(f"{base}/api/v1/inventory-items/export/csv?q=BEN-000001", headers=headers)
        urllib.request.urlopen(small).read()  # warm: imports and caches in place before measuring
        before = rss_mib(server.pid, "VmRSS")
        start = time.perf_counter()
        size = 0
        with urllib.request.urlopen(urllib.request.Request(
                f"{base}/api/v1/inventory-items/export/csv", headers=headers)) as answer:
            while chunk := answer.read(1 << 16):
                size += len(chunk)
        return time.perf_counter() - start, before, rss_mib(server.pid, "VmHWM"), size


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="fieldscan-bench-import-"))
    try:
        url, env = migrated_database(work)
        asyncio.run(prepare(url))
        csv_path = work / "assets.csv"
        write_csv(csv_path, ROWS)
        print(f"Fieldscan import benchmark: {ROWS:,} rows ({csv_path.stat().st_size / 2**20:.1f} MiB), "
              "`fieldscan import` as a separate process, SQLite")
        for run_name in ("first import", "second import (unchanged)"):
            seconds, cpu, mib, summary = run(env, csv_path)
            print(f"  {summary}")
            line(f"{run_name}: time", f"{seconds:.1f} s", "<= 60 s", seconds <= 60)
            line(f"{run_name}: CPU time", f"{cpu:.1f} s")
            line(f"{run_name}: rows/s", f"{ROWS / seconds:,.0f}")
            line(f"{run_name}: peak memory", f"{mib:.0f} MiB", "<= 300 MB", mib * 1.048576 <= 300)
        seconds, before, peak, size = export(env, work)
        line("export (streamed): time", f"{seconds:.1f} s ({size / 2**20:.0f} MiB)")
        line("export: server memory growth", f"{peak - before:.0f} MiB", f"(RSS {before:.0f} -> peak {peak:.0f} MiB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
