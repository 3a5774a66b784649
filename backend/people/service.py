"""People: who assets are assigned to."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import listing
from backend.db.base import utcnow
from backend.db.records import commit_or, filter_deleted, find_live, get_in_tenant, like_pattern, mark_deleted
from backend.errors import Conflict
from backend.people.models import Person
from backend.people.schemas import PersonIn, PersonPatch

SORTS = {"name": (Person.name_sort, str), "createdAt": (Person.created_at, datetime), "updatedAt": (Person.updated_at, datetime)}


def _email_key(email: str | None) -> str | None:
    return email.strip().lower() if email else None


async def get(session: AsyncSession, tenant_id: UUID, person_id: UUID, *, for_update: bool = False) -> Person:
    return await get_in_tenant(session, Person, tenant_id, person_id, "Person", for_update=for_update)


async def require_live(session: AsyncSession, tenant_id: UUID, person_id: UUID, field: str = "assigneeId") -> Person:
    return await find_live(session, Person, tenant_id, person_id, field, "person")


async def list_people(session: AsyncSession, tenant_id: UUID, *, q: str | None, department: str | None, sort: str | None,
                      deleted: str | None, limit: int | None, cursor: str | None):
    stmt = filter_deleted(select(Person).where(Person.tenant_id == tenant_id), Person, deleted)
    if q and q.strip():
        pattern = like_pattern(q)
        stmt = stmt.where(Person.name.ilike(pattern, escape="\\") | Person.email.ilike(pattern, escape="\\")
                          | Person.employee_number.ilike(pattern, escape="\\"))
    if department:
        stmt = stmt.where(Person.department == department)
    return await listing.page(session, stmt, Person.id, listing.parse_sort(sort, SORTS, "name"), limit, cursor)


async def _ensure_email_free(session: AsyncSession, tenant_id: UUID, email: str | None, except_id: UUID | None = None) -> None:
    key = _email_key(email)
    if key is None:
        return
    found = (await session.execute(select(Person.id).where(
        Person.tenant_id == tenant_id, Person.email_key == key, Person.deleted_at.is_(None)))).scalar_one_or_none()
    if found is not None and found != except_id:
        raise Conflict(f"A person with email '{email}' already exists", {"email": "taken", "existingId": str(found)})


async def _commit_unless_email_taken(session: AsyncSession, tenant_id: UUID, email: str | None) -> None:
    async def taken() -> None:
        await _ensure_email_free(session, tenant_id, email)
        raise Conflict(f"A person with email '{email}' already exists", {"email": "taken"})

    await commit_or(session, taken)


async def create(session: AsyncSession, tenant_id: UUID, data: PersonIn) -> Person:
    await _ensure_email_free(session, tenant_id, data.email)
    person = Person(tenant_id=tenant_id, name=data.name.strip(), email=data.email, email_key=_email_key(data.email),
                    employee_number=data.employee_number, department=data.department, notes=data.notes)
    session.add(person)
    await _commit_unless_email_taken(session, tenant_id, person.email)
    return person


async def update(session: AsyncSession, tenant_id: UUID, person_id: UUID, data: PersonPatch) -> Person:
    person = await get(session, tenant_id, person_id)
    if person.deleted_at is not None:
        raise Conflict("This person is deleted; restore them before changing them")
    if data.email is not UNSET:
        await _ensure_email_free(session, tenant_id, data.email, except_id=person.id)
        person.email, person.email_key = data.email, _email_key(data.email)
    if data.name is not UNSET:
        person.name = data.name.strip()
    for field in ("employee_number", "department", "notes"):
        value = getattr(data, field)
        if value is not UNSET:
            setattr(person, field, value)
    person.updated_at = utcnow()
    await _commit_unless_email_taken(session, tenant_id, person.email)
    return person


async def delete(session: AsyncSession, tenant_id: UUID, person_id: UUID) -> None:
    from backend.assets.service import count_live_assets

    person = await get(session, tenant_id, person_id, for_update=True)
    if person.deleted_at is None:
        assigned = await count_live_assets(session, tenant_id, assignee_id=person.id)
        if assigned:
            raise Conflict(f"{assigned} assets are assigned to this person; check them in first", {"assets": assigned})
    mark_deleted(person)
    await session.commit()


async def restore(session: AsyncSession, tenant_id: UUID, person_id: UUID) -> Person:
    person = await get(session, tenant_id, person_id)
    if person.deleted_at is not None:
        await _ensure_email_free(session, tenant_id, person.email)
        person.deleted_at = None
        person.updated_at = utcnow()
        await _commit_unless_email_taken(session, tenant_id, person.email)
    return person
