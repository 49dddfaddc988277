"""Signing up through the HTTP API: the rules, each error code, JSON and form posts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from praatmee import texts
from praatmee.store import Store
from tests.fixtures import (
    SITE,
    Api,
    Clock,
    FillMeeting,
    http_event,
    pupil,
    registration_data,
    registration_items,
    table_items,
    valid_body,
)


def meeting(client: Api, meeting_id: str) -> dict[str, Any]:
    meetings: list[dict[str, Any]] = client.get("/api/meetings").json["meetings"]
    return next(m for m in meetings if m["id"] == meeting_id)


# -- the list of meetings ----------------------------------------------------------------------------


def test_meetings_lists_every_meeting_of_the_edition_with_its_seats(client: Api) -> None:
    # Given a fresh edition / When the site asks for the meetings
    answer = client.get("/api/meetings")

    # Then every meeting is open with all its seats
    assert answer.status == 200
    meetings = answer.json["meetings"]
    assert [m["id"] for m in meetings] == ["noord-wolvega", "zuid-helmond", "midden-utrecht", "online"]
    assert meetings[0] == {
        "id": "noord-wolvega",
        "title": "Regio Noord",
        "place": "Wolvega",
        "starts_at": "2027-03-18T19:00:00+01:00",
        "ends_at": "2027-03-18T21:00:00+01:00",
        "audience": ["vo", "vso"],
        "capacity": 30,
        "seats_left": 30,
        "waitlist_length": 0,
        "applicants": 0,
        "status": "open",
    }
    assert meetings[3]["capacity"] == 50


def test_a_full_meeting_shows_full_and_its_waiting_list(client: Api, fill_meeting: FillMeeting) -> None:
    # Given Zuid is full and one more person signed up
    fill_meeting("zuid-helmond")
    client.register(meeting="zuid-helmond", sector="po")

    # When / Then
    assert (
        meeting(client, "zuid-helmond").items()
        >= {"seats_left": 0, "waitlist_length": 1, "status": "full"}.items()
    )


def test_after_the_deadline_every_meeting_shows_closed(client: Api, clock: Clock) -> None:
    clock.now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert {m["status"] for m in client.get("/api/meetings").json["meetings"]} == {"closed"}


# -- signing up --------------------------------------------------------------------------------------


def test_a_valid_sign_up_gets_a_seat(client: Api, store: Store) -> None:
    # When someone signs up for the online meeting
    answer = client.register()

    # Then they have a seat, and the meeting one seat less
    assert answer.status == 201
    assert answer.json == {
        "id": answer.json["id"],
        "status": "placed",
        "meeting": "online",
        "waitlist_position": None,
        "confirm_before": None,
    }
    assert meeting(client, "online")["seats_left"] == 49
    assert len(registration_items(store)) == 1


def test_a_full_meeting_puts_people_on_the_waiting_list_in_order(
    client: Api, fill_meeting: FillMeeting
) -> None:
    # Given a full meeting
    fill_meeting("noord-wolvega")

    # When two more people sign up
    first = client.register(meeting="noord-wolvega", email="een@example.org")
    second = client.register(meeting="noord-wolvega", email="twee@example.org")

    # Then they wait, first come first served
    assert (first.status, first.json["status"], first.json["waitlist_position"]) == (201, "waitlisted", 1)
    assert (second.status, second.json["status"], second.json["waitlist_position"]) == (201, "waitlisted", 2)
    assert meeting(client, "noord-wolvega")["seats_left"] == 0


@pytest.mark.parametrize(("meeting_id", "sector"), [("noord-wolvega", "po"), ("zuid-helmond", "vo")])
def test_a_meeting_for_another_sector_is_refused(
    client: Api, store: Store, meeting_id: str, sector: str
) -> None:
    answer = client.register(meeting=meeting_id, sector=sector)

    assert answer.status == 409
    assert answer.json["errors"][0]["code"] == "not_eligible"
    assert answer.json["errors"][0]["field"] == "meeting"
    assert answer.json["errors"][0]["message"] == texts.ERROR_MESSAGES["not_eligible"]
    assert registration_items(store) == []


def test_sign_up_closes_at_midnight_amsterdam_time_before_the_deadline_day(
    client: Api, store: Store, clock: Clock
) -> None:
    # Given the deadline "before 1 March 2027": 00:00 in Amsterdam is 23:00 UTC the day before
    clock.now = dt.datetime(2027, 2, 28, 22, 59, 59, tzinfo=dt.UTC)
    in_time = client.register(email="op-tijd@example.org")
    assert (in_time.status, in_time.json["status"]) == (201, "placed")

    # When someone signs up one second after midnight, local time
    clock.now = dt.datetime(2027, 2, 28, 23, 0, 0, tzinfo=dt.UTC)
    answer = client.register(email="te-laat@example.org")

    # Then registration is closed, and only the sign-up in time is stored
    assert (answer.status, answer.codes) == (409, ["registration_closed"])
    assert [item["registration_id"]["S"] for item in registration_items(store)] == [in_time.json["id"]]


def test_the_same_sign_up_twice_gets_the_first_answer(client: Api, store: Store) -> None:
    # Given a sign-up (When the person clicks twice, with the address in other capitals)
    first = client.register()
    again = client.register(email="Saskia.DeVries@Example.org ")

    # Then the second answer repeats the first and nothing new is stored
    assert again.status == 201
    assert again.json == first.json
    assert len(registration_items(store)) == 1


def test_one_person_holds_one_place_across_all_meetings(client: Api, store: Store) -> None:
    client.register(meeting="online")

    other_meeting = client.register(meeting="midden-utrecht")
    other_data = client.register(meeting="online", name="S. de Vries")

    assert (other_meeting.status, other_meeting.codes) == (409, ["already_registered"])
    assert (other_data.status, other_data.codes) == (409, ["already_registered"])
    assert len(registration_items(store)) == 1


def test_a_pupil_under_16_waits_for_a_guardian_and_takes_no_seat(client: Api, store: Store) -> None:
    answer = client.register(**pupil())

    assert answer.status == 201
    assert answer.json["status"] == "pending_guardian"
    assert meeting(client, "online")["seats_left"] == 50
    [stored] = registration_items(store)
    assert stored["status"]["S"] == "pending_guardian"
    assert stored["guardian"]["M"]["email"]["S"] == "petra.jansen@example.org"


def test_a_filled_honeypot_looks_like_success_but_stores_nothing(client: Api, store: Store) -> None:
    real = client.register_unconfirmed(email="echt@example.org")
    answer = client.register(website="http://spam.example")

    # The answer has the same fields as a real sign-up's, so a bot cannot tell them apart
    assert answer.status == 201
    assert answer.json["status"] == "unconfirmed"
    assert answer.json.keys() == real.json.keys()
    assert answer.json["confirm_before"] is not None
    # And only the real sign-up is stored
    assert len(registration_items(store)) == 1
    assert registration_data(store, answer.json["id"]) is None
    assert meeting(client, "online")["seats_left"] == 50


def counted_outcomes(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The outcome of every `Registrations` figure written so far (CloudWatch's embedded metric format)."""
    import json

    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    return [record["outcome"] for record in records if "Registrations" in record and "_aws" in record]


def test_every_sign_up_is_counted_once_by_its_outcome(
    client: Api, fill_meeting: FillMeeting, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a full meeting, and nothing counted yet
    fill_meeting("noord-wolvega")
    capsys.readouterr()

    # When people sign up (and confirm) in each way that ends well
    client.register()
    client.register()
    client.register(meeting="noord-wolvega", email="wacht@example.org")
    client.register(email="kind@example.org", **pupil())
    client.register(email="bot@example.org", website="http://spam.example")

    # Then each answer is counted once, by its outcome
    assert counted_outcomes(capsys) == [
        *("unconfirmed", "confirmed_placed", "replayed"),
        *("unconfirmed", "confirmed_waitlisted", "pending_guardian", "honeypot"),
    ]


def test_an_unknown_meeting_is_refused_on_its_field(client: Api, store: Store) -> None:
    answer = client.register(meeting="regio-west")

    assert answer.status == 422
    assert answer.json["errors"] == [
        {"field": "meeting", "code": "unknown_meeting", "message": texts.ERROR_MESSAGES["unknown_meeting"]}
    ]
    assert registration_items(store) == []


def test_every_stored_item_expires_on_the_editions_retention_date(
    client: Api, store: Store, fill_meeting: FillMeeting
) -> None:
    from praatmee.edition import load_edition

    fill_meeting("noord-wolvega")
    client.register(meeting="noord-wolvega")
    client.register(email="kind@example.org", **pupil())

    items = table_items(store)
    # (ASKED: how often the guardian's address was asked, guardian_asks.py)
    assert {item["pk"]["S"].split("#")[0] for item in items} == {"MEETING", "EMAIL", "REG", "ASKED"}
    assert {item["expires_at"]["N"] for item in items} == {str(load_edition().expires_at)}


# -- refusing what a client sends ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"name": ""}, "name", "missing"),
        ({"name": None}, "name", "missing"),
        ({"name": "x" * 101}, "name", "too_long"),
        ({"email": "geen-adres"}, "email", "invalid_email"),
        ({"role": "directeur"}, "role", "invalid_choice"),
        ({"sector": "mbo"}, "sector", "invalid_choice"),
        ({"themes": []}, "themes", "missing"),
        ({"themes": ["rekenen"]}, "themes", "invalid_choice"),
        ({"themes": ["dyslexie", "dyslexie"]}, "themes", "duplicate_theme"),
        ({"privacy_consent": False}, "privacy_consent", "consent_required"),
        ({"privacy_consent": "true"}, "privacy_consent", "invalid"),
        ({"needs": "x" * 501}, "needs", "too_long"),
        ({"organisation": 12}, "organisation", "invalid"),
        ({"shoe_size": 44}, "shoe_size", "not_allowed"),
        ({"under_16": True}, "guardian", "guardian_required"),
        (
            {"guardian": {"name": "P", "email": "p@example.org", "consent": True}},
            "guardian",
            "guardian_not_allowed",
        ),
        (
            {"under_16": True, "guardian": {"name": "P", "email": "p@example.org", "consent": False}},
            "guardian.consent",
            "consent_required",
        ),
        ({"meeting": "Online!"}, "meeting", "invalid_choice"),
    ],
)
def test_invalid_fields_get_422_with_a_dutch_message_per_field(
    client: Api, store: Store, changes: dict[str, Any], field: str, code: str
) -> None:
    answer = client.register(**changes)

    assert answer.status == 422
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in answer.json["errors"]
    ]
    assert all(e["message"] and e["message"][-1] in ".?" for e in answer.json["errors"])
    assert registration_items(store) == []


def test_a_422_never_echoes_what_was_typed(client: Api) -> None:
    answer = client.register(email="geheim-adres-zonder-apenstaartje", name="x" * 101)

    assert answer.status == 422
    assert sorted(answer.codes) == ["invalid_email", "too_long"]
    assert "geheim" not in answer.text
    assert "xxxx" not in answer.text


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "malformed_body"),
        ("[1, 2]", "application/json", 400, "malformed_body"),
        ('"text"', "application/json", 400, "malformed_body"),
        ("{}" + " " * 20_000, "application/json", 413, "too_large"),
        ("meeting=online", "text/plain", 415, "unsupported_media_type"),
        ("<a/>", "application/xml", 415, "unsupported_media_type"),
        ("{}", None, 415, "unsupported_media_type"),
    ],
)
def test_unreadable_bodies_are_refused_with_the_contracts_codes(
    client: Api, store: Store, body: str, content_type: str | None, status: int, code: str
) -> None:
    answer = client.call(http_event("POST", "/api/registrations", body=body, content_type=content_type))

    assert (answer.status, answer.codes) == (status, [code])
    assert answer.json["errors"][0]["message"] == texts.ERROR_MESSAGES[code]
    assert answer.headers["content-type"].startswith("application/json")
    assert registration_items(store) == []


def test_a_body_that_is_not_utf8_is_malformed(client: Api) -> None:
    answer = client.call(
        http_event("POST", "/api/registrations", body=b"\xff\xfe{}", content_type="application/json")
    )
    assert (answer.status, answer.codes) == (400, ["malformed_body"])


def test_json_with_a_charset_is_accepted(client: Api, store: Store) -> None:
    import json

    event = http_event(
        "POST",
        "/api/registrations",
        body=json.dumps(valid_body()),
        content_type="application/json; charset=utf-8",
    )
    answer = client.call(event)

    assert (answer.status, answer.json["status"]) == (201, "unconfirmed")
    assert [item["registration_id"]["S"] for item in registration_items(store)] == [answer.json["id"]]


def test_an_unknown_path_gets_a_json_404(client: Api) -> None:
    answer = client.get("/api/nothing")
    assert (answer.status, answer.codes) == (404, ["not_found"])


# -- the form without JavaScript -------------------------------------------------------------------


def form_fields(**changes: str | list[str]) -> list[tuple[str, str]]:
    fields: dict[str, str | list[str]] = {
        "meeting": "online",
        "name": "Jan Jansen",
        "email": "jan@example.org",
        "role": "leraar",
        "sector": "po",
        "themes": ["dyslexie", "leergedrag"],
        "organisation": "",
        "needs": "",
        "privacy_consent": "on",
        "guardian_name": "",
        "guardian_email": "",
        "website": "",
    }
    fields.update(changes)
    pairs: list[tuple[str, str]] = []
    for key, value in fields.items():
        pairs += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
    return pairs


def test_a_form_post_ends_on_the_result_page_without_personal_data(client: Api, store: Store) -> None:
    answer = client.post_form("/api/registrations", form_fields())

    assert answer.status == 303
    assert answer.headers["location"] == "/aanmelden/resultaat/unconfirmed/#bijeenkomst-online"
    [stored] = registration_items(store)
    assert [theme["S"] for theme in stored["themes"]["L"]] == ["dyslexie", "leergedrag"]


def test_a_plain_text_form_post_works_too(client: Api, store: Store) -> None:
    answer = client.post_form("/api/registrations", form_fields(), base64_encoded=False)

    assert (answer.status, answer.headers["location"]) == (
        303,
        "/aanmelden/resultaat/unconfirmed/#bijeenkomst-online",
    )
    [stored] = registration_items(store)
    assert stored["email"]["S"] == "jan@example.org"


def test_a_form_post_of_a_pupil_under_16_keeps_the_guardian(client: Api, store: Store) -> None:
    answer = client.post_form(
        "/api/registrations",
        form_fields(
            role="leerling",
            under_16="on",
            guardian_name="Ouder",
            guardian_email="ouder@example.org",
            guardian_consent="on",
        ),
    )

    assert (answer.status, answer.headers["location"]) == (
        303,
        "/aanmelden/resultaat/pending_guardian/#bijeenkomst-online",
    )
    [stored] = registration_items(store)
    assert stored["status"]["S"] == "pending_guardian"
    assert stored["guardian"]["M"]["name"]["S"] == "Ouder"


def test_an_invalid_form_post_gets_a_dutch_page_with_every_problem(client: Api, store: Store) -> None:
    answer = client.post_form("/api/registrations", form_fields(email="fout", privacy_consent=""))

    assert answer.status == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="nl">' in answer.text
    assert answer.shows(texts.FORM_ERROR_TITLE)
    assert answer.shows(texts.FIELD_MESSAGES["invalid_email"])
    assert answer.shows(texts.FIELD_MESSAGES["consent_required"])
    assert 'href="/aanmelden/"' in answer.text
    assert "fout" not in answer.text.replace("Terug", "")
    assert registration_items(store) == []


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://praatmee.example.nl"])
def test_a_form_post_from_another_origin_is_refused(client: Api, store: Store, origin: str) -> None:
    answer = client.post_form("/api/registrations", form_fields(), origin=origin)

    assert answer.status == 403
    assert answer.shows(texts.ERROR_MESSAGES["foreign_origin"])
    assert registration_items(store) == []


def test_a_form_post_without_origin_counts_on_the_referer(client: Api, store: Store) -> None:
    from urllib.parse import urlencode

    def post(headers: dict[str, str]) -> int:
        event = http_event(
            "POST",
            "/api/registrations",
            body=urlencode(form_fields()),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
        return client.call(event).status

    assert post({"referer": "https://evil.example/aanmelden/"}) == 403
    assert post({"referer": SITE + ".evil.example/"}) == 403
    assert post({}) == 403
    assert registration_items(store) == []
    assert post({"referer": SITE + "/aanmelden/"}) == 303
    assert len(registration_items(store)) == 1


def test_a_field_sent_twice_is_refused(client: Api, store: Store) -> None:
    answer = client.post_form("/api/registrations", [*form_fields(), ("name", "Tweede naam")])

    assert answer.status == 422
    assert answer.shows(texts.FIELD_MESSAGES["invalid"].format(label=texts.FIELD_LABELS["name"]))
    assert registration_items(store) == []


# -- our body reader runs in Powertools' place: a private hook, so it is guarded here ---------------


def test_the_request_validator_powertools_runs_is_our_body_reader(
    client: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the resolver's request validator, spied on where it reads the body
    from praatmee import api
    from praatmee.reader import RequestReader

    assert type(api.app._request_validation_middleware) is RequestReader
    read: list[str] = []
    read_body = RequestReader._get_body

    def spy(self: RequestReader, app: Any) -> Any:
        read.append(app.current_event.path)
        return read_body(self, app)

    monkeypatch.setattr(RequestReader, "_get_body", spy)

    # When a sign-up is posted
    answer = client.register_unconfirmed()

    # Then Powertools read its body through our reader
    assert answer.status == 201
    assert read == ["/api/registrations"]


def test_a_form_from_another_site_is_refused_before_its_fields_are_checked(client: Api, store: Store) -> None:
    # Given a form from another site whose fields are all wrong
    fields = [("email", "fout"), ("shoe_size", "43")]

    # When it is posted
    answer = client.post_form("/api/registrations", fields, origin="https://evil.example")

    # Then it is refused for where it comes from, not for its fields
    assert answer.status == 403
    assert answer.shows(texts.ERROR_MESSAGES["foreign_origin"])
    assert not answer.shows(texts.FORM_ERROR_INTRO)
    assert not answer.shows(texts.FIELD_MESSAGES["invalid_email"])
    assert not answer.shows(texts.FIELD_MESSAGES["not_allowed"])
    assert registration_items(store) == []
