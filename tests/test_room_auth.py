"""Signing in to the organisers' room against moto's Cognito, and the guards on every organiser request."""

from __future__ import annotations

import dataclasses
import time

import boto3
import pytest

from praatmee import room
from praatmee.laptop.localroom import create_pool
from praatmee.settings import get_organiser_settings
from tests.room_fixtures import PASSWORD, REGION, Pool, RoomClient, claims_for, fresh_code, moto_signed

OVERVIEW = "/api/organisatie/overzicht"
SESSION = "__Host-pm-sessie"


def signed_in(desk: RoomClient, pool: Pool) -> str:
    email = pool.organiser()
    answer = desk.sign_in(email)
    assert answer.status == 303, answer.text
    assert answer.headers["location"] == "/organisatie/"
    return email


def test_an_organiser_signs_in_with_a_new_password_and_an_authenticator_app(
    desk: RoomClient, pool: Pool
) -> None:
    # Given an organiser an administrator added, with a temporary password
    email = pool.organiser()

    # When they give their address and the temporary password
    answer = desk.post("/api/organisatie/inloggen", {"email": email, "password": PASSWORD})

    # Then they are asked to choose a password of their own
    assert answer.status == 303
    assert desk.cookies["__Host-pm-inloggen"].startswith("NEW_PASSWORD_REQUIRED|")
    assert "Kies een eigen wachtwoord" in desk.get("/organisatie/inloggen/").text

    # When they choose one, they must set up an authenticator app, whose key the page shows
    desk.post("/api/organisatie/inloggen", {"new_password": PASSWORD})
    assert desk.cookies["__Host-pm-inloggen"].startswith("MFA_SETUP|")
    assert "asdf asdf asdf" in desk.get("/organisatie/inloggen/").text

    # And a wrong code is refused with a Dutch message, and the step stays
    wrong = desk.post(
        "/api/organisatie/inloggen", {"code": "000000" if fresh_code() != "000000" else "111111"}
    )
    assert wrong.status == 401
    assert "Deze code klopt niet" in wrong.text
    assert desk.cookies["__Host-pm-inloggen"].startswith("MFA_SETUP|")

    # When they type the app's code, they are in the room
    done = desk.post("/api/organisatie/inloggen", {"code": fresh_code()})
    assert done.status == 303
    assert done.headers["location"] == "/organisatie/"
    page = desk.get("/organisatie/")
    assert page.status == 200
    assert f"Ingelogd als {email}." in page.text
    assert page.headers["cache-control"] == "no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in page.text

    # And the next time, the app's code is asked for after the password
    again = RoomClient(desk.context)
    again.post("/api/organisatie/inloggen", {"email": email, "password": PASSWORD})
    assert again.cookies["__Host-pm-inloggen"].startswith("SOFTWARE_TOKEN_MFA|")
    assert again.post("/api/organisatie/inloggen", {"code": fresh_code()}).status == 303
    assert again.get(OVERVIEW).status == 200


def test_the_session_cookie_is_httponly_secure_strict_and_lasts_a_working_day(
    desk: RoomClient, pool: Pool
) -> None:
    # When an organiser signs in
    signed_in(desk, pool)

    # Then the session's cookies cannot be read by scripts, go over HTTPS only, stay on this site and expire
    sessions = [c for c in desk.set_cookies if c.startswith(("__Host-pm-sessie=", "__Host-pm-verlengen="))]
    assert len(sessions) == 2
    for cookie in sessions:
        attributes = [part.strip() for part in cookie.split(";")[1:]]
        assert {"Path=/", "HttpOnly", "Secure", "SameSite=Strict", "Max-Age=28800"} <= set(attributes)
        assert not any(part.startswith("Domain=") for part in attributes)


def test_without_a_cookie_the_api_answers_401_and_the_room_asks_to_sign_in(desk: RoomClient) -> None:
    answer = desk.get(OVERVIEW)
    assert answer.status == 401
    assert answer.codes == ["no_session"]
    assert answer.headers["cache-control"] == "no-store"
    page = desk.get("/organisatie/")
    assert page.status == 303
    assert page.headers["location"] == "/organisatie/inloggen/"


def test_a_user_outside_the_group_gets_403(desk: RoomClient, pool: Pool) -> None:
    # Given a user of the pool who is not in the group organisatoren
    email = pool.organiser(group=False)

    # When they sign in with every step
    answer = desk.sign_in(email)

    # Then they get no room
    assert answer.status == 403
    assert desk.get(OVERVIEW).status in (401, 403)
    desk.cookies[SESSION] = moto_signed(claims_for(pool, **{"cognito:groups": ["anderen"]}))
    assert desk.get(OVERVIEW).status == 403
    assert desk.get(OVERVIEW).codes == ["not_organiser"]


def test_a_tampered_token_is_refused(desk: RoomClient, pool: Pool) -> None:
    signed_in(desk, pool)
    header, payload, signature = desk.cookies[SESSION].split(".")
    desk.cookies.pop("__Host-pm-verlengen")
    forged = moto_signed(claims_for(pool))
    desk.cookies[SESSION] = f"{header}.{forged.split('.')[1]}.{signature}"
    assert desk.get(OVERVIEW).status == 401
    desk.cookies[SESSION] = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert desk.get(OVERVIEW).status == 401


def test_an_expired_token_is_refused(desk: RoomClient, pool: Pool) -> None:
    # Given a token that is right in every way but its age
    desk.cookies[SESSION] = moto_signed(
        claims_for(pool, iat=int(time.time()) - 7200, exp=int(time.time()) - 60)
    )
    # Then it opens nothing
    assert desk.get(OVERVIEW).status == 401
    # While the same token, fresh, does (so the test above has teeth)
    desk.cookies[SESSION] = moto_signed(claims_for(pool))
    assert desk.get(OVERVIEW).status == 200


def test_a_token_of_another_pool_or_client_or_kind_is_refused(desk: RoomClient, pool: Pool) -> None:
    # Given a real organiser of another pool (moto signs every pool with the same key)
    other = Pool(*create_pool(REGION))
    theirs = RoomClient(dataclasses.replace(desk.context, pool=other.users))
    assert theirs.sign_in(other.organiser()).status in (303, 401)
    token = theirs.cookies.get(SESSION) or moto_signed(claims_for(other))

    # Then neither their token, nor one for another client, nor an access token opens this room
    for wrong in (
        token,
        moto_signed(claims_for(pool, aud="someotherclient")),
        moto_signed(claims_for(pool, token_use="access")),
    ):
        desk.cookies[SESSION] = wrong
        assert desk.get(OVERVIEW).status == 401
    # While a token of this pool and client does
    desk.cookies[SESSION] = moto_signed(claims_for(pool))
    assert desk.get(OVERVIEW).status == 200


def test_a_state_change_from_another_origin_is_refused(desk: RoomClient, pool: Pool) -> None:
    signed_in(desk, pool)
    for origin in ("https://evil.example", None, "null"):
        answer = desk.post("/api/organisatie/exports", origin=origin)
        assert answer.status == 403
        assert "komt niet van deze website" in answer.text
    assert desk.context.bucket.exports() == []
    assert desk.post("/api/organisatie/exports").status == 303
    assert len(desk.context.bucket.exports()) == 1


def test_a_password_step_that_ends_without_mfa_is_refused(desk: RoomClient, pool: Pool) -> None:
    # Given a user whose password is set for good: moto then hands out tokens without asking for MFA
    email = pool.organiser()
    boto3.client("cognito-idp").admin_set_user_password(
        UserPoolId=pool.pool_id, Username=email, Password=PASSWORD, Permanent=True
    )
    direct = boto3.client("cognito-idp").admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )
    assert "AuthenticationResult" in direct  # moto's gap, which the guard must close

    # When they sign in through our API
    answer = desk.post("/api/organisatie/inloggen", {"email": email, "password": PASSWORD})

    # Then they are refused and get no session
    assert answer.status == 403
    assert "tweede stap" in answer.text
    assert SESSION not in desk.cookies
    assert desk.get(OVERVIEW).status == 401


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(desk: RoomClient, pool: Pool) -> None:
    email = pool.organiser()
    wrong = desk.post("/api/organisatie/inloggen", {"email": email, "password": "Niet-het-wachtwoord-1"})
    unknown = desk.post("/api/organisatie/inloggen", {"email": "niemand@example.nl", "password": PASSWORD})
    assert wrong.status == unknown.status == 401
    assert wrong.text == unknown.text


def test_signing_out_ends_the_session(desk: RoomClient, pool: Pool) -> None:
    signed_in(desk, pool)
    assert desk.post("/api/organisatie/uitloggen").headers["location"] == "/organisatie/inloggen/"
    assert SESSION not in desk.cookies
    assert desk.get(OVERVIEW).status == 401


def test_an_expired_id_token_is_renewed_from_the_refresh_token(desk: RoomClient, pool: Pool) -> None:
    # Given a signed-in organiser whose ID token has expired
    signed_in(desk, pool)
    desk.cookies[SESSION] = moto_signed(
        claims_for(pool, exp=int(time.time()) - 60, iat=int(time.time()) - 3700)
    )
    # When they open the room, a fresh token is set
    assert desk.get(OVERVIEW).status == 200
    assert any(c.startswith(f"{SESSION}=") for c in desk.set_cookies)


def test_the_registration_function_never_loads_the_room_or_its_token_library() -> None:
    import subprocess
    import sys

    modules = ("jwt", "cryptography", "praatmee.room", "praatmee.session", "praatmee.organisers")
    code = f"import sys, praatmee.api; print(*[m in sys.modules for m in {modules!r}])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False"] * len(modules)


# The routes that need no session: the sign-in's pages and steps, signing out, and the bare path's redirect.
OPEN_ROUTES = {
    ("GET", "/organisatie/inloggen/"),
    ("POST", "/api/organisatie/inloggen"),
    ("POST", "/api/organisatie/uitloggen"),
    ("GET", "/organisatie"),
}


def test_every_other_route_of_the_room_needs_a_session(desk: RoomClient) -> None:
    # Given every route the room's function answers (a new one is checked as soon as it is added)
    routes = [(r.method, r.path) for r in room.app._static_routes + room.app._dynamic_routes]
    guarded = [route for route in routes if route not in OPEN_ROUTES]
    assert len(guarded) >= 5

    # Then without a session each one refuses (401), or sends a page's reader to sign in, and changes nothing
    for method, path in guarded:
        concrete = path.replace("<meeting_id>", "online")
        answer = desk.get(concrete) if method == "GET" else desk.post(concrete, {"address": "x", "key": "x"})
        if concrete.startswith("/organisatie"):
            assert (answer.status, answer.headers.get("location")) == (303, "/organisatie/inloggen/"), path
        else:
            assert answer.status == 401, path
    assert desk.context.bucket.exports() == []
    assert desk.context.notes.venue("online") is None


def test_on_aws_the_keys_come_from_the_pools_own_address_whatever_the_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the room function's settings as the stack sets them, and an endpoint variable pointing elsewhere
    for name, value in {
        "PRAATMEE_TABLE_NAME": "praatmee-table",
        "PRAATMEE_EXPORT_BUCKET": "praatmee-exports",
        "PRAATMEE_SITE_ORIGIN": "https://d1234.cloudfront.net",
        "PRAATMEE_SENDER_ADDRESS": "aanmelden@praatmee.example.nl",
        "PRAATMEE_EMAIL_HASH_KEY": "k" * 40,
        "PRAATMEE_USER_POOL_ID": "eu-central-1_AbC123",
        "PRAATMEE_USER_POOL_CLIENT_ID": "abcdefghij0123456789klmnop",
        "PRAATMEE_JWKS_URL": "http://127.0.0.1:1/keys",
    }.items():
        monkeypatch.setenv(name, value)
    get_organiser_settings.cache_clear()
    room.default_room.cache_clear()

    # When the function builds its room
    built = room.default_room()

    # Then the keys are fetched from the pool's address on AWS, and tokens must name that pool
    assert built.verifier.keys.uri == (
        "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123/.well-known/jwks.json"
    )
    assert built.verifier.issuer == "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123"
    room.default_room.cache_clear()
    get_organiser_settings.cache_clear()


def test_a_malformed_pool_id_stops_the_start_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "PRAATMEE_TABLE_NAME": "praatmee-table",
        "PRAATMEE_EXPORT_BUCKET": "praatmee-exports",
        "PRAATMEE_SITE_ORIGIN": "https://d1234.cloudfront.net",
        "PRAATMEE_SENDER_ADDRESS": "aanmelden@praatmee.example.nl",
        "PRAATMEE_USER_POOL_ID": "https://evil.example/pool",
        "PRAATMEE_USER_POOL_CLIENT_ID": "abcdefghij0123456789klmnop",
    }.items():
        monkeypatch.setenv(name, value)
    get_organiser_settings.cache_clear()
    with pytest.raises(RuntimeError, match="PRAATMEE_USER_POOL_ID") as raised:
        get_organiser_settings()
    assert "evil" not in str(raised.value)
    get_organiser_settings.cache_clear()


def test_after_signing_out_an_old_refresh_token_opens_nothing(desk: RoomClient, pool: Pool) -> None:
    # Given an organiser who signed out, and a copy of the cookies they had
    signed_in(desk, pool)
    kept = dict(desk.cookies)
    desk.post("/api/organisatie/uitloggen")

    # When someone replays the refresh cookie with an expired ID token
    desk.cookies = {**kept, SESSION: moto_signed(claims_for(pool, exp=int(time.time()) - 60))}

    # Then Cognito refuses the refresh and the room answers 401
    answer = desk.get(OVERVIEW)
    assert (answer.status, answer.codes) == (401, ["no_session"])


def test_only_the_rooms_paths_go_to_the_room_and_not_the_sites_organisations_page() -> None:
    from praatmee.laptop.localroom import is_room

    assert all(is_room(p) for p in ("/organisatie", "/organisatie/", "/api/organisatie/exports"))
    assert not any(is_room(p) for p in ("/organisaties/", "/api/organisaties", "/api/registrations"))


def test_praatmee_organisers_add_puts_a_new_organiser_in_the_group_on_aws(
    local_aws: str, pool: Pool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from praatmee.laptop import organisers_cli

    # Given the pool of a deployed stack (here moto), named by its id
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.setenv(name, REGION)
    args = argparse.Namespace(
        action="add", email="nieuw@praatmee.example.nl", aws=True, user_pool=pool.pool_id, profile=None,
        region=None, port=8000,
    )  # fmt: skip

    # When an administrator adds an organiser, twice
    assert organisers_cli.run(args) == 0
    assert organisers_cli.run(args) == 1

    # Then the organiser is in the group, Cognito was asked to mail the password, and the second try says why
    users = boto3.client("cognito-idp").list_users_in_group(
        UserPoolId=pool.pool_id, GroupName="organisatoren"
    )
    emails = [a["Value"] for u in users["Users"] for a in u["Attributes"] if a["Name"] == "email"]
    assert emails == ["nieuw@praatmee.example.nl"]
    printed = capsys.readouterr().out
    assert "Cognito mailt het eerste wachtwoord" in printed
    assert "Er is al een organisator met het adres nieuw@praatmee.example.nl." in printed


def test_a_signed_in_organiser_who_opens_the_sign_in_page_goes_to_the_room(
    desk: RoomClient, pool: Pool
) -> None:
    assert "Wachtwoord" in desk.get("/organisatie/inloggen/").text
    signed_in(desk, pool)
    answer = desk.get("/organisatie/inloggen/")
    assert (answer.status, answer.headers["location"]) == (303, "/organisatie/")
