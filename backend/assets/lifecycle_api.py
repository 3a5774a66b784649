"""Status changes, check-out and check-in, and the asset's history."""

from __future__ import annotations

from litestar import Router

from backend.auth.guards import technician

router = Router("/inventory-items", guards=[technician], tags=["inventory-items"], route_handlers=[])
people_router = Router("/people", guards=[technician], tags=["people"], route_handlers=[])
