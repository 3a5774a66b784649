"""The `fieldscan` command: migrate, create tenants, users and API keys, seed a demo, serve."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from backend import __version__
from backend.settings import Settings, SettingsError

DESCRIPTION = """\
Fieldscan: audit physical assets with a phone.

Every command reads its configuration from FIELDSCAN_* environment variables; the database is
FIELDSCAN_DATABASE_URL (default: SQLite in ./var/fieldscan.sqlite3).

First run:
  fieldscan migrate
  fieldscan demo                      # tenant "demo" with sample data, prints how to sign in
  fieldscan serve                     # http://127.0.0.1:8000
"""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        # `fieldscan tenant` alone: show what the group can do.
        getattr(args, "group_parser", parser).print_help()
        return 2
    try:
        settings = Settings.from_env()
        return args.run(settings, args) or 0
    except SettingsError as exc:
        print(f"fieldscan: configuration error: {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"fieldscan: {exc}", file=sys.stderr)
        return 1


class CommandError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="fieldscan", description=DESCRIPTION, formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"fieldscan {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = commands.add_parser("migrate", help="create or upgrade the database schema",
                            description="Apply every pending schema migration (safe to run again).")
    p.set_defaults(run=cmd_migrate)

    tenant_parser = commands.add_parser("tenant", help="manage tenants")
    tenant_parser.set_defaults(group_parser=tenant_parser)
    tenant = tenant_parser.add_subparsers(title="tenant commands", metavar="ACTION")
    p = tenant.add_parser("create", help="create a tenant (with its default category and location)",
                          description="Create a tenant. Its slug is the first label of the host it is served on: "
                                      "tenant 'acme' answers on acme.example.com and acme.localhost:8000.")
    p.add_argument("slug", metavar="SLUG", help="lower-case letters, digits and hyphens, e.g. acme")
    p.add_argument("--name", help="display name (default: from the slug)")
    p.add_argument("--admin-email", metavar="EMAIL", help="also create an admin user with this email")
    p.add_argument("--admin-password", metavar="PASSWORD", help="the admin's password (at least 8 characters)")
    p.add_argument("--tag-prefix", default="AST-", help="asset tag prefix (default: AST-)")
    p.add_argument("--tag-padding", type=int, default=6, help="digits in a generated tag (default: 6)")
    p.set_defaults(run=cmd_tenant_create)

    user_parser = commands.add_parser("user", help="manage users")
    user_parser.set_defaults(group_parser=user_parser)
    user = user_parser.add_subparsers(title="user commands", metavar="ACTION")
    p = user.add_parser("create", help="create a user who signs in with email and password")
    p.add_argument("--tenant", required=True, metavar="SLUG")
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--role", default="technician", choices=["admin", "manager", "technician"],
                   help="admin: everything; manager: assets, sessions, labels, reports; technician: scan, quick-add, view "
                        "(default: technician)")
    p.add_argument("--name", default="", help="display name")
    p.set_defaults(run=cmd_user_create)

    apikey_parser = commands.add_parser("apikey", help="manage API keys")
    apikey_parser.set_defaults(group_parser=apikey_parser)
    apikey = apikey_parser.add_subparsers(title="apikey commands", metavar="ACTION")
    p = apikey.add_parser("create", help="create an API key; the token is printed once, alone on the last line",
                          description="Create an API key. Send it as 'Authorization: ApiKey <token>'. Only its hash is "
                                      "stored: copy the token now.")
    p.add_argument("--tenant", required=True, metavar="SLUG")
    p.add_argument("--name", required=True, help="what the key is for, e.g. 'ERP sync'")
    p.add_argument("--role", default="technician", choices=["admin", "manager", "technician"])
    p.set_defaults(run=cmd_apikey_create)

    p = commands.add_parser("serve", help="run the web service",
                            description="Serve the API, the app and the printable pages. On SQLite one worker is the "
                                        "right choice (one writer at a time); use --workers with PostgreSQL.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--workers", type=int, default=1, help="server processes (default: 1)")
    p.set_defaults(run=cmd_serve)

    p = commands.add_parser("demo", help="create the demo tenant with sample data and print how to sign in",
                            description="Create tenant 'demo' (or --tenant) with a location tree, categories, people, "
                                        "~200 assets and three users. Does nothing but print the sign-in if it exists.")
    p.add_argument("--tenant", default="demo", metavar="SLUG")
    p.add_argument("--password", default="fieldscan-demo", help="password of the demo users (default: fieldscan-demo)")
    p.add_argument("--assets", type=int, default=200, help="how many assets (default: 200)")
    p.set_defaults(run=cmd_demo)

    p = commands.add_parser(
        "labels", help="print asset or location labels to a file (PDF sheets, ZPL for Zebra printers, PNG, SVG)",
        formatter_class=fmt,
        description="Print labels to a file, e.g.\n"
                    "  fieldscan labels --tenant acme --all -o labels.pdf\n"
                    "  fieldscan labels --tenant acme --template thermal-50x25 --format zpl --ids AST-000042 -o tag.zpl\n"
                    "Templates: avery-l7160 (A4, 3x7), avery-5160 (US Letter, 3x10), thermal-50x25 (Zebra, ZPL),\n"
                    "brother-62 (62 mm tape). The QR codes carry FIELDSCAN_PUBLIC_URL (or --base-url), so set it to\n"
                    "the address phones will open. The tenant's calibration offset for the template is applied.")
    p.add_argument("--tenant", required=True, metavar="SLUG")
    p.add_argument("--template", default="avery-l7160", help="label template (default: avery-l7160)")
    p.add_argument("--format", dest="fmt", default="pdf", choices=["pdf", "zpl", "png", "svg"],
                   help="pdf (default), zpl (thermal-50x25), or png/svg for one label")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every asset not deleted, by tag")
    which.add_argument("--ids", nargs="+", metavar="ID_OR_TAG", help="these assets, in this order (ids or tags)")
    which.add_argument("--locations", action="store_true", help="every location not deleted, by path (door labels)")
    p.add_argument("--start-position", type=int, default=1, metavar="N",
                   help="first free label on a partly used sheet (default: 1)")
    p.add_argument("--copies", type=int, default=1, help="copies of each label (default: 1)")
    p.add_argument("--no-tenant-name", action="store_true", help="leave the tenant's name off the labels")
    p.add_argument("--no-barcode", action="store_true", help="leave the Code 128 of the tag off the labels")
    p.add_argument("--base-url", metavar="URL", help="origin the QR codes carry (default: FIELDSCAN_PUBLIC_URL)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write ('-' for standard output)")
    p.set_defaults(run=cmd_labels)

    p = commands.add_parser(
        "import", help="import assets from a CSV file (create or update by tag), with a progress bar",
        formatter_class=fmt,
        description="Import assets from a spreadsheet saved as CSV, e.g.\n"
                    "  fieldscan import assets.csv --tenant acme --dry-run   # check it, write nothing\n"
                    "  fieldscan import assets.csv --tenant acme\n"
                    "The first row names the columns (tag, name, status, category, location, assignee, assigneeEmail,\n"
                    "serial, manufacturer, model, purchaseDate, purchaseCost, warrantyExpiry, notes, custom field\n"
                    "keys; common spellings such as 'Asset Tag' or 'Serial Number' work too). Rows update the asset\n"
                    "with their tag or create one; categories, locations ('HQ > Floor 2') and people are found by\n"
                    "name or created. UTF-8, UTF-16 or Windows-1252, separated by commas, semicolons or tabs.\n"
                    "The same rules as POST /api/v1/inventory-items/import/csv (see the README).\n"
                    "Exit status: 0 when every row was imported, 1 when a row failed (they are listed) or the file\n"
                    "could not be imported at all, 2 on a usage error.")
    p.add_argument("file", metavar="FILE", help="the CSV file")
    p.add_argument("--tenant", required=True, metavar="SLUG", help="the tenant whose assets these are")
    p.add_argument("--dry-run", action="store_true", help="check every row and report, but write nothing")
    p.add_argument("--atomic", action="store_true", help="write all rows or none: any bad row leaves the database as it was")
    p.add_argument("--errors", type=int, default=20, metavar="N", help="failed rows to list (default: 20)")
    p.set_defaults(run=cmd_import)
    return parser


def _with_database(settings: Settings, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run work(session) in one write transaction on a migrated database."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from backend.db.engine import open_database
    from backend.db.migrate import current_revision, head_revision
    from backend.errors import FieldscanError

    async def run() -> Any:
        database = open_database(settings.database_url)
        try:
            async with database.writer.connect() as connection:
                revision = await connection.run_sync(current_revision)
            if revision != head_revision():
                raise CommandError("the database is not migrated; run `fieldscan migrate` first")
            async with database.write_sessions() as session:
                result = await work(session)
                await session.commit()
                return result
        except FieldscanError as exc:
            raise CommandError(exc.message) from None
        except (OperationalError, ProgrammingError, OSError) as exc:
            raise CommandError(f"cannot use the database {_safe_url(settings.database_url)}: {exc}") from None
        finally:
            await database.dispose()

    return asyncio.run(run())


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


async def _tenant(session: Any, slug: str) -> Any:
    from backend.tenancy.service import find_by_slug

    tenant = await find_by_slug(session, slug)
    if tenant is None:
        raise CommandError(f"no tenant '{slug}'; create it with `fieldscan tenant create {slug}`")
    return tenant


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> int:
    from backend.db.migrate import upgrade

    try:
        upgrade(settings.database_url)
    except OSError as exc:
        raise CommandError(f"cannot reach the database {_safe_url(settings.database_url)}: {exc}") from None
    print(f"database is up to date ({_safe_url(settings.database_url)})")
    return 0


def cmd_tenant_create(settings: Settings, args: argparse.Namespace) -> int:
    from backend.auth.service import create_user
    from backend.tenancy.service import create_tenant

    if bool(args.admin_email) != bool(args.admin_password):
        raise CommandError("--admin-email and --admin-password go together")

    async def work(session: Any) -> Any:
        tenant = await create_tenant(session, args.slug, args.name, tag_prefix=args.tag_prefix, tag_padding=args.tag_padding)
        if args.admin_email:
            await create_user(session, tenant.id, args.admin_email, args.admin_password, "admin")
        return tenant

    tenant = _with_database(settings, work)
    print(f"created tenant '{tenant.slug}' ({tenant.name}); it answers on {tenant.slug}.<your domain> "
          f"and http://{tenant.slug}.localhost:8000")
    if args.admin_email:
        print(f"admin: {args.admin_email}")
    return 0


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:
    from backend.auth.service import create_user

    async def work(session: Any) -> Any:
        tenant = await _tenant(session, args.tenant)
        return await create_user(session, tenant.id, args.email, args.password, args.role, args.name)

    user = _with_database(settings, work)
    print(f"created {user.role} {user.email} in tenant '{args.tenant}'")
    return 0


def cmd_apikey_create(settings: Settings, args: argparse.Namespace) -> int:
    from backend.auth.service import create_api_key

    async def work(session: Any) -> Any:
        tenant = await _tenant(session, args.tenant)
        return await create_api_key(session, tenant.id, args.name, args.role, None)

    key, token = _with_database(settings, work)
    print(f"created API key '{key.name}' ({key.role}, prefix {key.prefix}) in tenant '{args.tenant}'.")
    print("Send it as 'Authorization: ApiKey <token>'. It is shown only now:")
    print(token)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from backend.db.migrate import head_revision

    if args.workers < 1:
        raise CommandError("--workers must be at least 1")

    async def revision(_: Any) -> None:
        return None

    _with_database(settings, revision)  # refuses to start on an unmigrated database, with the fix in the message
    if settings.is_sqlite and args.workers > 1:
        print("note: on SQLite several workers do not write faster (one writer at a time); "
              "use PostgreSQL for more than one", file=sys.stderr)
    print(f"Fieldscan {__version__} on http://{args.host}:{args.port} (schema {head_revision()}, "
          f"database {_safe_url(settings.database_url)}); API docs at /schema", flush=True)
    uvicorn.run("backend.app:create_app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level=settings.log_level.lower(), proxy_headers=True,
                server_header=False)
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from backend.demo import seed_demo

    async def work(session: Any) -> Any:
        return await seed_demo(session, args.tenant, args.password, args.assets)

    created = _with_database(settings, work)
    if created:
        print(f"created tenant '{args.tenant}' with {args.assets} assets")
    else:
        print(f"tenant '{args.tenant}' already exists; left as it is")
    where = "" if args.tenant == settings.default_tenant else f" on {args.tenant}.localhost"
    password = f" (password {args.password})" if created else ""
    print(f"Sign in{where} as admin@{args.tenant}.example{password}; "
          f"manager@{args.tenant}.example and tech@{args.tenant}.example have the same password.")
    return 0


def cmd_labels(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from backend.assets.models import Asset
    from backend.assets.rules import tag_key
    from backend.labels import service as labels
    from backend.labels.render import render
    from backend.locations.models import Location

    origin = (args.base_url or settings.public_url or "").rstrip("/")
    if not origin.startswith(("http://", "https://")):
        raise CommandError("the QR codes need the address phones will open: set FIELDSCAN_PUBLIC_URL "
                           "(e.g. https://{tenant}.assets.example) or pass --base-url https://…")
    options = labels.LabelOptions(template=args.template, format=args.fmt, start_position=args.start_position,
                                  copies=args.copies, show_tenant=not args.no_tenant_name, barcode=not args.no_barcode)

    async def work(session: Any) -> Any:
        template = labels.template_for(options.template, options.format)
        tenant = await _tenant(session, args.tenant)
        url = origin.replace("{tenant}", tenant.slug)
        if args.locations:
            rows = (await session.execute(select(Location.code, Location.path).where(
                Location.tenant_id == tenant.id, Location.deleted_at.is_(None)).order_by(Location.path))).all()
            found = [labels.location_label(url, tenant, row.code, row.path, options) for row in rows]
        else:
            live = select(Asset.id, Asset.tag, Asset.tag_key, Asset.name).where(
                Asset.tenant_id == tenant.id, Asset.deleted_at.is_(None))
            if args.all:
                rows = (await session.execute(live.order_by(Asset.tag_key))).all()
            else:
                rows = _assets_in_order(args.ids, (await session.execute(live.where(
                    Asset.tag_key.in_([tag_key(i) for i in args.ids]) | Asset.id.in_(_uuids(args.ids))))).all())
            found = [labels.asset_label(url, tenant, row.tag, row.name, options) for row in rows]
        if not found:
            raise CommandError("nothing to print: no such assets or locations")
        return template, found, await labels.calibration_offset(session, tenant.id, template.name)

    template, found, offset = _with_database(settings, work)
    bar = _Progress(len(found) * options.copies, "labels")
    from backend.errors import FieldscanError

    try:
        content = render(template, found, options.format, start_position=options.start_position,
                         copies=options.copies, offset_mm=offset, progress=bar.update)
    except FieldscanError as exc:
        raise CommandError(exc.message) from None
    bar.done()
    if args.output == "-":
        sys.stdout.buffer.write(content)
    else:
        with open(args.output, "wb") as out:
            out.write(content)
        print(f"wrote {len(found) * options.copies:,} {template.name} labels to {args.output} "
              f"({len(content) / 1024:,.0f} KiB)", file=sys.stderr)
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from backend.assets.csv_import import import_csv

    try:
        file = open(args.file, "rb")  # noqa: SIM115 - closed below, after the database work
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from None
    bar: _Progress | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or _Progress(total, "rows")
        bar.update(done, total)

    async def work(session: Any) -> Any:
        tenant = await _tenant(session, args.tenant)
        return await import_csv(session, None, tenant.id, file, dry_run=args.dry_run, atomic=args.atomic,
                                progress=progress)

    with file:
        report = _with_database(settings, work)
    if bar is not None:
        bar.done()
    verb = "would import" if report.dry_run else "imported"
    print(f"{verb} {report.rows:,} rows of {args.file} into '{args.tenant}' ({report.encoding}): "
          f"{report.created:,} created, {report.updated:,} updated, {report.unchanged:,} unchanged, "
          f"{len(report.errors):,} failed")
    made = ", ".join(f"{count:,} {kind}" for kind, count in report.created_names.items() if count)
    if made:
        print(f"new: {made}")
    if report.rolled_back:
        print("atomic: nothing was written because rows failed")
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for row, error in report.errors[:args.errors]:
        print(f"row {row}: {error}", file=sys.stderr)
    if len(report.errors) > args.errors:
        print(f"… and {len(report.errors) - args.errors:,} more failed rows (--errors N lists more)", file=sys.stderr)
    return 1 if report.errors else 0


def _uuids(values: list[str], *, keep_gaps: bool = False) -> list[Any]:
    """The values that are UUIDs, as UUIDs (with keep_gaps, None in place of the others)."""
    from uuid import UUID

    found: list[Any] = []
    for value in values:
        try:
            found.append(UUID(value))
        except ValueError:
            if keep_gaps:
                found.append(None)
    return found


def _assets_in_order(wanted: list[str], rows: list[Any]) -> list[Any]:
    """The rows in the order asked for, each id or tag matched once; a missing one is an error."""
    from backend.assets.rules import tag_key

    by_id = {row.id: row for row in rows}
    by_tag = {row.tag_key: row for row in rows}
    ordered, missing = [], []
    for value, as_id in zip(wanted, _uuids(wanted, keep_gaps=True), strict=True):
        row = by_tag.get(tag_key(value)) or (by_id.get(as_id) if as_id else None)
        ordered.append(row) if row else missing.append(value)
    if missing:
        raise CommandError(f"no asset with id or tag {', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}")
    return ordered


class _Progress:
    """A progress bar on standard error: redrawn in place on a terminal, every tenth elsewhere (logs, CI)."""

    WIDTH = 30

    def __init__(self, total: int, what: str) -> None:
        self.total, self.what = total, what
        self.shown = -1
        self.tty = sys.stderr.isatty()
        self.active = total >= 100  # small jobs finish before a bar helps

    def update(self, done: int, total: int | None = None) -> None:
        if not self.active:
            return
        total = total or self.total
        step = done * (self.WIDTH if self.tty else 10) // max(total, 1)
        if step == self.shown:
            return
        self.shown = step
        filled = done * self.WIDTH // max(total, 1)
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,}/{total:,} {self.what}"
        print(f"\r{line}" if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.active and self.tty:
            print(file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
