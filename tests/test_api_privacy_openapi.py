"""No personal data in logs or metrics, and the checked-in OpenAPI document matches the code."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from praatmee import api, service
from tests.fixtures import Api, sign_up

NAME = "Mirjam Zwanenburg-Oudshoorn"
EMAIL = "mirjam.zwanenburg@voorbeeld-school.nl"
GUARDIAN = "Govert Zwanenburg"
GUARDIAN_EMAIL = "govert.z@voorbeeld.nl"
NEEDS = "rolstoeltoegankelijk en glutenvrij"
OPENAPI = Path(__file__).parents[1] / "openapi.json"


# Also with Powertools' debug logging on (POWERTOOLS_DEBUG, for an incident): it logs each route's arguments.
@pytest.mark.parametrize("powertools_debug", [False, True], ids=["info", "powertools-debug"])
def test_logs_and_metrics_never_hold_a_name_or_an_e_mail_address(
    powertools_debug: bool,
    client: Api,
    ctx: service.Context,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    api_log: io.StringIO,
) -> None:
    if powertools_debug:
        caplog.set_level(logging.DEBUG, logger="aws_lambda_powertools")
    # Given a person who signs up in every way that can go right or wrong
    person = {"name": NAME, "email": EMAIL, "needs": NEEDS}
    client.register(**person)  # placed
    client.register(**person)  # replay
    client.register(**{**person, "name": "Ander"})  # 409 already registered
    client.register(**{**person, "email": "mirjam.zwanenburg@", "name": NAME + "x" * 100})  # 422
    client.register(**{**person, "meeting": "noord-wolvega", "sector": "po"})  # 409 not eligible
    client.register(**{**person, "shoe_size": EMAIL})  # 422 unknown field
    client.register(
        name=NAME,
        email="kind." + EMAIL,
        role="leerling",
        under_16=True,
        guardian={"name": GUARDIAN, "email": GUARDIAN_EMAIL, "consent": False},
    )  # 422
    client.register(name=NAME, email=EMAIL, website=EMAIL)  # honeypot
    client.post_form("/api/registrations", [("name", NAME), ("email", EMAIL)])  # 422 page
    client.post_form("/api/registrations", [("name", NAME), ("email", EMAIL)], origin="https://evil.example")
    registered = sign_up(ctx, email="x" + EMAIL)
    client.cancel(registered.answer.id, registered.cancel_token)
    client.cancel(EMAIL, NAME)

    # When we read everything the function wrote / Then no name, address, need or token is in it
    written = capfd.readouterr()
    records = " ".join(str(record.__dict__) for record in caplog.records)
    assert "registration answered" in written.out + records  # the logs were captured at all
    assert ("Calling API Route Handler" in records) is powertools_debug
    for secret in (
        NAME,
        "Zwanenburg",
        EMAIL,
        "mirjam",
        GUARDIAN,
        GUARDIAN_EMAIL,
        NEEDS,
        str(registered.cancel_token),
    ):
        assert secret not in written.out
        assert secret not in written.err
        assert secret not in records


def test_the_checked_in_openapi_document_matches_the_code() -> None:
    # Regenerate with: .venv/bin/python -m praatmee.api --openapi > openapi.json
    assert OPENAPI.read_text(encoding="utf-8") == api.openapi_document()


def test_the_openapi_document_describes_the_contract() -> None:
    import json

    document = json.loads(api.openapi_document())
    registrations = document["paths"]["/api/registrations"]["post"]
    assert set(registrations["responses"]) >= {"201", "303", "400", "409", "413", "415", "422", "503"}
    body = document["components"]["schemas"]["RegistrationRequest"]
    assert body["additionalProperties"] is False
    assert {"meeting", "name", "email", "role", "sector", "themes", "privacy_consent"} <= set(
        body["required"]
    )
