"""/tenant: the tenant's own settings (name, asset tag format)."""

from __future__ import annotations

from litestar import Request, Router, get, patch
from litestar.params import JSONBody
from msgspec import UNSET
from sqlalchemy import select

from backend.assets.rules import format_tag
from backend.auth.guards import admin, technician
from backend.context import Caller, DB
from backend.db.base import utcnow
from backend.tenancy import service
from backend.tenancy.models import Counter, Tenant
from backend.tenancy.schemas import TenantSettingsOut, TenantSettingsPatch


async def _settings_out(db: DB, tenant: Tenant) -> TenantSettingsOut:
    used = (await db.execute(select(Counter.value).where(Counter.tenant_id == tenant.id, Counter.name == "asset_tag"))
            ).scalar_one_or_none() or 0
    next_tag = format_tag(tenant.tag_prefix, tenant.tag_padding, used + 1, "?" * tenant.tag_random_chars)
    return TenantSettingsOut(id=tenant.id, slug=tenant.slug, name=tenant.name, tag_prefix=tenant.tag_prefix,
                             tag_padding=tenant.tag_padding, tag_random_chars=tenant.tag_random_chars,
                             next_tag=next_tag, api_rate_limit=tenant.api_rate_limit, created_at=tenant.created_at)


@get("/", guards=[technician], summary="This tenant's settings")
async def get_tenant_settings(db: DB, principal: Caller) -> TenantSettingsOut:
    return await _settings_out(db, await service.get_tenant(db, principal.tenant.id))


@patch("/", guards=[admin], summary="Change the tenant's name, asset tag format or API rate limit")
async def update_tenant_settings(data: JSONBody[TenantSettingsPatch], db: DB, principal: Caller,
                                 request: Request) -> TenantSettingsOut:
    tenant = await service.get_tenant(db, principal.tenant.id)
    prefix = tenant.tag_prefix if data.tag_prefix is UNSET else data.tag_prefix
    padding = tenant.tag_padding if data.tag_padding is UNSET else data.tag_padding
    random_chars = tenant.tag_random_chars if data.tag_random_chars is UNSET else data.tag_random_chars
    service.check_tag_format(prefix, padding, random_chars)
    tenant.tag_prefix, tenant.tag_padding, tenant.tag_random_chars = prefix, padding, random_chars
    if data.name is not UNSET:
        tenant.name = data.name.strip()
    if data.api_rate_limit is not UNSET:
        tenant.api_rate_limit = data.api_rate_limit
    tenant.updated_at = utcnow()
    await db.commit()
    # The cached name would otherwise be served by /me for a few more seconds.
    request.app.state.tenant_cache.forget(tenant.slug)
    return await _settings_out(db, tenant)


router = Router("/tenant", tags=["tenant"], route_handlers=[get_tenant_settings, update_tenant_settings])
