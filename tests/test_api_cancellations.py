"""Cancelling with the id and secret token: a freed seat goes to the head of the waiting list at once."""

from __future__ import annotations

from praatmee import service
from praatmee.models import RegistrationStatus
from tests.fixtures import (
    Api,
    FillMeeting,
    placed_and_waiting,
    pupil,
    registration_data,
    sign_up,
    status_of,
)


def test_cancelling_a_seat_gives_it_back_when_nobody_waits(client: Api, ctx: service.Context) -> None:
    # Given a placed registration
    registered = sign_up(ctx)

    # When the person cancels with the token from the e-mail
    answer = client.cancel(registered.answer.id, registered.cancel_token)

    # Then the registration is cancelled and the seat is free again
    assert answer.status == 200
    assert answer.json == {"id": registered.answer.id, "status": "cancelled"}
    assert placed_and_waiting(ctx.store, "online") == (0, 0)


def test_cancelling_a_seat_promotes_the_head_of_the_waiting_list(client: Api, ctx: service.Context) -> None:
    # Given a full meeting of one seat with two people waiting
    ctx.store.set_capacity("noord-wolvega", 1)
    placed = sign_up(ctx, meeting="noord-wolvega", email="eerst@example.org")
    first = sign_up(ctx, meeting="noord-wolvega", email="wacht1@example.org")
    second = sign_up(ctx, meeting="noord-wolvega", email="wacht2@example.org")
    assert (first.answer.waitlist_position, second.answer.waitlist_position) == (1, 2)

    # When someone with a seat cancels
    answer = client.cancel(placed.answer.id, placed.cancel_token)

    # Then they are cancelled, the first person waiting has the seat, the counter stays, the second moves up
    assert (answer.status, answer.json) == (200, {"id": placed.answer.id, "status": "cancelled"})
    assert status_of(ctx.store, placed.answer.id) is RegistrationStatus.CANCELLED
    assert status_of(ctx.store, first.answer.id) is RegistrationStatus.PLACED
    assert status_of(ctx.store, second.answer.id) is RegistrationStatus.WAITLISTED
    assert placed_and_waiting(ctx.store, "noord-wolvega") == (1, 1)
    assert ctx.store.waitlist_head("noord-wolvega") == (2, second.answer.id)


def test_leaving_the_waiting_list_moves_the_others_up(
    client: Api, ctx: service.Context, fill_meeting: FillMeeting
) -> None:
    # Given a full meeting with two people waiting
    fill_meeting("noord-wolvega")
    first = sign_up(ctx, meeting="noord-wolvega", email="wacht1@example.org")
    second = sign_up(ctx, meeting="noord-wolvega", email="wacht2@example.org")

    # When the first person waiting cancels
    answer = client.cancel(first.answer.id, first.cancel_token)

    # Then they are cancelled, the second is first now (a repeated sign-up says so), the seat stays taken
    assert (answer.status, answer.json) == (200, {"id": first.answer.id, "status": "cancelled"})
    assert status_of(ctx.store, first.answer.id) is RegistrationStatus.CANCELLED
    replay = sign_up(ctx, meeting="noord-wolvega", email="wacht2@example.org")
    assert replay.answer.waitlist_position == 1
    assert replay.answer.id == second.answer.id
    assert placed_and_waiting(ctx.store, "noord-wolvega") == (1, 1)


def test_a_pupil_waiting_for_a_guardian_can_withdraw(client: Api, ctx: service.Context) -> None:
    # Given a pupil's sign-up that waits for the guardian (it holds no seat)
    registered = sign_up(ctx, **pupil())

    # When the pupil cancels
    answer = client.cancel(registered.answer.id, registered.cancel_token)

    # Then the sign-up is cancelled and no counter moved
    assert (answer.status, answer.json) == (200, {"id": registered.answer.id, "status": "cancelled"})
    assert status_of(ctx.store, registered.answer.id) is RegistrationStatus.CANCELLED
    assert placed_and_waiting(ctx.store, "online") == (0, 0)


def test_a_wrong_token_or_unknown_id_gets_the_same_404(client: Api, ctx: service.Context) -> None:
    registered = sign_up(ctx)

    wrong_token = client.cancel(registered.answer.id, "A" * 43)
    unknown_id = client.cancel("0" * 32, registered.cancel_token)

    assert (wrong_token.status, wrong_token.codes) == (404, ["not_found"])
    assert (unknown_id.status, unknown_id.text) == (404, wrong_token.text)
    assert status_of(ctx.store, registered.answer.id) is RegistrationStatus.PLACED


def test_cancelling_twice_is_harmless(client: Api, ctx: service.Context) -> None:
    registered = sign_up(ctx)
    client.cancel(registered.answer.id, registered.cancel_token)

    again = client.cancel(registered.answer.id, registered.cancel_token)

    assert (again.status, again.json["status"]) == (200, "cancelled")
    assert placed_and_waiting(ctx.store, "online") == (0, 0)


def test_after_cancelling_the_person_may_sign_up_again_and_the_personal_data_is_gone(
    client: Api, ctx: service.Context
) -> None:
    registered = sign_up(ctx)
    client.cancel(registered.answer.id, registered.cancel_token)

    item = registration_data(ctx.store, registered.answer.id)
    assert item is not None
    assert not {"name", "email", "organisation", "needs", "guardian"} & item.keys()
    again = client.register()
    assert (again.status, again.json["status"]) == (201, "placed")
    assert again.json["id"] != registered.answer.id


def test_a_cancellation_form_post_ends_on_the_result_page(client: Api, ctx: service.Context) -> None:
    registered = sign_up(ctx)
    assert registered.cancel_token is not None

    answer = client.post_form(
        "/api/cancellations", [("registration_id", registered.answer.id), ("token", registered.cancel_token)]
    )

    assert answer.status == 303
    assert answer.headers["location"] == "/aanmelden/resultaat/cancelled/"
    assert status_of(ctx.store, registered.answer.id) is RegistrationStatus.CANCELLED
    assert placed_and_waiting(ctx.store, "online") == (0, 0)


def test_a_malformed_cancellation_is_refused_on_its_fields(client: Api) -> None:
    answer = client.cancel("not-an-id", None)

    assert answer.status == 422
    assert [(e["field"], e["code"]) for e in answer.json["errors"]] == [
        ("registration_id", "invalid"),
        ("token", "invalid"),
    ]


def test_nothing_changes_on_a_get(client: Api, ctx: service.Context) -> None:
    registered = sign_up(ctx)

    answer = client.get(
        f"/api/cancellations?registration_id={registered.answer.id}&token={registered.cancel_token}"
    )

    # The link opens a page that asks; only its form's POST cancels
    assert answer.status == 200
    assert '<form method="post" action="/api/cancellations">' in answer.text
    assert status_of(ctx.store, registered.answer.id) is RegistrationStatus.PLACED


def test_organisers_extra_seats_go_to_the_waiting_list_in_order(
    ctx: service.Context, fill_meeting: FillMeeting
) -> None:
    # Given a full meeting of one seat with three people waiting
    fill_meeting("noord-wolvega")
    waiting = [sign_up(ctx, meeting="noord-wolvega", email=f"w{i}@example.org").answer.id for i in range(3)]

    # When organisers add two seats and the waiting list is promoted
    ctx.store.set_capacity("noord-wolvega", 3)
    promoted = service.promote_waitlist(ctx.store, ctx.edition, "noord-wolvega")

    # Then the first two waiting have the seats; the third still waits
    assert promoted == waiting[:2]
    assert [status_of(ctx.store, rid) for rid in waiting] == [
        RegistrationStatus.PLACED,
        RegistrationStatus.PLACED,
        RegistrationStatus.WAITLISTED,
    ]
    assert placed_and_waiting(ctx.store, "noord-wolvega") == (3, 1)
