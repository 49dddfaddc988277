"""The issue's acceptance walk, through the `praatmee` command against `make serve`'s stack: commit, sign up,
draw with a recorded drand round (a local trial), download the bundle, verify it: "Deze loting klopt". One
changed byte makes it say what is wrong."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from praatmee import commitment
from praatmee.edition import EDITION_FILE_VARIABLE
from praatmee.laptop.serve import ROOT
from tests.conftest import edition_still_open, serve
from tests.fixtures import RECORDED_ROUND
from tests.test_form_browser import sign_up_confirmed

ZUID = "zuid-helmond"
ROLES = ["leraar"] * 16 + ["ouder"] * 8 + ["leerling"] * 6 + ["begeleider"] * 4 + ["expert"] * 2


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`praatmee serve` of a draw edition whose sign-up is open; its origin and edition file."""
    folder = tmp_path_factory.mktemp("walk")
    edition_file = edition_still_open(folder, first_come=False)
    for origin in serve(folder, edition_file):
        yield origin, edition_file


def praatmee(edition_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, EDITION_FILE_VARIABLE: str(edition_file)}
    env.pop(commitment.FILE_VARIABLE, None)
    return subprocess.run(
        [sys.executable, "-m", "praatmee.laptop.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def sign_up(origin: str, role: str, n: int) -> str:
    body = {
        "meeting": ZUID,
        "name": f"Wandelaar {n}",
        "email": f"wandel-{uuid.uuid4().hex[:10]}@example.org",
        "role": role,
        "sector": "po",
        "themes": [["dyslexie"], ["leergedrag"], ["hoogbegaafdheid", "dyslexie"]][n % 3],
        "privacy_consent": True,
        **({"under_16": False} if role == "leerling" else {}),
    }
    # Signed up and confirmed with the link mailed to the local outbox
    status, answer = sign_up_confirmed(origin, body)
    assert (status, answer["status"]) == (200, "applied")
    return str(body["email"])


def test_commit_sign_up_draw_download_and_verify_on_the_local_stack(
    stack: tuple[str, Path], tmp_path: Path
) -> None:
    origin, edition_file = stack
    port = str(urlsplit(origin).port)
    promise, secret = tmp_path / "commitment.json", tmp_path / "geheim.txt"
    files = ["--toezegging", str(promise), "--geheim-bestand", str(secret)]

    # Given an organiser commits before the deadline; locally a trial on a recorded drand round
    committed = praatmee(edition_file, "draw", "commit", "--proefronde", str(RECORDED_ROUND), *files)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert "PROEF" in committed.stdout
    # And 36 people sign up for Zuid's 30 seats
    for n, role in enumerate(ROLES):
        sign_up(origin, role, n)

    # When the draw runs after the deadline, with the recorded round
    drawn = praatmee(
        edition_file,
        "draw",
        "--now",
        "2027-03-02T10:00",
        "--port",
        port,
        "--ronde",
        str(RECORDED_ROUND),
        *files,
    )

    # Then Zuid is drawn, flagged as a trial, and its bundle is published with its SHA-256
    assert drawn.returncode == 0, drawn.stdout + drawn.stderr
    assert "PROEF" in drawn.stdout
    assert "Regio Zuid: 36 aangemeld, 30 geplaatst, 6 op de reservelijst" in drawn.stdout
    published = dict(re.findall(r"Bundel: exports/loting/(\S+) \(SHA-256 ([0-9a-f]{64})\)", drawn.stdout))
    assert f"{ZUID}.json" in published

    # When the organiser downloads the bundles
    fetched = praatmee(edition_file, "draw", "download", "--to", str(tmp_path / "dl"), "--port", port)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    path = tmp_path / "dl" / "loting" / f"{ZUID}.json"
    assert commitment.sha256(path.read_bytes()) == published[f"{ZUID}.json"]
    assert (tmp_path / "dl" / "loting" / f"{ZUID}.json.sha256").is_file()

    # And anyone verifies it, with the published commitment
    verified = praatmee(edition_file, "draw", "verify", str(path), "--toezegging", str(promise))

    # Then: "Deze loting klopt"
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.rstrip().endswith("Deze loting klopt.")
    assert "proef" in verified.stdout

    # And each participant's result mail in the outbox tells a draw number that is in the bundle
    pool = {entry["number"] for entry in json.loads(path.read_bytes())["pool"]}
    # (the first mails are each person's confirm link and receipt)
    with urllib.request.urlopen(f"{origin}/lokaal/postvak/{2 * len(ROLES) + 1}/", timeout=10) as answer:
        mail = answer.read().decode()
    number = re.search(r"Je lotnummer is ([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})\.", mail)
    assert number is not None
    assert number.group(1) in pool

    # When one byte of the bundle changes (a draw probability's first digit after the point)
    body = path.read_bytes()
    at = body.index(b'"probability":0.') + len(b'"probability":0.')
    path.write_bytes(body[:at] + (b"1" if body[at : at + 1] != b"1" else b"2") + body[at + 1 :])
    refused = praatmee(edition_file, "draw", "verify", str(path), "--toezegging", str(promise))

    # Then it says the draw does not hold, and what is wrong
    assert refused.returncode == 1, refused.stdout
    assert "Deze loting klopt niet:" in refused.stdout
    assert "maar gepubliceerd is" in refused.stdout
    assert re.search(
        r"De kans van lotnummer [0-9A-F-]{14} is in de bundel 0\.\d+, maar herberekend", refused.stdout
    )


def test_the_local_draw_without_a_commitment_says_what_to_do(stack: tuple[str, Path], tmp_path: Path) -> None:
    origin, edition_file = stack
    port = str(urlsplit(origin).port)

    result = praatmee(
        edition_file,
        "draw",
        "--now",
        "2027-03-02T10:00",
        "--port",
        port,
        "--toezegging",
        str(tmp_path / "c.json"),
    )

    assert result.returncode == 1
    assert "Er is nog geen toezegging voor de loting" in result.stdout
    assert "praatmee draw commit" in result.stdout
