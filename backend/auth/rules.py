"""Roles, password hashes, signed tokens and API key tokens: pure functions, no I/O."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from functools import cache
from typing import Literal
from uuid import UUID

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

Role = Literal["admin", "manager", "technician"]
ROLES: tuple[Role, ...] = ("technician", "manager", "admin")
_RANK = {role: rank for rank, role in enumerate(ROLES)}

API_KEY_PREFIX = "fsk_"
ISSUER = "fieldscan"

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a login takes as long either way. Made on first
    use, not at import: hashing is slow on purpose, and every CLI command imports this module."""
    return _hasher.hash(secrets.token_urlsafe(16))


def role_allows(role: str, needed: str) -> bool:
    """An admin can do what a manager can, a manager what a technician can."""
    return _RANK.get(role, -1) >= _RANK[needed]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        # An invited user has no password yet (an empty hash): checked against the dummy, never accepted.
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: UUID
    tenant_id: UUID
    tenant_slug: str
    role: str
    expires_at: datetime
    version: int = 0  # the user's token_version when it was issued


class TokenError(Exception):
    pass


class WrongTenantToken(TokenError):
    pass


def issue_token(secret: str, *, user_id: UUID, tenant_id: UUID, tenant_slug: str, role: str,
                now: datetime, ttl: timedelta, version: int = 0) -> tuple[str, datetime]:
    expires = now + ttl
    claims = {
        "iss": ISSUER,
        "aud": tenant_slug,
        "sub": str(user_id),
        "tid": str(tenant_id),
        "role": role,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "ver": version,
    }
    return jwt.encode(claims, secret, algorithm="HS256"), expires


def read_token(secret: str, token: str, tenant_slug: str) -> TokenClaims:
    """The claims of a token issued for this tenant; TokenError says why not."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=tenant_slug, issuer=ISSUER,
                            options={"require": ["exp", "sub", "tid", "aud"]})
    except jwt.InvalidAudienceError:
        raise WrongTenantToken("this token was issued for another tenant") from None
    except jwt.ExpiredSignatureError:
        raise TokenError("the token has expired; sign in again") from None
    except jwt.PyJWTError:
        raise TokenError("the token is not valid") from None
    try:
        return TokenClaims(
            user_id=UUID(str(claims["sub"])),
            tenant_id=UUID(str(claims["tid"])),
            # The audience was checked against this slug; a list-valued "aud" must not leak through.
            tenant_slug=tenant_slug,
            role=str(claims.get("role", "")),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            version=int(claims.get("ver", 0)),
        )
    except (ValueError, TypeError, OverflowError, OSError):
        raise TokenError("the token is not valid") from None


def new_api_key() -> tuple[str, str, str]:
    """(token, visible prefix, SHA-256 hex). Only the hash is stored; the token is shown once."""
    token = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return token, token[:12], hash_api_key(token)


def hash_api_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_api_key(token: str) -> bool:
    return token.startswith(API_KEY_PREFIX)
