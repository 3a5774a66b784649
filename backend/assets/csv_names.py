"""Categories, locations and people named in an imported file: found by name, or created.

The whole tenant's names are read once into memory (a tenant has thousands of these, not millions) so
that 100,000 rows cost no query each. Bulk work reads the other domains' tables directly; their
services create one record per transaction, and an import must create them inside its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from backend.categories.models import Category
from backend.categories.service import name_key as category_key
from backend.db.base import utcnow
from backend.ids import uuid7
from backend.locations import rules as location_rules
from backend.locations.models import Location
from backend.people.models import Person
from backend.tenancy.models import Counter

MAX_NAME = 200
MAX_EMAIL = 254


@lru_cache(maxsize=16_384)  # a file names the same few locations over and over
def path_key(path: str) -> str:
    """Location paths compare ignoring case and the spacing around '>': 'hq>floor 2' is 'HQ > Floor 2'."""
    return location_rules.PATH_SEPARATOR.join(part.strip().casefold() for part in path.split(">"))


def path_parts(text: str) -> list[str]:
    parts = [part.strip() for part in text.split(">")]
    if any(not part for part in parts):
        raise ValueError(f"'{text[:60]}' has an empty level; write a path like 'HQ > Floor 2'")
    if any(len(part) > MAX_NAME for part in parts):
        raise ValueError(f"a location name is at most {MAX_NAME} characters")
    if len(location_rules.PATH_SEPARATOR.join(parts)) > location_rules.MAX_PATH_LENGTH:
        raise ValueError(f"a location path is at most {location_rules.MAX_PATH_LENGTH} characters")
    return parts


@dataclass
class Wanted:
    """What a row names; None where its cell was absent or blank."""

    category: str | None = None
    location: str | None = None
    assignee: str | None = None
    assignee_email: str | None = None


@dataclass
class Names:
    """The tenant's live categories, locations and people by the names a file may use."""

    tenant_id: UUID
    categories: dict[str, UUID] = field(default_factory=dict)
    locations_by_path: dict[str, UUID] = field(default_factory=dict)
    locations_by_name: dict[str, list[UUID]] = field(default_factory=dict)
    location_paths: dict[UUID, str] = field(default_factory=dict)
    location_codes: set[str] = field(default_factory=set)
    people_by_email: dict[str, UUID] = field(default_factory=dict)
    people_by_name: dict[str, list[UUID]] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=lambda: {"categories": 0, "locations": 0, "people": 0})
    pending: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"categories": [], "locations": [], "people": []})
    tree_locked: bool = False

    @classmethod
    async def load(cls, session: AsyncSession, tenant_id: UUID) -> Names:
        names = cls(tenant_id)
        for row in await session.execute(select(Category.id, Category.name_key).where(
                Category.tenant_id == tenant_id, Category.deleted_at.is_(None))):
            names.categories[row.name_key] = row.id
        for row in await session.execute(select(Location.id, Location.name, Location.path, Location.code,
                                                Location.deleted_at).where(Location.tenant_id == tenant_id)):
            names.location_codes.add(row.code)
            if row.deleted_at is None:
                names._add_location(row.id, row.name, row.path)
        for row in await session.execute(select(Person.id, Person.name, Person.email_key).where(
                Person.tenant_id == tenant_id, Person.deleted_at.is_(None))):
            if row.email_key:
                names.people_by_email[row.email_key] = row.id
            names.people_by_name.setdefault(row.name.strip(), []).append(row.id)
        return names

    def _add_location(self, location_id: UUID, name: str, path: str) -> None:
        self.locations_by_path[path_key(path)] = location_id
        self.locations_by_name.setdefault(name.strip().casefold(), []).append(location_id)
        self.location_paths[location_id] = path

    # --- finding: no writes, so a row that fails later leaves nothing behind ---------------------------

    def check(self, wanted: Wanted) -> None:
        """Raise ValueError (naming the column) if a name is ambiguous; nothing missing is an error here."""
        if wanted.location is not None and ">" not in wanted.location:
            matches = self.locations_by_name.get(wanted.location.strip().casefold(), [])
            if path_key(wanted.location) not in self.locations_by_path and len(matches) > 1:
                paths = sorted(self.location_paths[m] for m in matches)[:3]
                raise ValueError(f"location: '{wanted.location[:60]}' names {len(matches)} locations "
                                 f"({'; '.join(paths)}); write its path")
        if wanted.assignee is not None and not wanted.assignee_email:
            matches = self.people_by_name.get(wanted.assignee.strip(), [])
            if len(matches) > 1:
                raise ValueError(f"assignee: {len(matches)} people are called '{wanted.assignee[:60]}'; "
                                 "add an assigneeEmail column to say which")

    # --- resolving, creating what is missing ---------------------------------------------------------

    def category_id(self, name: str) -> UUID:
        key = category_key(name)
        if key not in self.categories:
            category_id = uuid7()
            self.pending["categories"].append({
                "tenant_id": self.tenant_id, "id": category_id, "name": name.strip(), "name_key": key,
                "description": "", "is_default": False})
            self.categories[key] = category_id
        return self.categories[key]

    def location_id(self, text: str) -> UUID:
        found = self.locations_by_path.get(path_key(text))
        if found is not None:
            return found
        parts = path_parts(text)
        if len(parts) == 1:
            matches = self.locations_by_name.get(parts[0].casefold(), [])
            if len(matches) == 1:
                return matches[0]
        parent: UUID | None = None
        parent_path: str | None = None
        for depth in range(1, len(parts) + 1):
            path = location_rules.PATH_SEPARATOR.join(parts[:depth])
            existing = self.locations_by_path.get(path_key(path))
            if existing is None:
                existing = uuid7()
                self.pending["locations"].append({
                    "tenant_id": self.tenant_id, "id": existing, "parent_id": parent, "name": parts[depth - 1],
                    "path": location_rules.child_path(parent_path, parts[depth - 1]), "description": "",
                    "is_default": False})
                self._add_location(existing, parts[depth - 1], self.pending["locations"][-1]["path"])
            parent, parent_path = existing, self.location_paths[existing]
        assert parent is not None
        return parent

    def find_person(self, name: str | None, email: str | None) -> UUID | None:
        """By email when one is given, else by exact name; None when nobody matches."""
        email_key = email.strip().lower() if email and email.strip() else None
        if email_key is not None:
            return self.people_by_email.get(email_key)
        matches = self.people_by_name.get(name.strip(), []) if name is not None else []
        return matches[0] if matches else None

    def person_id(self, name: str | None, email: str | None) -> UUID:
        """The person find_person finds; someone not found is added to people."""
        found = self.find_person(name, email)
        if found is not None:
            return found
        email_key = email.strip().lower() if email and email.strip() else None
        display = (name or "").strip() or (email or "").strip()
        person_id = uuid7()
        self.pending["people"].append({
            "tenant_id": self.tenant_id, "id": person_id, "name": display, "email": email.strip() if email_key else None,
            "email_key": email_key, "notes": ""})
        if email_key is not None:
            self.people_by_email[email_key] = person_id
        self.people_by_name.setdefault(display, []).append(person_id)
        return person_id

    async def flush(self, session: AsyncSession) -> None:
        """Write the names created since the last flush, in bulk, before the assets that point at them."""
        now = utcnow()
        if self.pending["locations"]:
            await self._assign_codes(session, self.pending["locations"])
        for kind, model in (("categories", Category), ("locations", Location), ("people", Person)):
            rows = self.pending[kind]
            if rows:
                for row in rows:
                    row["created_at"] = row["updated_at"] = now
                await session.execute(insert(model.__table__), rows)
                self.created[kind] += len(rows)
                self.pending[kind] = []

    async def _assign_codes(self, session: AsyncSession, rows: list[dict[str, Any]]) -> None:
        """Door-label codes from the tenant's sequence, reserved together, skipping codes already used."""
        if not self.tree_locked:  # as the locations service does: one change to a tenant's tree at a time
            await session.execute(select(Location.id).where(
                Location.tenant_id == self.tenant_id, Location.is_default.is_(True)).with_for_update(key_share=True))
            self.tree_locked = True
        waiting = list(rows)
        while waiting:
            last = await reserve_numbers(session, self.tenant_id, "location_code", len(waiting))
            for number in range(last - len(waiting) + 1, last + 1):
                code = location_rules.format_location_code(number)
                if code not in self.location_codes:
                    waiting.pop(0)["code"] = code
                    self.location_codes.add(code)


async def reserve_numbers(session: AsyncSession, tenant_id: UUID, name: str, count: int) -> int:
    """Advance a per-tenant counter by `count` in one upsert (as tenancy's next_value does by one); the last
    number reserved. The numbers last-count+1 … last are this transaction's alone."""
    dialect_insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = dialect_insert(Counter).values(tenant_id=tenant_id, name=name, value=count, updated_at=utcnow())
    stmt = stmt.on_conflict_do_update(index_elements=[Counter.tenant_id, Counter.name],
                                      set_={"value": Counter.value + count, "updated_at": utcnow()})
    return (await session.execute(stmt.returning(Counter.value))).scalar_one()
