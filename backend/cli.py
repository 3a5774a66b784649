"""The `fieldscan` command: migrate, create tenants, users and API keys, seed a demo, serve.
`labels` lives in cli_labels.py; what the commands share in cli_common.py."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from backend import __version__, cli_labels
from backend.cli_common import CommandError, Progress, find_tenant, safe_url, with_database
from backend.settings import DATABASE_FILE, Settings, SettingsError, data_folder, load_or_create_secret

DESCRIPTION = """\
Fieldscan: audit physical assets with a phone.

Every command reads its configuration from FIELDSCAN_* environment variables when it starts, and
works in one data folder, whatever the current directory (FIELDSCAN_VAR_DIR to change it):
  {folder}
It holds the generated secret key, the address `fieldscan serve` last served on, and the default
database, SQLite in {file} (FIELDSCAN_DATABASE_URL to use another).

First run:
  fieldscan migrate                   # the only command that creates the database
  fieldscan demo                      # tenant "demo" with sample data, prints how to sign in
  fieldscan serve                     # http://FIELDSCAN_HOST:FIELDSCAN_PORT (127.0.0.1:8000)
"""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        # `fieldscan tenant` alone: show what the group can do.
        getattr(args, "group_parser", parser).print_help()
        return 2
    try:
        # No command signs anything: a secret key not stored yet is left for serve's app to create.
        settings = Settings.from_env(store_secret=False)
        return args.run(settings, args) or 0
    except SettingsError as exc:
        print(f"fieldscan: configuration error: {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"fieldscan: {exc}", file=sys.stderr)
        return 1


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is from 1 to 65535, not {port}")
    return port


def _random_chars(value: str) -> int:
    from backend.assets.rules import random_chars_problem

    try:
        length = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if problem := random_chars_problem(length):
        raise argparse.ArgumentTypeError(f"{problem}, not {length}")
    return length


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    folder = data_folder()
    parser = argparse.ArgumentParser(prog="fieldscan", formatter_class=fmt,
                                     description=DESCRIPTION.format(folder=folder, file=DATABASE_FILE))
    parser.add_argument("--version", action="version", version=f"fieldscan {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = commands.add_parser("migrate", help="create or upgrade the database schema",
                            description="Apply every pending schema migration (safe to run again): creates the "
                                        "database when it is new, and says whether it created, upgraded or left it.")
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
    p.add_argument("--admin-password", metavar="PASSWORD",
                   help="the admin's password (at least 12 characters, not a known breached one)")
    p.add_argument("--tag-prefix", default="AST-", help="asset tag prefix (default: AST-)")
    p.add_argument("--tag-padding", type=int, default=6, help="digits in a generated tag (default: 6)")
    p.add_argument("--tag-random-chars", type=_random_chars, default=0, metavar="N",
                   help="end each generated tag with N random characters, 4 to 12 (AST-000123-K7QF9M), so its "
                        "label's web address cannot be guessed from another's (default: 0, none)")
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
    p = user.add_parser("reset-link", help="print a one-time link that sets a user's password (e.g. a locked-out admin)",
                        description="Issue a one-time link that sets the user's password (valid 24 hours; a user who never "
                                    "set one gets a 7-day invitation). Earlier open links of the user are void. The link "
                                    "is printed alone on the last line.")
    p.add_argument("--tenant", required=True, metavar="SLUG")
    p.add_argument("--email", required=True)
    p.set_defaults(run=cmd_user_reset_link)

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
    p.add_argument("--host", help="address to listen on (default: FIELDSCAN_HOST, or 127.0.0.1)")
    p.add_argument("--port", type=_port, help="port (default: FIELDSCAN_PORT, or 8000)")
    p.add_argument("--workers", type=int, default=1, help="server processes (default: 1)")
    p.add_argument("--lan", action="store_true",
                   help="for phones on your network: HTTPS on every interface, with a certificate from a local CA "
                        "that phones trust once (the /ca page says how); prints the address and its QR code")
    p.set_defaults(run=cmd_serve)

    p = commands.add_parser("demo", help="create the demo tenant with sample data and print how to sign in",
                            description="Create tenant 'demo' (or --tenant) with a location tree, categories, people, "
                                        "~200 assets and three users. Does nothing but print the sign-in if it exists.")
    p.add_argument("--tenant", default="demo", metavar="SLUG")
    p.add_argument("--password", default="fieldscan-demo", help="password of the demo users (default: fieldscan-demo)")
    p.add_argument("--assets", type=int, default=200, help="how many assets (default: 200)")
    p.set_defaults(run=cmd_demo)

    cli_labels.add_parser(commands, fmt)

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


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> int:
    from alembic.util import CommandError as AlembicError
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from backend.db.migrate import database_revision, head_revision, upgrade

    path = settings.sqlite_file
    where = str(path) if path else safe_url(settings.database_url)
    try:
        # A SQLite file not there yet is new; reading its revision first would only create it earlier.
        before = None if path and not path.exists() else database_revision(settings.database_url)
        upgrade(settings.database_url)
    except AlembicError as exc:
        raise CommandError(f"cannot migrate {where}: {exc} (was it migrated by a newer Fieldscan?)") from None
    except (OperationalError, ProgrammingError, OSError) as exc:
        raise CommandError(f"cannot migrate {where}: {exc}") from None
    head = head_revision()
    if before is None:
        print(f"created the schema (revision {head}) in {where}")
    elif before == head:
        print(f"the schema is up to date (revision {head}) in {where}; nothing to do")
    else:
        print(f"upgraded the schema from revision {before} to {head} in {where}")
    return 0


def cmd_tenant_create(settings: Settings, args: argparse.Namespace) -> int:
    from backend.auth.service import create_user
    from backend.tenancy.service import create_tenant

    if bool(args.admin_email) != bool(args.admin_password):
        raise CommandError("--admin-email and --admin-password go together")
    password_hash = None
    if args.admin_email:
        from backend.auth.rules import hash_password

        # Before the transaction: Argon2 must not run while it holds the SQLite write lock.
        password_hash = hash_password(args.admin_password)

    async def work(session: Any) -> Any:
        tenant = await create_tenant(session, args.slug, args.name, tag_prefix=args.tag_prefix,
                                     tag_padding=args.tag_padding, tag_random_chars=args.tag_random_chars)
        if args.admin_email:
            await create_user(session, tenant.id, args.admin_email, args.admin_password, "admin",
                              password_hash=password_hash)
        return tenant

    tenant = with_database(settings, work)
    local = _local_address(settings, tenant.slug)
    print(f"created tenant '{tenant.slug}' ({tenant.name}); it answers on {tenant.slug}.<your domain>"
          + (f" and {local}" if local else ""))
    if args.admin_email:
        print(f"admin: {args.admin_email}")
    return 0


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:
    from backend.auth.service import create_user

    async def work(session: Any) -> Any:
        tenant = await find_tenant(session, args.tenant)
        return await create_user(session, tenant.id, args.email, args.password, args.role, args.name)

    user = with_database(settings, work)
    print(f"created {user.role} {user.email} in tenant '{args.tenant}'")
    return 0


def cmd_user_reset_link(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from backend.auth.accounts import password_link
    from backend.auth.models import User
    from backend.auth.service import email_key

    async def work(session: Any) -> Any:
        tenant = await find_tenant(session, args.tenant)
        user_id = (await session.execute(select(User.id).where(User.tenant_id == tenant.id,
                                                               User.email_key == email_key(args.email)))).scalar()
        if user_id is None:
            raise CommandError(f"no user '{args.email}' in tenant '{args.tenant}'")
        return await password_link(session, tenant.id, user_id, None)

    user, link = with_database(settings, work)
    origin = _local_address(settings, args.tenant) or "<the workspace's address>"
    print(f"a one-time {'invitation' if link.purpose == 'invite' else 'password reset'} link for {user.email}, "
          f"valid until {link.expires_at:%Y-%m-%d %H:%M} UTC:")
    print(link.url(origin))
    return 0


def cmd_apikey_create(settings: Settings, args: argparse.Namespace) -> int:
    from backend.auth.service import create_api_key

    async def work(session: Any) -> Any:
        tenant = await find_tenant(session, args.tenant)
        return await create_api_key(session, tenant.id, args.name, args.role, None)

    key, token = with_database(settings, work)
    print(f"created API key '{key.name}' ({key.role}, prefix {key.prefix}) in tenant '{args.tenant}'.")
    print("Send it as 'Authorization: ApiKey <token>'. It is shown only now:")
    print(token)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from backend import lan
    from backend.db.migrate import head_revision
    from backend.served import origin_for, record_served_origin

    if args.workers < 1:
        raise CommandError("--workers must be at least 1")
    host = args.host or settings.host
    port = settings.port if args.port is None else args.port

    async def nothing(_: Any) -> None:
        return None

    with_database(settings, nothing)  # refuses a missing or unmigrated database, with the fix in the message
    if settings.is_sqlite and args.workers > 1:
        print("note: on SQLite several workers do not write faster (one writer at a time); "
              "use PostgreSQL for more than one", file=sys.stderr)
    origin = origin_for("http", host, port)
    tls: dict[str, str] = {}
    try:
        if args.lan:  # phones reach no loopback and get no camera over HTTP: HTTPS, on every interface
            serving = lan.prepare(settings.var_dir, port, tenant=settings.default_tenant, host=host,
                                  hostname=settings.lan_name)
            tls = serving.uvicorn_options()
            host, origin = tls.pop("host"), serving.origin
            print(serving.banner(color=sys.stdout.isatty() and "NO_COLOR" not in os.environ))
        _check_free(host, port)
        if "FIELDSCAN_SECRET_KEY" not in os.environ:
            # Made here, once, rather than by several workers starting at the same moment.
            load_or_create_secret(Path(settings.var_dir))
        record_served_origin(settings.var_dir, origin)  # what `labels` and `tenant create` print as the address
    except OSError as exc:
        raise CommandError(f"cannot write to the data folder {settings.var_dir}: {exc.strerror or exc}") from None
    except lan.LanError as exc:  # the local CA cannot be used as it is; the message says what to do
        raise CommandError(str(exc)) from None
    # The app (in each worker) reads its own Settings: give it the folder and database resolved here.
    os.environ.update(FIELDSCAN_VAR_DIR=settings.var_dir, FIELDSCAN_DATABASE_URL=settings.database_url)
    print(f"Fieldscan {__version__} (schema {head_revision()}, database {safe_url(settings.database_url)}, "
          f"data folder {settings.var_dir})")
    print(f"Open {origin}/app/ to use the app; API docs at {origin}/schema", flush=True)
    uvicorn.run("backend.app:create_app_from_env", factory=True, host=host, port=port,
                workers=args.workers, log_level=settings.log_level.lower(), proxy_headers=True,
                forwarded_allow_ips=settings.trusted_proxies, server_header=False, **tls)
    return 0


def _check_free(host: str, port: int) -> None:
    """Refuse a taken address before recording it as the one labels print: bind it once, then let it go."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror} (is another server running there? "
                               "stop it, or choose another --port)") from None


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from backend.demo import seed_demo

    async def work(session: Any) -> Any:
        return await seed_demo(session, args.tenant, args.password, args.assets)

    created = with_database(settings, work)
    if created:
        print(f"created tenant '{args.tenant}' with {args.assets} assets")
    else:
        print(f"tenant '{args.tenant}' already exists; left as it is")
    local = _local_address(settings, args.tenant)
    where = f" on {local}" if local and args.tenant != settings.default_tenant else ""
    password = f" (password {args.password})" if created else ""
    print(f"Sign in{where} as admin@{args.tenant}.example{password}; "
          f"manager@{args.tenant}.example and tech@{args.tenant}.example have the same password.")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from backend.assets.csv_import import import_csv

    try:
        file = open(args.file, "rb")  # noqa: SIM115 - closed below, after the database work
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from None
    bar: Progress | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or Progress(total, "rows")
        bar.update(done, total)

    async def work(session: Any) -> Any:
        tenant = await find_tenant(session, args.tenant)
        return await import_csv(session, None, tenant.id, file, dry_run=args.dry_run, atomic=args.atomic,
                                progress=progress)

    with file:
        report = with_database(settings, work)
    if bar is not None:
        bar.done()
    verb = "would import" if report.dry_run else "imported"
    print(f"{verb} {report.rows:,} rows of {args.file} into '{args.tenant}' ({report.encoding}): "
          f"{report.created:,} created, {report.updated:,} updated, {report.unchanged:,} unchanged, "
          f"{len(report.errors):,} failed")
    one = {"categories": "category", "locations": "location", "people": "person"}
    made = ", ".join(f"{count:,} {one.get(kind, kind) if count == 1 else kind}"
                     for kind, count in report.created_names.items() if count)
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


def _local_address(settings: Settings, slug: str) -> str | None:
    """Where the tenant answers on this machine (http://acme.localhost:<port> for another tenant than the
    default on a local server), or None when the served address opens another tenant (e.g. after --lan)."""
    from backend.served import OriginError, label_origin

    try:
        return label_origin(settings, slug)[0]
    except OriginError:
        return None


if __name__ == "__main__":
    sys.exit(main())
