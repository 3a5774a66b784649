"""The API answers only what its OpenAPI documents: Schemathesis sends every operation of /schema/openapi.json
cases made from the schema (its boundary values, then a few random valid and invalid requests) as a signed-in
admin, in-process, on SQLite and on PostgreSQL. No answer may be a 5xx or a status the operation does not list,
and a JSON answer must match its documented schema.

Bounded for CI: a few random cases per operation besides the boundary cases, derandomized, so every run makes
the same cases, but for the ids reused from earlier answers (README, Development)."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from backend.app import create_app
from backend.settings import Settings
from tests.conftest import DATABASES, _fresh_postgres_database, make_tenant

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
RANDOM_CASES = 6  # per operation, after the boundary cases the schema defines (~4,000 requests per database)
# Where a wrong password or link is the caller's own 401 or 429 (the wait after failed sign-ins).
SIGN_IN_PATHS = ("/api/v1/auth/", "/api/v1/me/password")
# Where a printer may be is tested in tests/api; here every printer the fuzzer adds is this machine, so that
# no made-up host name is resolved and no print job leaves loopback.
PRINTER_HOST = "127.0.0.1"


class FuzzTarget:
    """One app on one database, and a tenant whose admin signs every request."""

    def __init__(self, app: Any, slug: str, token: str, admin_id: str, other_user_id: str) -> None:
        self.app, self.slug, self.token = app, slug, token
        self.admin_id, self.other_user_id = admin_id, other_user_id

    @property
    def base_url(self) -> str:
        # The tenant is the Host's first label; the ASGI transport sends the base URL's host as Host.
        return f"http://{self.slug}.localhost"

    @property
    def authorization(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="module")
def fuzz_target(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    settings_ = Settings(database_url=database_url, secret_key=secrets.token_urlsafe(32),
                         var_dir=str(tmp_path_factory.mktemp("var")), max_body_bytes=256 * 1024,
                         public_rate_limit=0, signin_rate_limit=0, printer_allow_loopback=True)
    app = create_app(settings_)
    tenant = asyncio.run(make_tenant(app, None, settings_))  # type: ignore[arg-type]
    target = FuzzTarget(app, tenant.slug, tenant.tokens["admin"], str(tenant.user_ids["admin"]),
                        str(tenant.user_ids["manager"]))
    try:
        with asgi.get_client(app) as client:
            # 0: no limit for this tenant, so thousands of cases a minute are answered, not refused with 429.
            r = client.patch(f"{target.base_url}/api/v1/tenant", json={"apiRateLimit": 0},
                             headers=target.authorization)
            assert r.status_code == 200 and r.json()["apiRateLimit"] == 0, r.text
        yield target
    finally:
        asgi.shutdown_lifespans()  # the app's database, disposed now rather than when the process exits


def published_schema() -> Any:
    """The OpenAPI document the app serves at /schema/openapi.json. It does not depend on the database, so it is
    read at collection, from an app that is never started: pytest needs the operations to make a test of each
    (schemathesis.pytest.from_fixture, which would load it from a fixture, fails on pytest 9.2)."""
    unused = Settings(database_url="sqlite+aiosqlite:///:memory:", secret_key=secrets.token_urlsafe(32),
                      var_dir=str(Path(tempfile.gettempdir()) / "fieldscan-fuzz-unused"))
    document = create_app(unused).openapi_schema.to_schema()
    # Stateless: each case stands alone, so a failure names one request to reproduce.
    return schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict({
        "phases": {"stateful": {"enabled": False}},
    }))


def keep_fuzzing_possible(case: Any, target: FuzzTarget) -> None:
    """Edits the few generated requests that would stop the rest of the run from reaching any handler, or that
    would make the service connect elsewhere; only those values change."""
    if case.path_parameters and case.path_parameters.get("user_id") == target.admin_id:
        case.path_parameters["user_id"] = target.other_user_id  # never demote, deactivate or reset the signer
    body = case.body
    if not isinstance(body, dict):
        return
    if case.path == "/api/v1/tenant" and "apiRateLimit" in body:
        limit = body["apiRateLimit"]
        # A valid new limit would throttle the rest of the run; invalid ones stay, to be refused.
        if limit is None or (type(limit) is int and 0 < limit <= 1_000_000):
            body["apiRateLimit"] = 0
    if case.path.startswith("/api/v1/printers") and isinstance(body.get("host"), str):
        body["host"] = PRINTER_HOST


schema = published_schema()


@schema.parametrize()
@settings(max_examples=RANDOM_CASES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_every_answer_is_documented_and_none_is_a_server_error(case: Any, fuzz_target: FuzzTarget) -> None:
    keep_fuzzing_possible(case, fuzz_target)
    response = case.call_and_validate(app=fuzz_target.app, base_url=fuzz_target.base_url,
                                      headers=fuzz_target.authorization, checks=CHECKS)
    # The admin stays signed in and unthrottled; otherwise every later case would stop at the guards.
    if not case.path.startswith(SIGN_IN_PATHS):
        assert response.status_code not in (401, 429), f"{case.operation.label}: {response.text}"


@pytest.mark.parametrize("db_kind", DATABASES)
def test_ready_on_a_database_not_migrated_is_the_documented_503(db_kind: str, request: pytest.FixtureRequest,
                                                                 tmp_path: Path) -> None:
    # The one 5xx the service answers on purpose, which a fuzz run on a migrated database never sees.
    if db_kind == "sqlite":
        (tmp_path / "empty.sqlite3").touch()
        url = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        url = _fresh_postgres_database(request.getfixturevalue("postgres_server"))
    app = create_app(Settings(database_url=url, secret_key=secrets.token_urlsafe(32), var_dir=str(tmp_path / "var")))

    async def ready() -> httpx.Response:
        async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                     base_url="http://localhost") as client:
            return await client.get("/ready")

    response = asyncio.run(ready())
    assert response.status_code == 503 and response.json()["status"] == "unavailable", response.text
    assert "fieldscan migrate" in response.json()["message"]
    schema["/ready"]["GET"].Case().validate_response(
        response, checks=[status_code_conformance, response_schema_conformance])
