from __future__ import annotations

from datetime import datetime
from uuid import UUID

from msgspec import UNSET, UnsetType

from backend.wire import Email, LongText, Name, Out, Page, ShortText, Wire


class PersonIn(Wire):
    name: Name
    email: Email | None = None
    employee_number: ShortText | None = None
    department: ShortText | None = None
    notes: LongText = ""


class PersonPatch(Wire):
    name: Name | UnsetType = UNSET
    email: Email | None | UnsetType = UNSET
    employee_number: ShortText | None | UnsetType = UNSET
    department: ShortText | None | UnsetType = UNSET
    notes: LongText | UnsetType = UNSET


class PersonOut(Out):
    id: UUID
    name: str
    email: str | None
    employee_number: str | None
    department: str | None
    notes: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


PersonPage = Page[PersonOut]
