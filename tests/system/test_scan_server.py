"""The scan path against real `fieldscan serve --workers 2` processes, on SQLite and on PostgreSQL.

Idempotency and one-accepted-per-item must come from the database (two server processes share no
memory), and an acknowledged scan must survive `kill -9` of the whole server.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import _fresh_postgres_database
from tests.served import FIELDSCAN, fieldscan_env, free_port

pytestmark = pytest.mark.anyio


HOST_HEADER = "acme.localhost"
ASSETS = 30
# Bounds on how long to wait, generous so a loaded CI machine is slow rather than failing.
CLI_TIMEOUT = 120
READY_TIMEOUT = 90
HTTP_TIMEOUT = httpx.Timeout(60.0, connect=15.0)


class Server:
    """One database, one API key, and the `fieldscan serve` process group serving it (restartable)."""

    def __init__(self, database_url: str, var_dir: Path) -> None:
        self.database_url = database_url
        self.var_dir = var_dir
        self.env = fieldscan_env(var_dir, FIELDSCAN_DATABASE_URL=database_url)
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.token = ""
        self.assets: list[dict[str, Any]] = []
        self.starts = 0

    def cli(self, *args: str) -> str:
        done = subprocess.run([FIELDSCAN, *args], env=self.env, capture_output=True, text=True, timeout=CLI_TIMEOUT)
        assert done.returncode == 0, f"fieldscan {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def prepare(self) -> None:
        self.cli("migrate")
        self.cli("tenant", "create", "acme")
        self.token = self.cli("apikey", "create", "--tenant", "acme", "--name", "load",
                              "--role", "manager").strip().splitlines()[-1].strip()
        assert self.token

    @property
    def log_path(self) -> Path:
        return self.var_dir / f"serve-{self.starts}.log"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def start(self) -> None:
        assert self.proc is None
        self.starts += 1
        self.port = free_port()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [FIELDSCAN, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + READY_TIMEOUT
        with httpx.Client(timeout=2.0, trust_env=False) as probe:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise AssertionError(f"fieldscan serve exited ({self.proc.returncode}):\n{self.log_tail()}")
                try:
                    if probe.get(f"{self.base_url}/ready").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise AssertionError(f"fieldscan serve was not ready within {READY_TIMEOUT}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the whole process group (the uvicorn supervisor and its workers), then reap."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        finally:
            self.proc = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=f"{self.base_url}/api/v1", timeout=HTTP_TIMEOUT, trust_env=False,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
            headers={"host": HOST_HEADER, "authorization": f"ApiKey {self.token}"})

    async def ensure_assets(self, http: httpx.AsyncClient) -> list[dict[str, Any]]:
        if not self.assets:
            for n in range(ASSETS):
                r = await http.post("/inventory-items", json={"name": f"Load asset {n}"})
                assert r.status_code == 201, r.text
                self.assets.append(r.json())
        return self.assets


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp(f"serve-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'fieldscan.sqlite3'}"
    else:
        url = _fresh_postgres_database(request.getfixturevalue("postgres_server"))
    srv = Server(url, tmp_path)
    try:
        srv.prepare()
        srv.start()
        yield srv
    finally:
        srv.kill()


async def _session(http: httpx.AsyncClient, name: str) -> str:
    r = await http.post("/sessions", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def _progress(http: httpx.AsyncClient, sid: str) -> dict[str, int]:
    r = await http.get(f"/sessions/{sid}")
    assert r.status_code == 200, r.text
    return r.json()["progress"]


async def test_one_item_scanned_by_40_concurrent_requests_is_accepted_once(server: Server):
    async with server.client() as http:
        asset = (await server.ensure_assets(http))[0]
        sid = await _session(http, "concurrent scans")
        bodies = [{"code": asset["tag"], "clientScanId": str(uuid.uuid4())} for _ in range(40)]
        answers = await asyncio.gather(*(http.post(f"/sessions/{sid}/scan", json=body) for body in bodies))
        bad = [(r.status_code, r.text[:300]) for r in answers if r.status_code != 200]
        assert not bad, f"non-200 answers: {bad}\n{server.log_tail()}"
        results = collections.Counter(r.json()["result"] for r in answers)
        assert results == {"accepted": 1, "already_scanned": 39}, results
        assert await _progress(http, sid) == {"scanned": 1, "total": len(server.assets)}


async def test_one_client_scan_id_sent_20_times_at_once_records_one_scan(server: Server):
    async with server.client() as http:
        asset = (await server.ensure_assets(http))[1]
        sid = await _session(http, "replayed scans")
        body = {"itemId": asset["id"], "clientScanId": str(uuid.uuid4())}
        answers = await asyncio.gather(*(http.post(f"/sessions/{sid}/scan", json=body) for _ in range(20)))
        bad = [(r.status_code, r.text[:300]) for r in answers if r.status_code != 200]
        assert not bad, f"non-200 answers: {bad}\n{server.log_tail()}"
        first = answers[0].json()
        assert first["result"] == "accepted", first
        assert first["scan"]["clientScanId"] == body["clientScanId"]
        different = [r.json() for r in answers if r.json() != first]
        assert not different, f"answers differ from {first}: {different[:3]}"
        mobile = await http.get(f"/sessions/{sid}/mobile")
        assert mobile.status_code == 200, mobile.text
        recent = mobile.json()["recentScans"]
        assert [s["id"] for s in recent if s["assetId"] == asset["id"]] == [first["scan"]["id"]], recent
        assert len(recent) == 1, recent
        assert mobile.json()["progress"]["scanned"] == 1


async def test_acknowledged_scans_survive_kill_9_of_the_server(server: Server):
    workers, kill_after = 8, 15
    async with server.client() as http:
        assets = await server.ensure_assets(http)
        sid = await _session(http, "durability")
    by_id = {a["id"]: a for a in assets}
    plan = [a["id"] for a in assets] * 3
    random.Random(7).shuffle(plan)
    queue = collections.deque(plan)
    acked: dict[str, tuple[str, dict[str, Any]]] = {}  # clientScanId -> (assetId, answer), answered 200
    unacked: dict[str, str] = {}  # clientScanId -> assetId, sent but never answered (killed in flight)
    errors: list[tuple[int, str]] = []  # non-200 answers before the kill
    state = {"killed": False}

    async def worker(http: httpx.AsyncClient) -> None:
        while queue and not state["killed"]:
            asset_id = queue.popleft()
            cid = str(uuid.uuid4())
            try:
                r = await http.post(f"/sessions/{sid}/scan", json={"code": by_id[asset_id]["tag"], "clientScanId": cid})
            except httpx.HTTPError:
                unacked[cid] = asset_id
                if not state["killed"]:
                    errors.append((0, f"transport error before the kill for {cid}"))
                return
            if r.status_code != 200:
                if state["killed"]:
                    unacked[cid] = asset_id
                else:
                    errors.append((r.status_code, r.text[:300]))
                continue
            acked[cid] = (asset_id, r.json())
            if len(acked) >= kill_after and not state["killed"]:
                state["killed"] = True
                os.killpg(server.proc.pid, signal.SIGKILL)  # the supervisor and both workers, mid-load

    async with server.client() as http:
        await asyncio.wait_for(asyncio.gather(*(worker(http) for _ in range(workers))), timeout=180)
    assert state["killed"], f"the load ended before the kill ({len(acked)} acknowledged)"
    assert not errors, f"failures before the kill: {errors[:5]}\n{server.log_tail()}"
    killed_log = server.log_tail()
    server.kill()  # reap the killed group
    server.start()

    accepted = collections.Counter(asset_id for asset_id, answer in acked.values() if answer["result"] == "accepted")
    assert all(n == 1 for n in accepted.values()), f"an asset was accepted twice: {accepted}"
    async with server.client() as http:
        limit = asyncio.Semaphore(workers)

        async def replay(cid: str) -> tuple[str, httpx.Response]:
            async with limit:
                asset_id = acked[cid][0]
                return cid, await http.post(f"/sessions/{sid}/scan",
                                            json={"code": by_id[asset_id]["tag"], "clientScanId": cid})

        replays = await asyncio.gather(*(replay(cid) for cid in acked))
        for cid, r in replays:
            assert r.status_code == 200, f"replay of acknowledged {cid}: {r.status_code} {r.text}"
            assert r.json()["scan"]["id"] == acked[cid][1]["scan"]["id"], f"acknowledged scan {cid} lost:\n{killed_log}"
            assert r.json() == acked[cid][1], f"replay of {cid} is not the stored first answer"

        scanned: set[str] = set()
        cursor = None
        for _ in range(50):
            r = await http.get(f"/sessions/{sid}/items",
                               params={"state": "scanned", "limit": 200, **({"cursor": cursor} if cursor else {})})
            assert r.status_code == 200, r.text
            scanned |= {item["assetId"] for item in r.json()["items"]}
            cursor = r.json()["nextCursor"]
            if cursor is None:
                break
        progress = await _progress(http, sid)
    # Every acknowledged acceptance is there; anything else scanned was in flight at the kill (it may
    # have committed without its answer reaching us).
    assert set(accepted) <= scanned, f"acknowledged but lost: {set(accepted) - scanned}"
    assert scanned - set(accepted) <= set(unacked.values()), "scanned items nobody sent"
    assert progress["scanned"] == len(scanned)
    if not (scanned - set(accepted)):
        assert progress["scanned"] == len(accepted)
