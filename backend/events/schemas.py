"""An asset's history on the wire: events, assignments, status changes, field-level changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from backend.wire import Out, Page


class Actor(Out):
    """Who made the change: a user or an API key (with its name), or nobody (the system)."""

    user_id: UUID | None = None
    api_key_id: UUID | None = None
    name: str | None = None


class EventBase(Out):
    """What every event on the wire has: its id, type, time, who, and its data."""

    id: UUID
    type: str
    at: datetime
    actor: Actor
    data: dict[str, Any]


class EventOut(EventBase):
    person_id: UUID | None = None


class AssignmentOut(EventBase):
    """An ASSIGNED or UNASSIGNED event of one asset, with the person's name."""

    person_id: UUID | None
    person_name: str | None = None


class StatusEventOut(EventBase):
    """A STATUS_CHANGED or RETIRED event, its from → to lifted out of `data`."""

    from_status: str | None
    to_status: str | None
    reason: str | None = None


class FieldChangeOut(Out):
    """One field changed by an edit (an UPDATED event holds one per field)."""

    event_id: UUID
    at: datetime
    actor: Actor
    field: str
    from_: Any  # "from" on the wire; null stays visible (no default)
    to: Any


class PersonAssignmentOut(EventBase):
    """An ASSIGNED or UNASSIGNED event of one person, with the asset's tag and name."""

    asset_id: UUID
    asset_tag: str
    asset_name: str
    asset_deleted: bool = False


EventPage = Page[EventOut]
AssignmentPage = Page[AssignmentOut]
StatusEventPage = Page[StatusEventOut]
FieldChangePage = Page[FieldChangeOut]
PersonAssignmentPage = Page[PersonAssignmentOut]
