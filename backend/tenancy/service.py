"""Tenants: lookup by slug (cached briefly), creation with defaults, and per-tenant counters."""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets.rules import padding_problem, prefix_problem, random_chars_problem
from backend.db.base import utcnow
from backend.errors import BadRequest, Conflict
from backend.tenancy.models import Counter, Tenant
from backend.tenancy.rules import slug_problem

CACHE_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class TenantInfo:
    id: UUID
    slug: str
    name: str
    api_rate_limit: int | None = None  # None: the service's default


class TenantCache:
    """Known tenants by slug, for a few seconds; unknown slugs are never cached, so a tenant
    created from the CLI is served at once."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, TenantInfo]] = {}

    def get(self, slug: str) -> TenantInfo | None:
        entry = self._entries.get(slug)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, tenant: TenantInfo) -> None:
        self._entries[tenant.slug] = (time.monotonic() + CACHE_SECONDS, tenant)

    def forget(self, slug: str) -> None:
        self._entries.pop(slug, None)


async def find_by_slug(session: AsyncSession, slug: str) -> TenantInfo | None:
    row = (await session.execute(select(Tenant.id, Tenant.slug, Tenant.name, Tenant.api_rate_limit)
                                 .where(Tenant.slug == slug))).first()
    return TenantInfo(id=row.id, slug=row.slug, name=row.name, api_rate_limit=row.api_rate_limit) if row else None


async def get_tenant(session: AsyncSession, tenant_id: UUID) -> Tenant:
    return (await session.execute(select(Tenant).where(Tenant.id == tenant_id))).scalar_one()


async def create_tenant(session: AsyncSession, slug: str, name: str | None = None, *,
                        tag_prefix: str = "AST-", tag_padding: int = 6, tag_random_chars: int = 0) -> Tenant:
    """A tenant with its default category and location. The caller commits."""
    from backend.categories.service import create_default_category
    from backend.locations.service import create_default_location

    if problem := slug_problem(slug):
        raise BadRequest(f"Invalid tenant slug '{slug}': {problem}", {"slug": problem})
    check_tag_format(tag_prefix, tag_padding, tag_random_chars)
    if await find_by_slug(session, slug) is not None:
        raise Conflict(f"Tenant '{slug}' already exists", {"slug": "taken"})
    # A blank --name from the CLI falls back to the slug's name, like no --name at all.
    name = (name or "").strip() or slug.replace("-", " ").title()
    tenant = Tenant(slug=slug, name=name, tag_prefix=tag_prefix, tag_padding=tag_padding,
                    tag_random_chars=tag_random_chars)
    session.add(tenant)
    await session.flush()
    await create_default_category(session, tenant.id)
    await create_default_location(session, tenant.id)
    return tenant


def check_tag_format(prefix: str, padding: int, random_chars: int = 0) -> None:
    details = {}
    if problem := prefix_problem(prefix):
        details["tagPrefix"] = problem
    if problem := padding_problem(padding):
        details["tagPadding"] = problem
    if problem := random_chars_problem(random_chars):
        details["tagRandomChars"] = problem
    if details:
        said = "; ".join(f"{field} must be {problem}" for field, problem in details.items())
        raise BadRequest(f"Invalid asset tag format: {said}", details)



async def next_value(session: AsyncSession, tenant_id: UUID, name: str) -> int:
    """Advance a per-tenant counter atomically (one upsert, row-locked on PostgreSQL, under the
    write lock on SQLite), so concurrent creators never get the same number."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(Counter).values(tenant_id=tenant_id, name=name, value=1, updated_at=utcnow())
    stmt = stmt.on_conflict_do_update(
        index_elements=[Counter.tenant_id, Counter.name],
        set_={"value": Counter.value + 1, "updated_at": utcnow()},
    ).returning(Counter.value)
    return (await session.execute(stmt)).scalar_one()
