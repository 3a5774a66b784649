"""TT10, "time to ten": how long a user takes from their first quick-created asset to their tenth
assignment. A pure function of the events, so the report's one rule is easy to test."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

CREATED = "asset_created_quick"
ASSIGNED = "asset_assigned"
TENTH = 10
TARGET_MINUTES = 10


@dataclass(frozen=True, slots=True)
class UserTT10:
    user_id: UUID
    first_created_at: datetime | None
    tenth_assigned_at: datetime | None
    tt10_minutes: float | None  # rounded to hundredths; None until the tenth assignment
    meets_target: bool  # tt10_minutes < TARGET_MINUTES, judged on the value shown
    assets_created: int
    assets_assigned: int


def tt10(events: Iterable[tuple[UUID, str, datetime]]) -> list[UserTT10]:
    """Per user with any event, in order of user id: the first `asset_created_quick`, the tenth
    `asset_assigned` at or after it (assignments before a user's first quick-add are not part of
    onboarding), and the minutes between. Events may come in any order; other event names count for
    nothing but still list the user."""
    by_user: dict[UUID, list[tuple[datetime, str]]] = {}
    for user_id, event, at in events:
        by_user.setdefault(user_id, []).append((at, event))
    report = []
    for user_id in sorted(by_user):
        timeline = sorted(by_user[user_id])
        created = [at for at, event in timeline if event == CREATED]
        first = created[0] if created else None
        assigned = [at for at, event in timeline if event == ASSIGNED]
        counted = [at for at in assigned if first is not None and at >= first]
        tenth = counted[TENTH - 1] if len(counted) >= TENTH else None
        minutes = round((tenth - first).total_seconds() / 60, 2) if tenth is not None and first is not None else None
        report.append(UserTT10(user_id=user_id, first_created_at=first, tenth_assigned_at=tenth, tt10_minutes=minutes,
                               meets_target=minutes is not None and minutes < TARGET_MINUTES,
                               assets_created=len(created), assets_assigned=len(assigned)))
    return report
