from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from msgspec import UNSET, Meta, UnsetType

from backend.wire import Email, Name, Out, Page, ShortText, Wire

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


UserStatus = Literal["active", "invited", "deactivated"]


class UserOut(Out):
    id: UUID
    email: str
    name: str
    role: str
    status: UserStatus
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime


UserPage = Page[UserOut]


class UserInviteIn(Wire):
    email: Email
    name: ShortText = ""
    role: RoleName = "technician"


class UserPatchIn(Wire):
    name: ShortText | UnsetType = UNSET
    role: RoleName | UnsetType = UNSET
    is_active: bool | UnsetType = UNSET


class PasswordLinkOut(Out):
    """A one-time link to pass on to the user; shown only in this answer."""

    url: str
    purpose: Literal["invite", "reset"]
    expires_at: datetime


class UserInvitedOut(Out):
    user: UserOut
    link: PasswordLinkOut


class LinkIn(Wire):
    token: Annotated[str, Meta(min_length=1, max_length=200)]


class LinkInfoOut(Out):
    email: str
    name: str
    purpose: Literal["invite", "reset"]
    expires_at: datetime
    min_length: int


class SetPasswordIn(Wire):
    token: Annotated[str, Meta(min_length=1, max_length=200)]
    password: str


class PasswordChangeIn(Wire):
    current_password: str
    new_password: str
