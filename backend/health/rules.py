"""Asset health: one pure function from an asset's facts to a score, a badge and the reasons.

Every reason costs the asset points out of 100; the score is 100 minus the reasons' weights. The
weights add up to at most 100 (the two warranty reasons exclude each other), so a score never goes
below 0 and needs no clamping, in Python or in SQL.

| code                    | weight | when                                                                       |
|-------------------------|-------:|----------------------------------------------------------------------------|
| `missing_in_last_audit` |     40 | the last completed audit that expected it did not find it, or status `missing` |
| `maintenance_overdue`   |     20 | a live maintenance schedule's next due date is before today               |
| `checkout_overdue`      |     15 | it has an assignee and `dueBackAt` has passed                              |
| `past_life_expectancy`  |     10 | purchase date + the category's life expectancy (months) is before today   |
| `not_verified_90d`      |     10 | last verified (or, never verified, created) more than 90 days ago          |
| `warranty_expired`      |      5 | the warranty expired before today                                          |
| `warranty_expiring`     |      3 | the warranty expires today or within the next 30 days                      |

Badges: HEALTHY at 90 and above, ATTENTION from 61 to 89, AT_RISK at 60 and below (so a missing asset
is at risk on its own, an overdue maintenance or check-out needs attention, and a single minor
reason leaves the asset healthy with the reason listed).

Retired assets are out of service: they are not scored (100, HEALTHY) and carry one reason,
`retired`, of weight 0, that says so.

"Today" is the UTC date of `now`. The service's SQL expression (used to filter and sort lists) is
built from the same table and the same boundaries (`Boundaries`), so both agree.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

MAX_SCORE = 100
WARRANTY_WINDOW_DAYS = 30
VERIFY_WITHIN_DAYS = 90
HEALTHY_FROM = 90  # score >= 90
AT_RISK_UPTO = 60  # score <= 60; ATTENTION in between
BADGES = ("HEALTHY", "ATTENTION", "AT_RISK")

WEIGHTS: dict[str, int] = {
    "missing_in_last_audit": 40,
    "maintenance_overdue": 20,
    "checkout_overdue": 15,
    "past_life_expectancy": 10,
    "not_verified_90d": 10,
    "warranty_expired": 5,
    "warranty_expiring": 3,
}
RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at, for one asset."""

    asset_id: UUID
    status: str
    missed_last_audit: bool
    has_assignee: bool
    due_back_at: datetime | None
    warranty_expiry: date | None
    purchase_date: date | None
    life_expectancy_months: int | None
    last_verified_at: datetime | None
    created_at: datetime
    earliest_due: date | None  # the earliest next due date of its live maintenance schedules


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str
    weight: int
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Health:
    score: int
    badge: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Boundaries:
    """The dates and times the rules compare with, all derived from `now`."""

    now: datetime
    today: date
    warranty_horizon: date  # expiring: today <= expiry <= this
    verified_before: datetime  # not verified: last seen strictly before this (midnight UTC, 90 days ago)


def life_ends_before(today: date, months: int) -> date:
    """The first purchase date not yet past a life of `months` on `today`: bought before it, an asset's
    purchase date + `months` (clamped to the month's end, as add_months) is before today."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    if today.day <= calendar.monthrange(year, month + 1)[1]:
        return date(year, month + 1, today.day)
    # today's day does not exist that month (e.g. the 31st): every day of that month, clamped, is before today
    return add_months(date(year, month + 1, 1), 1)


def boundaries(now: datetime) -> Boundaries:
    today = now.astimezone(UTC).date()
    return Boundaries(now=now, today=today, warranty_horizon=today + timedelta(days=WARRANTY_WINDOW_DAYS),
                      verified_before=datetime.combine(today - timedelta(days=VERIFY_WITHIN_DAYS), time(), UTC))


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the end of the month: Jan 31 + 1 month = Feb 28 (29 in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def badge_for(score: int) -> str:
    if score >= HEALTHY_FROM:
        return "HEALTHY"
    if score <= AT_RISK_UPTO:
        return "AT_RISK"
    return "ATTENTION"


def score_range(badge: str) -> tuple[int, int]:
    """The scores (inclusive) a badge stands for."""
    return {"HEALTHY": (HEALTHY_FROM, MAX_SCORE), "ATTENTION": (AT_RISK_UPTO + 1, HEALTHY_FROM - 1),
            "AT_RISK": (0, AT_RISK_UPTO)}[badge]


def assess(facts: Facts, now: datetime) -> Health:
    """The asset's score, badge and reasons (heaviest first) at `now`."""
    if facts.status == RETIRED:
        return Health(MAX_SCORE, "HEALTHY", (Reason(RETIRED, "Retired: out of service, not scored", 0),))
    at = boundaries(now)
    item = f"/api/v1/inventory-items/{facts.asset_id}"
    found: list[Reason] = []

    def reason(code: str, message: str, link: str | None) -> None:
        found.append(Reason(code, message, WEIGHTS[code], link))

    if facts.missed_last_audit or facts.status == "missing":
        reason("missing_in_last_audit", "Not found in the last audit" if facts.missed_last_audit
               else "Marked missing", f"{item}/status-events")
    if facts.earliest_due is not None and facts.earliest_due < at.today:
        reason("maintenance_overdue", f"Maintenance was due on {facts.earliest_due.isoformat()}",
               f"/api/v1/maintenance/schedules/item/{facts.asset_id}")
    if facts.has_assignee and facts.due_back_at is not None and facts.due_back_at < at.now:
        reason("checkout_overdue", f"Checked out; was due back {facts.due_back_at.date().isoformat()}",
               f"{item}/assignment-history")
    if facts.purchase_date is not None and facts.life_expectancy_months is not None \
            and facts.purchase_date < life_ends_before(at.today, facts.life_expectancy_months):
        end = add_months(facts.purchase_date, facts.life_expectancy_months)
        reason("past_life_expectancy", f"Past its category's life expectancy ({end.isoformat()})", item)
    last_seen = facts.last_verified_at or facts.created_at
    if last_seen < at.verified_before:
        reason("not_verified_90d", f"Not verified in an audit for more than {VERIFY_WITHIN_DAYS} days"
               + ("" if facts.last_verified_at else " (never verified)"), f"{item}/timeline?types=VERIFIED")
    if facts.warranty_expiry is not None:
        if facts.warranty_expiry < at.today:
            reason("warranty_expired", f"Warranty expired on {facts.warranty_expiry.isoformat()}", item)
        elif facts.warranty_expiry <= at.warranty_horizon:
            reason("warranty_expiring", f"Warranty expires on {facts.warranty_expiry.isoformat()}", item)
    score = MAX_SCORE - sum(r.weight for r in found)
    return Health(score, badge_for(score), tuple(found))
