from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta

from backend.trash.rules import KINDS
from backend.wire import Out, Page, Wire

Kind = Literal[KINDS]  # type: ignore[valid-type]


class TrashRef(Wire):
    kind: Kind
    id: UUID


class TrashRequest(Wire):
    items: Annotated[list[TrashRef], Meta(min_length=1, max_length=200)]


class TrashItemOut(Out):
    kind: str
    id: UUID
    name: str
    deleted_at: datetime
    # A little context, by kind: an asset's tag, a location's path, a custom field's key, a person's email,
    # a session's status, the asset a maintenance record belongs to.
    tag: str | None = None
    path: str | None = None
    key: str | None = None
    email: str | None = None
    status: str | None = None
    asset_id: UUID | None = None


TrashPage = Page[TrashItemOut]


class TrashRefOut(Out):
    kind: str
    id: UUID


class RestoredOut(Out):
    restored: list[TrashRefOut]


class DeletedOut(Out):
    deleted: list[TrashRefOut]
