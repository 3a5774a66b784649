"""Users, sign-in, API keys, and turning an Authorization header into a Principal."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import anyio.to_thread
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth import passwords, rules
from backend.auth.models import ApiKey, User
from backend.context import Principal
from backend.db import listing
from backend.db.base import utcnow
from backend.db.engine import Database
from backend.errors import BadRequest, Conflict, NotFound, Unauthorized
from backend.ratelimit.service import AuthEpochs
from backend.settings import Settings
from backend.tenancy.service import TenantInfo

T = TypeVar("T")
_PASSWORD_CHECKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


async def argon2_in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Hash or check a password on a worker thread, one at a time per process: each Argon2 run already
    uses several cores (its parallelism lanes), so a flood of sign-ins waits here, asleep, instead of
    taking every core from the scans."""
    loop = asyncio.get_running_loop()
    limiter = _PASSWORD_CHECKS.get(loop)
    if limiter is None:
        limiter = _PASSWORD_CHECKS[loop] = anyio.CapacityLimiter(1)
    return await anyio.to_thread.run_sync(fn, *args, limiter=limiter)


# How long one process reuses what it read about a user or key. A revocation or a change of access
# advances the tenant's sign-in epoch (ratelimit/service.py AuthEpochs), which every request reads: an
# entry of an older epoch is read again, so such a change is honoured at once everywhere.
CACHE_SECONDS = 5.0
LAST_USED_EVERY = timedelta(seconds=60)


def email_key(email: str) -> str:
    return email.strip().lower()


def require_role(role: str) -> None:
    if role not in rules.ROLES:
        raise BadRequest(f"Unknown role '{role[:20]}'", {"role": f"one of {', '.join(rules.ROLES)}"})


async def create_user(session: AsyncSession, tenant_id: UUID, email: str, password: str,
                      role: str = "technician", name: str = "", *, password_hash: str | None = None) -> User:
    """`password_hash`, when the caller hashed `password` already (before its session's first statement)."""
    require_role(role)
    passwords.check(password, email)
    key = email_key(email)
    # Hashed before the first statement: on SQLite a write session holds the write lock from there to its
    # commit, and Argon2 takes tens of milliseconds that every scan would wait. A caller whose session has
    # written already hashes before opening it, and passes the hash.
    if password_hash is None:
        password_hash = await argon2_in_thread(rules.hash_password, password)
    if (await session.execute(select(User.id).where(User.tenant_id == tenant_id, User.email_key == key))).first():
        raise Conflict(f"A user with email '{email}' already exists", {"email": "taken"})
    user = User(tenant_id=tenant_id, email=email.strip(), email_key=key, password_hash=password_hash, role=role, name=name)
    session.add(user)
    await session.flush()
    return user


async def get_user(session: AsyncSession, tenant_id: UUID, user_id: UUID) -> User:
    user = (await session.execute(select(User).where(User.tenant_id == tenant_id, User.id == user_id))).scalar_one_or_none()
    if user is None:
        raise NotFound("User not found")
    return user


@dataclass(frozen=True, slots=True)
class SignIn:
    token: str
    expires_at: object
    user: User


async def sign_in(database: Database, settings: Settings, tenant: TenantInfo, email: str, password: str) -> SignIn:
    """Read the user, check the password outside any transaction, then record the sign-in in a short write:
    Argon2 never runs while the SQLite write lock is held (a flood of wrong passwords must not stall scans)."""
    async with database.read_sessions() as session:
        user = (await session.execute(
            select(User).where(User.tenant_id == tenant.id, User.email_key == email_key(email))
        )).scalar_one_or_none()
    ok = await argon2_in_thread(rules.verify_password, user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        raise Unauthorized("Invalid email or password")
    now = utcnow()
    async with database.write_sessions() as session:
        await session.execute(update(User).where(User.tenant_id == tenant.id, User.id == user.id)
                              .values(last_login_at=now))
        await session.commit()
    user.last_login_at = now
    return signed_in(settings, tenant, user, now)


def signed_in(settings: Settings, tenant: TenantInfo, user: User, now: datetime) -> SignIn:
    """A token for `user` as they are now (role and token version)."""
    token, expires = rules.issue_token(settings.secret_key, user_id=user.id, tenant_id=tenant.id, tenant_slug=tenant.slug,
                                       role=user.role, now=now, ttl=timedelta(minutes=settings.token_ttl_minutes),
                                       version=user.token_version)
    return SignIn(token=token, expires_at=expires, user=user)


async def create_api_key(session: AsyncSession, tenant_id: UUID, name: str, role: str,
                         created_by_id: UUID | None) -> tuple[ApiKey, str]:
    require_role(role)
    if not name.strip():
        raise BadRequest("An API key needs a name saying what it is for", {"name": "must not be blank"})
    token, prefix, token_hash = rules.new_api_key()
    key = ApiKey(tenant_id=tenant_id, name=name.strip(), prefix=prefix, token_hash=token_hash, role=role,
                 created_by_id=created_by_id, created_at=utcnow())
    session.add(key)
    await session.flush()
    return key, token


API_KEY_SORTS = {"createdAt": (ApiKey.created_at, datetime), "name": (ApiKey.name, str)}


async def list_api_keys(session: AsyncSession, tenant_id: UUID, *, sort: str | None = None, limit: int | None = None,
                        cursor: str | None = None) -> tuple[Sequence[ApiKey], str | None]:
    """Newest first by default; revoked keys stay listed (with revokedAt) so their use can be traced."""
    stmt = select(ApiKey).where(ApiKey.tenant_id == tenant_id)
    return await listing.page(session, stmt, ApiKey.id, listing.parse_sort(sort, API_KEY_SORTS, "-createdAt"), limit, cursor)


async def revoke_api_key(session: AsyncSession, cache: AuthCache, epochs: AuthEpochs, tenant_id: UUID,
                         key_id: UUID) -> None:
    key = (await session.execute(select(ApiKey).where(ApiKey.tenant_id == tenant_id, ApiKey.id == key_id))).scalar_one_or_none()
    if key is None:
        raise NotFound("API key not found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    await session.commit()
    cache.keys.pop((tenant_id, key.token_hash), None)
    await epochs.advance(tenant_id)  # every other process and host reads the key again at its next request


class AuthCache:
    """Recently checked users and keys, so a scan burst does not re-read them on every request."""

    def __init__(self) -> None:
        # (valid until, sign-in epoch, …)
        self.users: dict[tuple[UUID, UUID], tuple[float, int, str, str, bool, int]] = {}
        self.keys: dict[tuple[UUID, str], tuple[float, int, UUID, str]] = {}


async def principal_from_header(database: Database, settings: Settings, cache: AuthCache,
                                tenant: TenantInfo, header: str | None, epoch: int = 0) -> Principal:
    """The caller; `epoch` is the tenant's sign-in epoch now (cached entries of another one are read again)."""
    if not header:
        raise Unauthorized("Sign in first: send 'Authorization: Bearer <token>' or 'Authorization: ApiKey <key>'")
    scheme, _, credential = header.strip().partition(" ")
    credential = credential.strip()
    scheme = scheme.lower()
    if not credential:
        raise Unauthorized("The Authorization header has no credential after its scheme")
    if scheme == "bearer":
        if rules.looks_like_api_key(credential):
            raise Unauthorized("API keys must be sent as 'Authorization: ApiKey <key>', not as a Bearer token",
                               {"scheme": "use ApiKey"})
        return await _principal_from_jwt(database, settings, cache, tenant, credential, epoch)
    if scheme == "apikey":
        return await _principal_from_api_key(database, cache, tenant, credential, epoch)
    raise Unauthorized(f"Unsupported authorization scheme '{scheme[:20]}'; use Bearer or ApiKey", {"scheme": "Bearer or ApiKey"})


async def _principal_from_jwt(database: Database, settings: Settings, cache: AuthCache,
                              tenant: TenantInfo, token: str, epoch: int) -> Principal:
    try:
        claims = rules.read_token(settings.secret_key, token, tenant.slug)
    except rules.TokenError as exc:
        raise Unauthorized(f"Invalid token: {exc}") from None
    if claims.tenant_id != tenant.id:
        raise Unauthorized("Invalid token: this token was issued for another tenant")
    key = (tenant.id, claims.user_id)
    entry = cache.users.get(key)
    if entry is None or entry[0] < time.monotonic() or entry[1] != epoch:
        async with database.read_sessions() as session:
            row = (await session.execute(
                select(User.role, User.email, User.is_active, User.token_version)
                .where(User.tenant_id == tenant.id, User.id == claims.user_id)
            )).first()
        entry = (time.monotonic() + CACHE_SECONDS, epoch, row.role, row.email, row.is_active, row.token_version) if row else (
            time.monotonic() + CACHE_SECONDS, epoch, "", "", False, -1)
        cache.users[key] = entry
    _, _, role, email, active, version = entry
    if not active:
        raise Unauthorized("This user no longer has access; ask an admin")
    if claims.version != version:
        raise Unauthorized("This sign-in has ended (the password was changed); sign in again")
    # The role is read from the user, not the token, so a demotion takes effect within seconds.
    return Principal(tenant=tenant, role=role, user_id=claims.user_id, email=email)


async def _principal_from_api_key(database: Database, cache: AuthCache, tenant: TenantInfo, token: str,
                                  epoch: int) -> Principal:
    token_hash = rules.hash_api_key(token)
    key = (tenant.id, token_hash)
    entry = cache.keys.get(key)
    now = time.monotonic()
    if entry is None or entry[0] < now or entry[1] != epoch:
        async with database.read_sessions() as session:
            row = (await session.execute(
                select(ApiKey.id, ApiKey.role, ApiKey.revoked_at, ApiKey.last_used_at)
                .where(ApiKey.tenant_id == tenant.id, ApiKey.token_hash == token_hash)
            )).first()
        if row is None or row.revoked_at is not None:
            raise Unauthorized("Invalid or revoked API key")
        if row.last_used_at is None or utcnow() - row.last_used_at > LAST_USED_EVERY:
            async with database.write_sessions() as session:
                await session.execute(update(ApiKey).where(ApiKey.tenant_id == tenant.id, ApiKey.id == row.id)
                                      .values(last_used_at=utcnow()))
                await session.commit()
        entry = (now + CACHE_SECONDS, epoch, row.id, row.role)
        cache.keys[key] = entry
    return Principal(tenant=tenant, role=entry[3], api_key_id=entry[2])
