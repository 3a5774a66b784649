"""Server-rendered pages for people who open the service in a browser, and the pages a label's QR code
opens on any phone: /a/{tag} (an asset), /l/{code} (a location), /t/{code} (a blank tag).

The label pages need no sign-in and show only what the printed label already tells whoever holds it:
no serial, notes, cost, assignee or ids. The tenant comes from the Host, as everywhere.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, Router, get
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend import __version__
from backend.ratelimit.guards import public_limit
from backend.context import DB, provide_db
from backend.errors import FieldscanError
from backend.pages import service
from backend.tenancy.guards import resolve_tenant

# Nothing kept, nothing indexed, nothing loaded from elsewhere: a label page must not outlive a change of
# the asset, nor run anything but its own markup and stylesheet (/app/pages.css). Tighter than the policy
# backend/headers.py gives every other answer, which therefore leaves this one alone.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
}


@get("/", guards=[resolve_tenant], include_in_schema=False)
async def home(request: Request) -> Template | Redirect:
    """A browser goes straight to the app; anything else (curl, a monitor) gets a page of links."""
    vary = {"Vary": "Accept"}  # one address, two answers: a cache must keep them apart
    if "text/html" in request.headers.get("accept", ""):
        return Redirect("/app/", status_code=302, headers=vary)
    tenant = request.state.tenant
    return Template("pages/home.html", headers=vary, context={"tenant": tenant, "version": __version__,
                                                              "host": request.headers.get("host", "")})


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Template:
    tenant = getattr(request.state, "tenant", None)
    return Template(f"pages/{name}.html", status_code=status_code, headers=PAGE_HEADERS,
                    context={"tenant": tenant, "version": __version__, **context})


def not_found(request: Request, message: str) -> Template:
    return page(request, "not_found", 404, message=message)


# {…:path}: a tag or code never holds a "/", but whatever follows /a/ gets a page, never the API's JSON 404.
@get("/a/{tag:path}", summary="An asset's label page")
async def asset_page(tag: FromPath[str], request: Request, db: DB) -> Template:
    tag = tag.removeprefix("/")
    card = await service.asset_card(db, request.state.tenant.id, tag)
    if card is None:
        return not_found(request, f"No asset with the tag {tag} here. It may have been deleted or re-tagged.")
    return page(request, "asset", asset=card)


@get("/l/{code:path}", summary="A location's door-label page")
async def location_page(code: FromPath[str], request: Request, db: DB) -> Template:
    code = code.removeprefix("/")
    card = await service.location_card(db, request.state.tenant.id, code)
    if card is None:
        return not_found(request, f"No location with the code {code} here. It may have been deleted or renamed.")
    return page(request, "location", location=card)


@get("/t/{code:path}", summary="A blank tag's page")
async def blank_tag_page(code: FromPath[str], request: Request, db: DB) -> Template | Redirect:
    """Claimed: on to its asset's page. Unclaimed: say so, with a link to quick-add it. A mistyped code
    (its check character does not match): say so, rather than show another tag."""
    code = code.removeprefix("/")
    state = await service.blank_tag_state(db, request.state.tenant.id, code)
    if state.problem is not None:
        return page(request, "blank_tag", 400, state=state)
    if state.tag is not None:
        return Redirect(f"/a/{quote(state.tag, safe='')}", status_code=302, headers=PAGE_HEADERS)
    if not state.known:
        return not_found(request, f"No blank tag with the code {state.code} here.")
    return page(request, "blank_tag", state=state, quick_add=f"/app/quick-add?code={quote(state.code, safe='')}")


def page_error(request: Request, exc: FieldscanError) -> Response[Any]:
    """An unknown workspace (Host) or any other refusal on a label page, as a page rather than JSON."""
    return page(request, "not_found", exc.status_code, message=exc.message)


label_pages = Router("/", guards=[public_limit], dependencies={"db": Provide(provide_db)},
                     exception_handlers={FieldscanError: page_error}, include_in_schema=False,
                     route_handlers=[asset_page, location_page, blank_tag_page])
