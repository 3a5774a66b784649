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


if __name__ == "__main__":
    sys.exit(main())
