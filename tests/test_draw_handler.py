"""The draw's function on AWS: what the one-time schedule runs at the edition's draw moment."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from praatmee import beacon, bundle, commitment, draw, service
from praatmee.bucket import ExportBucket
from praatmee.commitment import Commitment
from praatmee.edition import EDITION_FILE_VARIABLE, Allocation, Edition, load_edition
from praatmee.models import RegistrationStatus
from praatmee.settings import get_draw_settings
from tests.fixtures import (
    DRAW_SECRET,
    REGION,
    FakeLambdaContext,
    mails_to,
    recorded_round,
    sign_up,
    status_of,
)

EDITION_FILE = Path(__file__).parents[1] / "functions" / "praatmee" / "meetings.yaml"

ZUID = "zuid-helmond"
BUCKET = "praatmee-draw-test"
AFTER_DEADLINE = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)
BEFORE_DEADLINE = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)
APPLICANTS = [("leraar", "po"), ("ouder", "po"), ("leraar", "po"), ("expert", "po"), ("ouder", "po")]


@pytest.fixture
def edition() -> Edition:
    """The shipped edition, its places given by the draw."""
    return load_edition().model_copy(update={"allocation": Allocation.DRAW})


@pytest.fixture
def draw_secret(
    ctx: service.Context, monkeypatch: pytest.MonkeyPatch, published: Commitment, drand: list[str]
) -> Iterator[None]:
    """The function's environment on AWS: the ARN of the draw secret in (moto's) Secrets Manager and the
    export bucket; the edition's commitment is published, and drand answers its round."""
    client = boto3.client("secretsmanager")
    arn = client.create_secret(Name="praatmee-draw", SecretString=DRAW_SECRET)["ARN"]
    monkeypatch.setenv("PRAATMEE_DRAW_SECRET_ARN", arn)
    ExportBucket(BUCKET).create(REGION)
    monkeypatch.setenv("PRAATMEE_EXPORT_BUCKET", BUCKET)
    get_draw_settings.cache_clear()
    yield
    get_draw_settings.cache_clear()


@pytest.fixture
def applied(ctx: service.Context) -> dict[str, str]:
    """Five people applied for Zuid, which has three seats. Their e-mail address by registration id."""
    ctx.store.set_capacity(ZUID, 3)
    people = {}
    for n, (role, sector) in enumerate(APPLICANTS):
        email = f"{role}{n}@example.org"
        registered = sign_up(ctx, meeting=ZUID, role=role, sector=sector, email=email, name=f"Persoon {n}")
        assert registered.outcome is service.Outcome.APPLIED
        people[registered.answer.id] = email
    return people


def test_the_scheduled_draw_seats_applicants_mails_them_and_answers_with_counts_only(
    ctx: service.Context, ses: Any, draw_secret: None, applied: dict[str, str], edition: Edition
) -> None:
    # When the schedule runs the draw after the deadline
    answer = draw.scheduled_draw(edition, AFTER_DEADLINE)

    # Then Zuid's three seats are taken and the other two wait, each told once
    assert answer["drawn"] is True
    zuid = answer["meetings"][ZUID]
    assert (zuid["pool"], zuid["seats"], zuid["placed"], zuid["reserves"]) == (5, 3, 3, 2)
    statuses = [status_of(ctx.store, registration_id) for registration_id in applied]
    assert statuses.count(RegistrationStatus.PLACED) == 3
    assert statuses.count(RegistrationStatus.WAITLISTED) == 2
    assert all(len(mails_to(email)) == 1 for email in applied.values()), "each hears the result once"
    # And it names the targets three seats cannot meet, but nobody who applied
    assert zuid["missed_targets"]
    assert {"feature", "missing", "excess"} == set(zuid["missed_targets"][0])
    text = json.dumps(answer)
    assert "@" not in text
    assert "Persoon" not in text
    assert not any(registration_id in text for registration_id in applied)


def test_the_scheduled_draw_is_seeded_by_the_committed_round_and_secret_and_publishes_each_bundle(
    ctx: service.Context,
    draw_secret: None,
    applied: dict[str, str],
    edition: Edition,
    published: Commitment,
    drand: list[str],
) -> None:
    # When the schedule runs the draw after the deadline
    answer = draw.scheduled_draw(edition, AFTER_DEADLINE)

    # Then it fetched the committed round from drand, and seeded Zuid's draw with it and the draw secret
    assert drand
    assert all(url.endswith(f"/{beacon.QUICKNET.hash}/public/{published.beacon.round}") for url in drand)
    bucket = ExportBucket(BUCKET)
    body = bucket.read(bundle.key(ZUID))
    data = json.loads(body)
    assert bytes.fromhex(data["seed"]) == commitment.seed(ZUID, recorded_round().randomness, DRAW_SECRET)
    assert data["secret"] == DRAW_SECRET
    # And each meeting's bundle is in the export bucket with its SHA-256 beside it, as the answer says
    assert {meeting.id for meeting in edition.meetings} <= set(answer["bundles"])
    sums = bucket.read(f"{bundle.key(ZUID)}.sha256").decode()
    assert sums == f"{answer['bundles'][ZUID]}  zuid-helmond.json\n"
    assert bundle.verify(body, published, published_sha256=answer["bundles"][ZUID]).holds


def test_without_a_commitment_the_scheduled_draw_fails_loudly_and_seats_nobody(
    ctx: service.Context,
    draw_secret: None,
    applied: dict[str, str],
    edition: Edition,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given no published commitment
    monkeypatch.setenv(commitment.FILE_VARIABLE, str(tmp_path / "none.json"))

    # When the schedule runs the draw, then it fails (the scheduler retries, the alarm goes) and nobody moves
    with pytest.raises(commitment.CommitmentBroken, match="nog geen toezegging"):
        draw.scheduled_draw(edition, AFTER_DEADLINE)
    assert {status_of(ctx.store, rid) for rid in applied} == {RegistrationStatus.APPLIED}


def test_an_edition_changed_after_the_commitment_is_not_drawn(
    ctx: service.Context, draw_secret: None, applied: dict[str, str], edition: Edition
) -> None:
    # Given the organisers raised a meeting's capacity after they committed
    meetings = tuple(m.model_copy(update={"capacity": 40}) if m.id == ZUID else m for m in edition.meetings)
    changed = edition.model_copy(update={"meetings": meetings})

    # When the schedule runs the draw, then it refuses and names what changed
    with pytest.raises(commitment.CommitmentBroken, match="Regio Zuid: de toezegging noemt 30 plaatsen"):
        draw.scheduled_draw(changed, AFTER_DEADLINE)
    assert {status_of(ctx.store, rid) for rid in applied} == {RegistrationStatus.APPLIED}


def test_before_the_deadline_the_draw_returns_quietly_and_seats_nobody(
    ctx: service.Context, draw_secret: None, applied: dict[str, str], edition: Edition
) -> None:
    # When the draw function runs while sign-up is still open
    answer = draw.scheduled_draw(edition, BEFORE_DEADLINE)

    # Then it answers that the draw is not due, without an error, and everyone still waits for it
    assert answer == {"drawn": False, "reason": draw.DrawNotDue.code}
    assert {status_of(ctx.store, rid) for rid in applied} == {RegistrationStatus.APPLIED}


def test_for_a_first_come_edition_the_handler_returns_quietly_without_reading_anything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given an edition that gives places first come, and a function without any settings
    first_come = tmp_path / "meetings.yaml"
    shipped = EDITION_FILE.read_text(encoding="utf-8")
    first_come.write_text(shipped.replace("allocation: draw", "allocation: first_come"), encoding="utf-8")
    monkeypatch.setenv(EDITION_FILE_VARIABLE, str(first_come))
    monkeypatch.delenv("PRAATMEE_DRAW_SECRET_ARN", raising=False)
    monkeypatch.delenv("PRAATMEE_TABLE_NAME", raising=False)
    get_draw_settings.cache_clear()
    assert load_edition().allocation is Allocation.FIRST_COME

    # When the handler is invoked
    answer = draw.lambda_handler({}, FakeLambdaContext(function_name="praatmee-draw"))  # type: ignore[arg-type]

    # Then it says there is no draw and touches neither the table nor the secret
    assert answer == {"drawn": False, "reason": "first_come"}
