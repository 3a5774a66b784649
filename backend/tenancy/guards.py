"""Resolve the tenant from the Host header before anything else runs."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from backend.context import database_of, settings_of
from backend.errors import NotFound
from backend.tenancy.rules import tenant_slug_for_host
from backend.tenancy.service import TenantCache, TenantInfo, find_by_slug


async def resolve_tenant(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if getattr(connection.state, "tenant", None) is not None:
        return
    settings = settings_of(connection.app.state)
    host = connection.headers.get("host")
    slug = tenant_slug_for_host(host, settings.default_tenant, settings.base_domain)
    connection.state.tenant = await lookup_tenant(connection, slug, host)


async def lookup_tenant(connection: ASGIConnection, slug: str, host: str | None) -> TenantInfo:
    cache: TenantCache = connection.app.state.tenant_cache
    tenant = cache.get(slug)
    if tenant is None:
        async with database_of(connection.app.state).read_sessions() as session:
            tenant = await find_by_slug(session, slug)
        if tenant is None:
            raise NotFound(f"Unknown tenant '{slug[:63]}'", {"host": (host or "")[:255]})
        cache.put(tenant)
    return tenant
