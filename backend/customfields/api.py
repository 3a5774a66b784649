"""Custom field definitions."""

from __future__ import annotations

from litestar import Router

from backend.auth.guards import technician

router = Router("/custom-fields", guards=[technician], tags=["custom-fields"], route_handlers=[])
