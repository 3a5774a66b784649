"""Asset health from the database: the facts for rules.assess, and the same score as one SQL expression
(to filter and sort a list without a query per row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets.models import Asset
from backend.assets.schemas import HealthOut, HealthReasonOut
from backend.categories.models import Category
from backend.db.base import utcnow
from backend.db.records import get_in_tenant
from backend.errors import BadRequest, NotFound
from backend.health import rules
from backend.maintenance.models import MaintenanceSchedule
from backend.wire import clamp_limit, decode_cursor, encode_cursor

HEALTH_SORTS = ("risk_first", "healthy_first")


@dataclass(frozen=True)
class Scope:
    """What the SQL score needs besides the row: the moment, and per life expectancy (months) the categories
    that have it, so that the life rule is one date comparison per row (rules.life_ends_before)."""

    tenant_id: UUID
    now: datetime
    lives: dict[int, list[UUID]]


@dataclass(frozen=True)
class BadgeFilter:
    badge: str
    scope: Scope


async def scope(session: AsyncSession, tenant_id: UUID, now: datetime | None = None) -> Scope:
    rows = await session.execute(select(Category.life_expectancy_months, Category.id).where(
        Category.tenant_id == tenant_id, Category.life_expectancy_months.is_not(None)))
    lives: dict[int, list[UUID]] = {}
    for months, category_id in rows:
        lives.setdefault(months, []).append(category_id)
    return Scope(tenant_id, now or utcnow(), lives)


async def badge_filter(session: AsyncSession, tenant_id: UUID, badge: str) -> BadgeFilter:
    if badge not in rules.BADGES:
        raise BadRequest(f"Unknown health badge '{badge[:40]}'", {"healthBadge": f"one of {', '.join(rules.BADGES)}"})
    return BadgeFilter(badge, await scope(session, tenant_id))


def conditions(where: Scope) -> dict[str, ColumnElement[bool]]:
    """Each reason of rules.WEIGHTS as a condition on an asset row, with `where`'s dates as bind parameters."""
    at = rules.boundaries(where.now)
    schedule = MaintenanceSchedule
    overdue_assets = select(schedule.asset_id).where(
        schedule.tenant_id == where.tenant_id, schedule.deleted_at.is_(None), schedule.next_due_date < at.today)
    past_life = or_(false(), *(and_(Asset.category_id.in_(ids), Asset.purchase_date < rules.life_ends_before(
        at.today, months)) for months, ids in where.lives.items()))
    return {
        "missing_in_last_audit": or_(Asset.missed_last_audit.is_(True), Asset.status == "missing"),
        "maintenance_overdue": Asset.id.in_(overdue_assets),
        "checkout_overdue": and_(Asset.assignee_id.is_not(None), Asset.due_back_at < at.now),
        "past_life_expectancy": past_life,
        "not_verified_90d": func.coalesce(Asset.last_verified_at, Asset.created_at) < at.verified_before,
        "warranty_expired": Asset.warranty_expiry < at.today,
        "warranty_expiring": Asset.warranty_expiry.between(at.today, at.warranty_horizon),
    }


def score_expression(where: Scope) -> ColumnElement[int]:
    """rules.assess's score in SQL: 100 minus the weights of the reasons that hold (retired: 100)."""
    found = conditions(where)
    penalty = sum((case((found[code], weight), else_=0) for code, weight in rules.WEIGHTS.items()), start=0)
    return case((Asset.status == rules.RETIRED, rules.MAX_SCORE), else_=rules.MAX_SCORE - penalty)


def badge_clause(chosen: BadgeFilter) -> ColumnElement[bool]:
    low, high = rules.score_range(chosen.badge)
    return score_expression(chosen.scope).between(low, high)


async def page_by_health(session: AsyncSession, stmt: Select[Any], tenant_id: UUID, order: str, limit: int | None,
                         cursor: str | None, where: Scope | None = None) -> tuple[list[Asset], str | None]:
    """One page of ``stmt`` (over assets) by score, lowest first for risk_first, then by tag; `where` is the
    scope a healthBadge filter already read, so the filter and the sort score at the same moment."""
    if order not in HEALTH_SORTS:
        raise BadRequest(f"Unknown healthSort '{order[:40]}'", {"healthSort": f"one of {', '.join(HEALTH_SORTS)}"})
    size = clamp_limit(limit)
    score = score_expression(where or await scope(session, tenant_id))
    risk_first = order == "risk_first"
    if cursor:
        last_score, last_tag = decode_cursor(cursor, 2)
        if not isinstance(last_score, int) or not isinstance(last_tag, str):
            raise BadRequest("cursor is not valid for this sort; start again without it", {"cursor": "invalid"})
        further = score > last_score if risk_first else score < last_score
        stmt = stmt.where(or_(further, and_(score == last_score, Asset.tag_key > last_tag)))
    labelled = score.label("health_score")
    # The sort scores every row of the tenant: it carries only the keys, and the page's rows are read after.
    stmt = stmt.with_only_columns(Asset.id, Asset.tag_key, labelled).order_by(
        labelled.asc() if risk_first else labelled.desc(), Asset.tag_key)
    keys = (await session.execute(stmt.limit(size + 1))).all()
    page = keys[:size]
    by_id = {a.id: a for a in (await session.execute(select(Asset).where(
        Asset.tenant_id == tenant_id, Asset.id.in_([k.id for k in page])))).scalars()} if page else {}
    assets = [by_id[k.id] for k in page]
    if len(keys) <= size:
        return assets, None
    return assets, encode_cursor([page[-1].health_score, page[-1].tag_key])


async def assess_assets(session: AsyncSession, tenant_id: UUID, assets: Sequence[Asset],
                        now: datetime | None = None) -> dict[UUID, rules.Health]:
    """Health of each asset, in two queries whatever their number: schedules and categories."""
    if not assets:
        return {}
    now = now or utcnow()
    schedule = MaintenanceSchedule
    earliest = dict((await session.execute(
        select(schedule.asset_id, func.min(schedule.next_due_date))
        .where(schedule.tenant_id == tenant_id, schedule.deleted_at.is_(None),
               schedule.asset_id.in_([a.id for a in assets]))
        .group_by(schedule.asset_id))).tuples().all())
    life = dict((await session.execute(
        select(Category.id, Category.life_expectancy_months)
        .where(Category.tenant_id == tenant_id, Category.id.in_({a.category_id for a in assets}),
               Category.life_expectancy_months.is_not(None)))).tuples().all())
    return {asset.id: rules.assess(facts(asset, earliest.get(asset.id), life.get(asset.category_id)), now)
            for asset in assets}


def facts(asset: Asset, earliest_due: Any, life_expectancy_months: int | None) -> rules.Facts:
    return rules.Facts(
        asset_id=asset.id, status=asset.status, missed_last_audit=asset.missed_last_audit,
        has_assignee=asset.assignee_id is not None, due_back_at=asset.due_back_at,
        warranty_expiry=asset.warranty_expiry, purchase_date=asset.purchase_date,
        life_expectancy_months=life_expectancy_months, last_verified_at=asset.last_verified_at,
        created_at=asset.created_at, earliest_due=earliest_due)


async def of_asset(session: AsyncSession, tenant_id: UUID, asset_id: UUID) -> rules.Health:
    asset = await get_in_tenant(session, Asset, tenant_id, asset_id, "Asset")
    return (await assess_assets(session, tenant_id, [asset]))[asset.id]


async def of_assets(session: AsyncSession, tenant_id: UUID, ids: list[UUID]) -> list[tuple[UUID, rules.Health]]:
    """Health of each asset named (deleted ones too, as GET of one); a repeated id is answered once."""
    wanted = list(dict.fromkeys(ids))
    assets = {a.id: a for a in (await session.execute(
        select(Asset).where(Asset.tenant_id == tenant_id, Asset.id.in_(wanted)))).scalars()}
    unknown = [str(i) for i in wanted if i not in assets]
    if unknown:
        raise NotFound(f"{len(unknown)} of the ids name no asset here", {"ids": unknown})
    found = await assess_assets(session, tenant_id, list(assets.values()))
    return [(i, found[i]) for i in wanted]


def wire(health: rules.Health) -> HealthOut:
    return HealthOut(score=health.score, badge=health.badge, reasons=[
        HealthReasonOut(code=r.code, message=r.message, weight=r.weight, link=r.link) for r in health.reasons])
