"""Soft-deleted records of every kind: list, restore, delete for good."""

from __future__ import annotations

from litestar import Router

from backend.auth.guards import technician

router = Router("/trash", guards=[technician], tags=["trash"], route_handlers=[])
