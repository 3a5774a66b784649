"""A password check never holds the database: while Argon2 works on a sign-in, scans and other writes go on.

The check is held open here (a password hasher that waits for the test), so the property is tested
without a clock: on SQLite a sign-in that kept its write transaction through the check would block the
scan until the check ended, and the scan below would never be answered while it waits."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import pytest

from backend.auth import rules
from tests.api.test_auth import login
from tests.helpers import scan

pytestmark = pytest.mark.anyio

WAIT_S = 10.0  # far beyond any scan; only a lock held through the check would reach it


@pytest.fixture
def slow_password_check(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """(entered, release): the check signals `entered`, then waits for `release` before checking."""
    entered, release = threading.Event(), threading.Event()
    original = rules.verify_password

    def held_check(password_hash: str | None, password: str) -> bool:
        entered.set()
        release.wait(WAIT_S)
        return original(password_hash, password)

    monkeypatch.setattr(rules, "verify_password", held_check)
    return entered, release


async def test_a_scan_is_answered_while_a_sign_in_checks_its_password(tenant: Any, slow_password_check: Any) -> None:
    entered, release = slow_password_check
    room = await tenant.created("/locations", name="Room 101")
    chair = await tenant.created("/inventory-items", name="Chair", locationId=room["id"])
    audit = await tenant.created("/sessions", name="Room 101", locationId=room["id"])
    answers: list[Any] = []

    async def sign_in() -> None:
        answers.append(await login(tenant, f"admin@{tenant.slug}.example", "a wrong password"))

    async with anyio.create_task_group() as group:
        group.start_soon(sign_in)
        try:
            await anyio.to_thread.run_sync(entered.wait, WAIT_S)
            assert entered.is_set(), "the sign-in never reached its password check"
            with anyio.fail_after(WAIT_S / 2):
                answer = await scan(tenant, audit["id"], code=chair["tag"])
                renamed = await tenant.patch(f"/inventory-items/{chair['id']}", json={"name": "Chair, blue"})
            assert answer["result"] == "accepted"
            assert renamed.status_code == 200, renamed.text
            assert not answers, "the sign-in was still checking its password"
        finally:
            release.set()
    [refused] = answers
    assert refused.status_code == 401
    assert (await login(tenant, f"admin@{tenant.slug}.example")).status_code == 200
