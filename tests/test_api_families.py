"""Children and families signing up: the age question, the guardian's own address, a shared family address,
and free text without control characters."""

from __future__ import annotations

from typing import Any

import pytest

from praatmee import texts
from praatmee.store import Store
from tests.fixtures import Api, pupil, registration_items
from tests.test_api_registrations import form_fields


def field_codes(answer: Any) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in answer.json["errors"]]


# -- the age question ----------------------------------------------------------------------------------


def test_a_pupil_who_leaves_the_age_question_empty_is_refused(client: Api, store: Store) -> None:
    # Given a pupil's sign-up without an answer to "Ben je jonger dan 16 jaar?"
    # When it is sent as JSON
    answer = client.register(role="leerling")

    # Then it is refused on that question, in Dutch, and nothing is stored
    assert answer.status == 422
    assert field_codes(answer) == [("under_16", "under_16_required")]
    assert answer.json["errors"][0]["message"] == texts.FIELD_MESSAGES["under_16_required"]
    assert registration_items(store) == []


def test_a_pupil_who_leaves_the_age_question_empty_in_the_plain_form_is_refused(
    client: Api, store: Store
) -> None:
    # Given the form without JavaScript, role pupil, no answer to the age question (no radio button sent)
    answer = client.post_form("/api/registrations", form_fields(role="leerling"))

    # Then the page names the question and nothing is stored
    assert answer.status == 422
    assert answer.shows(texts.FIELD_MESSAGES["under_16_required"])
    assert registration_items(store) == []


def test_a_pupil_of_16_or_older_says_so_and_is_signed_up(client: Api, store: Store) -> None:
    answer = client.post_form("/api/registrations", form_fields(role="leerling", under_16="nee"))

    # A pupil of 16 or older confirms their own address, like an adult
    assert (answer.status, answer.headers["location"]) == (
        303,
        "/aanmelden/resultaat/unconfirmed/#bijeenkomst-online",
    )
    [stored] = registration_items(store)
    assert stored["under_16"] == {"BOOL": False}


def test_an_adult_need_not_answer_the_age_question(client: Api) -> None:
    assert client.register(role="ouder").status == 201


# -- the guardian's address ---------------------------------------------------------------------------


def test_a_guardian_address_equal_to_the_pupils_is_refused(client: Api, store: Store) -> None:
    # Given a pupil under 16 who gives their own address as the guardian's (in other capitals)
    guardian = {"name": "Mama", "email": " Saskia.DeVries@example.org", "consent": True}

    # When they sign up
    answer = client.register(**pupil(guardian=guardian))

    # Then the guardian's address is refused: the pupil could approve themselves
    assert answer.status == 422
    assert field_codes(answer) == [("guardian.email", "guardian_email_same")]
    assert registration_items(store) == []


# -- one address, one pupil and one adult -------------------------------------------------------------


def test_a_parent_and_her_child_may_share_one_address(client: Api, store: Store) -> None:
    # Given a parent who signed up her child (16 or older) with her own address
    child = client.register(role="leerling", under_16=False, name="Pim de Vries")
    assert child.status == 201

    # When she signs up herself with the same address
    parent = client.register(role="ouder")

    # Then both are signed up, each once
    assert parent.status == 201
    assert parent.json["id"] != child.json["id"]
    assert len(registration_items(store)) == 2


def test_a_shared_address_still_holds_one_pupil_and_one_adult_only(client: Api, store: Store) -> None:
    # Given a pupil and an adult on one address
    client.register(role="leerling", under_16=False, name="Pim de Vries")
    client.register(role="ouder")

    # When a second pupil or a second adult uses it (with a draw: more tickets for one address)
    second_pupil = client.register(role="leerling", under_16=False, name="Fleur de Vries")
    second_adult = client.register(role="leraar", name="Kees de Vries")

    # Then both are refused as already registered
    assert (second_pupil.status, second_pupil.codes) == (409, ["already_registered"])
    assert (second_adult.status, second_adult.codes) == (409, ["already_registered"])
    assert len(registration_items(store)) == 2


def test_the_same_pupil_again_on_a_shared_address_gets_the_first_answer(client: Api, store: Store) -> None:
    first = client.register(role="leerling", under_16=False, name="Pim de Vries")
    client.register(role="ouder")

    again = client.register(role="leerling", under_16=False, name="Pim de Vries")

    assert (again.status, again.json) == (201, first.json)
    assert len(registration_items(store)) == 2


# -- control characters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["Jan\nJansen", "Jan\rJansen", "Jan\x00Jansen", "Jan\x1bJansen", "Jan\x85Jansen"]
)
@pytest.mark.parametrize("field", ["name", "organisation", "guardian.name"])
def test_a_control_character_in_a_one_line_answer_is_refused(
    client: Api, store: Store, field: str, bad: str
) -> None:
    # Given a name (or organisation) with a line break, NUL, ESC or a C1 control character
    changes: dict[str, Any] = pupil()
    if field == "guardian.name":
        changes["guardian"] = {**changes["guardian"], "name": bad}
    else:
        changes[field] = bad

    # When it is sent
    answer = client.register(**changes)

    # Then that field is refused with a Dutch message, and nothing is stored
    assert answer.status == 422
    assert field_codes(answer) == [(field, "control_character")]
    assert "nieuwe regel" in answer.json["errors"][0]["message"]
    assert registration_items(store) == []


def test_the_needs_field_keeps_line_breaks_but_refuses_other_control_characters(
    client: Api, store: Store
) -> None:
    refused = client.register(needs="Glutenvrij\x00")
    accepted = client.register(needs="Glutenvrij\r\nRolstoel")

    assert field_codes(refused) == [("needs", "control_character")]
    assert accepted.status == 201


def test_the_plain_forms_error_page_lists_problems_in_the_order_of_the_form(client: Api) -> None:
    # Given a form post without a meeting (the model's first field) and with a bad address (the page's second)
    fields = [(key, value) for key, value in form_fields(email="fout") if key != "meeting"]

    # When it is sent
    answer = client.post_form("/api/registrations", fields)

    # Then the address comes before the meeting, as on the form
    email = answer.text.index(texts.FIELD_MESSAGES["invalid_email"])
    meeting = answer.text.index(texts.FIELD_MESSAGES["choice_missing"].format(label="de bijeenkomst"))
    assert email < meeting
