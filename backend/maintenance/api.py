"""Maintenance schedules and logs."""

from __future__ import annotations

from litestar import Router

from backend.auth.guards import technician

router = Router("/maintenance", guards=[technician], tags=["maintenance"], route_handlers=[])
