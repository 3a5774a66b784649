"""`fieldscan labels`: asset and location labels to a file (PDF sheets, ZPL, PNG, SVG)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from backend.cli_common import CommandError, Progress, find_tenant, with_database
from backend.settings import Settings

DESCRIPTION = """\
Print labels to a file, e.g.
  fieldscan labels --tenant acme --all -o labels.pdf
  fieldscan labels --tenant acme --template thermal-50x25 --format zpl --ids AST-000042 -o tag.zpl
Templates: avery-l7160 (A4, 3x7), avery-5160 (US Letter, 3x10), thermal-50x25 (Zebra, ZPL),
brother-62 (62 mm tape). The tenant's calibration offset for the template is applied.

The QR codes carry, first that is set: --base-url; FIELDSCAN_PUBLIC_URL (may contain {tenant});
the address `fieldscan serve` last served on with this data folder; http://FIELDSCAN_HOST:FIELDSCAN_PORT
(127.0.0.1:8000). On localhost or an IP address a tenant other than the default one gets
http://<tenant>.localhost:<port>. A note on standard error says which address was used."""


def add_parser(commands: Any, formatter_class: type[argparse.HelpFormatter]) -> None:
    p = commands.add_parser(
        "labels", help="print asset or location labels to a file (PDF sheets, ZPL for Zebra printers, PNG, SVG)",
        formatter_class=formatter_class, description=DESCRIPTION)
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
    p.add_argument("--base-url", metavar="URL",
                   help="origin the QR codes carry, e.g. https://acme.assets.example (default: see above)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write ('-' for standard output)")
    p.set_defaults(run=cmd_labels)


def cmd_labels(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from backend.assets.models import Asset
    from backend.assets.rules import tag_key
    from backend.errors import FieldscanError
    from backend.labels import service as labels
    from backend.labels.render import render
    from backend.locations.models import Location
    from backend.served import OriginError, label_origin

    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        raise CommandError(f"--base-url must start with http:// or https://, not {args.base_url!r}")
    options = labels.LabelOptions(template=args.template, format=args.fmt, start_position=args.start_position,
                                  copies=args.copies, show_tenant=not args.no_tenant_name, barcode=not args.no_barcode)

    async def work(session: Any) -> Any:
        template = labels.template_for(options.template, options.format)
        tenant = await find_tenant(session, args.tenant)
        try:
            url, note = label_origin(settings, tenant.slug, args.base_url)
        except OriginError as exc:
            raise CommandError(str(exc)) from None
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
        return template, found, await labels.calibration_offset(session, tenant.id, template.name), note

    template, found, offset, note = with_database(settings, work)
    print(note, file=sys.stderr)
    bar = Progress(len(found) * options.copies, "labels")
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
