"""Roles, password hashes, signed tokens and API key tokens."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from datetime import timedelta
from uuid import uuid4

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.auth import rules
from backend.db.base import utcnow

SECRET = secrets.token_urlsafe(48)


def _token(tenant_slug: str = "acme", *, secret: str = SECRET, now=None, ttl=timedelta(hours=1), role: str = "manager"):
    user_id, tenant_id = uuid4(), uuid4()
    token, expires = rules.issue_token(secret, user_id=user_id, tenant_id=tenant_id, tenant_slug=tenant_slug, role=role,
                                       now=now or utcnow(), ttl=ttl)
    return token, expires, user_id, tenant_id


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---- roles -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "needed", "allowed"), [
    ("admin", "admin", True), ("admin", "manager", True), ("admin", "technician", True),
    ("manager", "admin", False), ("manager", "manager", True), ("manager", "technician", True),
    ("technician", "admin", False), ("technician", "manager", False), ("technician", "technician", True),
])
def test_roles_are_ordered_admin_over_manager_over_technician(role: str, needed: str, allowed: bool) -> None:
    assert rules.role_allows(role, needed) is allowed


@pytest.mark.parametrize("role", ["", "owner", "Admin", "ADMIN", "superuser"])
def test_an_unknown_role_is_allowed_nothing(role: str) -> None:
    assert not any(rules.role_allows(role, needed) for needed in rules.ROLES)


# ---- passwords ---------------------------------------------------------------------------------

def test_a_password_verifies_against_its_own_hash_only() -> None:
    stored = rules.hash_password("correct horse battery")
    assert "correct horse battery" not in stored
    assert stored.startswith("$argon2")
    assert rules.verify_password(stored, "correct horse battery")
    assert not rules.verify_password(stored, "correct horse batter")
    assert not rules.verify_password(stored, "Correct horse battery")
    assert not rules.verify_password(stored, "")


def test_the_same_password_hashes_differently_each_time() -> None:
    assert rules.hash_password("same password") != rules.hash_password("same password")


@pytest.mark.parametrize("stored", [
    pytest.param("", id="empty"),
    pytest.param("correct horse battery", id="plain-text"),
    pytest.param("abc", id="junk"),
    pytest.param("$argon2id$v=19$m=65536,t=3,p=4$garbage", id="truncated-argon2"),
    pytest.param("$argon2x$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$aGFzaA", id="unknown-variant"),
    pytest.param("$2b$12$abcdefghijklmnopqrstuuSomeBcryptLookingHash", id="bcrypt"),
])
def test_a_garbage_hash_never_verifies_and_never_raises(stored: str) -> None:
    assert rules.verify_password(stored, "correct horse battery") is False


def test_no_hash_at_all_never_verifies() -> None:
    assert rules.verify_password(None, "correct horse battery") is False
    assert rules.verify_password(None, "") is False


# ---- signed tokens -----------------------------------------------------------------------------

def test_a_token_reads_back_the_claims_it_was_issued_with() -> None:
    now = utcnow()
    token, expires = rules.issue_token(SECRET, user_id=(user_id := uuid4()), tenant_id=(tenant_id := uuid4()),
                                       tenant_slug="acme", role="technician", now=now, ttl=timedelta(minutes=30))
    assert expires == now + timedelta(minutes=30)
    claims = rules.read_token(SECRET, token, "acme")
    assert claims.user_id == user_id
    assert claims.tenant_id == tenant_id
    assert claims.tenant_slug == "acme"
    assert claims.role == "technician"
    assert claims.expires_at == expires.replace(microsecond=0)
    assert claims.expires_at.utcoffset() == timedelta(0)  # times are UTC throughout


def test_a_token_for_one_tenant_is_refused_by_another() -> None:
    token, *_ = _token("acme")
    with pytest.raises(rules.WrongTenantToken, match="another tenant"):
        rules.read_token(SECRET, token, "globex")
    assert issubclass(rules.WrongTenantToken, rules.TokenError)


def test_an_expired_token_is_refused_and_says_so() -> None:
    token, *_ = _token(now=utcnow() - timedelta(hours=2), ttl=timedelta(hours=1))
    with pytest.raises(rules.TokenError, match="expired") as caught:
        rules.read_token(SECRET, token, "acme")
    assert not isinstance(caught.value, rules.WrongTenantToken)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token, *_ = _token(secret=secrets.token_urlsafe(48))
    with pytest.raises(rules.TokenError, match="not valid"):
        rules.read_token(SECRET, token, "acme")


def test_a_token_with_a_tampered_signature_is_refused() -> None:
    token, *_ = _token()
    header, payload, signature = token.split(".")
    raw = bytearray(_unb64(signature))
    raw[0] ^= 0x01
    with pytest.raises(rules.TokenError, match="not valid"):
        rules.read_token(SECRET, f"{header}.{payload}.{_b64(bytes(raw))}", "acme")


def test_a_token_whose_claims_were_edited_is_refused() -> None:
    token, *_ = _token(role="technician")
    header, payload, signature = token.split(".")
    claims = json.loads(_unb64(payload))
    claims["role"] = "admin"
    forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    with pytest.raises(rules.TokenError):
        rules.read_token(SECRET, forged, "acme")


def test_an_unsigned_token_is_refused() -> None:
    claims = {"iss": rules.ISSUER, "aud": "acme", "sub": str(uuid4()), "tid": str(uuid4()), "role": "admin",
              "exp": int((utcnow() + timedelta(hours=1)).timestamp())}
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    unsigned = f"{header}.{_b64(json.dumps(claims).encode())}."
    with pytest.raises(rules.TokenError):
        rules.read_token(SECRET, unsigned, "acme")


def _signed(claims: dict) -> str:
    return jwt.encode(claims, SECRET, algorithm="HS256")


def _good_claims() -> dict:
    return {"iss": rules.ISSUER, "aud": "acme", "sub": str(uuid4()), "tid": str(uuid4()), "role": "admin",
            "exp": int((utcnow() + timedelta(hours=1)).timestamp())}


@pytest.mark.parametrize("change", [
    pytest.param({"tid": None}, id="no-tenant-id"),
    pytest.param({"sub": None}, id="no-user"),
    pytest.param({"exp": None}, id="no-expiry"),
    pytest.param({"aud": None}, id="no-audience"),
    pytest.param({"iss": None}, id="no-issuer"),
    pytest.param({"iss": "someone-else"}, id="other-issuer"),
    pytest.param({"sub": "not-a-uuid"}, id="user-not-uuid"),
    pytest.param({"tid": "not-a-uuid"}, id="tenant-not-uuid"),
    pytest.param({"tid": 5}, id="tenant-a-number"),
    pytest.param({"tid": ["x"]}, id="tenant-a-list"),
    pytest.param({"exp": 10**15}, id="expiry-beyond-the-calendar"),
    pytest.param({"exp": "tomorrow"}, id="expiry-not-a-number"),
])
def test_a_correctly_signed_token_with_bad_claims_is_refused_with_token_error(change: dict) -> None:
    claims = _good_claims()
    for name, value in change.items():
        if value is None:
            del claims[name]
        else:
            claims[name] = value
    with pytest.raises(rules.TokenError):
        rules.read_token(SECRET, _signed(claims), "acme")


def test_a_token_for_several_audiences_reads_as_the_tenant_that_checked_it() -> None:
    claims = {**_good_claims(), "aud": ["acme", "globex"]}
    assert rules.read_token(SECRET, _signed(claims), "acme").tenant_slug == "acme"


@given(junk=st.text(max_size=300))
def test_any_junk_string_is_a_token_error_never_a_crash(junk: str) -> None:
    with pytest.raises(rules.TokenError):
        rules.read_token(SECRET, junk, "acme")


# ---- API keys ----------------------------------------------------------------------------------

def test_a_new_api_key_shows_its_prefix_and_stores_only_a_sha256() -> None:
    token, prefix, token_hash = rules.new_api_key()
    assert token.startswith(rules.API_KEY_PREFIX)
    assert token.startswith(prefix)
    assert len(prefix) == 12
    assert len(token) >= len(rules.API_KEY_PREFIX) + 40  # 32 random bytes, URL-safe
    assert re.fullmatch(r"[0-9a-f]{64}", token_hash)
    assert token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert rules.hash_api_key(token) == token_hash
    assert token not in token_hash


def test_api_keys_are_unique() -> None:
    keys = [rules.new_api_key() for _ in range(50)]
    assert len({token for token, _, _ in keys}) == 50
    assert len({prefix for _, prefix, _ in keys}) == 50


def test_api_keys_are_told_apart_from_signed_tokens() -> None:
    token, _, _ = rules.new_api_key()
    jwt_token, *_ = _token()
    assert rules.looks_like_api_key(token)
    assert not rules.looks_like_api_key(jwt_token)
    assert not rules.looks_like_api_key("")


@given(token=st.text(max_size=80))
def test_hashing_any_token_gives_64_hex_characters(token: str) -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", rules.hash_api_key(token))
