"""Cancelling with the id and secret token: a freed seat goes to the head of the waiting list at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from praatmee import service
from praatmee.models import RegistrationRequest, RegistrationStatus
from tests.fixtures import Api, valid_body

Fill = Callable[[str, int], list[str]]


def sign_up(ctx: service.Context, **changes: Any) -> service.Registered:
    return service.register(ctx, RegistrationRequest.model_validate(valid_body(**changes)))


def status_of(ctx: service.Context, registration_id: str) -> RegistrationStatus | None:
    stored = ctx.store.registration(registration_id)
    return None if stored is None else stored.status


def seats(ctx: service.Context, meeting: str) -> tuple[int, int]:
    counts = ctx.store.meeting_counts([meeting])[meeting]
    return counts.placed, counts.waitlist_length


def cancel(client: Api, registration_id: str, token: str | None) -> Any:
    return client.post_json("/api/cancellations", {"registration_id": registration_id, "token": token})


def test_cancelling_a_seat_gives_it_back_when_nobody_waits(client: Api, ctx: service.Context) -> None:
    # Given a placed registration
    registered = sign_up(ctx)

    # When the person cancels with the token from the e-mail
    answer = cancel(client, registered.answer.id, registered.cancel_token)

    # Then the registration is cancelled and the seat is free again
    assert answer.status == 200
    assert answer.json == {"id": registered.answer.id, "status": "cancelled"}
    assert seats(ctx, "online") == (0, 0)


def test_cancelling_a_seat_promotes_the_head_of_the_waiting_list(
    client: Api, ctx: service.Context, fill_meeting: Fill
) -> None:
    # Given a full meeting with two people waiting
    placed = sign_up(ctx, meeting="noord-wolvega", email="eerst@example.org")
    fill_meeting("noord-wolvega", 29)
    first = sign_up(ctx, meeting="noord-wolvega", email="wacht1@example.org")
    second = sign_up(ctx, meeting="noord-wolvega", email="wacht2@example.org")
    assert (first.answer.waitlist_position, second.answer.waitlist_position) == (1, 2)

    # When someone with a seat cancels
    assert cancel(client, placed.answer.id, placed.cancel_token).status == 200

    # Then the first person waiting has the seat, the counter stays, the second moves up
    assert status_of(ctx, first.answer.id) is RegistrationStatus.PLACED
    assert status_of(ctx, second.answer.id) is RegistrationStatus.WAITLISTED
    assert seats(ctx, "noord-wolvega") == (30, 1)
    assert ctx.store.waitlist_head("noord-wolvega") == (2, second.answer.id)


def test_leaving_the_waiting_list_moves_the_others_up(
    client: Api, ctx: service.Context, fill_meeting: Fill
) -> None:
    fill_meeting("noord-wolvega", 30)
    first = sign_up(ctx, meeting="noord-wolvega", email="wacht1@example.org")
    second = sign_up(ctx, meeting="noord-wolvega", email="wacht2@example.org")

    assert cancel(client, first.answer.id, first.cancel_token).status == 200

    replay = sign_up(ctx, meeting="noord-wolvega", email="wacht2@example.org")
    assert replay.answer.waitlist_position == 1
    assert replay.answer.id == second.answer.id
    assert seats(ctx, "noord-wolvega") == (30, 1)


def test_a_pupil_waiting_for_a_guardian_can_withdraw(client: Api, ctx: service.Context) -> None:
    guardian = {"name": "Ouder", "email": "ouder@example.org", "consent": True}
    registered = sign_up(ctx, role="leerling", under_16=True, guardian=guardian)

    assert cancel(client, registered.answer.id, registered.cancel_token).status == 200
    assert seats(ctx, "online") == (0, 0)


def test_a_wrong_token_or_unknown_id_gets_the_same_404(client: Api, ctx: service.Context) -> None:
    registered = sign_up(ctx)

    wrong_token = cancel(client, registered.answer.id, "A" * 43)
    unknown_id = cancel(client, "0" * 32, registered.cancel_token)

    assert (wrong_token.status, wrong_token.codes) == (404, ["not_found"])
    assert (unknown_id.status, unknown_id.text) == (404, wrong_token.text)
    assert status_of(ctx, registered.answer.id) is RegistrationStatus.PLACED


def test_cancelling_twice_is_harmless(client: Api, ctx: service.Context) -> None:
    registered = sign_up(ctx)
    cancel(client, registered.answer.id, registered.cancel_token)

    again = cancel(client, registered.answer.id, registered.cancel_token)

    assert (again.status, again.json["status"]) == (200, "cancelled")
    assert seats(ctx, "online") == (0, 0)


def test_after_cancelling_the_person_may_sign_up_again_and_the_personal_data_is_gone(
    client: Api, ctx: service.Context
) -> None:
    registered = sign_up(ctx)
    cancel(client, registered.answer.id, registered.cancel_token)

    item = ctx.store.client.get_item(
        TableName=ctx.store.table_name, Key={"pk": {"S": f"REG#{registered.answer.id}"}, "sk": {"S": "REG"}}
    )["Item"]
    assert not {"name", "email", "organisation", "needs", "guardian"} & item.keys()
    assert client.register().status == 201


def test_a_cancellation_form_post_ends_on_the_result_page(client: Api, ctx: service.Context) -> None:
    registered = sign_up(ctx)
    assert registered.cancel_token is not None

    answer = client.post_form(
        "/api/cancellations", [("registration_id", registered.answer.id), ("token", registered.cancel_token)]
    )

    assert answer.status == 303
    assert answer.headers["location"] == "/aanmelden/resultaat/cancelled/"


def test_a_malformed_cancellation_is_refused_on_its_fields(client: Api) -> None:
    answer = cancel(client, "not-an-id", None)

    assert answer.status == 422
    assert {e["field"] for e in answer.json["errors"]} == {"registration_id", "token"}


def test_nothing_changes_on_a_get(client: Api, ctx: service.Context) -> None:
    registered = sign_up(ctx)

    answer = client.get(
        f"/api/cancellations?registration_id={registered.answer.id}&token={registered.cancel_token}"
    )

    # The link opens a page that asks; only its form's POST cancels
    assert answer.status == 200
    assert '<form method="post" action="/api/cancellations">' in answer.text
    assert status_of(ctx, registered.answer.id) is RegistrationStatus.PLACED


def test_organisers_extra_seats_go_to_the_waiting_list_in_order(
    ctx: service.Context, fill_meeting: Fill
) -> None:
    fill_meeting("noord-wolvega", 30)
    waiting = [sign_up(ctx, meeting="noord-wolvega", email=f"w{i}@example.org").answer.id for i in range(3)]

    ctx.store.set_capacity("noord-wolvega", 32)
    promoted = service.promote_waitlist(ctx.store, "noord-wolvega")

    assert promoted == 2
    assert [status_of(ctx, rid) for rid in waiting] == [
        RegistrationStatus.PLACED,
        RegistrationStatus.PLACED,
        RegistrationStatus.WAITLISTED,
    ]
    assert seats(ctx, "noord-wolvega") == (32, 1)
