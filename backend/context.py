"""What every request carries once it is past the guards: its tenant, who is asking, a database session."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from uuid import UUID

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import Database
from backend.settings import Settings
from backend.tenancy.service import TenantInfo

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a signed-in user or an API key, always inside one tenant."""

    tenant: TenantInfo
    role: str
    user_id: UUID | None = None
    api_key_id: UUID | None = None
    email: str | None = None

    @property
    def via(self) -> str:
        return "apikey" if self.api_key_id else "jwt"


def settings_of(state: State) -> Settings:
    return state.settings


def database_of(state: State) -> Database:
    return state.database


async def provide_db(request: Request) -> AsyncGenerator[AsyncSession, None]:
    """One session per request; reads take a plain transaction, writes take the write lock."""
    database = database_of(request.app.state)
    maker = database.read_sessions if request.method in READ_METHODS else database.write_sessions
    async with maker() as session:
        yield session


def provide_tenant(request: Request) -> TenantInfo:
    return request.state.tenant


def provide_principal(request: Request, db: DB) -> Principal:
    """The caller the guards authenticated. It names `db` only to be resolved after it: Litestar resolves
    independent dependencies of one handler in an anyio task group, a task per dependency per request,
    which cost the scan path about a tenth of its time; chained, they are two plain awaits."""
    del db
    return request.state.principal


def provide_settings(request: Request) -> Settings:
    return settings_of(request.app.state)


def request_origin(request: Request) -> str:
    """Scheme and host the request came in on. Only the Host header names the host (it also names the
    tenant); the scheme honours X-Forwarded-Proto only from proxies uvicorn trusts (--forwarded-allow-ips)."""
    host = request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host}"


def public_origin(request: Request, settings: Settings, tenant: TenantInfo) -> str:
    """The origin printed into QR codes: FIELDSCAN_PUBLIC_URL (with {tenant}) or the request's."""
    if settings.public_url:
        return settings.public_url.replace("{tenant}", tenant.slug).rstrip("/")
    return request_origin(request)


# Handler parameters filled by name from the providers above.
DB = NamedDependency[AsyncSession]
Caller = NamedDependency[Principal]
CurrentTenant = NamedDependency[TenantInfo]
CurrentSettings = NamedDependency[Settings]
