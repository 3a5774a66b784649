"""The limits the service applies, counted in the shared store (store.py), answered with the standard headers.

- The API: FIELDSCAN_API_RATE_LIMIT requests a minute per API key or signed-in user (a tenant may set
  its own, `apiRateLimit` of /tenant), counted once the caller is known (auth/guards.py).
- Public label pages (/a/, /l/, /t/) and QR images: FIELDSCAN_PUBLIC_RATE_LIMIT a minute per client
  address and workspace.
- Sign-in: FIELDSCAN_SIGNIN_RATE_LIMIT attempts a minute per client address and workspace, and after a
  few wrong passwords a doubling wait, per account and per address (rules.py).
Every limited answer carries X-RateLimit-Limit, -Remaining and -Reset; a refusal is a 429 with Retry-After.
The client address is the connection's, or the one a trusted proxy names (uvicorn's forwarded_allow_ips).
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.types import Message, Scope

from backend.errors import TooManyRequests
from backend.ratelimit import rules
from backend.ratelimit.store import Counters, counters_for, now
from backend.settings import Settings

MINUTE = 60
PAIR_FREE_FAILURES = rules.FREE_FAILURES  # one address guessing one account
# One account from anywhere: NIST SP 800-63B (5.2.2) allows at most 100 failed attempts. A per-account wait
# any lower would let anyone lock a known user out with a few requests an hour.
ACCOUNT_FREE_FAILURES = 100
ADDRESS_FREE_FAILURES = 30  # an office behind one address signs many people in, some mistyping
STATE_KEY = "rate_limit_headers"


class RateLimiter:
    def __init__(self, counters: Counters, settings: Settings) -> None:
        self.counters = counters
        self.api = settings.api_rate_limit
        self.public = rules.Limit("public", settings.public_rate_limit, MINUTE)
        self.signin = rules.Limit("signin", settings.signin_rate_limit, MINUTE)
        self.epochs = AuthEpochs(counters)

    @classmethod
    def for_settings(cls, settings: Settings) -> RateLimiter:
        return cls(counters_for(settings.database_url), settings)

    async def close(self) -> None:
        await self.counters.close()

    async def count(self, connection: ASGIConnection[Any, Any, Any, Any], limit: rules.Limit, who: str) -> None:
        """One hit of `who` against `limit`: the headers kept for the answer, a 429 past the limit."""
        if limit.limit <= 0:
            return
        at = now()
        hits = await self.counters.hit(f"{limit.name}:{who}", rules.window_of(at, limit.window_s), at)
        result = rules.verdict(limit, hits, at)
        found = rules.headers(result)
        connection.scope.setdefault("state", {})[STATE_KEY] = found
        if not result.allowed:
            raise TooManyRequests(f"Too many requests; try again in {result.retry_after} s",
                                  {"retryAfter": result.retry_after}, headers=found)

    async def count_api(self, connection: ASGIConnection[Any, Any, Any, Any], tenant_id: UUID, caller: str,
                        tenant_limit: int | None) -> None:
        per_minute = self.api if tenant_limit is None else tenant_limit
        await self.count(connection, rules.Limit("api", per_minute, MINUTE), f"{tenant_id}:{caller}")

    async def count_public(self, connection: ASGIConnection[Any, Any, Any, Any], tenant_id: UUID) -> None:
        await self.count(connection, self.public, f"{tenant_id}:{client_address(connection)}")

    # --- sign-in ---------------------------------------------------------------------------------------

    async def count_sign_in(self, connection: ASGIConnection[Any, Any, Any, Any], tenant_id: UUID) -> None:
        """An attempt that proves who someone is (a password, a one-time link), per client address."""
        await self.count(connection, self.signin, f"{tenant_id}:{client_address(connection)}")

    def _sign_in_buckets(self, tenant_id: UUID, account: str, address: str) -> tuple[str, str, str]:
        """(this address at this account, this account from anywhere, this address at any account); the
        account is hashed, so a bucket's name is short whatever the email's length."""
        key = hashlib.sha256(account.encode()).hexdigest()[:32]
        return (f"signin-pair:{tenant_id}:{key}:{address}", f"signin-account:{tenant_id}:{key}",
                f"signin-address:{tenant_id}:{address}")

    async def before_sign_in(self, connection: ASGIConnection[Any, Any, Any, Any], tenant_id: UUID, account: str) -> None:
        """Counts the attempt, and refuses it (429) while an earlier run of wrong passwords must be waited out.

        The attempt is counted against the account (from this address, and from anywhere) before the
        password is checked, in one statement each: of several attempts sent at once after a wait, one
        goes ahead and the others are refused, and taken back. A sign-in forgives the account's count."""
        address = client_address(connection)
        await self.count_sign_in(connection, tenant_id)
        at = now()
        forget_before = at - rules.FAILURE_WINDOW_S
        pair, anywhere, from_address = self._sign_in_buckets(tenant_id, account, address)
        wait = 0
        claimed: list[tuple[str, int, float]] = []
        for bucket, free in ((pair, PAIR_FREE_FAILURES), (anywhere, ACCOUNT_FREE_FAILURES)):
            count, previous = await self.counters.attempt(bucket, at, forget_before)
            claimed.append((bucket, count, previous))
            wait = max(wait, rules.wait_after_failures(count - 1, previous, at, free=free))
        failures, last = await self.counters.last(from_address)
        if last >= forget_before:
            wait = max(wait, rules.wait_after_failures(failures, last, at, free=ADDRESS_FREE_FAILURES))
        if wait:
            for bucket, count, previous in claimed:
                await self.counters.release(bucket, count, previous)
            found = {**connection.scope["state"].get(STATE_KEY, {}), "Retry-After": str(wait)}
            connection.scope["state"][STATE_KEY] = found
            raise TooManyRequests(f"Too many wrong passwords; try again in {wait} s", {"retryAfter": wait},
                                  headers=found)

    async def sign_in_failed(self, connection: ASGIConnection[Any, Any, Any, Any], tenant_id: UUID, account: str) -> None:
        """The account's buckets counted the attempt already; the address's counts its failures."""
        at = now()
        from_address = self._sign_in_buckets(tenant_id, account, client_address(connection))[2]
        await self.counters.attempt(from_address, at, at - rules.FAILURE_WINDOW_S)

    async def sign_in_succeeded(self, connection: ASGIConnection[Any, Any, Any, Any], tenant_id: UUID, account: str) -> None:
        """The account's wrong passwords are forgiven; the address's are not (another account may be next)."""
        pair, anywhere, _ = self._sign_in_buckets(tenant_id, account, client_address(connection))
        await self.counters.clear(pair)
        await self.counters.clear(anywhere)


class AuthEpochs:
    """A tenant's sign-in epoch, in the same shared store: advanced whenever a key is revoked or a user's
    access changes, read on every request. A process that cached a principal under an older epoch checks
    it again, so a revocation on one process or host takes effect on all of them at their next request."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    @staticmethod
    def _bucket(tenant_id: UUID) -> str:
        return f"auth-epoch:{tenant_id}"

    async def current(self, tenant_id: UUID) -> int:
        epoch, _ = await self.counters.read(self._bucket(tenant_id), 0)
        return epoch

    async def advance(self, tenant_id: UUID) -> None:
        await self.counters.hit(self._bucket(tenant_id), 0, now())


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address; an IPv6 client's /64, which one subscriber usually holds whole (counting each
    of its addresses apart would give one attacker 2^64 of them)."""
    client = connection.client
    if not client:
        return "unknown"
    host = client.host
    if ":" in host:
        try:
            address = ipaddress.IPv6Address(host)
        except ValueError:
            return host
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return host


def limiter_of(connection: ASGIConnection[Any, Any, Any, Any]) -> RateLimiter:
    return connection.app.state.rate_limiter


async def add_rate_limit_headers(message: Message, scope: Scope) -> None:
    """before_send: the headers of the limit this request was counted against, on its answer."""
    if message["type"] != "http.response.start":
        return
    found = scope.get("state", {}).get(STATE_KEY)
    if not found:
        return
    headers = list(message.get("headers") or [])
    present = {name.lower() for name, _ in headers}
    headers += [(name.lower().encode(), value.encode()) for name, value in found.items()
                if name.lower().encode() not in present]
    message["headers"] = headers
