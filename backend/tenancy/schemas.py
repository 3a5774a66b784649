from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from msgspec import UNSET, Meta, UnsetType

from backend.wire import Name, Out, Wire


class TenantSettingsOut(Out):
    id: UUID
    slug: str
    name: str
    tag_prefix: str
    tag_padding: int
    # Random characters after the number of each generated tag (AST-000123-K7QF9M); 0: none.
    tag_random_chars: int
    # The next generated tag; with a random part, its characters show as '?' (they are drawn at creation).
    next_tag: str
    # API requests a minute per API key or user; null: the service's default (FIELDSCAN_API_RATE_LIMIT).
    api_rate_limit: int | None
    created_at: datetime


class TenantSettingsPatch(Wire):
    name: Name | UnsetType = UNSET
    tag_prefix: Annotated[str, Meta(max_length=16)] | UnsetType = UNSET
    tag_padding: Annotated[int, Meta(ge=1, le=12)] | UnsetType = UNSET
    tag_random_chars: Annotated[int, Meta(ge=0, le=12, description="0: off; otherwise 4 to 12")] | UnsetType = UNSET
    # 0: no limit; null: back to the service's default.
    api_rate_limit: Annotated[int, Meta(ge=0, le=1_000_000)] | None | UnsetType = UNSET
