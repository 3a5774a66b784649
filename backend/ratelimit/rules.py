"""Rate limits as arithmetic: fixed windows, the standard headers, and the sign-in back-off.

Counters are fixed windows (a key's count in the current `window_s`-long slice of time since the epoch):
one atomic upsert per request in a shared store, exact across processes and hosts, and at worst twice
the limit across a window boundary, which is what the headers then say.

Sign-in follows OWASP ASVS 2.2: a few wrong passwords are free, then each further failure doubles the
wait before the next attempt (1 s, 2 s, 4 s … up to 15 minutes), per account from one client address,
per account from anywhere (more free, NIST SP 800-63B), and per client address.
The account key is the email as typed (normalised), whether or not such a user exists, so the answers
for unknown and known accounts are the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `limit` requests per `window_s` seconds for one key; 0 means no limit."""

    name: str
    limit: int
    window_s: int


@dataclass(frozen=True, slots=True)
class Verdict:
    limit: int
    remaining: int
    reset_at: int  # Unix time the window ends
    retry_after: int | None  # seconds to wait, when refused

    @property
    def allowed(self) -> bool:
        return self.retry_after is None


def window_of(now: float, window_s: int) -> int:
    return int(now // window_s)


def verdict(limit: Limit, count: int, now: float) -> Verdict:
    """The answer for a key that has made `count` requests (this one included) in the current window."""
    window = window_of(now, limit.window_s)
    reset_at = (window + 1) * limit.window_s
    remaining = max(0, limit.limit - count)
    retry = None if count <= limit.limit else max(1, math.ceil(reset_at - now))
    return Verdict(limit=limit.limit, remaining=remaining, reset_at=reset_at, retry_after=retry)


def headers(result: Verdict) -> dict[str, str]:
    """X-RateLimit-Limit, -Remaining, -Reset (Unix time), and Retry-After (seconds) when refused."""
    out = {"X-RateLimit-Limit": str(result.limit), "X-RateLimit-Remaining": str(result.remaining),
           "X-RateLimit-Reset": str(result.reset_at)}
    if result.retry_after is not None:
        out["Retry-After"] = str(result.retry_after)
    return out


# --- sign-in ---------------------------------------------------------------------------------------------

FREE_FAILURES = 5  # wrong passwords before any wait
MAX_DELAY_S = 15 * 60
FAILURE_WINDOW_S = 60 * 60  # a run of failures is forgotten an hour after its last attempt


def failure_delay(failures: int, free: int = FREE_FAILURES) -> int:
    """Seconds to wait after the last of `failures` wrong passwords: 0 for the first `free`, then doubling."""
    if failures < free:
        return 0
    return min(MAX_DELAY_S, 2 ** min(failures - free, 20))


def wait_after_failures(failures: int, last_failure_at: float, now: float, free: int = FREE_FAILURES) -> int:
    """Seconds still to wait before the next attempt (0: go ahead)."""
    delay = failure_delay(failures, free)
    if delay == 0:
        return 0
    return max(0, math.ceil(last_failure_at + delay - now))
