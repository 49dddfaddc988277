"""The `praatmee` command: run the product locally and pull organiser exports (README, Organiser exports)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path


def _target_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", "8000")),
        help="poort van `make serve` (standaard PORT of 8000); de lokale AWS luistert op poort + 1",
    )
    command.add_argument("--aws", action="store_true", help="de exportbucket op AWS in plaats van lokaal")
    command.add_argument("--profile", help="AWS-profiel (standaard AWS_PROFILE); alleen met --aws")
    command.add_argument("--region", help="AWS-regio (standaard AWS_REGION); alleen met --aws")
    command.add_argument(
        "--bucket",
        default=os.environ.get("PRAATMEE_EXPORT_BUCKET"),
        help="naam van de exportbucket (standaard PRAATMEE_EXPORT_BUCKET); alleen met --aws",
    )


def _moment(text: str) -> dt.datetime:
    """A local date and time (the edition's time zone) or one with an offset."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"geen tijdstip: {text!r} (schrijf bijvoorbeeld 2027-03-02T10:00)"
        ) from exc
    if moment.tzinfo is None:
        from praatmee.edition import load_edition

        moment = moment.replace(tzinfo=load_edition().tz)
    return moment


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="praatmee", description="Praat mee: site en aanmeldingen.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="bouw de site en draai alles lokaal")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--site-dir", type=Path, help="map voor de gebouwde site (standaard: site/)")

    export = commands.add_parser(
        "export", help="lokaal: maak een export en download die; met --aws: download de nieuwste export"
    )
    export.add_argument("--to", type=Path, required=True, metavar="MAP", help="map voor de bestanden")
    _target_options(export)

    links = commands.add_parser("links", help="recente exports met links die 15 minuten geldig zijn")
    links.add_argument("--count", type=int, default=3, help="hoeveel exports (standaard 3)")
    _target_options(links)

    from praatmee.laptop import loting  # `draw` and its steps: commit, download, verify

    loting.add_parser(commands, port=int(os.environ.get("PORT", "8000")))

    daily = commands.add_parser(
        "daily",
        help="lokaal: draai de dagelijkse taken (loting als die nodig is, e-mails, verlopen toestemming)",
    )
    daily.add_argument(
        "--now",
        type=_moment,
        metavar="TIJDSTIP",
        help="doe alsof het dit tijdstip is, bijvoorbeeld 2027-03-04T09:00 (lees de bevestiging vooraf)",
    )
    daily.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", "8000")), help="poort van make serve"
    )
    loting.files_options(daily, round_=True)

    from praatmee.laptop.organisers_cli import add_parser as add_organisers_parser

    add_organisers_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "daily":
        from praatmee.laptop import organiser

        target = organiser.Target(aws=False, bucket="", port=args.port)
        return organiser.daily_command(target, args.now, loting.files_of(args))
    if args.command == "organisers":
        from praatmee.laptop.organisers_cli import run

        return run(args)
    if args.command == "draw":
        return loting.run(args, parser)
    if args.command == "serve":
        from praatmee.laptop.serve import serve as run_server

        return run_server(host=args.host, port=args.port, site=args.site_dir)

    from praatmee.laptop import organiser
    from praatmee.laptop.serve import EXPORT_BUCKET
    from praatmee.laptop.texts import CLI_TEXTS

    if args.aws:
        if not args.bucket:
            parser.error(CLI_TEXTS["no_bucket"])
        # boto3 reads these itself; setting them here keeps AWS settings out of the code that uses them.
        if args.profile:
            os.environ["AWS_PROFILE"] = args.profile
        if args.region:
            os.environ["AWS_DEFAULT_REGION"] = args.region
            os.environ["AWS_REGION"] = args.region
    target = organiser.Target(aws=args.aws, bucket=args.bucket if args.aws else EXPORT_BUCKET, port=args.port)
    if args.command == "export":
        return organiser.export_command(target, args.to)
    return organiser.links_command(target, args.count)


if __name__ == "__main__":
    raise SystemExit(main())
