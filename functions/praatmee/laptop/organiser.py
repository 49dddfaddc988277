"""What `praatmee export` and `praatmee links` do for organisers, against the local stack or AWS.

Local (the default): the stack of `make serve` on the same PORT; its AWS (moto) listens on PORT + 1. The
command runs a fresh export there with the same code the daily function runs, then downloads it.

AWS (`--aws`): boto3's usual settings (`AWS_PROFILE` or `--profile`, `AWS_REGION` or `--region`) and the
export bucket (`--bucket` or `PRAATMEE_EXPORT_BUCKET`). Organisers may only read exports (the organiser role),
so `export` downloads the newest one the daily schedule made.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from praatmee import texts
from praatmee.bucket import LINK_SECONDS, ExportBucket
from praatmee.errors import TryAgain
from praatmee.exports import SUMMARY
from praatmee.laptop.texts import CLI_MAIL_KINDS, CLI_TEXTS

if TYPE_CHECKING:
    from praatmee.laptop import loting
    from praatmee.mail import MailContext

Say = Callable[[str], None]


@dataclass(frozen=True)
class Target:
    aws: bool
    bucket: str
    port: int = 8000  # the site's port of `make serve` (local only)


def _printer(out: TextIO | None) -> Say:
    def say(line: str) -> None:
        print(line, file=out or sys.stdout, flush=True)

    return say


def number(value: int) -> str:
    """`50.000`: Dutch thousands."""
    return f"{value:,}".replace(",", ".")


def connect(target: Target, say: Say, unreachable: str = "no_local_stack") -> bool:
    """Point boto3 at the local stack (through the environment, as the functions read it) or at AWS."""
    if target.aws:
        return True
    from praatmee.laptop.serve import REGION, aws_port

    port = aws_port(target.port)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        say(CLI_TEXTS[unreachable].format(endpoint=endpoint))
        return False
    # moto accepts any credentials; a developer's own AWS profile must never be used for the local stack.
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
        }
    )
    return True


def complete_exports(bucket: ExportBucket) -> list[str]:
    """Folders of finished exports (their summary is written last), newest first."""
    return [folder for folder in bucket.exports() if any(o.name == SUMMARY for o in bucket.objects(folder))]


def run_local_export(bucket: ExportBucket, say: Say) -> str:
    from praatmee.edition import load_edition
    from praatmee.exports import run_export
    from praatmee.laptop.serve import TABLE
    from praatmee.store import Store

    def progress(stage: str, value: int | str) -> None:
        if stage == "read":
            say(CLI_TEXTS["reading"].format(n=number(int(value))))
        elif stage == "write":
            say(CLI_TEXTS["writing"].format(n=int(value) - 1))
        else:
            say(CLI_TEXTS["uploading"].format(name=value))

    return run_export(Store(TABLE), bucket, load_edition(), progress=progress).folder


def download(bucket: ExportBucket, folder: str, to: Path, say: Say) -> Path:
    target = to / folder.rstrip("/").rsplit("/", 1)[-1]
    target.mkdir(parents=True, exist_ok=True)
    objects = bucket.objects(folder)
    for index, stored in enumerate(objects, start=1):
        say(CLI_TEXTS["downloading"].format(i=index, n=len(objects), name=stored.name))
        bucket.download(stored.key, target / stored.name)
    say(CLI_TEXTS["saved"].format(folder=target))
    return target


def print_summary(summary: dict[str, Any], say: Say) -> None:
    say(CLI_TEXTS["summary_title"])
    for meeting in summary["meetings"]:
        say(
            CLI_TEXTS["summary_line"].format(
                title=meeting["title"],
                placed=number(meeting["placed"]),
                capacity=number(meeting["capacity"]),
                applied=CLI_TEXTS["summary_applied"].format(applied=number(meeting["applied"]))
                if meeting["applied"]
                else "",
                waitlisted=number(meeting["waitlisted"]),
                unconfirmed=number(meeting["unconfirmed"]),
                pending=number(meeting["pending_guardian"]),
                cancelled=number(meeting["cancelled"]),
            )
        )


def _guarded(work: Callable[[], int], say: Say) -> int:
    try:
        return work()
    except TryAgain as exc:
        say(CLI_TEXTS["aws_error"].format(error=exc))
        return 1
    except Exception as exc:
        # boto3's errors (no credentials, access denied, no such bucket) become one Dutch line.
        if type(exc).__module__.startswith(("botocore", "boto3", "s3transfer")):
            say(CLI_TEXTS["aws_error"].format(error=f"{type(exc).__name__}: {exc}"))
            return 1
        raise


def export_command(target: Target, to: Path, out: TextIO | None = None) -> int:
    """`praatmee export --to DIR`."""
    say = _printer(out)
    if not connect(target, say):
        return 2
    bucket = ExportBucket(target.bucket)

    def work() -> int:
        if target.aws:
            folders = complete_exports(bucket)
            if not folders:
                say(CLI_TEXTS["no_exports"])
                return 1
            folder = folders[0]
            say(CLI_TEXTS["newest"].format(export=folder))
        else:
            folder = run_local_export(bucket, say)
        saved = download(bucket, folder, to, say)
        print_summary(json.loads((saved / SUMMARY).read_text(encoding="utf-8")), say)
        return 0

    return _guarded(work, say)


def _local_mailing(target: Target, now: dt.datetime | None) -> MailContext:
    """The local stack's store, edition and mail, with the clock at `now` (the real time without it)."""
    # The mail code logs and counts each mail for CloudWatch; on a terminal only the summary helps.
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    from praatmee.edition import load_edition
    from praatmee.laptop.serve import SENDER, TABLE
    from praatmee.mail import MailContext
    from praatmee.ses import SesSender
    from praatmee.store import Store

    edition = load_edition()
    moment = now or dt.datetime.now(dt.UTC)
    sender = SesSender(sender=SENDER, reply_to=str(edition.contact_email))
    return MailContext(Store(TABLE), edition, sender, f"http://127.0.0.1:{target.port}", lambda: moment)


def _draw(mailing: MailContext, files: loting.Files, say: Say) -> bool | None:
    """Run the draw of every meeting (once; a second run reuses its record), seeded by the published
    commitment's secret and drand round and each draw's bundle into the export bucket, as on AWS. True when
    it ran, False when it is not due, None when its lottery could not be made (having said why)."""
    from praatmee import draw
    from praatmee.laptop import loting
    from praatmee.laptop.serve import EXPORT_BUCKET

    edition = mailing.edition
    try:
        draw.check_due(edition, mailing.now())
    except draw.DrawNotDue:
        return False
    lottery = loting.lottery(edition, files, ExportBucket(EXPORT_BUCKET))
    if lottery is None:
        return None
    mailing = dataclasses.replace(mailing, draw_number=lottery.number)
    context = draw.DrawContext(mailing.store, edition, mailing.now(), mailing, lottery)
    with contextlib.redirect_stdout(io.StringIO()):  # the metrics the mail code prints for CloudWatch
        results = draw.run_draw(context, lottery.seed)
    titles = {meeting.id: meeting.title for meeting in edition.meetings}
    for result in results:
        moved = result.placed or result.reserves
        say(
            CLI_TEXTS["draw_line" if moved or not result.pool else "draw_done_before"].format(
                title=titles[result.meeting],
                pool=number(result.pool),
                placed=number(result.placed),
                reserves=number(result.reserves),
            )
        )
        for line in result.shortfall_lines(titles[result.meeting]):
            say(f"  {line}")
    for done in lottery.published.values():
        say(CLI_TEXTS["draw_bundle"].format(key=done.key, sha=done.sha256))
    return True


def draw_command(
    target: Target, now: dt.datetime | None, files: loting.Files, out: TextIO | None = None
) -> int:
    """`praatmee draw`: the draw of every meeting on the local stack, as the schedule runs it on AWS."""
    say = _printer(out)
    if not connect(target, say, "no_local_stack_draw"):
        return 2
    mailing = _local_mailing(target, now)

    def work() -> int:
        drawn = _draw(mailing, files, say)
        if drawn is None:
            return 1
        if not drawn:
            deadline = texts.long_date(mailing.edition.register_before)
            say(CLI_TEXTS["draw_not_due"].format(deadline=deadline))
            return 1
        say(CLI_TEXTS["draw_mailed"])
        return 0

    return _guarded(work, say)


def daily_command(
    target: Target, now: dt.datetime | None, files: loting.Files | None = None, out: TextIO | None = None
) -> int:
    """`praatmee daily`: the daily jobs on the local stack, as the schedules run them on AWS: the draw when
    it is due (an edition with `allocation: draw`; with the commitment, secret and round of `files`), then
    confirmations, resends and consent expiry. With `now`, as if it were that moment, so organisers read the
    two-weeks mail in the local outbox first."""
    from praatmee.laptop import loting

    say = _printer(out)
    if not connect(target, say, "no_local_stack_daily"):
        return 2
    mailing = _local_mailing(target, now)
    from praatmee import daily  # after _local_mailing: its logger reads the quieter log level

    def work() -> int:
        moment = mailing.now().astimezone(mailing.edition.tz)
        say(CLI_TEXTS["daily_moment"].format(date=texts.long_date(moment.date()), time=f"{moment:%H.%M}"))
        draw_at = mailing.edition.draw_moment
        if draw_at is not None and mailing.now() >= draw_at and _draw(mailing, files or loting.Files(), say):
            say(CLI_TEXTS["draw_mailed"])
        report = daily.run_daily(mailing)
        for kind, sent in sorted(report.sent.items()):
            say(CLI_TEXTS["daily_sent"].format(n=number(sent), kind=CLI_MAIL_KINDS.get(kind, kind)))
        if not report.sent:
            say(CLI_TEXTS["daily_nothing"])
        for name in ("promoted", "expired", "failed"):
            if getattr(report, name):
                say(CLI_TEXTS[f"daily_{name}"].format(n=number(getattr(report, name))))
        say(CLI_TEXTS["daily_outbox"])
        return 1 if report.failed else 0

    return _guarded(work, say)


def links_command(target: Target, count: int, out: TextIO | None = None) -> int:
    """`praatmee links`: the newest exports, each file with a link that expires within 15 minutes."""
    say = _printer(out)
    if not connect(target, say):
        return 2
    bucket = ExportBucket(target.bucket)

    def work() -> int:
        folders = complete_exports(bucket)[:count]
        if not folders:
            say(CLI_TEXTS["no_exports"])
            return 1
        until = dt.datetime.now().astimezone() + dt.timedelta(seconds=LINK_SECONDS)
        say(CLI_TEXTS["links_intro"].format(until=f"{until:%H.%M}"))
        for folder in folders:
            say(folder)
            for stored in bucket.objects(folder):
                say(f"  {stored.name}: {bucket.link(stored.key)}")
        return 0

    return _guarded(work, say)
