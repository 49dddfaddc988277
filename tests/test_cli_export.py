"""Organisers pull exports from the running local stack (`make serve`) with the `praatmee` command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import openpyxl
import pytest

from praatmee import exports, service, texts
from praatmee.bucket import ExportBucket
from praatmee.edition import EDITION_FILE_VARIABLE
from praatmee.laptop import organiser
from praatmee.laptop.serve import ROOT
from tests.conftest import edition_still_open, free_port, serve
from tests.fixtures import RECORDED_ROUND
from tests.test_form_browser import sign_up_confirmed


def praatmee(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "praatmee.laptop.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sign_up(site_url: str, name: str) -> dict[str, Any]:
    body = {
        "meeting": "midden-utrecht",
        "name": name,
        "email": f"{uuid.uuid4().hex[:12]}@example.org",
        "role": "begeleider",
        "sector": "so",
        "themes": ["leergedrag"],
        "privacy_consent": True,
    }
    # Signed up and confirmed with the link mailed to the local outbox
    status, result = sign_up_confirmed(site_url, body)
    assert status == 200, result
    return result


def meetings(site_url: str) -> dict[str, dict[str, Any]]:
    with urllib.request.urlopen(site_url + "/api/meetings", timeout=10) as answer:
        return {m["id"]: m for m in json.loads(answer.read())["meetings"]}


def test_export_runs_an_export_downloads_it_and_ends_with_counts_per_meeting(
    site_url: str, tmp_path: Path
) -> None:
    # Given a running local stack with two new sign-ups, one with a name that is a formula
    port = str(urlsplit(site_url).port)
    names = [f"Eva {uuid.uuid4().hex[:6]}", f'=HYPERLINK("#Blad2!A1";"{uuid.uuid4().hex[:6]}")']
    for name in names:
        assert sign_up(site_url, name)["status"] in {"placed", "waitlisted"}
    live = meetings(site_url)

    # When an organiser runs `praatmee export --to DIR` with the same port
    result = praatmee("export", "--to", str(tmp_path), "--port", port)

    # Then it reports progress, saves the files in one folder and ends with the counts per meeting
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("Aanmeldingen lezen:") for line in lines)
    assert any(line.startswith("Downloaden 1 van 6:") for line in lines)
    (folder,) = tmp_path.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [exports.WORKBOOK, exports.SUMMARY, *(f"{m}.csv" for m in live)]
    )
    midden = live["midden-utrecht"]
    placed = midden["capacity"] - midden["seats_left"]
    summary = lines[-len(live) - 1 :]
    assert summary[0] == "Aanmeldingen per bijeenkomst:"
    (line,) = [line for line in summary if line.startswith("  Regio Midden: ")]
    assert line.startswith(f"  Regio Midden: {placed} van {midden['capacity']} plaatsen bezet, ")
    assert f"{midden['waitlist_length']} op de reservelijst" in line

    # And both new people are in the meeting's CSV and sheet, the formula as harmless text
    text = (folder / "midden-utrecht.csv").read_bytes().decode("utf-8-sig")
    in_csv = [row[2] for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")]
    assert names[0] in in_csv
    assert "'" + names[1] in in_csv
    sheet = openpyxl.load_workbook(folder / exports.WORKBOOK)["Regio Midden"]
    cells = {cell.value: cell for cell in sheet["C"]}
    assert cells[names[1]].data_type == "s"


def test_links_are_presigned_for_at_most_fifteen_minutes_and_download_the_files(
    site_url: str, tmp_path: Path
) -> None:
    # Given an export on the local stack
    port = str(urlsplit(site_url).port)
    assert praatmee("export", "--to", str(tmp_path), "--port", port).returncode == 0

    # When an organiser asks for links
    result = praatmee("links", "--count", "1", "--port", port)

    # Then each file of the newest export has a presigned link that expires within 15 minutes and works
    assert result.returncode == 0, result.stderr
    links = dict(re.findall(r"^  (\S+): (http\S+)$", result.stdout, flags=re.MULTILINE))
    assert exports.WORKBOOK in links
    assert exports.SUMMARY in links
    for link in links.values():
        expires = int(re.search(r"X-Amz-Expires=(\d+)", link).group(1))  # type: ignore[union-attr]
        assert 0 < expires <= 15 * 60
    with urllib.request.urlopen(links[exports.SUMMARY], timeout=10) as answer:
        assert "meetings" in json.loads(answer.read())


def test_without_a_running_local_stack_the_command_says_what_to_do() -> None:
    result = praatmee("export", "--to", "unused", "--port", str(free_port()))
    assert result.returncode == 2
    assert "make serve" in result.stdout


def test_draw_waits_for_the_deadline(site_url: str) -> None:
    # Given the local stack while sign-up is still open
    port = str(urlsplit(site_url).port)

    # When an organiser runs the draw
    result = praatmee("draw", "--port", port)

    # Then nothing is drawn, and the command says why in Dutch
    assert result.returncode == 1
    assert "De loting kan nog niet" in result.stdout
    assert meetings(site_url)["midden-utrecht"]["applicants"] == 0


@pytest.fixture(params=["first_come", "draw"])
def own_stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str], str]]:
    """A local stack of its own, with either allocation, so moving its clock disturbs no other test. Yields
    its origin, the environment that loads the same edition file, and the allocation."""
    edition_file = edition_still_open(tmp_path, first_come=request.param == "first_come")
    for origin in serve(tmp_path, edition_file):
        yield origin, {**os.environ, EDITION_FILE_VARIABLE: str(edition_file)}, request.param


def test_daily_previews_the_two_weeks_mail_once_and_draws_when_due(
    own_stack: tuple[str, dict[str, str], str], tmp_path: Path
) -> None:
    # Given a local stack, its draw committed (a trial on a recorded drand round), and one person signed up
    # for Midden
    site_url, env, allocation = own_stack
    files = ["--toezegging", str(tmp_path / "c.json"), "--geheim-bestand", str(tmp_path / "s.txt")]
    if allocation == "draw":
        committed = praatmee("draw", "commit", "--proefronde", str(RECORDED_ROUND), *files, env=env)
        assert committed.returncode == 0, committed.stdout + committed.stderr
    files += ["--ronde", str(RECORDED_ROUND)]
    person = sign_up(site_url, "Anna Daily")
    assert person["status"] == ("applied" if allocation == "draw" else "placed")
    meeting = dt.datetime.fromisoformat(meetings(site_url)["midden-utrecht"]["starts_at"])
    two_weeks_before = (meeting - dt.timedelta(days=14)).replace(hour=9, minute=0).isoformat()
    port = str(urlsplit(site_url).port)

    # When an organiser previews the daily jobs two weeks before the meeting, twice
    first = praatmee("daily", "--port", port, "--now", two_weeks_before, *files, env=env)
    second = praatmee("daily", "--port", port, "--now", two_weeks_before, *files, env=env)

    # Then the first run sends the confirmation (after the draw, which is due, when places are drawn)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith(
        f"Dagelijkse taken van {texts.long_date(meeting.date() - dt.timedelta(days=14))}"
    )
    if allocation == "draw":
        assert "Regio Midden: 1 aangemeld, 1 geplaatst, 0 op de reservelijst" in first.stdout
    else:
        assert "Bevestiging met agenda-afspraak: 1 verstuurd" in first.stdout
    # And the second run sends nothing again; the mail is in the local outbox once
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Er was geen e-mail te versturen." in second.stdout
    with urllib.request.urlopen(site_url + "/lokaal/postvak/", timeout=10) as answer:
        outbox = answer.read().decode()
    assert outbox.count("Bevestiging: je doet mee met Praat mee") == 1


def test_daily_without_a_running_local_stack_says_what_to_do() -> None:
    result = praatmee("daily", "--port", str(free_port()))

    assert result.returncode == 2
    assert "make serve" in result.stdout


def test_draw_without_a_running_local_stack_says_what_to_do() -> None:
    result = praatmee("draw", "--port", str(free_port()))

    assert result.returncode == 2
    assert "make serve" in result.stdout
    assert "--aws" not in result.stdout


def test_with_aws_export_downloads_the_newest_complete_export(
    ctx: service.Context, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an export bucket (moto) with an older and a newer export, and a newer one still being written
    bucket = ExportBucket("praatmee-organiser-test", boto3.client("s3", region_name="eu-west-1"))
    bucket.create("eu-west-1")
    exports.run_export(ctx.store, bucket, ctx.edition, dt.datetime(2027, 2, 1, 5, tzinfo=dt.UTC))
    newest = exports.run_export(ctx.store, bucket, ctx.edition, dt.datetime(2027, 2, 2, 5, tzinfo=dt.UTC))
    bucket.put("exports/2027-02-03T050000Z/online.csv", b"half", exports.CSV_TYPE)

    # When an organiser runs `praatmee export --aws --to DIR` (the organiser role can only read)
    code = organiser.export_command(organiser.Target(aws=True, bucket=bucket.name), tmp_path)

    # Then the newest complete export is downloaded and summarised
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"Nieuwste export: {newest.folder}" in out
    assert [p.name for p in tmp_path.iterdir()] == ["2027-02-02T050000Z"]
    assert "Online: 0 van 50 plaatsen bezet" in out


def test_the_counts_at_the_end_name_the_draws_pool_and_the_sign_ups_not_confirmed_yet() -> None:
    # Given the counts of an export before the draw: people in the pool, and sign-ups still to be confirmed
    zuid = {"title": "Regio Zuid", "capacity": 30, "placed": 0, "applied": 41, "waitlisted": 0}
    zuid |= {"unconfirmed": 7, "pending_guardian": 2, "cancelled": 1}
    online = zuid | {"title": "Online", "placed": 50, "capacity": 50, "applied": 0, "waitlisted": 3}
    said: list[str] = []

    # When the command ends with them
    organiser.print_summary({"meetings": [zuid, online]}, said.append)

    # Then each line says who waits for the draw (only while anyone does) and who did not confirm yet
    assert said == [
        "Aanmeldingen per bijeenkomst:",
        "  Regio Zuid: 0 van 30 plaatsen bezet, 41 in de loting, 0 op de reservelijst, 7 nog niet bevestigd, "
        "2 wachten op toestemming, 1 afgemeld",
        "  Online: 50 van 50 plaatsen bezet, 3 op de reservelijst, 7 nog niet bevestigd, "
        "2 wachten op toestemming, 1 afgemeld",
    ]
