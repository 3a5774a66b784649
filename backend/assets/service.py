"""Assets (inventory items): create with a generated tag, change, list, soft delete, restore."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from msgspec import UNSET
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets import rules, transitions
from backend.assets.models import STATUSES, Asset
from backend.assets.schemas import AssetIn, AssetPatch
from backend.categories import service as categories
from backend.context import Principal
from backend.customfields import query as custom_query
from backend.customfields import service as customfields
from backend.db import listing
from backend.db.base import utcnow
from backend.db.records import commit_or, filter_deleted, get_in_tenant, like_pattern, mark_deleted
from backend.errors import BadRequest, Conflict, NotFound
from backend.events.service import record
from backend.ids import uuid7
from backend.health import service as health
from backend.labels import codes
from backend.labels import service as labels
from backend.locations import service as locations
from backend.people import service as people
from backend.tenancy.models import Tenant
from backend.tenancy.service import next_value

SORTS = {"tag": (Asset.tag_key, str), "name": (Asset.name, str), "status": (Asset.status, str),
         "createdAt": (Asset.created_at, datetime), "updatedAt": (Asset.updated_at, datetime)}


async def get(session: AsyncSession, tenant_id: UUID, asset_id: UUID) -> Asset:
    return await get_in_tenant(session, Asset, tenant_id, asset_id, "Asset")


async def count_live_assets(session: AsyncSession, tenant_id: UUID, *, category_id: UUID | None = None,
                            location_id: UUID | None = None, assignee_id: UUID | None = None) -> int:
    stmt = select(func.count()).select_from(Asset).where(Asset.tenant_id == tenant_id, Asset.deleted_at.is_(None))
    if category_id is not None:
        stmt = stmt.where(Asset.category_id == category_id)
    if location_id is not None:
        stmt = stmt.where(Asset.location_id == location_id)
    if assignee_id is not None:
        stmt = stmt.where(Asset.assignee_id == assignee_id)
    return (await session.execute(stmt)).scalar_one()


async def count_with_custom_values(session: AsyncSession, tenant_id: UUID, key: str, values: list[str]) -> int:
    """Assets, live or in the trash, holding one of these text values under a custom field's key."""
    stmt = select(func.count()).select_from(Asset).where(
        Asset.tenant_id == tenant_id, custom_query.JsonText(Asset.custom_fields, key).in_(values))
    return (await session.execute(stmt)).scalar_one()


async def remove_custom_values(session: AsyncSession, tenant_id: UUID, key: str) -> None:
    """Take the key out of every asset's custom fields, live or in the trash (flushes; the caller commits)."""
    stmt = select(Asset).where(Asset.tenant_id == tenant_id, custom_query.JsonPresent(Asset.custom_fields, key))
    for asset in (await session.execute(stmt)).scalars():
        asset.custom_fields = {k: v for k, v in asset.custom_fields.items() if k != key}
    await session.flush()


async def get_live(session: AsyncSession, tenant_id: UUID, asset_id: UUID, to_do: str) -> Asset:
    """The asset, or a 404: a deleted one says so (and how to get it back) to its own tenant."""
    asset = await get(session, tenant_id, asset_id)
    if asset.deleted_at is not None:
        raise NotFound(f"Asset {asset_id} is deleted; restore it to {to_do}")
    return asset


async def find_by_tag(session: AsyncSession, tenant_id: UUID, tag: str) -> Asset | None:
    """The live asset with this tag (compared as scans compare tags), or None."""
    asset = await _tag_owner(session, tenant_id, tag)
    return asset if asset is not None and asset.deleted_at is None else None


async def live_by_ids(session: AsyncSession, tenant_id: UUID, ids: list[UUID]) -> dict[UUID, Asset]:
    """The live assets among ids, by id; ids of other tenants, unknown or deleted are left out."""
    wanted = list(dict.fromkeys(ids))
    found: dict[UUID, Asset] = {}
    for start in range(0, len(wanted), 500):  # bounded IN lists
        rows = await session.execute(select(Asset).where(
            Asset.tenant_id == tenant_id, Asset.id.in_(wanted[start:start + 500]), Asset.deleted_at.is_(None)))
        found.update({asset.id: asset for asset in rows.scalars()})
    return found


@dataclass(frozen=True)
class AssetFilters:
    """What a list of assets is narrowed by; the list, the CSV export and label printing share it."""

    q: str | None = None
    status: str | None = None  # comma-separated
    category_id: UUID | None = None
    location_id: UUID | None = None
    include_sublocations: bool = False
    assignee_id: UUID | None = None
    unassigned: bool = False  # `assigneeId=none`: only assets nobody holds
    deleted: str | None = None  # exclude (default), include, only
    health_badge: health.BadgeFilter | None = None  # HEALTHY, ATTENTION or AT_RISK (the score computed in SQL)
    overdue: bool | None = None  # true: checked out (in use) and past its due date; false: every other asset
    # `cf.<key>=value`: (key, type, value parsed for the type) from customfields.service.resolve_filters; ANDed.
    custom_fields: tuple[tuple[str, str, Any], ...] = ()


def filtered(stmt: Select[Any], tenant_id: UUID, filters: AssetFilters) -> Select[Any]:
    """``stmt`` (over assets) narrowed by the filters: `q` in tag, name, serial, model or manufacturer;
    statuses; category; location, with or without the locations below it; assignee; deleted or not."""
    stmt = filter_deleted(stmt.where(Asset.tenant_id == tenant_id), Asset, filters.deleted)
    if filters.q and filters.q.strip():
        pattern = like_pattern(filters.q)
        stmt = stmt.where(Asset.tag.ilike(pattern, escape="\\") | Asset.name.ilike(pattern, escape="\\")
                          | Asset.serial.ilike(pattern, escape="\\") | Asset.model.ilike(pattern, escape="\\")
                          | Asset.manufacturer.ilike(pattern, escape="\\"))
    if filters.status:
        wanted = [s.strip() for s in filters.status.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            raise BadRequest(f"Unknown status '{unknown[0][:40]}'", {"status": f"one or more of {', '.join(sorted(STATUSES))}"})
        stmt = stmt.where(Asset.status.in_(wanted))
    if filters.category_id:
        stmt = stmt.where(Asset.category_id == filters.category_id)
    if filters.location_id:
        if filters.include_sublocations:
            stmt = stmt.where(Asset.location_id.in_(locations.subtree_ids(tenant_id, filters.location_id)))
        else:
            stmt = stmt.where(Asset.location_id == filters.location_id)
    if filters.unassigned:
        stmt = stmt.where(Asset.assignee_id.is_(None))
    elif filters.assignee_id:
        stmt = stmt.where(Asset.assignee_id == filters.assignee_id)
    if filters.health_badge:
        stmt = stmt.where(health.badge_clause(filters.health_badge))
    if filters.overdue is not None:
        late = (Asset.status == "in_use") & Asset.due_back_at.is_not(None) & (Asset.due_back_at < utcnow())
        stmt = stmt.where(late if filters.overdue else ~late)
    for key, field_type, value in filters.custom_fields:
        stmt = stmt.where(custom_query.value_clause(Asset.custom_fields, key, field_type, value))
    return stmt


async def list_assets(session: AsyncSession, tenant_id: UUID, filters: AssetFilters, *, sort: str | None = None,
                      limit: int | None = None, cursor: str | None = None, health_sort: str | None = None):
    """A page of assets; `health_sort` (risk_first, healthy_first) orders by health score, then tag, over `sort`."""
    stmt = filtered(select(Asset), tenant_id, filters)
    if health_sort:
        badge = filters.health_badge
        return await health.page_by_health(session, stmt, tenant_id, health_sort, limit, cursor,
                                           badge.scope if badge else None)
    return await listing.page(session, stmt, Asset.id, listing.parse_sort(sort, SORTS, "tag"), limit, cursor)


async def for_labels(session: AsyncSession, tenant_id: UUID, filters: AssetFilters, *, limit: int) -> list[Any]:
    """Tag and name of the live assets the filters match, in tag order, at most `limit`."""
    stmt = filtered(select(Asset.tag, Asset.name), tenant_id, dataclass_replace(filters, deleted="exclude"))
    return list(await session.execute(stmt.order_by(Asset.tag_key, Asset.id).limit(limit)))


async def _tag_owner(session: AsyncSession, tenant_id: UUID, tag: str) -> Asset | None:
    stmt = select(Asset).where(Asset.tenant_id == tenant_id, Asset.tag_key == rules.tag_key(tag))
    return (await session.execute(stmt)).scalar_one_or_none()


def _tag_conflict(tag: str, owner: Asset | None) -> Conflict:
    details: dict[str, Any] = {"tag": "already used"}
    if owner is None:
        return Conflict(f"Tag '{tag}' is already used by another asset", details)
    details["existingId"] = str(owner.id)
    if owner.deleted_at is not None:
        return Conflict(f"Tag '{tag}' belongs to a deleted asset ({owner.name}); restore it or choose another tag", details)
    return Conflict(f"Tag '{tag}' is already used by {owner.name}", details)


async def _generate_tag(session: AsyncSession, tenant_id: UUID) -> str:
    prefix, padding, random_chars = (await session.execute(
        select(Tenant.tag_prefix, Tenant.tag_padding, Tenant.tag_random_chars).where(Tenant.id == tenant_id))).one()
    # Skip numbers a hand-given tag already took, as the whole tag or as its number alone (AST-000123), so a
    # generated tag's number is never another asset's tag.
    while True:
        number = await next_value(session, tenant_id, "asset_tag")
        tag = rules.format_tag(prefix, padding, number, rules.draw_random_part(random_chars))
        keys = {rules.tag_key(tag), rules.tag_key(rules.format_tag(prefix, padding, number))}
        taken = select(Asset.id).where(Asset.tenant_id == tenant_id, Asset.tag_key.in_(sorted(keys))).limit(1)
        if (await session.execute(taken)).first() is None:
            return tag


# A quick-add that loses its generated number to a concurrent hand-typed tag moves on this many times.
GENERATED_TAG_ATTEMPTS = 5


def _cost(cost: Decimal | None) -> Decimal | None:
    if cost is None:
        return None
    if problem := rules.cost_problem(cost):
        raise BadRequest(f"purchaseCost {problem}", {"purchaseCost": problem})
    return rules.stored_cost(cost)


def _given_tag(tag: str) -> str:
    if problem := rules.given_tag_problem(tag):
        raise BadRequest(f"Invalid tag: {problem}", {"tag": problem})
    return tag.strip()


def _serial_key(serial: str | None) -> str | None:
    """Serials are compared like tags (a scanner may read either)."""
    return rules.tag_key(serial) if serial and serial.strip() else None


async def by_client_id(session: AsyncSession, tenant_id: UUID, client_id: UUID) -> Asset | None:
    """The asset a quick-add with this clientId created in this tenant, live or deleted, or None."""
    stmt = select(Asset).where(Asset.tenant_id == tenant_id, Asset.client_id == client_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def create(session: AsyncSession, tenant_id: UUID, data: AssetIn, *,
                 actor: Principal | None = None, source: str = "api") -> Asset:
    """A new asset; with a clientId already used in this tenant, the asset that clientId created. Two
    requests with one clientId racing each other end with one asset: the loser's insert breaks the unique
    key (or finds the claim code taken) and it answers the winner's asset."""
    if data.client_id is None:
        return await _create(session, tenant_id, data, actor=actor, source=source)
    if (earlier := await by_client_id(session, tenant_id, data.client_id)) is not None:
        return earlier
    try:
        return await _create(session, tenant_id, data, actor=actor, source=source)
    except (Conflict, IntegrityError):
        await session.rollback()
        if (earlier := await by_client_id(session, tenant_id, data.client_id)) is not None:
            return earlier
        raise


async def _create(session: AsyncSession, tenant_id: UUID, data: AssetIn, *, actor: Principal | None,
                  source: str) -> Asset:
    """A new asset. With a claimCode, the blank tag is bound to it in the same transaction, and without a
    given tag the code becomes its tag, so the label on it and its record read the same. With a sessionId,
    it goes where the caller stands in that audit and, in the audit's scope, joins its expected set in the
    same transaction."""
    from backend.sessions import service as sessions

    cost = _cost(data.purchase_cost)
    claim_code = codes.validate(data.claim_code, "claimCode") if data.claim_code is not None else None
    given_tag = _given_tag(data.tag) if data.tag is not None else claim_code
    category_id = (await categories.require_live(session, tenant_id, data.category_id)).id if data.category_id \
        else (await categories.default_category(session, tenant_id)).id
    place = None
    if data.session_id is not None:
        place = await sessions.quick_add_location(session, actor, tenant_id, data.session_id)
    location_id = (await locations.require_live(session, tenant_id, data.location_id)).id if data.location_id \
        else place or (await locations.default_location(session, tenant_id)).id
    if data.assignee_id is not None:
        await people.require_live(session, tenant_id, data.assignee_id)
    if claim_code is not None:
        await labels.lock_for_claim(session, tenant_id, claim_code)
    if given_tag is not None and (owner := await _tag_owner(session, tenant_id, given_tag)):
        raise _tag_conflict(given_tag, owner)
    custom_values = await customfields.validate_asset_values(session, tenant_id, data.custom_fields, creating=True)
    status = data.status if data.status is not UNSET else rules.status_after_assignment("available", data.assignee_id is not None)
    if (data.assignee_id is not None) != (status == "in_use"):  # only an asset in use has a holder
        raise BadRequest(f"An asset that is {status} has no assignee, and one in use has one: give both "
                         "status in_use and assigneeId, or neither",
                         {"assigneeId": "required with status in_use"} if data.assignee_id is None
                         else {"status": "must be in_use (or left out) with an assigneeId"})
    now = utcnow()
    fields = dict(
        tenant_id=tenant_id, name=data.name.strip(), category_id=category_id, location_id=location_id,
        status=status, created_at=now, updated_at=now, serial=data.serial, serial_key=_serial_key(data.serial),
        manufacturer=data.manufacturer, model=data.model, purchase_date=data.purchase_date, purchase_cost=cost,
        warranty_expiry=data.warranty_expiry, notes=data.notes, custom_fields=custom_values,
        client_id=data.client_id,
    )
    attempts_left = 1 if given_tag is not None else GENERATED_TAG_ATTEMPTS
    while True:
        tag = given_tag if given_tag is not None else await _generate_tag(session, tenant_id)
        asset = Asset(id=uuid7(), tag=tag, tag_key=rules.tag_key(tag), **fields)
        session.add(asset)
        record(session, actor, tenant_id, asset.id, "CREATED", {"source": source}, at=now)
        if data.assignee_id is not None:
            transitions.hand_to(session, actor, asset, data.assignee_id, at=now)
        try:
            if claim_code is not None or data.session_id is not None:
                await session.flush()  # the asset row first: the blank tag's and the session item's keys point at it
            if claim_code is not None:
                await labels.bind(session, tenant_id, claim_code, asset.id, actor)
            if data.session_id is not None:
                await sessions.expect_quick_added(session, tenant_id, data.session_id, asset.id, asset.location_id,
                                                  asset.category_id, asset.status)
            await session.commit()
            return asset
        except IntegrityError:
            # The tag or the clientId is unique on an asset: a concurrent writer took it between our check and
            # our insert. A taken clientId is answered by create; a given tag is then a conflict; a generated
            # one moves on to the next free number.
            await session.rollback()
            if data.client_id is not None and await by_client_id(session, tenant_id, data.client_id) is not None:
                raise
            attempts_left -= 1
            if not attempts_left:
                raise _tag_conflict(tag, None) from None


async def _commit_or_conflict(session: AsyncSession, tag: str) -> None:
    async def taken() -> None:  # only the tag is unique on an asset
        raise _tag_conflict(tag, None)

    await commit_or(session, taken)


async def update(session: AsyncSession, tenant_id: UUID, asset_id: UUID, data: AssetPatch, *,
                 actor: Principal | None = None) -> Asset:
    """A PATCH: one UPDATED event lists every changed field; a new location is also MOVED, a new assignee
    ASSIGNED/UNASSIGNED (with the status move the table's checkout/checkin edges make)."""
    asset = await get_in_tenant(session, Asset, tenant_id, asset_id, "Asset", for_update=True)
    if asset.deleted_at is not None:
        raise Conflict("This asset is deleted; restore it before changing it")
    # Every check and lookup comes before the first change: a query after a change would flush it early,
    # and a tag lost to a concurrent writer must surface at commit, where it becomes a 409.
    cost = _cost(data.purchase_cost) if data.purchase_cost is not UNSET else UNSET
    tag = _given_tag(data.tag) if data.tag is not UNSET else UNSET
    if tag is not UNSET and rules.tag_key(tag) != asset.tag_key:
        if owner := await _tag_owner(session, tenant_id, tag):
            raise _tag_conflict(tag, owner)
    if data.category_id is not UNSET:
        await categories.require_live(session, tenant_id, data.category_id)
    if data.location_id is not UNSET:
        await locations.require_live(session, tenant_id, data.location_id)
    if data.assignee_id is not UNSET and data.assignee_id is not None:
        await people.require_live(session, tenant_id, data.assignee_id)
    if data.assignee_id is not UNSET and data.assignee_id != asset.assignee_id and (
            problem := rules.assignment_problem(asset.status, data.assignee_id is not None)):
        raise Conflict(f"assigneeId: {problem} (or check it out once it is)", {"assigneeId": problem,
                                                                               "status": asset.status})
    custom_values = UNSET if data.custom_fields is UNSET else await customfields.validate_asset_values(
        session, tenant_id, data.custom_fields, creating=False, current=asset.custom_fields)

    now, before = utcnow(), transitions.snapshot(asset)
    if cost is not UNSET:
        asset.purchase_cost = cost
    if tag is not UNSET:
        asset.tag, asset.tag_key = tag, rules.tag_key(tag)  # or the same tag in a new spelling
    if data.category_id is not UNSET:
        asset.category_id = data.category_id
    if data.location_id is not UNSET:
        asset.location_id = data.location_id
    if data.assignee_id is not UNSET:
        transitions.reassign(session, actor, asset, data.assignee_id, at=now)
    if data.name is not UNSET:
        asset.name = data.name.strip()
    if data.serial is not UNSET:
        asset.serial, asset.serial_key = data.serial, _serial_key(data.serial)
    for field in ("manufacturer", "model", "purchase_date", "warranty_expiry", "notes"):
        value = getattr(data, field)
        if value is not UNSET:
            setattr(asset, field, value)
    if custom_values is not UNSET:
        asset.custom_fields = custom_values
    asset.updated_at = now
    transitions.record_edit(session, actor, asset, before, at=now)
    await _commit_or_conflict(session, asset.tag)
    return asset


async def delete(session: AsyncSession, tenant_id: UUID, asset_id: UUID) -> None:
    asset = await get(session, tenant_id, asset_id)
    mark_deleted(asset)
    await session.commit()


async def restore(session: AsyncSession, tenant_id: UUID, asset_id: UUID) -> Asset:
    asset = await get(session, tenant_id, asset_id)
    if asset.deleted_at is not None:
        asset.deleted_at = None
        asset.updated_at = utcnow()
        await session.commit()
    return asset
