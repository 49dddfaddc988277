"""The room's sign-in: each step of Cognito's server-side flow (password, new password, the authenticator's
first code, its code) answered by a Dutch page, and signing out. Routes on the room's app (`room.py`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from praatmee.organisers import MFA_SETUP, Step, WrongCode
from praatmee.room import _cookies, _form, _html, _organiser, _room, _see, audit
from praatmee.roompages import ROOM_PATH, SIGN_IN_PATH
from praatmee.session import (
    ID_COOKIE,
    SECRET_COOKIE,
    NoSession,
    NotOrganiser,
    check_origin,
    secret_cookie,
    session_cookies,
    signed_out_cookies,
    step_cookie,
    step_from,
)

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]


@router.get("/organisatie/inloggen/")
def sign_in_page() -> Response[Any]:
    from praatmee import roompages

    cookies = _cookies()
    step = step_from(cookies)
    if step is None and ID_COOKIE in cookies:
        try:
            _organiser()
            return _see(ROOM_PATH)  # already signed in
        except (NoSession, NotOrganiser):
            pass
    secret = cookies.get(SECRET_COOKIE, "")
    return _html(200, roompages.sign_in_page(step.challenge if step else None, secret=secret))


@router.post("/api/organisatie/inloggen")
def sign_in() -> Response[Any]:
    """One step of the sign-in: the password, a new password, the app's first code, or its code."""
    check_origin(router.current_event.headers, _room().site_origin)
    pool, form = _room().pool, _form()
    step = step_from(_cookies())
    if step is None:
        next_step = pool.start(form.get("email", "").strip()[:200], form.get("password", "")[:256])
    elif step.challenge == "NEW_PASSWORD_REQUIRED":
        next_step = pool.new_password(step, form.get("new_password", "")[:256])
    elif step.challenge == MFA_SETUP:
        next_step = pool.finish_setup(step, _digits(form))
    else:
        next_step = pool.code(step, _digits(form))
    return _after(next_step)


def _digits(form: dict[str, str]) -> str:
    code = form.get("code", "").replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        raise WrongCode("not six digits")
    return code


def _after(step: Step) -> Response[Any]:
    if step.tokens is not None:
        organiser = _room().verifier.organiser(step.tokens.id_token)
        audit(organiser, "signed_in")
        return _see(ROOM_PATH, session_cookies(step.tokens, organiser.username))
    cookies = []
    if step.challenge == MFA_SETUP:
        secret, step = _room().pool.authenticator_secret(step)
        cookies.append(secret_cookie(secret))
    return _see(SIGN_IN_PATH, [step_cookie(step), *cookies])


@router.post("/api/organisatie/uitloggen")
def sign_out() -> Response[Any]:
    check_origin(router.current_event.headers, _room().site_origin)
    try:
        organiser = _organiser()
    except (NoSession, NotOrganiser):
        organiser = None
    if organiser is not None:
        _room().pool.sign_out(organiser.email or organiser.username)
        audit(organiser, "signed_out")
    return _see(SIGN_IN_PATH, signed_out_cookies())
