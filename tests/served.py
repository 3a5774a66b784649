"""A real `fieldscan serve` for the tests that need one: its own data folder and SQLite database,
migrated (and seeded with the demo tenant if asked), started on a free loopback port, stopped at the end."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

FIELDSCAN = str(Path(sys.executable).with_name("fieldscan"))
READY_TIMEOUT = 60  # generous: a loaded CI machine is slow, not broken


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fieldscan_env(work: Path, **extra: str) -> dict[str, str]:
    """The environment of a fieldscan command on `work`: no FIELDSCAN_* of the caller's leaks in."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FIELDSCAN_")}
    return env | {"FIELDSCAN_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'fieldscan.sqlite3'}",
                  "FIELDSCAN_VAR_DIR": str(work), "FIELDSCAN_LOG_LEVEL": "WARNING", **extra}


def wait_for(check: Callable[[], bool], process: subprocess.Popen[bytes], what: str, log: Path,
             timeout: float = READY_TIMEOUT) -> None:
    """Poll check() until it holds; fail with the process's log if it exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while not check():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not become ready:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


def answers(url: str, **client: object) -> bool:
    """Whether GET url answers 200."""
    try:
        return httpx.get(url, timeout=2, **client).status_code == 200  # type: ignore[arg-type]
    except httpx.TransportError:
        return False


def answers_ready(url: str, **client: object) -> bool:
    return answers(f"{url}/ready", **client)


def cli(env: dict[str, str], *args: str) -> str:
    """Run `fieldscan ARGS`; its output, or a failure that shows what it said."""
    done = subprocess.run([FIELDSCAN, *args], env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"fieldscan {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done.stdout


@dataclass
class Served:
    url: str  # http://127.0.0.1:<port>
    port: int
    work: Path  # the data folder
    env: dict[str, str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def served(work: Path, *serve_args: str, demo_assets: int | None = 60, env: dict[str, str] | None = None,
           ready: Callable[[Served], bool] | None = None) -> Iterator[Served]:
    """`fieldscan migrate`, `fieldscan demo` (unless demo_assets is None), then `fieldscan serve` on a free
    port until `ready(server)` (default: /ready answers 200 over plain HTTP)."""
    env = fieldscan_env(work, **(env or {}))
    cli(env, "migrate")
    if demo_assets is not None:
        cli(env, "demo", "--assets", str(demo_assets))
    port = free_port()
    log_path = work / "serve.log"
    server = Served(url=f"http://127.0.0.1:{port}", port=port, work=work, env=env, log=log_path)
    with log_path.open("wb") as log:
        process = subprocess.Popen([FIELDSCAN, "serve", "--port", str(port), *serve_args], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: (ready or (lambda s: answers_ready(s.url)))(server), process, "fieldscan serve", log_path)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
