"""/sessions: audits, their items, scanning, the scan screen's payload and the offline pack."""

from __future__ import annotations

import gzip
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, delete, get, patch, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.auth.guards import manager, technician
from backend.context import DB, Caller
from backend.db.writer import run_read
from backend.errors import ErrorBody
from backend.sessions import phone, report, service
from backend.sessions.models import AuditSession
from backend.sessions.schemas import (
    ItemOut, ItemPage, MissingPage, MobileOut, OfflinePack, ReportFormat, ScanAnswer, ScanIn, SessionIn, SessionOut,
    SessionPage, SessionPatch, SessionReport, UnknownCodePage, UnscanIn,
)
from backend.wire import parse_uuid

MSGPACK = "application/msgpack"
_msgpack = msgspec.msgpack.Encoder()
_json = msgspec.json.Encoder()
# ?format=json (the default), csv (a download, one row per item) or html (a printable A4 page).
Format = Annotated[ReportFormat, QueryParameter(name="format", description="json, csv or html")]


def session_out(audit: AuditSession) -> SessionOut:
    return SessionOut(id=audit.id, name=audit.name, status=audit.status, location_id=audit.location_id,
                      include_sublocations=audit.include_sublocations, category_ids=list(audit.category_ids),
                      due_date=audit.due_date, progress=service.progress_of(audit), version=audit.version,
                      created_at=audit.created_at, updated_at=audit.updated_at, completed_at=audit.completed_at)


def _wants_msgpack(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return MSGPACK in accept or "application/x-msgpack" in accept


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _encoded(request: Request, body: Any, headers: dict[str, str], *, compress: bool = False) -> Response[Any]:
    """JSON, or MessagePack when asked for; with `compress`, gzipped for a client that takes it."""
    if _wants_msgpack(request):
        # Through builtins, so times and ids are the same strings as in the JSON (not MessagePack timestamps).
        content, media_type = _msgpack.encode(msgspec.to_builtins(body)), MSGPACK
    elif compress:
        content, media_type = _json.encode(body), "application/json"
    else:
        return Response(body, headers=headers)
    if compress:
        headers = {**headers, "vary": f"{headers.get('vary', 'Accept')}, Accept-Encoding"}
        if _accepts_gzip(request):
            content, headers = gzip.compress(content, 6), {**headers, "content-encoding": "gzip"}
    return Response(content, media_type=media_type, headers=headers)


@get("/", summary="List sessions", description="Filters: `status` (comma-separated), `q` (name). Newest first.")
async def list_sessions(db: DB, principal: Caller, status: FromQuery[str | None] = None, q: FromQuery[str | None] = None,
                        sort: FromQuery[str | None] = None, limit: FromQuery[int | None] = None,
                        cursor: FromQuery[str | None] = None) -> SessionPage:
    rows, next_cursor = await service.list_sessions(db, principal.tenant.id, status=status, q=q, sort=sort,
                                                    limit=limit, cursor=cursor)
    return SessionPage(items=[session_out(r) for r in rows], next_cursor=next_cursor)


@get("/active", summary="Active sessions, newest first")
async def active_sessions(db: DB, principal: Caller, limit: FromQuery[int | None] = None,
                          cursor: FromQuery[str | None] = None) -> SessionPage:
    rows, next_cursor = await service.list_sessions(db, principal.tenant.id, status="active", q=None, sort=None,
                                                    limit=limit, cursor=cursor)
    return SessionPage(items=[session_out(r) for r in rows], next_cursor=next_cursor)


@post("/", guards=[manager], summary="Start an audit",
      description="Scope: a location (with its sub-locations unless `includeSublocations` is false), categories, "
                  "both, or neither (everything). The expected set is snapshotted now.")
async def create_session(data: JSONBody[SessionIn], db: DB, principal: Caller) -> SessionOut:
    return session_out(await service.create(db, principal, data))


@get("/{session_id:str}", summary="Get a session")
async def get_session(session_id: FromPath[str], db: DB, principal: Caller) -> SessionOut:
    return session_out(await service.get(db, principal.tenant.id, parse_uuid(session_id, "sessionId")))


@patch("/{session_id:str}", guards=[manager], summary="Rename, set the due date, complete or cancel",
       description="`status: completed` writes a VERIFIED event and lastVerifiedAt on every asset seen; with "
                   "`markMissing: true` the unseen become missing. A closed session takes no more scans (409).")
async def update_session(session_id: FromPath[str], data: JSONBody[SessionPatch], db: DB, principal: Caller) -> SessionOut:
    return session_out(await service.update(db, principal, parse_uuid(session_id, "sessionId"), data))


@delete("/{session_id:str}", guards=[manager], summary="Delete a session")
async def delete_session(session_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete(db, principal.tenant.id, parse_uuid(session_id, "sessionId"))


@get("/{session_id:str}/items", summary="The session's items",
     description="`state`: unscanned, scanned, excluded, extra (comma-separated); `q`: tag or name.")
async def list_items(session_id: FromPath[str], db: DB, principal: Caller,
                     item_state: Annotated[str | None, QueryParameter(name="state")] = None,
                     q: FromQuery[str | None] = None, limit: FromQuery[int | None] = None,
                     cursor: FromQuery[str | None] = None) -> ItemPage:
    items, next_cursor = await service.list_items(db, principal.tenant.id, parse_uuid(session_id, "sessionId"),
                                                  state=item_state, q=q, limit=limit, cursor=cursor)
    return ItemPage(items=items, next_cursor=next_cursor)


@get("/{session_id:str}/items/{item_id:str}", summary="One item of the session")
async def get_item(session_id: FromPath[str], item_id: FromPath[str], db: DB, principal: Caller) -> ItemOut:
    return await service.get_item(db, principal.tenant.id, parse_uuid(session_id, "sessionId"),
                                  parse_uuid(item_id, "itemId"))


@post("/{session_id:str}/items/{item_id:str}/include", status_code=200, guards=[manager],
      summary="Count this asset in the session")
async def include_item(session_id: FromPath[str], item_id: FromPath[str], db: DB, principal: Caller) -> ItemOut:
    return await service.set_included(db, principal.tenant.id, parse_uuid(session_id, "sessionId"),
                                      parse_uuid(item_id, "itemId"), True)


@post("/{session_id:str}/items/{item_id:str}/exclude", status_code=200, guards=[manager],
      summary="Take this asset out of the count")
async def exclude_item(session_id: FromPath[str], item_id: FromPath[str], db: DB, principal: Caller) -> ItemOut:
    return await service.set_included(db, principal.tenant.id, parse_uuid(session_id, "sessionId"),
                                      parse_uuid(item_id, "itemId"), False)


@post("/{session_id:str}/scan", status_code=200, summary="Scan a code or an item",
      description="Idempotent by `clientScanId`: a replay (same session, same code or itemId) answers the first "
                  "answer and changes nothing; the id reused for another session or code is a 409 naming "
                  "`clientScanId`. A `scannedAt` more than 5 minutes ahead of the server's clock is recorded at "
                  "the server's time and the answer carries `clockSkew` (seconds). A closed session is a 409.",
      responses={409: ResponseSpec(ErrorBody, generate_examples=False,
                                   description="The session is closed, or the clientScanId was already used for "
                                               "another scan")},
      response_description="The outcome: accepted, already_scanned, wrong_location, not_in_session, unknown_code "
                           "or location_set.")
async def scan(session_id: FromPath[str], data: JSONBody[ScanIn], db: DB, principal: Caller) -> Response[ScanAnswer]:
    answer = await service.scan(db, principal, parse_uuid(session_id, "sessionId"), data)
    return Response(answer)  # type: ignore[arg-type]  # the stored answer, exactly as first given


@post("/{session_id:str}/unscan", status_code=200, summary="Undo a scan (by scanId or itemId)")
async def unscan(session_id: FromPath[str], data: JSONBody[UnscanIn], db: DB, principal: Caller) -> dict[str, Any]:
    return await service.unscan(db, principal, parse_uuid(session_id, "sessionId"), data)


@get("/{session_id:str}/missing", summary="Expected items not yet seen",
     description="By expected location path, then tag. `q`: tag, name or serial; `limit`, `cursor` page the JSON "
                 "list. `format`: json (default), csv (a download, every missing item) or html (a printable page).")
async def missing(session_id: FromPath[str], db: DB, principal: Caller, report_format: Format = "json",
                  q: FromQuery[str | None] = None, limit: FromQuery[int | None] = None,
                  cursor: FromQuery[str | None] = None) -> Response[MissingPage]:
    sid = parse_uuid(session_id, "sessionId")
    if report_format == "json":
        items, next_cursor = await report.missing_page(db, principal.tenant.id, sid, q=q, limit=limit, cursor=cursor)
        return Response(MissingPage(items=items, next_cursor=next_cursor))
    return await report.missing_response(db, principal.tenant, sid, report_format)


@get("/{session_id:str}/report", summary="What the audit found",
     description="Totals (expected = scanned + missing; extras, wrong location, moved, unknown codes), by category "
                 "and by expected location, who scanned how many, duration, the missing, extra, moved and unknown "
                 "lists. `format`: json (default), csv (one row per item, a download) or html (a printable A4 page).")
async def session_report(session_id: FromPath[str], db: DB, principal: Caller,
                         report_format: Format = "json") -> Response[SessionReport]:
    built, lines = await report.build(db, principal.tenant, parse_uuid(session_id, "sessionId"))
    return report.report_response(built, lines, report_format)


@get("/{session_id:str}/unknown-codes", summary="Codes that named nothing, to onboard later",
     description="Each code once, in the order first seen: how often, first and last seen, by whom. "
                 "`limit`, `cursor` page it.")
async def unknown_codes(session_id: FromPath[str], db: DB, principal: Caller, limit: FromQuery[int | None] = None,
                        cursor: FromQuery[str | None] = None) -> UnknownCodePage:
    items, next_cursor = await report.unknown_codes_page(db, principal.tenant.id, parse_uuid(session_id, "sessionId"),
                                                         limit=limit, cursor=cursor)
    return UnknownCodePage(items=items, next_cursor=next_cursor)


@get("/{session_id:str}/mobile", summary="The scan screen's payload",
     description="Carries an ETag (the session's version); `If-None-Match` with it answers 304. "
                 "`Accept: application/msgpack` answers MessagePack. Each recent scan carries its `clientScanId`.")
async def mobile(session_id: FromPath[str], request: Request, db: DB, principal: Caller) -> Response[MobileOut]:
    sid = parse_uuid(session_id, "sessionId")
    etag = f'"{sid}.{await run_read(db, phone.version_of, principal.tenant.id, sid)}"'
    headers = {"etag": etag, "cache-control": "private, no-cache", "vary": "Accept"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(None, status_code=304, headers=headers)  # type: ignore[arg-type]
    return _encoded(request, await run_read(db, phone.mobile, principal.tenant.id, sid), headers)


@get("/{session_id:str}/offline-pack", summary="Everything needed to audit this session offline",
     description="JSON, or MessagePack for `Accept: application/msgpack`; gzipped for `Accept-Encoding: gzip`. "
                 "`items` are rows of `fields` (read them by name); `categories`, `people`, the defaults and "
                 "`tagFormat` serve quick-add offline.")
async def offline_pack(session_id: FromPath[str], request: Request, db: DB, principal: Caller) -> Response[OfflinePack]:
    pack = await phone.offline_pack(db, principal.tenant.id, parse_uuid(session_id, "sessionId"))
    # A pack of 10,000 items is about 1 MB of MessagePack and 210 KB gzipped: it is sent gzipped when it can be.
    return _encoded(request, pack, {"cache-control": "private, no-cache", "vary": "Accept"}, compress=True)


router = Router("/sessions", guards=[technician], tags=["sessions"], route_handlers=[
    list_sessions, active_sessions, create_session, get_session, update_session, delete_session, list_items,
    get_item, include_item, exclude_item, scan, unscan, missing, session_report, unknown_codes, mobile, offline_pack,
])
