"""The draw anyone can check: the commitment before the deadline, the bundle after the draw, and `verify`,
which says "Deze loting klopt" or names exactly what differs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from hooks.edition import render
from praatmee import beacon, bundle, commitment, draw, lottery_texts, service, sortition
from praatmee.bundle import DrawInputs, Lottery
from praatmee.commitment import Commitment, CommitmentBroken, Reveal
from praatmee.edition import Allocation, Edition, Role, Sector, Theme, features, load_edition
from praatmee.laptop import loting
from praatmee.laptop.serve import ROOT
from praatmee.mail import MailContext
from praatmee.table import DrawRecord
from tests.fixtures import (
    BEACON_DIR,
    DRAW_SECRET,
    RECORDED_ROUND,
    mails_to,
    recorded_round,
    sign_up,
    trial_commitment,
)

GOLDEN = Path(__file__).parent / "golden" / "loting.json"
ZUID = "zuid-helmond"
SEATS = 30
AFTER_DEADLINE = dt.datetime(2027, 3, 2, 9, 0, 5, tzinfo=dt.UTC)
# Forty applicants for thirty seats, too many teachers: the targets bind, so people differ in probability.
ROLES = [Role.LERAAR] * 20 + [Role.OUDER] * 8 + [Role.LEERLING] * 6 + [Role.EXPERT] * 6


@pytest.fixture
def edition() -> Edition:
    return load_edition()


def golden_pool() -> dict[str, frozenset[str]]:
    """Registration ids (as the store makes them: 32 hex digits) with their labels."""
    themes = list(Theme)
    return {
        f"{n:032x}": features(role, Sector.PO, themes[: 1 + n % 3] if n % 4 else [themes[n % 3]])
        for n, role in enumerate(ROLES)
    }


def draw_bundle(
    promised: Commitment, pool: dict[str, frozenset[str]], secret: str = DRAW_SECRET
) -> tuple[bytes, Lottery]:
    """Zuid drawn as `draw._draw` draws it (under draw numbers, seeded by the reveal), and its bundle."""
    lottery = Lottery(Reveal.check(promised, recorded_round(), secret))
    quotas = dict(promised.meeting(ZUID).targets)  # type: ignore[union-attr]
    named = lottery.pseudonyms(pool)
    drawn = {number: pool[rid] for number, rid in named.items()}
    result = sortition.draw(drawn, quotas, SEATS, lottery.seed(ZUID))
    record = DrawRecord(
        meeting=ZUID,
        drawn_at=AFTER_DEADLINE.isoformat(timespec="seconds"),
        selected=tuple(named[n] for n in result.selected),
        reserves=tuple(named[n] for n in result.reserves),
        shortfalls=tuple((s.feature, s.missing, s.excess) for s in result.shortfalls),
    )
    return lottery.publish(record, DrawInputs(ZUID, drawn, quotas, SEATS), result).body, lottery


def golden_bundle() -> bytes:
    return draw_bundle(trial_commitment(load_edition()), golden_pool())[0]


def problems(body: bytes, promised: Commitment) -> str:
    report = bundle.verify(body, promised)
    assert not report.holds, "\n".join(report.lines())
    return "\n".join(report.problems)


def tampered(body: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    """The bundle with `change` made, written back as canonical JSON (as a careful forger would)."""
    data = json.loads(body)
    change(data)
    return commitment.canonical(data)


# -- the golden draw --------------------------------------------------------------------------------------


def test_the_golden_draw_gives_the_golden_bundle_and_verify_says_it_holds(edition: Edition) -> None:
    # Given the commitment, the recorded round, the secret and the pool of tests/golden/loting.json; after a
    # deliberate change of method or format, rewrite it with:
    # PYTHONPATH=functions python -c "from tests.test_lottery import *; GOLDEN.write_bytes(golden_bundle())"
    promised = trial_commitment(edition)

    # When drawn, then the bundle is that file, byte for byte
    body = golden_bundle()
    assert body == GOLDEN.read_bytes()

    # And verify, with no network and no AWS, says it holds, with every check named
    report = bundle.verify(body, promised, published_sha256=commitment.sha256(body))
    assert report.holds, "\n".join(report.lines())
    assert report.lines()[-1] == "Deze loting klopt."
    assert len(report.checked) == 8
    assert report.warnings == [lottery_texts.VERIFY_TEXTS["trial"]], "a trial says so"


def test_the_bundle_holds_what_anyone_needs_to_rerun_the_draw(edition: Edition) -> None:
    data = json.loads(golden_bundle())
    promised = trial_commitment(edition)

    assert data["format"] == bundle.FORMAT
    assert data["commitment_sha256"] == promised.sha256
    assert data["beacon"] == {"chain_hash": beacon.QUICKNET.hash, **recorded_round().as_json()}
    assert data["secret"] == DRAW_SECRET
    assert data["seed"] == commitment.seed(ZUID, recorded_round().randomness, DRAW_SECRET).hex()
    assert data["quotas"] == {f: list(r) for f, r in promised.meeting(ZUID).targets.items()}  # type: ignore[union-attr]
    assert data["seats"] == SEATS
    assert len(data["pool"]) == len(ROLES) == len(data["panel"]) + len(data["reserves"])
    assert len(data["panel"]) == SEATS
    teachers = [e for e in data["pool"] if "rol:onderwijs" in e["categories"]]
    parents = [e for e in data["pool"] if "rol:ouders" in e["categories"]]
    assert max(e["probability"] for e in teachers) < 0.61 < 0.89 < min(e["probability"] for e in parents)


def test_the_draw_numbers_are_hmacs_of_the_registration_ids_under_the_committed_secret() -> None:
    pool = golden_pool()
    numbers = [commitment.draw_number(DRAW_SECRET, rid) for rid in pool]

    assert len(set(numbers)) == len(numbers)
    assert all(len(n) == 14 and n.count("-") == 2 for n in numbers)
    assert commitment.draw_number("another secret", next(iter(pool))) != numbers[0]
    data = json.loads(golden_bundle())
    assert sorted(numbers) == [entry["number"] for entry in data["pool"]]


# -- tampering: each is refused, and named -----------------------------------------------------------------


def first(data: dict[str, Any], category: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(e for e in data["pool"] if category in e["categories"])
    return entry


def test_a_changed_category_is_named(edition: Edition) -> None:
    body = golden_bundle()
    teacher = first(json.loads(body), "rol:onderwijs")["number"]

    def make_parent(data: dict[str, Any]) -> None:
        entry = first(data, "rol:onderwijs")
        entry["categories"] = sorted({*entry["categories"], "rol:ouders"} - {"rol:onderwijs"})

    found = problems(tampered(body, make_parent), trial_commitment(edition))
    assert f"andere kans dan zij: lotnummer {teacher}" in found
    assert f"De kans van lotnummer {teacher} is in de bundel" in found


def test_a_swapped_person_is_named(edition: Edition) -> None:
    body = golden_bundle()
    data = json.loads(body)
    drawn, reserve = data["panel"][0], data["reserves"][0]

    def swap(data: dict[str, Any]) -> None:
        data["panel"][0], data["reserves"][0] = reserve, drawn
        data["panel"].sort()

    found = problems(tampered(body, swap), trial_commitment(edition))
    assert f"In het panel, maar volgens de herberekening niet geloot: lotnummer {reserve}" in found
    assert f"Volgens de herberekening geloot, maar niet in het panel: lotnummer {drawn}" in found
    assert f"vanaf plaats 1: in de bundel lotnummer {drawn}" in found


def test_another_secret_is_named(edition: Edition) -> None:
    found = problems(
        tampered(golden_bundle(), lambda d: d.update(secret="t" * 64)), trial_commitment(edition)
    )

    assert "Het geheim in de bundel past niet bij de toezegging" in found
    assert found.splitlines()[0].startswith("Het geheim"), "the cause first, then what follows from it"


def test_another_round_is_named(edition: Edition) -> None:
    other = beacon.parse((BEACON_DIR / "quicknet-123.json").read_bytes())

    def other_round(data: dict[str, Any]) -> None:
        data["beacon"].update(other.as_json())

    found = problems(tampered(golden_bundle(), other_round), trial_commitment(edition))
    assert "De bundel gebruikt ronde 123 van drand, maar toegezegd is ronde 12040883." in found


def test_a_forged_signature_is_named(edition: Edition) -> None:
    def forge(data: dict[str, Any]) -> None:
        signature = bytearray(bytes.fromhex(data["beacon"]["signature"]))
        signature[20] ^= 0x01
        data["beacon"]["signature"] = signature.hex()
        data["beacon"]["randomness"] = beacon.Round(1, bytes(signature)).randomness.hex()

    found = problems(tampered(golden_bundle(), forge), trial_commitment(edition))
    assert "ronde 12040883" in found
    assert "niet echt" in found or "geen geldige handtekening" in found


def test_a_changed_probability_is_named(edition: Edition) -> None:
    body = golden_bundle()
    teacher = first(json.loads(body), "rol:onderwijs")

    def change(data: dict[str, Any]) -> None:
        first(data, "rol:onderwijs")["probability"] = 0.75

    found = problems(tampered(body, change), trial_commitment(edition))
    expected = round(teacher["probability"], 12)
    assert (
        f"De kans van lotnummer {teacher['number']} is in de bundel 0.75, maar herberekend {expected}"
        in found
    )


def test_changed_targets_or_seats_against_the_commitment_are_named(edition: Edition) -> None:
    promised = trial_commitment(edition)

    found = problems(
        tampered(golden_bundle(), lambda d: d["quotas"].update({"rol:ouders": [0, 30]})), promised
    )
    assert "De doelen in de bundel zijn anders dan de toegezegde doelen van Regio Zuid." in found
    found = problems(tampered(golden_bundle(), lambda d: d.update(seats=31)), promised)
    assert "De bundel verloot 31 plaatsen, maar de toezegging noemt er 30." in found


def test_a_bundle_for_another_commitment_is_named(edition: Edition) -> None:
    later = trial_commitment(edition).model_copy(update={"made_at": "2027-02-27T00:00:00+00:00"})

    assert "De bundel hoort bij een andere toezegging" in problems(golden_bundle(), later)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        (b'"probability":0.9', b'"probability":0.8', "De kans van lotnummer"),
        (b'"secret":"s', b'"secret":"S', "Het geheim in de bundel past niet"),
        (b'"seats":30', b'"seats":20', "volgens de herberekening"),
        (b'"drawn_at":"2027', b'"drawn_at":"2017', "vóór ronde 12040883 van drand bestond"),
        (b'{"beacon"', b' {"beacon"', "niet in de vaste vorm"),
        (b'"panel":["', b'"panel";["', "geen leesbare JSON"),
    ],
)
def test_one_changed_byte_is_named(edition: Edition, old: bytes, new: bytes, named: str) -> None:
    body = golden_bundle()
    assert old in body

    assert named in problems(body.replace(old, new, 1), trial_commitment(edition))


def test_with_the_published_sha256_any_change_at_all_is_named(edition: Edition) -> None:
    body = golden_bundle()
    changed = body.replace(b'"drawn_at":"2027-03-02T09:00:05', b'"drawn_at":"2027-03-02T09:00:06')

    report = bundle.verify(changed, trial_commitment(edition), published_sha256=commitment.sha256(body))
    assert report.problems == [
        lottery_texts.VERIFY_TEXTS["sha_published"].format(
            actual=commitment.sha256(changed), expected=commitment.sha256(body)
        )
    ]


# -- the draw itself: seeded by the commitment, drawn under draw numbers, bundled without personal data ---


@pytest.fixture
def lottery(edition: Edition, published: Commitment) -> Lottery:
    return Lottery(Reveal.check(published, recorded_round(), DRAW_SECRET))


@pytest.fixture
def applied(ctx: service.Context) -> dict[str, dict[str, str]]:
    """Twelve people (two pupils of 16 or older among them) applied for Zuid, which has six seats."""
    ctx.store.set_capacity(ZUID, 6)
    people = {}
    roles = ["leraar"] * 6 + ["ouder"] * 3 + ["leerling"] * 2 + ["expert"]
    for n, role in enumerate(roles):
        name, email = f"Deelnemer Vlinder{n}", f"vlinder{n}@example.org"
        registered = sign_up(
            ctx, meeting=ZUID, sector="po", role=role, email=email, name=name, under_16=False
        )
        assert registered.outcome is service.Outcome.APPLIED
        people[registered.answer.id] = {"name": name, "email": email}
    return people


def run(ctx: service.Context, mail_ctx: MailContext, lottery: Lottery) -> list[draw.MeetingDraw]:
    mailing = dataclasses.replace(mail_ctx, now=lambda: AFTER_DEADLINE, draw_number=lottery.number)
    context = draw.DrawContext(ctx.store, ctx.edition, AFTER_DEADLINE, mailing, lottery)
    return draw.run_draw(context, lottery.seed)


@pytest.mark.usefixtures("applied")
def test_the_draws_bundles_hold_no_name_email_address_or_registration_id(
    ctx: service.Context, mail_ctx: MailContext, lottery: Lottery, published: Commitment
) -> None:
    # When the draw runs with its lottery
    run(ctx, mail_ctx, lottery)

    # Then every meeting has a bundle (and one per second pass for seats left), and none holds any stored
    # name, e-mail address or registration id
    assert {m.id for m in ctx.edition.meetings} <= set(lottery.published)
    stored = list(ctx.store.registrations())
    personal = {
        str(item[key]) for item in stored for key in ("name", "email", "registration_id") if key in item
    }
    personal |= {
        str(item["guardian"][key]) for item in stored if "guardian" in item for key in ("name", "email")
    }
    assert len(personal) >= 3 * 12
    for done in lottery.published.values():
        text = done.body.decode("utf-8")
        assert not [value for value in personal if value in text], done.label
        assert "@" not in text
        # And each verifies against the published commitment
        assert bundle.verify(done.body, published).holds


def test_the_draw_runs_under_draw_numbers_and_each_result_mail_tells_the_number(
    ctx: service.Context,
    mail_ctx: MailContext,
    lottery: Lottery,
    applied: dict[str, dict[str, str]],
    published: Commitment,
) -> None:
    # When the draw runs
    run(ctx, mail_ctx, lottery)

    # Then its record is the bundle's panel and reserve order, under each person's draw number
    record = ctx.store.draw_record(ZUID)
    assert record is not None
    data = json.loads(lottery.published[ZUID].body)
    assert data["panel"] == sorted(lottery.number(rid) for rid in record.selected)
    assert data["reserves"] == [lottery.number(rid) for rid in record.reserves]
    assert (len(record.selected), len(record.reserves)) == (6, 6)
    # And each person's result mail tells them their own draw number, and where to read how to check
    for rid, person in applied.items():
        [result] = mails_to(person["email"])
        part = result.get_body(preferencelist=("plain",))
        assert part is not None
        body = str(part.get_content()).replace("\r\n", "\n")
        assert lottery_texts.DRAW_NUMBER_PARAGRAPH.format(number=lottery.number(rid)) in body
        assert (
            f"{lottery_texts.DRAW_NUMBER_LINK_LABEL}:\n{mail_ctx.site_origin}{lottery_texts.LOTTERY_PAGE}"
            in body
        )
        assert lottery.number(rid) in {entry["number"] for entry in data["pool"]}


def test_a_failed_upload_leaves_the_meeting_undrawn_for_the_next_run(
    ctx: service.Context,
    mail_ctx: MailContext,
    lottery: Lottery,
    applied: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given publishing fails once
    real = Lottery.publish
    calls = []

    def flaky(self: Lottery, *args: Any) -> bundle.Published:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("S3 is down")
        return real(self, *args)

    monkeypatch.setattr(Lottery, "publish", flaky)

    # When the draw runs, it stops before recording the first meeting
    with pytest.raises(RuntimeError):
        run(ctx, mail_ctx, lottery)
    assert ctx.store.draw_record(ctx.edition.meetings[0].id) is None

    # And the next run draws everything, with bundles
    run(ctx, mail_ctx, lottery)
    assert {m.id for m in ctx.edition.meetings} <= set(lottery.published)
    assert ctx.store.draw_record(ZUID) is not None


# -- the commitment ------------------------------------------------------------------------------------


def test_commit_writes_the_canonical_commitment_to_the_round_after_the_draw_moment(
    tmp_path: Path, edition: Edition, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an organiser before the deadline, with no secret yet
    files = loting.Files(commitment=tmp_path / "commitment.json", secret=tmp_path / "geheim" / "loting.txt")
    before = edition.registration_closes_at - dt.timedelta(days=3)

    # When they run `praatmee draw commit`
    assert loting.commit_command(files, now=before) == 0

    # Then a secret was made that only they can read, and the file is the canonical commitment
    assert files.secret is not None
    assert files.commitment is not None
    secret = files.secret.read_text(encoding="utf-8").strip()
    assert len(secret) == 64
    assert stat.S_IMODE(files.secret.stat().st_mode) == 0o600
    promised = commitment.required(files.commitment)
    assert files.commitment.read_bytes() == promised.canonical()
    assert promised.secret_sha256 == commitment.secret_hash(secret)
    assert not promised.trial
    # And its round is the first after the draw moment, with the chain's facts
    assert edition.draw_moment is not None
    assert promised.beacon.round == beacon.round_after(edition.draw_moment)
    assert promised.beacon.chain_hash == beacon.QUICKNET.hash
    assert dt.datetime.fromisoformat(promised.beacon.round_time) > edition.draw_moment
    # And the code version: the git commit, the pinned dependencies and the draw's checked code
    assert len(promised.code.commit) == 40
    assert promised.code.pyproject_sha256 == commitment.sha256((ROOT / "pyproject.toml").read_bytes())
    assert promised.code.draw_code_sha256 == commitment.code_sha256()
    # And the targets and seats of every meeting, as the draw uses them
    assert [(t.id, t.capacity, t.targets) for t in promised.meetings] == [
        (m.id, m.capacity, m.targets.quotas()) for m in edition.meetings if m.targets
    ]
    out = capsys.readouterr().out
    assert f"SHA-256 {promised.sha256}" in out
    assert f"ronde {promised.beacon.round} van drand quicknet, op dinsdag 2 maart 2027 om 10.00.03 uur" in out

    # When they commit again, the same secret is kept
    assert loting.commit_command(files, now=before) == 0
    assert commitment.required(files.commitment).secret_sha256 == promised.secret_sha256


def test_commit_after_the_deadline_is_refused_but_a_trial_may(tmp_path: Path, edition: Edition) -> None:
    files = loting.Files(commitment=tmp_path / "c.json", secret=tmp_path / "s.txt")

    assert loting.commit_command(files, now=edition.registration_closes_at) == 1
    assert not (tmp_path / "c.json").exists()
    assert loting.commit_command(files, trial_round=RECORDED_ROUND, now=edition.registration_closes_at) == 0
    promised = commitment.required(files.commitment)
    assert promised.trial
    assert promised.beacon.round == recorded_round().number


def test_a_trial_on_a_forged_round_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(RECORDED_ROUND.read_bytes())
    forged = tmp_path / "ronde.json"
    forged.write_text(json.dumps({"round": data["round"] + 1, "signature": data["signature"]}))
    files = loting.Files(commitment=tmp_path / "c.json", secret=tmp_path / "s.txt")

    assert loting.commit_command(files, trial_round=forged) == 1
    assert "niet echt" in capsys.readouterr().out
    assert not (tmp_path / "c.json").exists()


def test_commit_on_aws_hashes_the_stacks_draw_secret(store: object, tmp_path: Path) -> None:
    # Given the stack's draw secret in (moto's) Secrets Manager
    arn = boto3.client("secretsmanager").create_secret(Name="praatmee-draw", SecretString="x" * 64)["ARN"]
    files = loting.Files(commitment=tmp_path / "c.json")

    # When an administrator commits with --aws
    assert loting.commit_command(files, secret_arn=arn, now=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)) == 0

    # Then the commitment holds that secret's hash, and no secret file was made
    assert commitment.required(files.commitment).secret_sha256 == commitment.secret_hash("x" * 64)
    assert list(tmp_path.iterdir()) == [tmp_path / "c.json"]


def test_the_reveal_refuses_another_secret_or_round(edition: Edition) -> None:
    promised = trial_commitment(edition)

    with pytest.raises(CommitmentBroken, match="Het geheim past niet bij de toezegging"):
        Reveal.check(promised, recorded_round(), "t" * 64)
    other = beacon.parse((BEACON_DIR / "quicknet-123.json").read_bytes())
    with pytest.raises(
        beacon.BeaconRefused, match="Dit is ronde 123 van drand, maar de toezegging noemt ronde"
    ):
        Reveal.check(promised, other, DRAW_SECRET)


def test_an_edition_that_differs_from_the_commitment_is_named(edition: Edition) -> None:
    promised = trial_commitment(edition)
    zuid = edition.meeting(ZUID)
    assert zuid is not None
    assert zuid.targets is not None
    roles = {**zuid.targets.roles}
    roles[next(iter(roles))] = roles[next(iter(roles))].model_copy(update={"max": 29})
    changed = edition.model_copy(
        update={
            "meetings": tuple(
                m.model_copy(update={"targets": zuid.targets.model_copy(update={"roles": roles})})
                if m.id == ZUID
                else m
                for m in edition.meetings
            )
        }
    )

    assert promised.differences(edition) == []
    assert promised.differences(changed) == [
        "Regio Zuid: de doelen in het editiebestand zijn anders dan in de toezegging."
    ]


def test_the_published_commitment_if_any_is_real_and_matches_the_edition() -> None:
    # A trial commitment (`--proefronde`) must never be published: its round existed before it was made.
    shipped = Path(commitment.__file__).with_name(commitment.FILE_NAME)
    if not shipped.exists():
        pytest.skip("no commitment published yet: the site says it will be, before the deadline")
    promised = commitment.required(shipped)
    edition = load_edition()
    assert not promised.trial, f"{shipped} is a local trial: remove it before committing"
    assert edition.draw_moment is not None
    assert promised.beacon.round == beacon.round_after(edition.draw_moment)
    assert promised.differences(edition) == []
    assert shipped.read_bytes() == promised.canonical()


# -- the site page "Zo kiezen we" --------------------------------------------------------------------------


def test_the_page_promises_the_commitment_until_there_is_one(
    edition: Edition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(commitment.FILE_VARIABLE, str(tmp_path / "none.json"))

    shown = render("{{ commitment }}", edition)

    assert shown == lottery_texts.COMMITMENT_PAGE["not_yet"].format(deadline="vóór maandag 1 maart 2027")
    first_come = edition.model_copy(update={"allocation": Allocation.FIRST_COME})
    assert render("{{ commitment }}", first_come) == lottery_texts.COMMITMENT_PAGE["first_come"]


def test_the_page_shows_the_published_commitment(edition: Edition, published: Commitment) -> None:
    shown = render("{{ commitment }}", edition)

    assert lottery_texts.COMMITMENT_PAGE["trial"] in shown
    assert f"ronde {published.beacon.round} van drand" in shown
    assert "maandag 14 oktober 2024 om 19.13.33 uur" in shown
    assert published.secret_sha256 in shown
    assert published.sha256 in shown
    assert published.code.commit in shown
    assert '<th scope="row">Regio Zuid</th><td data-label="Plaatsen">30</td>' in shown
    assert "Ouders: 6 tot 12<br>" in shown
    assert "Mensen met ervaring met meer- en hoogbegaafdheid: minstens 5" in shown


def test_the_built_page_and_the_draw_read_the_same_file(
    edition: Edition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a real (not a trial) commitment published where the draw reads it
    code = loting.code_version()
    made = edition.registration_closes_at - dt.timedelta(days=2)
    assert edition.draw_moment is not None
    promised = commitment.make(
        edition, DRAW_SECRET, code, made, beacon.round_after(edition.draw_moment), trial=False
    )
    path = tmp_path / "commitment.json"
    commitment.write(promised, path)
    monkeypatch.setenv(commitment.FILE_VARIABLE, str(path))

    # When the site is built
    from praatmee.laptop.serve import build_site
    from tests.test_site_content import page_text

    build_site(tmp_path / "site")

    # Then "Zo kiezen we" shows what the draw will read
    text = page_text(tmp_path / "site", "/zo-kiezen-we/")
    assert commitment.required() == promised
    assert (
        "Dit hebben we vastgelegd op zaterdag 27 februari 2027, vóór de sluiting van de aanmelding." in text
    )
    assert f"ronde {promised.beacon.round} van drand (de keten quicknet)" in text
    assert "dinsdag 2 maart 2027 om 10.00.03 uur, na de sluiting" in text
    for value in (promised.secret_sha256, promised.sha256, code.commit):
        assert value in text
    assert lottery_texts.COMMITMENT_PAGE["trial"] not in text


def test_the_page_reads_at_b1_short_sentences() -> None:
    source = (ROOT / "docs" / "zo-kiezen-we.md").read_text(encoding="utf-8").split("---", 2)[2]
    prose = " ".join(
        line for line in source.splitlines() if not line.startswith(("#", "```", "{{", "praatmee"))
    )
    sentences = [s for s in prose.replace("?", ".").replace("!", ".").split(". ") if s.strip()]
    lengths = [len(s.split()) for s in sentences]
    assert max(lengths) <= 22, max(zip(lengths, sentences, strict=True))
    assert sum(lengths) / len(lengths) <= 13


def test_the_verify_command_needs_no_network_and_says_what_it_found(
    tmp_path: Path, edition: Edition, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a bundle, its published SHA-256 beside it, and the commitment; and no network at all
    path = tmp_path / "zuid-helmond.json"
    path.write_bytes(golden_bundle())
    (tmp_path / "zuid-helmond.json.sha256").write_text(
        f"{commitment.sha256(path.read_bytes())}  zuid-helmond.json\n"
    )
    commitment.write(trial_commitment(edition), tmp_path / "c.json")

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("verify must not use the network")

    monkeypatch.setattr("socket.socket.connect", no_network)
    monkeypatch.setattr(beacon, "http_get", no_network)

    # When it is verified, then it holds
    assert loting.verify_command(path, tmp_path / "c.json") == 0
    assert capsys.readouterr().out.rstrip().endswith("Deze loting klopt.")
    # And a missing commitment or bundle is its own answer
    assert loting.verify_command(path, tmp_path / "none.json") == 2
    assert "nog geen toezegging" in capsys.readouterr().out
    assert loting.verify_command(tmp_path / "none.json", tmp_path / "c.json") == 2
    # And a bundle that differs from its published SHA-256 fails
    path.write_bytes(path.read_bytes().replace(b'"seats":30', b'"seats":29'))
    assert loting.verify_command(path, tmp_path / "c.json") == 1
    out = capsys.readouterr().out
    assert "Deze loting klopt niet:" in out
    assert "maar gepubliceerd is" in out


def test_the_checked_code_is_the_code_verify_runs() -> None:
    folder = Path(commitment.__file__).parent
    assert all((folder / name).is_file() for name in commitment.CHECKED_CODE)
    assert bundle.FOLDER == "exports/loting/"
    assert os.path.basename(bundle.key("zuid-helmond/2")) == "zuid-helmond.2.json"


def test_organisers_download_the_bundles_from_the_export_bucket_on_aws(
    store: object, tmp_path: Path, edition: Edition, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the export bucket (moto) before and after the draw published a bundle
    from praatmee.bucket import ExportBucket
    from praatmee.laptop.organiser import Target

    bucket = ExportBucket("praatmee-bundles-test", boto3.client("s3", region_name="eu-west-1"))
    bucket.create("eu-west-1")
    target = Target(aws=True, bucket=bucket.name)
    assert loting.download_command(target, tmp_path) == 1
    assert "nog geen bundels" in capsys.readouterr().out
    body = golden_bundle()
    bucket.put(bundle.key(ZUID), body, bundle.JSON_TYPE)
    bucket.put(
        f"{bundle.key(ZUID)}.sha256", f"{commitment.sha256(body)}  {ZUID}.json\n".encode(), "text/plain"
    )

    # When an organiser runs `praatmee draw download --aws --to DIR`
    assert loting.download_command(target, tmp_path) == 0

    # Then the bundle and its SHA-256 are in DIR/loting/, and verify holds on them
    saved = tmp_path / "loting" / f"{ZUID}.json"
    assert saved.read_bytes() == body
    commitment.write(trial_commitment(edition), tmp_path / "c.json")
    assert loting.verify_command(saved, tmp_path / "c.json") == 0
