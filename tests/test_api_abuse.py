"""Abuse of the sign-up form (issue 16): names that are messages or links, and one address flooded with
guardians' requests by sign-ups it did not make."""

from __future__ import annotations

from typing import Any

import pytest

from praatmee import texts
from praatmee.store import Store
from tests.fixtures import Api, pupil, registration_items


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
@pytest.mark.parametrize("field", ["name", "guardian.name", "organisation"])
def test_a_name_with_a_web_address_is_refused(client: Api, store: Store, field: str, bad: str) -> None:
    # When a name (of the person, the guardian or the school) holds a web address
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
