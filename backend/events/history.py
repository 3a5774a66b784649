"""Reading the event log: an asset's timeline, assignments, status changes and field-level changes, and a
person's assignments. Newest first, keyset-paginated on (at, id); names are looked up once per page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets import service as assets
from backend.assets.models import Asset
from backend.auth.models import ApiKey, User
from backend.db import listing
from backend.errors import BadRequest
from backend.events.models import EVENT_TYPES, AssetEvent
from backend.events.schemas import (
    Actor, AssignmentOut, AssignmentPage, EventOut, EventPage, FieldChangeOut, FieldChangePage, PersonAssignmentOut,
    PersonAssignmentPage, StatusEventOut, StatusEventPage,
)
from backend.people import service as people
from backend.people.models import Person
from backend.wire import decode_cursor, encode_cursor

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
ASSIGNMENTS = ("ASSIGNED", "UNASSIGNED")
STATUS_EVENTS = ("STATUS_CHANGED", "RETIRED")
NEWEST_FIRST = listing.Sort(column=AssetEvent.at, descending=True, parse=listing.PARSERS[datetime])


def history_limit(limit: int | None) -> int:
    """History pages hold at most 100 events (a larger limit is a 400, as a list's beyond 200 is)."""
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}", {"limit": f"between 1 and {MAX_LIMIT}"})
    return limit


def parse_types(types: str | None) -> list[str] | None:
    """`types=ASSIGNED,MOVED` → the event types asked for; an unknown one is a 400 naming `types`."""
    if types is None or not types.strip():
        return None
    wanted = [t.strip().upper() for t in types.split(",") if t.strip()]
    unknown = [t for t in wanted if t not in EVENT_TYPES]
    if unknown:
        raise BadRequest(f"Unknown event type '{unknown[0][:40]}'", {"types": f"one or more of {', '.join(EVENT_TYPES)}"})
    return wanted


async def _actors(session: AsyncSession, tenant_id: UUID, events: Sequence[AssetEvent]) -> dict[UUID, str]:
    """The names of the users and API keys behind these events, by id: two queries at most."""
    user_ids = {e.actor_user_id for e in events if e.actor_user_id}
    key_ids = {e.actor_api_key_id for e in events if e.actor_api_key_id}
    names: dict[UUID, str] = {}
    if user_ids:
        names.update((await session.execute(select(User.id, User.name).where(
            User.tenant_id == tenant_id, User.id.in_(user_ids)))).tuples().all())
    if key_ids:
        names.update((await session.execute(select(ApiKey.id, ApiKey.name).where(
            ApiKey.tenant_id == tenant_id, ApiKey.id.in_(key_ids)))).tuples().all())
    return names


def _actor(event: AssetEvent, names: dict[UUID, str]) -> Actor:
    who = event.actor_user_id or event.actor_api_key_id
    return Actor(user_id=event.actor_user_id, api_key_id=event.actor_api_key_id,
                 name=(names.get(who) or None) if who else None)


def _base(event: AssetEvent, names: dict[UUID, str]) -> dict[str, Any]:
    """The fields every event answer shares (EventBase)."""
    return {"id": event.id, "type": event.type, "at": event.at, "actor": _actor(event, names), "data": event.data}


async def _events_page(session: AsyncSession, tenant_id: UUID, asset_id: UUID, types: Sequence[str] | None,
                       limit: int | None, cursor: str | None) -> tuple[Sequence[AssetEvent], str | None, dict[UUID, str]]:
    await assets.get(session, tenant_id, asset_id)  # a 404 for another tenant's asset; a deleted one reads on
    stmt = select(AssetEvent).where(AssetEvent.tenant_id == tenant_id, AssetEvent.asset_id == asset_id)
    if types:
        stmt = stmt.where(AssetEvent.type.in_(types))
    rows, next_cursor = await listing.page(session, stmt, AssetEvent.id, NEWEST_FIRST, history_limit(limit), cursor)
    return rows, next_cursor, await _actors(session, tenant_id, rows)


async def timeline(session: AsyncSession, tenant_id: UUID, asset_id: UUID, *, types: str | None,
                   limit: int | None, cursor: str | None) -> EventPage:
    rows, next_cursor, names = await _events_page(session, tenant_id, asset_id, parse_types(types), limit, cursor)
    return EventPage(items=[EventOut(**_base(e, names), person_id=e.person_id) for e in rows], next_cursor=next_cursor)


async def _person_names(session: AsyncSession, tenant_id: UUID, ids: set[UUID]) -> dict[UUID, str]:
    if not ids:
        return {}
    return dict((await session.execute(select(Person.id, Person.name).where(
        Person.tenant_id == tenant_id, Person.id.in_(ids)))).tuples().all())


async def assignment_history(session: AsyncSession, tenant_id: UUID, asset_id: UUID, *, limit: int | None,
                             cursor: str | None) -> AssignmentPage:
    rows, next_cursor, names = await _events_page(session, tenant_id, asset_id, ASSIGNMENTS, limit, cursor)
    people_names = await _person_names(session, tenant_id, {e.person_id for e in rows if e.person_id})
    return AssignmentPage(items=[
        AssignmentOut(**_base(e, names), person_id=e.person_id,
                      person_name=people_names.get(e.person_id) if e.person_id else None) for e in rows
    ], next_cursor=next_cursor)


async def status_events(session: AsyncSession, tenant_id: UUID, asset_id: UUID, *, limit: int | None,
                        cursor: str | None) -> StatusEventPage:
    rows, next_cursor, names = await _events_page(session, tenant_id, asset_id, STATUS_EVENTS, limit, cursor)
    return StatusEventPage(items=[
        StatusEventOut(**_base(e, names), from_status=e.data.get("from"),
                       to_status=e.data.get("to", "retired" if e.type == "RETIRED" else None),
                       reason=e.data.get("reason")) for e in rows
    ], next_cursor=next_cursor)


def _changes(event: AssetEvent) -> list[dict[str, Any]]:
    changes = event.data.get("changes") if isinstance(event.data, dict) else None
    return [c for c in changes if isinstance(c, dict)] if isinstance(changes, list) else []


async def field_changes(session: AsyncSession, tenant_id: UUID, asset_id: UUID, *, limit: int | None,
                        cursor: str | None) -> FieldChangePage:
    """One row per changed field of the asset's UPDATED events, newest event first. The cursor names the
    first row of the next page: its event (at, id) and the row's place in that event's changes."""
    await assets.get(session, tenant_id, asset_id)
    size = history_limit(limit)
    stmt = select(AssetEvent).where(AssetEvent.tenant_id == tenant_id, AssetEvent.asset_id == asset_id,
                                    AssetEvent.type == "UPDATED")
    skip, last_id = 0, None
    if cursor:
        raw_at, raw_id, raw_skip = decode_cursor(cursor, 3)
        try:
            at, last_id, skip = datetime.fromisoformat(raw_at), UUID(str(raw_id)), int(raw_skip)
        except (TypeError, ValueError):
            raise BadRequest("cursor is not valid for this list; start again without it", {"cursor": "invalid"}) from None
        stmt = stmt.where(or_(AssetEvent.at < at, and_(AssetEvent.at == at, AssetEvent.id <= last_id)))
    stmt = stmt.order_by(AssetEvent.at.desc(), AssetEvent.id.desc())
    found: list[tuple[AssetEvent, int, dict[str, Any]]] = []
    offset = 0
    while len(found) <= size:  # every UPDATED event holds at least one change, so this rarely loops twice
        batch = (await session.execute(stmt.offset(offset).limit(size + 1))).scalars().all()
        for event in batch:
            changes = _changes(event)
            start = skip if event.id == last_id else 0  # the cursor's event: from the row it names
            found += [(event, i, changes[i]) for i in range(start, len(changes))]
        if len(batch) <= size:
            break
        offset += len(batch)
    page, rest = found[:size], found[size:]
    names = await _actors(session, tenant_id, [event for event, _, _ in page])
    next_cursor = encode_cursor([rest[0][0].at, rest[0][0].id, rest[0][1]]) if rest else None
    return FieldChangePage(items=[
        FieldChangeOut(event_id=event.id, at=event.at, actor=_actor(event, names), field=str(change.get("field")),
                       from_=change.get("from"), to=change.get("to")) for event, _, change in page
    ], next_cursor=next_cursor)


async def person_assignments(session: AsyncSession, tenant_id: UUID, person_id: UUID, *, limit: int | None,
                             cursor: str | None) -> PersonAssignmentPage:
    """Every asset given to or taken back from a person, newest first; a deleted person's history reads on."""
    await people.get(session, tenant_id, person_id)
    stmt = select(AssetEvent).where(AssetEvent.tenant_id == tenant_id, AssetEvent.person_id == person_id,
                                    AssetEvent.type.in_(ASSIGNMENTS))
    rows, next_cursor = await listing.page(session, stmt, AssetEvent.id, NEWEST_FIRST, history_limit(limit), cursor)
    names = await _actors(session, tenant_id, rows)
    asset_ids = {e.asset_id for e in rows}
    found = {a.id: a for a in (await session.execute(select(Asset.id, Asset.tag, Asset.name, Asset.deleted_at).where(
        Asset.tenant_id == tenant_id, Asset.id.in_(asset_ids)))).all()} if asset_ids else {}
    return PersonAssignmentPage(items=[
        PersonAssignmentOut(**_base(e, names), asset_id=e.asset_id, asset_tag=found[e.asset_id].tag,
                            asset_name=found[e.asset_id].name, asset_deleted=found[e.asset_id].deleted_at is not None)
        for e in rows if e.asset_id in found  # an asset deleted for good takes its events with it
    ], next_cursor=next_cursor)
