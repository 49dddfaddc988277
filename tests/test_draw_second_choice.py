"""A second choice: seats that first choices leave go to people not drawn elsewhere who named that meeting,
through the same seat counter, in one transaction with leaving their first meeting's applicants."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from praatmee import bundle, commitment, draw, exports, service
from praatmee.bundle import Lottery
from praatmee.commitment import Reveal
from praatmee.edition import Edition
from praatmee.mail import MailContext
from praatmee.models import RegistrationStatus
from praatmee.store import Store
from tests.fixtures import (
    DRAW_SECRET,
    Api,
    Clock,
    assert_seat_invariants,
    first_come_edition,
    mails_to,
    make_context,
    recorded_round,
    sign_up,
    trial_commitment,
)

EDITION_FILE = Path(__file__).parents[1] / "functions" / "praatmee" / "meetings.yaml"
ZUID, MIDDEN = "zuid-helmond", "midden-utrecht"
SEATS = 4
AFTER_DEADLINE = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)
SEED = commitment.seeds(bytes(32), "a secret for the tests")
TARGETS = {"roles": {"ouders": [1, 2], "leerlingen": [0, 2], "onderwijs": [1, 2], "anderen": [0, 2]}}


@pytest.fixture
def edition() -> Edition:
    """The shipped edition (places given by the draw), Zuid and Midden with four seats each."""
    raw: dict[str, Any] = yaml.safe_load(EDITION_FILE.read_text(encoding="utf-8"))
    raw["allocation"] = "draw"
    for meeting in raw["meetings"]:
        if meeting["id"] in (ZUID, MIDDEN):
            meeting["capacity"], meeting["targets"] = SEATS, TARGETS
    return Edition.model_validate(raw)


@pytest.fixture
def applied(ctx: service.Context) -> dict[str, dict[str, str]]:
    """Eight people applied for Zuid (four teachers, four parents; six named Midden as second choice),
    two for Midden. Returns, by registration id, their e-mail address and second choice."""
    for meeting in (ZUID, MIDDEN):
        ctx.store.set_capacity(meeting, SEATS)
    people: dict[str, dict[str, str]] = {}
    plan = [(ZUID, role, MIDDEN if n < 6 else None) for n, role in enumerate(["leraar", "ouder"] * 4)]
    plan += [(MIDDEN, "ouder", None), (MIDDEN, "leraar", None)]
    for n, (meeting, role, second) in enumerate(plan):
        email = f"persoon{n}@example.org"
        registered = sign_up(
            ctx, meeting=meeting, second_meeting=second, sector="po", role=role, email=email, name=f"P {n}"
        )
        assert registered.outcome is service.Outcome.APPLIED
        people[registered.answer.id] = {"email": email, "second": second or ""}
    return people


def run(ctx: service.Context, mail_ctx: MailContext | None = None) -> dict[str, draw.MeetingDraw]:
    if mail_ctx is not None:
        mail_ctx = dataclasses.replace(mail_ctx, now=lambda: AFTER_DEADLINE)
    drawing = draw.DrawContext(ctx.store, ctx.edition, AFTER_DEADLINE, mail_ctx)
    return {result.meeting: result for result in draw.run_draw(drawing, SEED)}


def test_seats_first_choices_leave_go_to_second_choices_not_drawn_elsewhere(
    ctx: service.Context, mail_ctx: MailContext, applied: dict[str, dict[str, str]]
) -> None:
    # When the draw runs: Zuid has eight applicants for four seats, Midden two for four
    results = run(ctx, mail_ctx)

    # Then Midden's two free seats went to people not drawn for Zuid who named Midden second
    zuid, midden = assert_seat_invariants(ctx.store, ZUID), assert_seat_invariants(ctx.store, MIDDEN)
    assert (zuid.placed, midden.placed) == (SEATS, SEATS)
    first_zuid = ctx.store.draw_record(ZUID)
    second = ctx.store.draw_record(MIDDEN, 2)
    assert first_zuid is not None
    assert second is not None
    assert (second.seats, len(second.selected), second.reserves) == (2, 2, ())
    assert set(second.selected) <= set(first_zuid.reserves)
    assert all(applied[person]["second"] == MIDDEN for person in second.selected)
    # And they now hold a seat at Midden, not a reserve place at Zuid (one place per person)
    for person in second.selected:
        stored = ctx.store.registration(person)
        assert stored is not None
        assert (stored.status, stored.meeting) == (RegistrationStatus.PLACED, MIDDEN)
    assert zuid.waiting == [p for p in first_zuid.reserves if p not in second.selected]
    # And Midden's targets count the whole panel: one parent and one teacher were there already
    roles = [midden.registrations[rid]["role"]["S"] for rid in midden.ids(RegistrationStatus.PLACED)]
    assert sorted(roles) == ["leraar", "leraar", "ouder", "ouder"]
    assert (results[MIDDEN].seats, results[MIDDEN].placed, results[MIDDEN].shortfalls) == (4, 4, ())
    # And each of them is told about a seat at Midden, once
    for person in second.selected:
        [mail] = mails_to(applied[person]["email"])
        assert mail["Subject"].startswith("Bevestiging")
        body = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert "Regio Midden" in body
        assert "tweede keus" in body


def test_the_second_choice_draw_runs_once(
    ctx: service.Context, mail_ctx: MailContext, applied: dict[str, dict[str, str]]
) -> None:
    run(ctx, mail_ctx)
    mails = sum(len(mails_to(person["email"])) for person in applied.values())

    again = run(ctx, mail_ctx)

    assert [(r.placed, r.reserves) for r in again.values()] == [(0, 0)] * len(again)
    assert sum(len(mails_to(person["email"])) for person in applied.values()) == mails
    assert (
        assert_seat_invariants(ctx.store, MIDDEN).placed,
        assert_seat_invariants(ctx.store, ZUID).placed,
    ) == (
        SEATS,
        SEATS,
    )


def test_no_second_draw_where_first_choices_fill_every_seat(
    ctx: service.Context, applied: dict[str, dict[str, str]]
) -> None:
    # Given Midden has only two seats, both taken by its own applicants
    ctx.store.set_capacity(MIDDEN, 2)

    run(ctx)

    assert ctx.store.draw_record(MIDDEN, 2) is None
    assert assert_seat_invariants(ctx.store, MIDDEN).placed == 2


@pytest.mark.parametrize(
    ("second", "sector", "code"),
    [
        (ZUID, "po", "second_meeting_refused"),  # the first choice again
        ("noord-wolvega", "po", "second_meeting_refused"),  # Wolvega is for secondary schools
        ("nergens", "po", "second_meeting_refused"),  # no such meeting
        ("Midden!", "po", "invalid_choice"),  # not a meeting id at all
    ],
)
def test_a_second_choice_that_cannot_be_used_is_refused_with_a_dutch_message(
    client: Api, second: str, sector: str, code: str
) -> None:
    answer = client.register(meeting=ZUID, second_meeting=second, sector=sector)

    assert answer.status == 422
    [error] = answer.json["errors"]
    assert (error["field"], error["code"]) == ("second_meeting", code)
    assert "keus" in error["message"]


def test_a_second_choice_is_refused_where_places_go_first_come(store: Store, clock: Clock) -> None:
    client = Api(make_context(store, clock, first_come_edition()))

    answer = client.register(second_meeting=MIDDEN)

    assert answer.status == 422
    [error] = answer.json["errors"]
    assert (error["field"], error["code"]) == ("second_meeting", "second_meeting_not_offered")


def test_the_export_shows_who_came_by_their_second_choice(
    ctx: service.Context, applied: dict[str, dict[str, str]]
) -> None:
    run(ctx)

    meetings = {m.id: m for m in exports.collect(ctx.edition, ctx.store.export_records())}
    midden = exports.rows(ctx.edition, meetings[MIDDEN])
    by_second_choice = [row for row in midden if row.second_choice]
    assert len(by_second_choice) == 2
    assert {row.second_choice for row in by_second_choice} == {"Regio Midden"}
    # And at Zuid, the reserves who named Midden but were not drawn there show it too
    zuid = exports.rows(ctx.edition, meetings[ZUID])
    named = sum(1 for person in applied.values() if person["second"] == MIDDEN)
    assert sum(1 for row in zuid if row.second_choice == "Regio Midden") == named - 2


def test_the_second_choice_draw_publishes_a_bundle_of_its_own_that_verifies(
    ctx: service.Context, applied: dict[str, dict[str, str]], edition: Edition
) -> None:
    # Given the draw is seeded by a commitment of this edition (a trial on a recorded round)
    promised = trial_commitment(edition)
    lottery = Lottery(Reveal.check(promised, recorded_round(), DRAW_SECRET))

    # When it runs
    draw.run_draw(draw.DrawContext(ctx.store, ctx.edition, AFTER_DEADLINE, None, lottery), lottery.seed)

    # Then Midden's second pass has its own bundle, seeded by its own label, that counts Midden's first panel
    first, second = ctx.store.draw_record(MIDDEN), ctx.store.draw_record(MIDDEN, 2)
    assert first is not None
    assert second is not None
    data = json.loads(lottery.published[f"{MIDDEN}/2"].body)
    assert (data["label"], data["choice"], data["seats"]) == (f"{MIDDEN}/2", 2, 2)
    assert data["seed"] == commitment.seed(f"{MIDDEN}/2", recorded_round().randomness, DRAW_SECRET).hex()
    assert [entry["number"] for entry in data["before"]] == sorted(lottery.number(p) for p in first.selected)
    assert data["panel"] == sorted(lottery.number(p) for p in second.selected)
    # And every bundle of the run verifies against the commitment
    for done in lottery.published.values():
        report = bundle.verify(done.body, promised)
        assert report.holds, "\n".join(report.lines())
    # And a second pass passed off as a first one is refused
    data.update(label=MIDDEN, choice=1)
    found = "\n".join(bundle.verify(commitment.canonical(data), promised).problems)
    assert "De eerste loting van een bijeenkomst telt niemand die al eerder is geloot." in found
