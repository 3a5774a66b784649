"""Accounts an admin manages: invitations, roles, deactivation, password links; and a user's own password.

- An invited user exists at once, with no password (an empty hash, which never signs in), and a one-time
  link that sets it: valid for INVITE_TTL. A reset link (RESET_TTL) works the same way for a user who has
  a password; the old one keeps working until the link is used. Issuing a link voids that user's earlier
  open ones. Only a link's SHA-256 is stored; the link itself is in one answer, to be passed on by the admin.
- Setting a password, by a link or by the user, raises the user's token version: every earlier token of
  that user ends. Any change of access (role, deactivation, password) advances the tenant's sign-in epoch,
  so every process and host reads the user again at its next request.
- A workspace always keeps one active admin; nobody deactivates themselves.
Argon2 never runs inside a write transaction (see service.sign_in).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth import passwords, rules
from backend.auth.models import AccountLink, User
from backend.auth.service import SignIn, argon2_in_thread, email_key, get_user, require_role, signed_in
from backend.db import listing
from backend.db.base import utcnow
from backend.db.engine import Database
from backend.db.records import like_pattern
from backend.errors import BadRequest, Conflict
from backend.ratelimit.service import AuthEpochs
from backend.settings import Settings
from backend.tenancy.service import TenantInfo

INVITE_TTL = timedelta(days=7)
RESET_TTL = timedelta(hours=24)
LINK_PATH = "/app/set-password#"  # the token rides in the fragment: never in a server log or a Referer
STATUSES = ("active", "invited", "deactivated")
USER_SORTS = {"email": (User.email_key, str), "name": (User.name, str), "createdAt": (User.created_at, datetime)}
_LINK_REFUSED = "This link is unknown, already used or expired; ask an admin for a new one"


@dataclass(frozen=True, slots=True)
class Link:
    token: str
    purpose: str  # invite | reset
    expires_at: datetime

    def url(self, origin: str) -> str:
        return f"{origin}{LINK_PATH}{self.token}"


def status_of(user: User) -> str:
    if not user.is_active:
        return "deactivated"
    return "active" if user.password_hash else "invited"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def list_users(session: AsyncSession, tenant_id: UUID, *, q: str | None = None, role: str | None = None,
                     status: str | None = None, sort: str | None = None, limit: int | None = None,
                     cursor: str | None = None) -> tuple[Sequence[User], str | None]:
    stmt = select(User).where(User.tenant_id == tenant_id)
    if q and q.strip():
        pattern = like_pattern(q.strip())
        stmt = stmt.where(User.name.ilike(pattern, escape="\\") | User.email.ilike(pattern, escape="\\"))
    if role is not None:
        require_role(role)
        stmt = stmt.where(User.role == role)
    if status is not None:
        if status not in STATUSES:
            raise BadRequest(f"Unknown status '{status[:20]}'", {"status": f"one of {', '.join(STATUSES)}"})
        if status == "deactivated":
            stmt = stmt.where(User.is_active.is_(False))
        else:
            has_password = User.password_hash != ""
            stmt = stmt.where(User.is_active.is_(True), has_password if status == "active" else ~has_password)
    return await listing.page(session, stmt, User.id, listing.parse_sort(sort, USER_SORTS, "email"), limit, cursor)


async def _void_open_links(session: AsyncSession, user: User, now: datetime) -> None:
    await session.execute(update(AccountLink)
                          .where(AccountLink.tenant_id == user.tenant_id, AccountLink.user_id == user.id,
                                 AccountLink.used_at.is_(None), AccountLink.expires_at > now)
                          .values(expires_at=now))


async def _issue_link(session: AsyncSession, user: User, purpose: str, by: UUID | None) -> Link:
    now = utcnow()
    await _void_open_links(session, user, now)
    token = secrets.token_urlsafe(32)
    expires = now + (INVITE_TTL if purpose == "invite" else RESET_TTL)
    session.add(AccountLink(tenant_id=user.tenant_id, user_id=user.id, purpose=purpose, token_hash=_hash(token),
                            created_by_id=by, created_at=now, expires_at=expires))
    await session.flush()
    return Link(token=token, purpose=purpose, expires_at=expires)


async def invite(session: AsyncSession, tenant_id: UUID, email: str, name: str, role: str,
                 by: UUID | None) -> tuple[User, Link]:
    require_role(role)
    key = email_key(email)
    if (await session.execute(select(User.id).where(User.tenant_id == tenant_id, User.email_key == key))).first():
        raise Conflict(f"A user with email '{email.strip()}' already exists", {"email": "taken"})
    user = User(tenant_id=tenant_id, email=email.strip(), email_key=key, name=name.strip(), password_hash="", role=role)
    session.add(user)
    await session.flush()
    return user, await _issue_link(session, user, "invite", by)


async def _active_admins(session: AsyncSession, tenant_id: UUID) -> int:
    """Admins who can sign in now: active, with a password set (an invitation may never be taken up).
    Locked on PostgreSQL, so two admins demoting each other at once cannot both succeed."""
    ids = (await session.execute(select(User.id).where(User.tenant_id == tenant_id, User.role == "admin",
                                                        User.is_active.is_(True), User.password_hash != "")
                                 .with_for_update())).all()
    return len(ids)


async def update_user(session: AsyncSession, epochs: AuthEpochs, tenant_id: UUID, user_id: UUID, actor_id: UUID | None, *,
                      name: str | None = None, role: str | None = None, is_active: bool | None = None) -> User:
    user = await get_user(session, tenant_id, user_id)
    if role is not None:
        require_role(role)
    if is_active is False and user.id == actor_id:
        raise Conflict("You cannot deactivate yourself; another admin can", {"isActive": "not yourself"})
    counts_as_admin = user.role == "admin" and user.is_active and bool(user.password_hash)
    loses_admin = counts_as_admin and ((role is not None and role != "admin") or is_active is False)
    if loses_admin and await _active_admins(session, tenant_id) <= 1:
        field = "isActive" if is_active is False else "role"
        raise Conflict("The workspace needs at least one active admin; make someone else admin first",
                       {field: "last active admin"})
    access_changed = (role is not None and role != user.role) or (is_active is not None and is_active != user.is_active)
    if name is not None:
        user.name = name.strip()
    if role is not None:
        user.role = role
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        if not is_active:
            # Tokens end now and stay ended if the account is reactivated; open links are void.
            user.token_version += 1
            await _void_open_links(session, user, utcnow())
    user.updated_at = utcnow()
    await session.commit()
    if access_changed:
        await epochs.advance(tenant_id)
    return user


async def password_link(session: AsyncSession, tenant_id: UUID, user_id: UUID, by: UUID | None) -> tuple[User, Link]:
    """A new one-time link for the user: an invitation again if they never set a password, else a reset."""
    user = await get_user(session, tenant_id, user_id)
    if not user.is_active:
        raise Conflict("This user is deactivated; reactivate them first", {"isActive": "deactivated"})
    link = await _issue_link(session, user, "reset" if user.password_hash else "invite", by)
    await session.commit()
    return user, link


async def _open_link(session: AsyncSession, tenant_id: UUID, token: str) -> tuple[AccountLink, User]:
    row = (await session.execute(
        select(AccountLink, User)
        .join(User, (User.tenant_id == AccountLink.tenant_id) & (User.id == AccountLink.user_id))
        .where(AccountLink.tenant_id == tenant_id, AccountLink.token_hash == _hash(token.strip()),
               AccountLink.used_at.is_(None), AccountLink.expires_at > utcnow(), User.is_active.is_(True))
    )).first()
    if row is None:
        raise BadRequest(_LINK_REFUSED, {"token": "unknown, used or expired"})
    return row[0], row[1]


async def link_info(database: Database, tenant_id: UUID, token: str) -> tuple[AccountLink, User]:
    """Whom a link is for, without using it (the screen greets them by name)."""
    async with database.read_sessions() as session:
        return await _open_link(session, tenant_id, token)


async def set_password_by_link(database: Database, settings: Settings, tenant: TenantInfo, token: str,
                               password: str) -> SignIn:
    """Uses the link: the password is set, every earlier token of the user ends, and the user is signed in."""
    async with database.read_sessions() as session:
        link, user = await _open_link(session, tenant.id, token)
    passwords.check(password, user.email)
    password_hash = await argon2_in_thread(rules.hash_password, password)
    now = utcnow()
    async with database.write_sessions() as session:
        # Used once: of two requests racing with one link, one updates the row and the other finds it used.
        used = await session.execute(update(AccountLink)
                                     .where(AccountLink.tenant_id == tenant.id, AccountLink.id == link.id,
                                            AccountLink.used_at.is_(None), AccountLink.expires_at > now)
                                     .values(used_at=now))
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise BadRequest(_LINK_REFUSED, {"token": "unknown, used or expired"})
        fresh = (await session.execute(
            update(User).where(User.tenant_id == tenant.id, User.id == user.id, User.is_active.is_(True))
            .values(password_hash=password_hash, token_version=User.token_version + 1, last_login_at=now, updated_at=now)
            .returning(User)
        )).scalar_one_or_none()
        if fresh is None:
            raise BadRequest(_LINK_REFUSED, {"token": "unknown, used or expired"})
        await session.commit()
    return signed_in(settings, tenant, fresh, now)


async def change_own_password(database: Database, settings: Settings, tenant: TenantInfo, user_id: UUID,
                              current: str, new: str) -> SignIn | None:
    """None when `current` is wrong (the caller counts it as a failed sign-in); otherwise the user signed in
    again with the new password, every earlier token of theirs ended."""
    async with database.read_sessions() as session:
        user = await get_user(session, tenant.id, user_id)
    if not await argon2_in_thread(rules.verify_password, user.password_hash, current):
        return None
    passwords.check(new, user.email, field="newPassword")
    if new == current:
        raise BadRequest("The new password must differ from the current one", {"newPassword": "same as the current one"})
    password_hash = await argon2_in_thread(rules.hash_password, new)
    now = utcnow()
    async with database.write_sessions() as session:
        fresh = (await session.execute(
            update(User).where(User.tenant_id == tenant.id, User.id == user.id, User.is_active.is_(True),
                               User.token_version == user.token_version)
            .values(password_hash=password_hash, token_version=User.token_version + 1, updated_at=now)
            .returning(User)
        )).scalar_one_or_none()
        if fresh is None:
            raise Conflict("The password was changed meanwhile; sign in again", {"currentPassword": "changed meanwhile"})
        await session.commit()
    return signed_in(settings, tenant, fresh, now)

