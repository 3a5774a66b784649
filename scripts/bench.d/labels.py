"""scripts/bench labels: printing labels in bulk, measured the way it ships.

Seeds a 1,000-asset tenant into a fresh SQLite database, then runs `fieldscan labels --all` as a
separate process for an avery-l7160 PDF sheet run and for a 1,000-label ZPL job (thermal-50x25),
and reports each run's wall time and the process's peak resident memory (everything: interpreter,
database, rendering). Budget (CONTRACT §10): the 1,000-asset PDF in ≤ 5 s and ≤ 300 MB.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import FIELDSCAN, line, migrated_database, seed

ASSETS = 1_000


def run(env: dict[str, str], *args: str) -> tuple[float, float, int]:
    """Wall seconds, peak resident MiB and output size of one `fieldscan labels` run."""
    out = Path(env["FIELDSCAN_VAR_DIR"]) / "labels.out"
    start = time.perf_counter()
    child = subprocess.Popen([FIELDSCAN, "labels", "--tenant", "bench", "--all", "-o", str(out), *args], env=env,
                             stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)  # the child's own peak, which Popen.wait would not report
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"fieldscan labels {' '.join(args)} failed")
    return elapsed, usage.ru_maxrss / 1024, out.stat().st_size


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="fieldscan-bench-labels-"))
    try:
        url, env = migrated_database(work)
        asyncio.run(seed(url, ASSETS, ASSETS))
        env["FIELDSCAN_PUBLIC_URL"] = "https://{tenant}.assets.example"
        print(f"Fieldscan label benchmark: {ASSETS:,} assets, `fieldscan labels --all` as a separate process, SQLite")
        seconds, mib, size = run(env, "--template", "avery-l7160", "--format", "pdf")
        line("PDF avery-l7160: time", f"{seconds:.2f} s", "<= 5 s", seconds <= 5)
        line("PDF avery-l7160: peak memory", f"{mib:.0f} MiB", "<= 300 MB", mib * 1.048576 <= 300)
        line("PDF avery-l7160: size", f"{size / 1024:,.0f} KiB ({-(-ASSETS // 21)} sheets)")
        line("PDF avery-l7160: labels/s", f"{ASSETS / seconds:,.0f}")
        seconds, mib, size = run(env, "--template", "thermal-50x25", "--format", "zpl")
        line("ZPL thermal-50x25: time", f"{seconds:.2f} s")
        line("ZPL thermal-50x25: peak memory", f"{mib:.0f} MiB")
        line("ZPL thermal-50x25: size", f"{size / 1024:,.0f} KiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
