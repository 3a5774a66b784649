"""Custom field definitions, and the checks of asset values against them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.customfields import rules
from backend.customfields.models import CustomField
from backend.customfields.schemas import CustomFieldIn, CustomFieldPatch
from backend.db import listing
from backend.db.base import utcnow
from backend.db.records import commit_or, filter_deleted, get_in_tenant, like_pattern, mark_deleted
from backend.errors import BadRequest, Conflict

SORTS = {"key": (CustomField.key_lower, str), "name": (CustomField.name, str),
         "createdAt": (CustomField.created_at, datetime), "updatedAt": (CustomField.updated_at, datetime)}
# `GET /inventory-items?cf.<key>=value`
FILTER_PREFIX = "cf."


async def live_definitions(session: AsyncSession, tenant_id: UUID) -> list[CustomField]:
    stmt = select(CustomField).where(CustomField.tenant_id == tenant_id, CustomField.deleted_at.is_(None))
    return list((await session.execute(stmt.order_by(CustomField.key_lower))).scalars())


async def validate_asset_values(session: AsyncSession, tenant_id: UUID, values: Mapping[str, Any], *,
                                creating: bool, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An asset's custom values checked against the live definitions, in stored form; 400 naming each bad one."""
    definitions = await live_definitions(session, tenant_id)
    problems = rules.check_values(definitions, values, creating=creating, current=current)
    if problems:
        first, reason = next(iter(problems.items()))
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BadRequest(f"{first}: {reason}{more}", problems)
    return rules.cleaned(definitions, values)


async def resolve_filters(session: AsyncSession, tenant_id: UUID,
                          wanted: list[tuple[str, str]]) -> tuple[tuple[str, str, Any], ...]:
    """(key, text) pairs from a list's query string as (key, type, value); an unknown key or bad value is a 400."""
    if not wanted:
        return ()
    by_key = {d.key_lower: d for d in await live_definitions(session, tenant_id)}
    resolved = []
    for key, text in wanted:
        field = f"{FILTER_PREFIX}{key}"
        definition = by_key.get(rules.key_lower(key))
        if definition is None:
            raise BadRequest(f"{field}: there is no custom field '{key[:64]}'", {field: "unknown custom field"})
        try:
            value = rules.parse_cell(definition.type, definition.options, text)
        except ValueError as exc:
            raise BadRequest(f"{field}: {exc}", {field: str(exc)}) from None
        resolved.append((definition.key, definition.type, value))
    return tuple(resolved)


async def get(session: AsyncSession, tenant_id: UUID, field_id: UUID, *, for_update: bool = False) -> CustomField:
    return await get_in_tenant(session, CustomField, tenant_id, field_id, "Custom field", for_update=for_update)


async def list_fields(session: AsyncSession, tenant_id: UUID, *, q: str | None, sort: str | None,
                      deleted: str | None, limit: int | None, cursor: str | None):
    stmt = filter_deleted(select(CustomField).where(CustomField.tenant_id == tenant_id), CustomField, deleted)
    if q and q.strip():
        pattern = like_pattern(q)
        stmt = stmt.where(CustomField.key.ilike(pattern, escape="\\") | CustomField.name.ilike(pattern, escape="\\"))
    return await listing.page(session, stmt, CustomField.id, listing.parse_sort(sort, SORTS, "key"), limit, cursor)


async def _ensure_key_free(session: AsyncSession, tenant_id: UUID, key: str, except_id: UUID | None = None) -> None:
    stmt = select(CustomField.id, CustomField.key).where(
        CustomField.tenant_id == tenant_id, CustomField.key_lower == rules.key_lower(key),
        CustomField.deleted_at.is_(None))
    found = (await session.execute(stmt)).first()
    if found is not None and found.id != except_id:
        raise Conflict(f"A custom field with key '{found.key}' already exists (keys are compared ignoring case)",
                       {"key": "taken", "existingId": str(found.id)})


async def _commit_unless_key_taken(session: AsyncSession, tenant_id: UUID, key: str) -> None:
    async def taken() -> None:
        await _ensure_key_free(session, tenant_id, key)
        raise Conflict(f"A custom field with key '{key}' already exists", {"key": "taken"})

    await commit_or(session, taken)


def _options(field_type: str, options: list[str] | None) -> list[str]:
    if problem := rules.options_problem(field_type, options):
        raise BadRequest(f"options: {problem}", {"options": problem})
    return [o.strip() for o in options or []]


async def create(session: AsyncSession, tenant_id: UUID, data: CustomFieldIn) -> CustomField:
    options = _options(data.type, data.options)
    await _ensure_key_free(session, tenant_id, data.key)
    field = CustomField(tenant_id=tenant_id, key=data.key, key_lower=rules.key_lower(data.key), name=data.name.strip(),
                        type=data.type, options=options, required=data.required, description=data.description)
    session.add(field)
    await _commit_unless_key_taken(session, tenant_id, field.key)
    return field


async def update(session: AsyncSession, tenant_id: UUID, field_id: UUID, data: CustomFieldPatch) -> CustomField:
    from backend.assets.service import count_with_custom_values

    field = await get(session, tenant_id, field_id, for_update=True)
    if field.deleted_at is not None:
        raise Conflict("This custom field is deleted; restore it before changing it")
    if data.key is not UNSET and data.key != field.key:
        raise BadRequest(f"key cannot change (values on assets are stored under '{field.key}'); "
                         "create a new field instead", {"key": "cannot change"})
    if data.type is not UNSET and data.type != field.type:
        raise BadRequest(f"type cannot change (values on assets are {field.type} values); create a new field "
                         "instead", {"type": "cannot change"})
    if data.options is not UNSET:
        options = _options(field.type, data.options)
        if removed := rules.removed_options(field.options, options):
            used = await count_with_custom_values(session, tenant_id, field.key, removed)
            if used:
                raise Conflict(f"{used} assets hold an option this change removes ({', '.join(removed[:5])}); "
                               "change their values first", {"options": "in use", "assets": used})
        field.options = options
    if data.name is not UNSET:
        field.name = data.name.strip()
    if data.required is not UNSET:
        field.required = data.required
    if data.description is not UNSET:
        field.description = data.description
    field.updated_at = utcnow()
    await session.commit()
    return field


async def delete(session: AsyncSession, tenant_id: UUID, field_id: UUID) -> None:
    field = await get(session, tenant_id, field_id, for_update=True)
    mark_deleted(field)
    await session.commit()


async def restore(session: AsyncSession, tenant_id: UUID, field_id: UUID) -> CustomField:
    field = await get(session, tenant_id, field_id, for_update=True)
    if field.deleted_at is not None:
        await _ensure_key_free(session, tenant_id, field.key)
        field.deleted_at = None
        field.updated_at = utcnow()
        await _commit_unless_key_taken(session, tenant_id, field.key)
    return field


async def purge(session: AsyncSession, tenant_id: UUID, field: CustomField) -> None:
    """Delete a trashed definition for good, with its values on every asset unless a live definition (made
    since) holds the same key. Flushes only: the caller commits."""
    from backend.assets.service import remove_custom_values

    taken = (await session.execute(select(CustomField.id).where(
        CustomField.tenant_id == tenant_id, CustomField.key == field.key,
        CustomField.deleted_at.is_(None)))).first()
    if taken is None:
        await remove_custom_values(session, tenant_id, field.key)
    await session.delete(field)
    await session.flush()
