"""/users (admins manage accounts), /auth/password-link and /auth/set-password (a one-time link sets a
password), /me/password (a user changes their own). The rules are in accounts.py."""

from __future__ import annotations

from litestar import Request, Router, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import UNSET

from backend.auth import accounts, passwords
from backend.auth.api import login_out
from backend.auth.guards import admin, requires
from backend.auth.models import User
from backend.auth.schemas import (LinkIn, LinkInfoOut, LoginOut, PasswordChangeIn, PasswordLinkOut, SetPasswordIn,
                                  UserInvitedOut, UserInviteIn, UserOut, UserPage, UserPatchIn)
from backend.auth.service import email_key
from backend.context import Caller, Principal, CurrentSettings, CurrentTenant, DB, database_of, provide_settings, provide_tenant, public_origin
from backend.errors import BadRequest
from backend.ratelimit.service import limiter_of
from backend.tenancy.service import TenantInfo
from backend.wire import parse_uuid

PUBLIC = {"tenant": Provide(provide_tenant, sync_to_thread=False), "settings": Provide(provide_settings, sync_to_thread=False)}


def user_out(user: User) -> UserOut:
    return UserOut(id=user.id, email=user.email, name=user.name, role=user.role, status=accounts.status_of(user),  # type: ignore[arg-type]
                   is_active=user.is_active, last_login_at=user.last_login_at, created_at=user.created_at)


def _link_out(request: Request, settings: CurrentSettings, tenant: TenantInfo, link: accounts.Link) -> PasswordLinkOut:
    return PasswordLinkOut(url=link.url(public_origin(request, settings, tenant)), purpose=link.purpose,  # type: ignore[arg-type]
                           expires_at=link.expires_at)


@get("/users", guards=[admin], summary="List users",
     description="`q` searches name and email; `status` is active, invited (no password set yet) or deactivated.")
async def list_users(db: DB, principal: Caller, q: FromQuery[str | None] = None, role: FromQuery[str | None] = None,
                     status: FromQuery[str | None] = None, sort: FromQuery[str | None] = None,
                     limit: FromQuery[int | None] = None, cursor: FromQuery[str | None] = None) -> UserPage:
    users, next_cursor = await accounts.list_users(db, principal.tenant.id, q=q, role=role, status=status, sort=sort,
                                                   limit=limit, cursor=cursor)
    return UserPage(items=[user_out(u) for u in users], next_cursor=next_cursor)


@post("/users", guards=[admin], dependencies={"settings": Provide(provide_settings, sync_to_thread=False)},
      summary="Invite a user (the one-time link that sets their password is shown only in this answer)",
      description=f"The link is valid for {accounts.INVITE_TTL.days} days; pass it on to the user.")
async def invite_user(data: JSONBody[UserInviteIn], db: DB, principal: Caller, request: Request,
                      settings: CurrentSettings) -> UserInvitedOut:
    user, link = await accounts.invite(db, principal.tenant.id, data.email, data.name, data.role, principal.user_id)
    await db.commit()
    return UserInvitedOut(user=user_out(user), link=_link_out(request, settings, principal.tenant, link))


@get("/users/{user_id:str}", guards=[admin], summary="One user")
async def get_user(user_id: FromPath[str], db: DB, principal: Caller) -> UserOut:
    return user_out(await accounts.get_user(db, principal.tenant.id, parse_uuid(user_id, "userId")))


@patch("/users/{user_id:str}", guards=[admin], summary="Rename, change the role, deactivate or reactivate a user",
       description="A change of role or access is honoured at the user's next request on every process; "
                   "deactivating ends their tokens. The last active admin cannot be demoted or deactivated (409).")
async def update_user(user_id: FromPath[str], data: JSONBody[UserPatchIn], db: DB, principal: Caller,
                      request: Request) -> UserOut:
    user = await accounts.update_user(
        db, limiter_of(request).epochs, principal.tenant.id, parse_uuid(user_id, "userId"), principal.user_id,
        name=None if data.name is UNSET else data.name, role=None if data.role is UNSET else data.role,
        is_active=None if data.is_active is UNSET else data.is_active)
    return user_out(user)


@post("/users/{user_id:str}/password-reset", guards=[admin],
      dependencies={"settings": Provide(provide_settings, sync_to_thread=False)},
      summary="A one-time link that sets the user's password (shown only in this answer)",
      description=f"Valid for {int(accounts.RESET_TTL.total_seconds() // 3600)} hours; a user who never set a "
                  "password gets a new invitation instead. Earlier open links of the user are void. The current "
                  "password keeps working until the link is used.")
async def password_reset(user_id: FromPath[str], db: DB, principal: Caller, request: Request,
                         settings: CurrentSettings) -> PasswordLinkOut:
    _, link = await accounts.password_link(db, principal.tenant.id, parse_uuid(user_id, "userId"), principal.user_id)
    return _link_out(request, settings, principal.tenant, link)


@post("/auth/password-link", status_code=200, dependencies=PUBLIC, summary="Whom a one-time password link is for",
      description="Does not use the link. Counted against the sign-in rate limit.")
async def password_link_info(data: JSONBody[LinkIn], request: Request, tenant: CurrentTenant) -> LinkInfoOut:
    await limiter_of(request).count_sign_in(request, tenant.id)
    link, user = await accounts.link_info(database_of(request.app.state), tenant.id, data.token)
    return LinkInfoOut(email=user.email, name=user.name, purpose=link.purpose, expires_at=link.expires_at,  # type: ignore[arg-type]
                       min_length=passwords.MIN_LENGTH)


@post("/auth/set-password", status_code=200, dependencies=PUBLIC,
      summary="Set a password with a one-time link, and sign in",
      description=f"At least {passwords.MIN_LENGTH} characters and not a known breached password. Ends every "
                  "earlier token of the user. Counted against the sign-in rate limit.")
async def set_password(data: JSONBody[SetPasswordIn], request: Request, tenant: CurrentTenant,
                       settings: CurrentSettings) -> LoginOut:
    limiter = limiter_of(request)
    await limiter.count_sign_in(request, tenant.id)
    result = await accounts.set_password_by_link(database_of(request.app.state), settings, tenant, data.token, data.password)
    await limiter.epochs.advance(tenant.id)  # other processes drop what they cached of the user's old tokens
    return login_out(tenant, result)


@post("/me/password", status_code=200, guards=[requires("technician", jwt_only=True)],
      dependencies={"settings": Provide(provide_settings, sync_to_thread=False)},
      summary="Change your own password (answers a new token: every earlier one ends)",
      description="A wrong current password counts as a failed sign-in of the account.")
async def change_password(data: JSONBody[PasswordChangeIn], request: Request, settings: CurrentSettings) -> LoginOut:
    principal: Principal = request.state.principal  # no request session: the Argon2 checks run outside one
    limiter = limiter_of(request)
    tenant = principal.tenant
    account = email_key(principal.email or "")
    await limiter.before_sign_in(request, tenant.id, account)
    assert principal.user_id is not None  # jwt_only
    result = await accounts.change_own_password(database_of(request.app.state), settings, tenant, principal.user_id,
                                                data.current_password, data.new_password)
    if result is None:
        await limiter.sign_in_failed(request, tenant.id, account)
        raise BadRequest("The current password is not right", {"currentPassword": "wrong"})
    await limiter.sign_in_succeeded(request, tenant.id, account)
    await limiter.epochs.advance(tenant.id)
    return login_out(tenant, result)


router = Router("", tags=["users"], route_handlers=[list_users, invite_user, get_user, update_user, password_reset,
                                                    password_link_info, set_password, change_password])
