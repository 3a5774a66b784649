from __future__ import annotations

from datetime import datetime
from uuid import UUID

from msgspec import UNSET, UnsetType

from backend.wire import LongText, Name, Out, Page, Wire


class CategoryIn(Wire):
    name: Name
    description: LongText = ""


class CategoryPatch(Wire):
    name: Name | UnsetType = UNSET
    description: LongText | UnsetType = UNSET


class CategoryOut(Out):
    id: UUID
    name: str
    description: str
    is_default: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


CategoryPage = Page[CategoryOut]
