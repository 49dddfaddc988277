"""`praatmee draw` and its steps: the commitment before the deadline, the draw, its bundles, and the check.

- `praatmee draw commit`: writes the commitment (`commitment.py`) that the site shows and the draw reads.
  Locally the organisers' secret is generated into a file outside the repository; with `--aws` it is the
  stack's draw secret in Secrets Manager. `--proefronde FILE` makes a local trial on a recorded round (a round
  that already exists, so the trial proves nothing, and says so everywhere).
- `praatmee draw` (`organiser.draw_command`): the draw on the local stack, seeded as on AWS; the round comes
  from `--ronde FILE` (a pasted or recorded round, verified) or from drand.
- `praatmee draw download`: the bundles from the export bucket (local, or `--aws`).
- `praatmee draw verify BUNDLE`: no AWS, no network; "Deze loting klopt", or what differs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from praatmee import beacon, commitment, texts
from praatmee.commitment import CodeVersion, CommitmentBroken
from praatmee.laptop import organiser
from praatmee.laptop.texts import CLI_TEXTS
from praatmee.lottery_texts import COMMITMENT_TEXTS

if TYPE_CHECKING:
    from praatmee.bucket import ExportBucket
    from praatmee.bundle import Lottery
    from praatmee.edition import Edition

ROOT = Path(__file__).resolve().parents[3]
SECRET_BYTES = 32


@dataclass(frozen=True)
class Files:
    """The files a step reads or writes; None: the default."""

    commitment: Path | None = None  # default: commitment.default_path()
    secret: Path | None = None  # default: ~/.praatmee/loting-geheim-<edition>.txt
    round: Path | None = None  # default: fetch from drand


def default_secret_path(edition: int) -> Path:
    return Path.home() / ".praatmee" / f"loting-geheim-{edition}.txt"


def read_secret(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def new_secret(path: Path) -> str:
    """A fresh secret in a file only its owner can read (kept outside the repository)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(SECRET_BYTES)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


def aws_secret(arn: str) -> str:
    """The stack's draw secret from Secrets Manager (an administrator's profile; organisers cannot)."""
    import boto3

    value: str = boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    return value


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(  # noqa: S603 - git with fixed arguments, in the repository
            ["git", *args],  # noqa: S607 - git from PATH, as a developer runs it
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def code_version() -> CodeVersion:
    """The commit, whether the checked files and pyproject.toml were clean, and their hashes."""
    package = ROOT / "functions" / "praatmee"
    watched = [f"functions/praatmee/{name}" for name in commitment.CHECKED_CODE] + ["pyproject.toml"]
    commit = _git("rev-parse", "HEAD") or ""
    status = _git("status", "--porcelain", "--", *watched)
    return CodeVersion(
        commit=commit,
        clean=bool(commit) and status == "",
        pyproject_sha256=commitment.sha256((ROOT / "pyproject.toml").read_bytes()),
        draw_code_sha256=commitment.code_sha256(package),
    )


def commit_command(
    files: Files,
    *,
    trial_round: Path | None = None,
    secret_arn: str | None = None,
    now: dt.datetime | None = None,
    out: TextIO | None = None,
) -> int:
    """`praatmee draw commit`: the commitment of this edition, before its deadline (a trial: any time)."""
    from praatmee.edition import Allocation, load_edition

    say = organiser._printer(out)
    edition = load_edition()
    moment = now or dt.datetime.now(dt.UTC)
    if edition.allocation is not Allocation.DRAW or edition.draw_moment is None:
        say(CLI_TEXTS["commit_first_come"])
        return 1
    if trial_round is None and moment >= edition.registration_closes_at:
        say(CLI_TEXTS["commit_too_late"].format(deadline=texts.long_date(edition.register_before)))
        return 1
    try:
        if trial_round is not None:
            number = beacon.verify(beacon.parse(trial_round.read_bytes())).number
        else:
            number = beacon.round_after(edition.draw_moment)
    except beacon.BeaconRefused as exc:
        say(str(exc))
        return 1
    if secret_arn is not None:
        secret, kept = aws_secret(secret_arn), CLI_TEXTS["secret_aws"].format(arn=secret_arn)
    else:
        path = files.secret or default_secret_path(edition.edition)
        secret = read_secret(path) if path.exists() else new_secret(path)
        kept = CLI_TEXTS["secret_file"].format(path=path)
    trial = trial_round is not None
    promised = commitment.make(edition, secret, code_version(), moment, number, trial=trial)
    target = files.commitment or commitment.default_path()
    commitment.write(promised, target)
    when = beacon.time_of(number).astimezone(edition.tz)
    say(CLI_TEXTS["committed"].format(path=target, sha=promised.sha256))
    say(CLI_TEXTS["committed_round"].format(round=number, when=_when(when)))
    say(CLI_TEXTS["committed_secret"].format(sha=promised.secret_sha256, kept=kept))
    if not promised.code.clean:
        say(CLI_TEXTS["committed_dirty"])
    say(CLI_TEXTS["committed_trial" if trial else "committed_next"])
    return 0


def _when(moment: dt.datetime) -> str:
    return f"{texts.long_date(moment.date())} om {moment:%H.%M.%S} uur"


def lottery(
    edition: Edition, files: Files, bucket: ExportBucket, out: TextIO | None = None
) -> Lottery | None:
    """The local draw's lottery, made as on AWS: the edition as committed, the secret whose hash was
    committed, the committed round verified. None, after saying why, when any of that fails."""
    from praatmee.bundle import Lottery

    say = organiser._printer(out)
    try:
        promised = commitment.required(files.commitment)
        differences = promised.differences(edition)
        if differences:
            changed = COMMITMENT_TEXTS["changed"].format(lines="\n".join(differences))
            raise CommitmentBroken(changed)
        secret_path = files.secret or default_secret_path(edition.edition)
        if not secret_path.exists():
            say(CLI_TEXTS["no_secret"].format(path=secret_path))
            return None
        if files.round is not None:
            found = beacon.parse(files.round.read_bytes())
        else:
            say(CLI_TEXTS["fetching"].format(round=promised.beacon.round))
            found = beacon.fetch(promised.beacon.round)
        reveal = commitment.Reveal.check(promised, found, read_secret(secret_path))
    except (CommitmentBroken, beacon.BeaconRefused, beacon.BeaconUnavailable, OSError) as exc:
        say(str(exc))
        return None
    if promised.trial:
        say(CLI_TEXTS["trial_draw"])
    return Lottery(reveal, bucket)


def download_command(target: organiser.Target, to: Path, out: TextIO | None = None) -> int:
    """`praatmee draw download --to DIR`: every bundle (and its .sha256) into DIR/loting/."""
    from praatmee.bucket import ExportBucket
    from praatmee.bundle import FOLDER

    say = organiser._printer(out)
    if not organiser.connect(target, say):
        return 2
    bucket = ExportBucket(target.bucket)

    def work() -> int:
        if not bucket.objects(FOLDER):
            say(CLI_TEXTS["no_bundles"])
            return 1
        saved = organiser.download(bucket, FOLDER, to, say)
        say(CLI_TEXTS["bundles_next"].format(example=next(iter(sorted(saved.glob("*.json"))), saved)))
        return 0

    return organiser._guarded(work, say)


def verify_command(path: Path, commitment_path: Path | None, out: TextIO | None = None) -> int:
    """`praatmee draw verify BUNDLE`: 0 when the draw holds, 1 when something differs, 2 when unreadable."""
    from praatmee import bundle

    say = organiser._printer(out)
    try:
        body = path.read_bytes()
        promised = commitment.required(commitment_path)
    except (OSError, CommitmentBroken) as exc:
        say(str(exc))
        return 2
    sidecar = path.with_name(f"{path.name}.sha256")
    published = sidecar.read_text(encoding="utf-8").split()[0] if sidecar.exists() else None
    report = bundle.verify(body, promised, published_sha256=published, code=commitment.code_sha256())
    for line in report.lines():
        say(line)
    return 0 if report.holds else 1


# -- the command line: `praatmee draw [commit | download | verify]` ---------------------------------------


def files_options(command: argparse.ArgumentParser, *, secret: bool = True, round_: bool = False) -> None:
    """Options every step may take; SUPPRESS keeps a step's absent option from hiding the parent's value."""
    quiet = argparse.SUPPRESS
    command.add_argument(
        "--toezegging", type=Path, default=quiet, metavar="BESTAND", help=CLI_TEXTS["help_commitment"]
    )
    if secret:
        command.add_argument(
            "--geheim-bestand", type=Path, default=quiet, metavar="BESTAND", help=CLI_TEXTS["help_secret"]
        )
    if round_:
        command.add_argument(
            "--ronde", type=Path, default=quiet, metavar="BESTAND", help=CLI_TEXTS["help_round"]
        )


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser], port: int) -> None:
    """The `draw` command and its steps."""
    from praatmee.laptop import cli

    draw = commands.add_parser("draw", help=CLI_TEXTS["help_draw"])
    draw.add_argument("--now", type=cli._moment, metavar="TIJDSTIP", help=CLI_TEXTS["help_now"])
    draw.add_argument("--port", type=int, default=port, help="poort van make serve")
    files_options(draw, round_=True)
    steps = draw.add_subparsers(dest="step", metavar="{commit,download,verify}")
    commit = steps.add_parser("commit", help=CLI_TEXTS["help_commit"])
    files_options(commit)
    commit.add_argument("--proefronde", type=Path, metavar="BESTAND", help=CLI_TEXTS["help_trial"])
    commit.add_argument("--aws", action="store_true", help=CLI_TEXTS["help_commit_aws"])
    commit.add_argument(
        "--secret-arn", default=os.environ.get("PRAATMEE_DRAW_SECRET_ARN"), help=CLI_TEXTS["help_secret_arn"]
    )
    commit.add_argument("--profile", help="AWS-profiel (standaard AWS_PROFILE); alleen met --aws")
    commit.add_argument("--region", help="AWS-regio (standaard AWS_REGION); alleen met --aws")
    download = steps.add_parser("download", help=CLI_TEXTS["help_download"])
    download.add_argument("--to", type=Path, required=True, metavar="MAP", help="map voor de bundels")
    cli._target_options(download)
    verify = steps.add_parser("verify", help=CLI_TEXTS["help_verify"])
    verify.add_argument("bundel", type=Path, metavar="BUNDEL", help=CLI_TEXTS["help_bundle"])
    files_options(verify, secret=False)


def files_of(args: argparse.Namespace) -> Files:
    """The files options as parsed (absent ones: the defaults)."""
    return Files(
        commitment=getattr(args, "toezegging", None),
        secret=getattr(args, "geheim_bestand", None),
        round=getattr(args, "ronde", None),
    )


def _aws_environment(args: argparse.Namespace) -> None:
    """As `praatmee export --aws`: boto3 reads the profile and region from the environment."""
    if not args.aws:
        return
    if args.profile:
        os.environ["AWS_PROFILE"] = args.profile
    if args.region:
        os.environ["AWS_DEFAULT_REGION"] = args.region
        os.environ["AWS_REGION"] = args.region


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Carry out `praatmee draw ...` as parsed by `add_parser`."""
    from praatmee.laptop.serve import EXPORT_BUCKET

    files = files_of(args)
    if args.step == "verify":
        return verify_command(args.bundel, files.commitment)
    if args.step == "commit":
        if args.aws and not args.secret_arn:
            parser.error(CLI_TEXTS["no_secret_arn"])
        _aws_environment(args)
        return organiser._guarded(
            lambda: commit_command(
                files, trial_round=args.proefronde, secret_arn=args.secret_arn if args.aws else None
            ),
            organiser._printer(None),
        )
    if args.step == "download":
        _aws_environment(args)
        if args.aws and not args.bucket:
            parser.error(CLI_TEXTS["no_bucket"])
        bucket = args.bucket if args.aws else EXPORT_BUCKET
        return download_command(organiser.Target(aws=args.aws, bucket=bucket, port=args.port), args.to)
    return organiser.draw_command(
        organiser.Target(aws=False, bucket=EXPORT_BUCKET, port=args.port), args.now, files
    )
