"""/auth/login, /me and /api-keys."""

from __future__ import annotations


from litestar import Request, Router, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from backend.auth import service
from backend.auth.guards import admin, technician
from backend.auth.models import ApiKey
from backend.auth.schemas import ApiKeyCreatedOut, ApiKeyIn, ApiKeyOut, ApiKeyPage, LoginIn, LoginOut, MeOut, TenantOut
from backend.context import Caller, CurrentSettings, CurrentTenant, DB, database_of, provide_settings, provide_tenant
from backend.errors import Unauthorized
from backend.ratelimit.service import limiter_of
from backend.tenancy.service import TenantInfo
from backend.wire import parse_uuid


def _tenant_out(tenant: TenantInfo) -> TenantOut:
    return TenantOut(id=tenant.id, slug=tenant.slug, name=tenant.name)


def _key_out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(id=key.id, name=key.name, prefix=key.prefix, role=key.role, created_at=key.created_at,
                     last_used_at=key.last_used_at, revoked_at=key.revoked_at)


@post("/auth/login", status_code=200, dependencies={"tenant": Provide(provide_tenant, sync_to_thread=False),
                    "settings": Provide(provide_settings, sync_to_thread=False)},
      summary="Sign in with email and password", description="Answers a JWT bound to the tenant of the Host.")
async def login(data: JSONBody[LoginIn], request: Request, tenant: CurrentTenant, settings: CurrentSettings) -> LoginOut:
    # No request session: sign_in opens its own short ones around the password check.
    limiter = limiter_of(request)
    account = service.email_key(data.email)
    await limiter.before_sign_in(request, tenant.id, account)
    try:
        result = await service.sign_in(database_of(request.app.state), settings, tenant, data.email, data.password)
    except Unauthorized:
        await limiter.sign_in_failed(request, tenant.id, account)
        raise
    await limiter.sign_in_succeeded(request, tenant.id, account)
    return login_out(tenant, result)


def login_out(tenant: TenantInfo, result: service.SignIn) -> LoginOut:
    user = result.user
    me = MeOut(role=user.role, via="jwt", tenant=_tenant_out(tenant), id=user.id, email=user.email, name=user.name)
    return LoginOut(token=result.token, token_type="Bearer", expires_at=result.expires_at, user=me)  # type: ignore[arg-type]


@get("/me", guards=[technician], summary="Who am I")
async def me(db: DB, principal: Caller) -> MeOut:
    tenant = _tenant_out(principal.tenant)
    if principal.user_id is None:
        return MeOut(role=principal.role, via="apikey", tenant=tenant, api_key_id=principal.api_key_id)
    user = await service.get_user(db, principal.tenant.id, principal.user_id)
    return MeOut(role=user.role, via="jwt", tenant=tenant, id=user.id, email=user.email, name=user.name)


@post("/api-keys", guards=[admin], summary="Create an API key (the token is shown only in this answer)")
async def create_api_key(data: JSONBody[ApiKeyIn], db: DB, principal: Caller) -> ApiKeyCreatedOut:
    key, token = await service.create_api_key(db, principal.tenant.id, data.name, data.role, principal.user_id)
    await db.commit()
    out = _key_out(key)
    return ApiKeyCreatedOut(**{f: getattr(out, f) for f in out.__struct_fields__}, token=token)


@get("/api-keys", guards=[admin], summary="List API keys by prefix and name")
async def list_api_keys(db: DB, principal: Caller, sort: FromQuery[str | None] = None, limit: FromQuery[int | None] = None,
                        cursor: FromQuery[str | None] = None) -> ApiKeyPage:
    keys, next_cursor = await service.list_api_keys(db, principal.tenant.id, sort=sort, limit=limit, cursor=cursor)
    return ApiKeyPage(items=[_key_out(k) for k in keys], next_cursor=next_cursor)


@delete("/api-keys/{key_id:str}", guards=[admin], summary="Revoke an API key")
async def revoke_api_key(key_id: FromPath[str], db: DB, principal: Caller, request: Request) -> None:
    await service.revoke_api_key(db, request.app.state.auth_cache, limiter_of(request).epochs, principal.tenant.id,
                                 parse_uuid(key_id, "keyId"))


router = Router("", tags=["auth"], route_handlers=[login, me, create_api_key, list_api_keys, revoke_api_key])
