"""/health (is the process up) and /ready (can it reach a migrated database)."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.openapi import ResponseSpec
from sqlalchemy import text

from backend.context import database_of
from backend.db.migrate import current_revision, head_revision
from backend.wire import Out


class HealthOut(Out):
    status: str


class ReadyOut(Out):
    status: str
    database: str
    schema_revision: str | None = None
    expected_revision: str | None = None
    message: str | None = None


@get("/health", summary="Liveness: the process answers", tags=["system"], include_in_schema=True)
async def health() -> HealthOut:
    return HealthOut(status="ok")


@get("/ready", summary="Readiness: the database answers and is migrated", tags=["system"],
     responses={503: ResponseSpec(ReadyOut, generate_examples=False,
                                  description="Not ready: the database does not answer, or is not migrated")})
async def ready(request: Request) -> Response[ReadyOut]:
    database = database_of(request.app.state)
    expected = head_revision()
    try:
        async with database.reader.connect() as connection:
            await connection.execute(text("SELECT 1"))
            revision = await connection.run_sync(current_revision)
    except Exception as exc:  # any failure to reach the database means "not ready"
        body = ReadyOut(status="unavailable", database=database.dialect, message=f"database unreachable: {type(exc).__name__}")
        return Response(body, status_code=503)
    if revision != expected:
        body = ReadyOut(status="unavailable", database=database.dialect, schema_revision=revision,
                        expected_revision=expected, message="database is not migrated: run `fieldscan migrate`")
        return Response(body, status_code=503)
    return Response(ReadyOut(status="ok", database=database.dialect, schema_revision=revision, expected_revision=expected))
