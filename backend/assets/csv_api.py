"""CSV export and import of assets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Request, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Stream

from backend.assets import csv_export
from backend.assets.api import FILTERS, FILTERS_DOC, Filters
from backend.assets.csv_import import ImportReport, import_csv
from backend.auth.guards import manager, technician
from backend.context import DB, Caller, database_of
from backend.db.base import utcnow
from backend.errors import UnsupportedMediaType
from backend.labels.api import file_answer
from backend.wire import Out

# Larger than the API's default body limit (FIELDSCAN_MAX_BODY_BYTES): spreadsheets of 100,000 assets are ~20 MB.
MAX_IMPORT_BYTES = 50 * 1024 * 1024
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}

DryRunQuery = Annotated[bool, QueryParameter(name="dryRun")]
AtomicQuery = Annotated[bool, QueryParameter(name="atomic")]


class ImportRowError(Out):
    row: int
    error: str


class ImportResult(Out):
    created: int
    updated: int
    unchanged: int
    errors: list[ImportRowError]
    dry_run: bool
    atomic: bool
    rolled_back: bool
    rows: int
    encoding: str
    separator: str
    warnings: list[str]
    created_categories: int
    created_locations: int
    created_people: int


def result_of(report: ImportReport) -> ImportResult:
    return ImportResult(
        created=report.created, updated=report.updated, unchanged=report.unchanged,
        errors=[ImportRowError(row=row, error=error) for row, error in report.errors], dry_run=report.dry_run,
        atomic=report.atomic, rolled_back=report.rolled_back, rows=report.rows, encoding=report.encoding,
        separator=SEPARATOR_NAMES.get(report.separator, report.separator), warnings=report.warnings,
        created_categories=report.created_names.get("categories", 0),
        created_locations=report.created_names.get("locations", 0),
        created_people=report.created_names.get("people", 0))


@get("/export/csv", guards=[manager], dependencies=FILTERS, operation_class=file_answer("text/csv"),
     summary="Export assets as CSV",
     description=f"{FILTERS_DOC} Streamed (any number of rows in constant memory), in tag order, UTF-8 with a BOM so "
                 "Excel reads it as UTF-8, a download named assets-YYYY-MM-DD.csv. Columns: tag, name, status, "
                 "category, location (its path, 'HQ > Floor 2'), assignee, assigneeEmail, serial, manufacturer, "
                 "model, purchaseDate, purchaseCost, warrantyExpiry, notes, one column per custom field (its key), "
                 "lastVerifiedAt, createdAt, updatedAt, id. A text cell starting with = + - @, a tab or a carriage "
                 "return gets a leading ' so no spreadsheet runs it as a formula; the import takes it off again.")
async def export_assets_csv(request: Request, principal: Caller, filters: Filters) -> Stream:
    database = database_of(request.app.state)
    rows = csv_export.export_query(principal.tenant.id, filters)  # a bad filter is a 400 before the download starts
    keys = await csv_export.custom_keys(database, principal.tenant.id)
    filename = f"assets-{utcnow().date().isoformat()}.csv"  # the UTC date, as every date the API gives
    return Stream(csv_export.export_csv(database, rows, keys), media_type="text/csv",
                  headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


async def _multipart_only(request: Request) -> None:
    """The import takes a form upload (the API's other writes take JSON, which the app checks for them)."""
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media != "multipart/form-data":
        raise UnsupportedMediaType(
            f"Upload the file as multipart/form-data in a field named 'file', not as '{media[:60] or 'no content type'}'",
            {"contentType": "multipart/form-data"})


@dataclass
class ImportForm:
    """The upload: the CSV file and the options (also accepted as query parameters)."""

    file: UploadFile
    dryRun: bool = False  # noqa: N815 - the form field's name on the wire
    atomic: bool = False


@post("/import/csv", guards=[manager], status_code=200, request_max_body_size=MAX_IMPORT_BYTES,
      before_request=_multipart_only, summary="Import assets from CSV",
      description="multipart/form-data with the file in the field `file` (up to 50 MiB). Options `dryRun` (check and "
                  "count, write nothing) and `atomic` (write all rows or none), each as a query parameter or a form "
                  "field (on when either says true). Rows are matched to assets by tag (compared ignoring case and "
                  "surrounding spaces) and updated, or created (a row without a tag gets a generated one). Names of "
                  "categories, locations (paths like 'HQ > Floor 2') and people are resolved, and created when "
                  "missing. Answers {created, updated, unchanged, errors: [{row, error}], …}: row numbers as a "
                  "spreadsheet shows them (the header is row 1), one message per bad row; a bad row is skipped, "
                  "never half-written, and does not stop the others unless atomic. See the README for every rule.")
async def import_assets_csv(data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)], db: DB,
                            principal: Caller, dry_run: DryRunQuery = False, atomic: AtomicQuery = False) -> ImportResult:
    try:
        report = await import_csv(db, principal, principal.tenant.id, data.file.file, dry_run=dry_run or data.dryRun,
                                  atomic=atomic or data.atomic)
    finally:
        await data.file.close()
    return result_of(report)


router = Router("/inventory-items", guards=[technician], tags=["inventory-items"],
                route_handlers=[export_assets_csv, import_assets_csv])
