"""Abuse of the sign-up form (issue 16): names that are messages or links, and one address flooded with
guardians' requests by sign-ups it did not make."""

from __future__ import annotations

import json
import string
import time
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from praatmee import guardian_asks, lottery_texts, mail_texts, persontexts, service, texts
from praatmee.edition import load_edition
from praatmee.errors import GuardianAskedTooOften
from praatmee.laptop.localaws import cheap_transaction_snapshots, serialised_dynamodb
from praatmee.models import RegistrationRequest
from praatmee.store import Store
from tests.fixtures import (
    Api,
    mails_to,
    make_context,
    make_store,
    pupil,
    registration_items,
    table_items,
    valid_body,
)
from tests.test_store_concurrency import Injector, run_threads


def field_codes(answer: Any) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in answer.json["errors"]]


def with_field(field: str, value: str) -> dict[str, Any]:
    """A pupil's sign-up (so a guardian too) with `value` in `field`."""
    changes: dict[str, Any] = pupil()
    if field == "guardian.name":
        changes["guardian"] = {**changes["guardian"], "name": value}
    else:
        changes[field] = value
    return changes


# -- names: no web address, at least one letter --------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "Betaal vandaag via http://pay.example/0",
        "HTTPS://pay.example",
        "Jan www.pay.nl",
        "pay.example/0",
        "Kijk op betaal.nl",
        "Jan bit.ly",
        "pay\uff0eexample\uff0f0",  # full-width dot and slash
        "www\u200b.pay.nl",  # a zero-width space between
    ],
)
@pytest.mark.parametrize("field", ["name", "guardian.name", "organisation", "needs"])
def test_a_name_with_a_web_address_is_refused(client: Api, store: Store, field: str, bad: str) -> None:
    # When a name (of the person, the guardian or the school) holds a web address, or the needs do (the
    # guardian's request shows them)
    answer = client.register(**with_field(field, bad))

    # Then that field is refused with a Dutch message, and nothing is stored
    assert answer.status == 422
    assert field_codes(answer) == [(field, "web_address")]
    label = texts.FIELD_LABELS[field]
    assert answer.json["errors"][0]["message"] == texts.FIELD_MESSAGES["web_address"].format(label=label)
    assert registration_items(store) == []


def test_the_message_for_a_web_address_in_a_name_says_what_to_do() -> None:
    label = texts.FIELD_LABELS["name"]
    assert texts.FIELD_MESSAGES["web_address"].format(label=label) == "Vul je naam in zonder webadres."


@pytest.mark.parametrize("bad", ["123", "!!!", "- -", "\U0001f600", "0.5"])
@pytest.mark.parametrize("field", ["name", "guardian.name", "organisation"])
def test_a_name_without_a_letter_is_refused(client: Api, store: Store, field: str, bad: str) -> None:
    answer = client.register(**with_field(field, bad))

    assert answer.status == 422
    assert field_codes(answer) == [(field, "no_letter")]
    assert registration_items(store) == []


@pytest.mark.parametrize(
    "name",
    [
        "J.C. de Vries-Öztürk",
        "J.de Vries",  # a Dutch name part, not Germany's domain
        "Zoë d'Ancona",
        "Ahmed El Amrani",
        "Ёлка Иванова",
        "李小龙",
        "St.Jozefschool",
        "O.B.S. De Linde 2",
        "Anne.Marie Jansen",
    ],
)
def test_ordinary_names_with_dots_and_letters_of_any_script_are_accepted(
    client: Api, store: Store, name: str
) -> None:
    answer = client.register(email="kind@example.org", name=name, organisation=name, **pupil())

    assert answer.status == 201, answer.text


# -- one address, many guardians' requests ----------------------------------------------------------------

VICTIM = "petra.jansen@example.org"
MEETINGS = ["online", "midden-utrecht", "noord-wolvega"]


def child(number: int, **changes: Any) -> dict[str, Any]:
    """A pupil under 16 (their own address) who names VICTIM as guardian; meetings taken in turn."""
    return {"email": f"kind{number}@example.org", "meeting": MEETINGS[number % 3], **pupil(), **changes}


def asked_of(ctx: service.Context, address: str) -> int:
    return guardian_asks.asked(ctx.store, guardian_asks.address_hash(ctx.hash_key, address))


def test_one_address_gets_a_few_guardians_requests_and_then_no_more(
    app: Api, ctx: service.Context, store: Store
) -> None:
    # Given three pupils (siblings, across meetings) who each name the same parent
    siblings = [app.register(**child(number)) for number in range(guardian_asks.LIMIT)]
    assert [answer.status for answer in siblings] == [201] * guardian_asks.LIMIT

    # When a fourth sign-up names that address (also in other capitals)
    refused = app.register(**child(9, guardian={**pupil()["guardian"], "email": VICTIM.upper()}))

    # Then it is refused on the guardian's address, in Dutch, and nothing of it is written or sent
    assert refused.status == 409
    assert field_codes(refused) == [("guardian.email", "guardian_asked_too_often")]
    assert refused.json["errors"][0]["message"] == texts.ERROR_MESSAGES["guardian_asked_too_often"]
    assert len(registration_items(store)) == guardian_asks.LIMIT
    assert mails_to("kind9@example.org") == []
    assert len(mails_to(VICTIM)) == guardian_asks.LIMIT
    assert asked_of(ctx, VICTIM) == guardian_asks.LIMIT


def test_the_count_expires_with_the_edition(client: Api, store: Store) -> None:
    client.register(**child(1))

    [counter] = [item for item in table_items(store) if item["pk"]["S"].startswith("ASKED#")]
    assert counter["expires_at"]["N"] == str(load_edition().expires_at)
    assert VICTIM not in json.dumps(counter)  # only a keyed hash of the address


def test_the_last_allowed_sign_up_sent_twice_gets_its_first_answer(client: Api) -> None:
    # Given the limit reached by the last sibling's sign-up
    answers = [client.register(**child(number)) for number in range(guardian_asks.LIMIT)]

    # When that sign-up is sent again (a double click)
    again = client.register(**child(guardian_asks.LIMIT - 1))

    # Then it gets the same answer, not a refusal
    assert (again.status, again.json["id"]) == (201, answers[-1].json["id"])


def test_a_sign_up_that_is_not_written_uses_up_no_request(client: Api, ctx: service.Context) -> None:
    # Given one pupil, and the same pupil's address sent again with other answers (refused: already signed up)
    client.register(**child(1))
    conflict = client.register(**child(1, name="Iemand Anders"))
    assert conflict.codes == ["already_registered"]

    # Then only the written sign-up counts, so the other siblings still fit
    assert asked_of(ctx, VICTIM) == 1
    more = [client.register(**child(number)).status for number in range(2, guardian_asks.LIMIT + 1)]
    assert more == [201] * (guardian_asks.LIMIT - 1)


def test_sign_ups_by_organisers_are_not_counted(ctx: service.Context) -> None:
    # Organisers add pupils on a parent's behalf (by phone, on paper): not a stranger's sign-up
    for number in range(guardian_asks.LIMIT + 2):
        request = RegistrationRequest.model_validate(valid_body(**child(number)))
        added = service.register(ctx, request, added_by_organiser=True)
        assert added.outcome is service.Outcome.PENDING_GUARDIAN
    assert asked_of(ctx, VICTIM) == 0


@pytest.fixture
def serialised_store(api_settings: None) -> Iterator[Store]:
    """moto's DynamoDB under one lock (DynamoDB's serialisable writes), with injected throttling."""
    injector = Injector(share=0.2)
    with mock_aws(), serialised_dynamodb(), cheap_transaction_snapshots():
        store = make_store(max_attempts=12, sleep=time.sleep)
        events: Any = store.client.meta.events
        events.register("before-call.dynamodb.TransactWriteItems", injector.transaction)
        events.register("before-call.dynamodb.UpdateItem", injector.single)
        yield store


def test_many_sign_ups_at_once_naming_one_address_get_exactly_the_limit(serialised_store: Store) -> None:
    # Given twenty strangers' sign-ups at once, each a different "pupil" naming the same victim
    ctx = make_context(serialised_store)
    requests = [RegistrationRequest.model_validate(valid_body(**child(n))) for n in range(20)]

    # When they all arrive at the same moment
    results = run_threads(len(requests), lambda index: service.register(ctx, requests[index]))

    # Then exactly LIMIT are written, every other is refused (no 5xx), and the count says LIMIT
    outcomes = [result for _, result in results]
    written = [o for o in outcomes if isinstance(o, service.Registered)]
    refused = [o for o in outcomes if isinstance(o, GuardianAskedTooOften)]
    assert (len(written), len(refused)) == (guardian_asks.LIMIT, 20 - guardian_asks.LIMIT), outcomes
    assert len(registration_items(serialised_store)) == guardian_asks.LIMIT
    assert asked_of(ctx, VICTIM) == guardian_asks.LIMIT


def test_no_mail_subject_has_room_for_text_that_someone_typed() -> None:
    # Every subject of every mail is fixed words, at most with the meeting's date (the edition's own)
    subjects: list[str] = []
    for module in (texts, mail_texts, persontexts, lottery_texts):
        for name, value in vars(module).items():
            if name.endswith(("_SUBJECT", "_SUBJECTS")):
                subjects += list(value.values()) if isinstance(value, dict) else [value]
    assert len(subjects) > 10
    fields = {field for subject in subjects for _, field, _, _ in string.Formatter().parse(subject) if field}
    assert fields <= {"date"}
