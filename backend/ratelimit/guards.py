"""The guard of the pages and images anyone may open: the tenant first, then the per-address limit."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from backend.ratelimit.service import limiter_of
from backend.tenancy.guards import resolve_tenant


async def public_limit(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    await resolve_tenant(connection, handler)
    await limiter_of(connection).count_public(connection, connection.state.tenant.id)
