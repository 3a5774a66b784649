"""The kinds of record the trash holds, and the order a request handles them in."""

from __future__ import annotations

KINDS = ("asset", "category", "location", "person", "customField", "maintenanceSchedule", "maintenanceLog",
         "auditSession")

# Restore what others point at first (a category before its assets, an asset before its schedules), so one
# request can bring back a record together with what it needs.
RESTORE_ORDER = ("category", "location", "person", "customField", "asset", "maintenanceSchedule",
                 "maintenanceLog", "auditSession")
# Delete for good in the opposite direction: what points at a record goes before it, so one request can remove
# an asset and then the category it was the last one in.
PURGE_ORDER = tuple(reversed(RESTORE_ORDER))


def parse_kinds(text: str | None) -> list[str]:
    """`kind=asset,location` as a list; ValueError names an unknown kind."""
    if not text or not text.strip():
        return list(KINDS)
    wanted = [k.strip() for k in text.split(",") if k.strip()]
    for kind in wanted:
        if kind not in KINDS:
            raise ValueError(f"unknown kind '{kind[:40]}'; use one or more of {', '.join(KINDS)}")
    return wanted


def ordered(items: list[tuple[str, object]], order: tuple[str, ...]) -> list[tuple[int, str, object]]:
    """(position in the request, kind, id) in handling order, each (kind, id) once; stable within a kind."""
    seen: set[tuple[str, object]] = set()
    unique = []
    for index, (kind, record_id) in enumerate(items):
        if (kind, record_id) not in seen:
            seen.add((kind, record_id))
            unique.append((index, kind, record_id))
    return sorted(unique, key=lambda item: order.index(item[1]))
