from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from msgspec import UNSET, Meta, UnsetType

from backend.wire import END, LongText, Name, Out, Page, Wire

# Printed into /l/{code}: starts with a letter or digit, so "." or ".." cannot turn the QR URL into another page.
LocationCode = Annotated[str, Meta(min_length=1, max_length=32, pattern=rf"^[A-Za-z0-9][A-Za-z0-9._-]*{END}")]


class LocationIn(Wire):
    name: Name
    parent_id: UUID | None = None
    code: LocationCode | None = None
    description: LongText = ""


class LocationPatch(Wire):
    name: Name | UnsetType = UNSET
    parent_id: UUID | None | UnsetType = UNSET
    code: LocationCode | UnsetType = UNSET
    description: LongText | UnsetType = UNSET


class LocationOut(Out):
    id: UUID
    parent_id: UUID | None
    name: str
    code: str
    path: str
    description: str
    is_default: bool
    qr_url: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


LocationPage = Page[LocationOut]
