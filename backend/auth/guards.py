"""Role guards: every route names the least role that may call it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from backend.auth.rules import role_allows
from backend.auth.service import principal_from_header
from backend.context import Principal, database_of, settings_of
from backend.errors import Forbidden, Unauthorized
from backend.ratelimit.service import limiter_of
from backend.tenancy.guards import resolve_tenant

Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]


async def authenticate(connection: ASGIConnection, handler: BaseRouteHandler) -> Principal:
    principal = getattr(connection.state, "principal", None)
    if principal is None:
        await resolve_tenant(connection, handler)
        state = connection.app.state
        tenant = connection.state.tenant
        limiter = limiter_of(connection)
        epoch = await limiter.epochs.current(tenant.id)
        principal = await principal_from_header(database_of(state), settings_of(state), state.auth_cache,
                                                tenant, connection.headers.get("authorization"), epoch)
        caller = f"key:{principal.api_key_id}" if principal.api_key_id else f"user:{principal.user_id}"
        await limiter.count_api(connection, tenant.id, caller, tenant.api_rate_limit)
        connection.state.principal = principal
    return principal


def requires(role: str, *, jwt_only: bool = False) -> Guard:
    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        principal = await authenticate(connection, handler)
        if jwt_only and principal.api_key_id is not None:
            raise Unauthorized("This route needs a signed-in user (Bearer token); API keys are not accepted here")
        if not role_allows(principal.role, role):
            raise Forbidden(f"This needs the {role} role or higher; you are {principal.role}", {"role": role})

    guard.__name__ = f"requires_{role}"
    return guard


technician = requires("technician")
manager = requires("manager")
admin = requires("admin")
