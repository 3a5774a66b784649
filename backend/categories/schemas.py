from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from msgspec import UNSET, Meta, UnsetType

from backend.wire import LongText, Name, Out, Page, Wire


LifeExpectancy = Annotated[int, Meta(ge=1, le=1200, description=(
    "How many months an asset of this kind is expected to serve from its purchase date (a health reason past it)"))]


class CategoryIn(Wire):
    name: Name
    description: LongText = ""
    life_expectancy_months: LifeExpectancy | None = None


class CategoryPatch(Wire):
    name: Name | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    life_expectancy_months: LifeExpectancy | None | UnsetType = UNSET


class CategoryOut(Out):
    id: UUID
    name: str
    description: str
    is_default: bool
    life_expectancy_months: int | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


CategoryPage = Page[CategoryOut]
