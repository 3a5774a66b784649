from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from backend.wire import Email, Name, Out, Page, Wire

RoleName = Literal["admin", "manager", "technician"]


class LoginIn(Wire):
    email: Email
    password: str


class TenantOut(Out):
    id: UUID
    slug: str
    name: str


class MeOut(Out):
    role: str
    via: Literal["jwt", "apikey"]
    tenant: TenantOut
    id: UUID | None = None
    email: str | None = None
    name: str | None = None
    api_key_id: UUID | None = None


class LoginOut(Out):
    token: str
    token_type: Literal["Bearer"]
    expires_at: datetime
    user: MeOut


class ApiKeyIn(Wire):
    name: Name
    role: RoleName = "technician"


class ApiKeyOut(Out):
    id: UUID
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    token: str


ApiKeyPage = Page[ApiKeyOut]
