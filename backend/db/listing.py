"""Keyset pagination for every list: `sort`, `limit`, an opaque `cursor`, `{items, nextCursor}`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from backend.errors import BadRequest
from backend.wire import clamp_limit, decode_cursor, encode_cursor


def _as_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value)


def _as_date(value: Any) -> date:
    return date.fromisoformat(value)


def _as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


PARSERS: dict[type, Callable[[Any], Any]] = {datetime: _as_datetime, date: _as_date, str: _as_str}


@dataclass(frozen=True)
class Sort:
    column: InstrumentedAttribute[Any]
    descending: bool
    parse: Callable[[Any], Any]


def parse_sort(sort: str | None, allowed: dict[str, tuple[InstrumentedAttribute[Any], type]], default: str) -> Sort:
    """``name`` or ``-name`` (descending); only non-null columns may be sorted on."""
    sort = (sort or default).strip()
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key not in allowed:
        options = ", ".join(sorted(allowed))
        raise BadRequest(f"Cannot sort by '{key[:40]}'; use one of {options} (prefix '-' for descending)",
                         {"sort": f"one of {options}"})
    column, kind = allowed[key]
    return Sort(column=column, descending=descending, parse=PARSERS.get(kind, lambda v: v))


async def page(session: AsyncSession, stmt: Select[Any], id_column: InstrumentedAttribute[UUID], sort: Sort,
               limit: int | None, cursor: str | None) -> tuple[Sequence[Any], str | None]:
    """One page of ``stmt`` ordered by (sort column, id), and the cursor of the next page."""
    size = clamp_limit(limit)
    column = sort.column
    if cursor:
        raw_value, raw_id = decode_cursor(cursor, 2)
        try:
            value, last_id = sort.parse(raw_value), UUID(str(raw_id))
        except (TypeError, ValueError):
            raise BadRequest("cursor is not valid for this sort; start again without it", {"cursor": "invalid"}) from None
        if sort.descending:
            stmt = stmt.where(or_(column < value, and_(column == value, id_column < last_id)))
        else:
            stmt = stmt.where(or_(column > value, and_(column == value, id_column > last_id)))
    order = (column.desc(), id_column.desc()) if sort.descending else (column.asc(), id_column.asc())
    rows = (await session.execute(stmt.order_by(*order).limit(size + 1))).scalars().all()
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    last = rows[-1]
    return rows, encode_cursor([getattr(last, column.key), last.id])
