"""Server-rendered pages for people who open the service in a browser."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from backend import __version__
from backend.tenancy.guards import resolve_tenant


@get("/", guards=[resolve_tenant], include_in_schema=False)
async def home(request: Request) -> Template:
    tenant = request.state.tenant
    return Template("pages/home.html", context={"tenant": tenant, "version": __version__,
                                                "host": request.headers.get("host", "")})
