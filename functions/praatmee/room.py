"""The organisers' room: a function of its own behind `/organisatie/*` and `/api/organisatie/*`.

Pages (`GET /organisatie/…`) and form posts (`POST /api/organisatie/…`) as thin routes. Every route but the
sign-in's runs `_organiser()` first (401 without a valid session, 403 outside the group), and every POST
checks the Origin (403). Domain errors become answers in one table below. Every organiser action goes into
the audit trail (who, what, when, which meeting or registration; never a participant's data). The actions
on a person that come next are further routes here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.shared.cookies import Cookie
from pydantic import ValidationError

from praatmee import origin
from praatmee import roomtexts as words
from praatmee.errors import HTTP_STATUS as SIGN_UP_STATUS
from praatmee.errors import (
    BodyTooLarge,
    DomainError,
    MalformedBody,
)
from praatmee.organisers import (
    MfaMissing,
    SignInExpired,
    SignInFailed,
    UserPool,
    WeakPassword,
    WrongCode,
)
from praatmee.roompages import ROOM_PATH, SIGN_IN_PATH
from praatmee.roomstore import AuditEntry, RoomStore, VenueDetails, stamp
from praatmee.session import (
    ID_COOKIE,
    SECRET_COOKIE,
    ForeignRequest,
    NoSession,
    NotOrganiser,
    Organiser,
    TokenVerifier,
    check_origin,
    read_cookies,
    refresh_from,
    session_cookies,
    signed_out_cookies,
    step_from,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from praatmee.bucket import ExportBucket
    from praatmee.edition import Edition
    from praatmee.ses import SesSender
    from praatmee.store import Store

logger = Logger(service="praatmee-room")
MAX_BODY = 16_384


class InvalidForm(DomainError):
    code = "invalid_form"


class UnknownMeetingId(DomainError):
    code = "unknown_meeting"


class UnknownExport(DomainError):
    code = "unknown_export"


# The one table from domain errors to HTTP status codes: the sign-up's, and the room's own.
HTTP_STATUS: dict[type[DomainError], int] = {
    **SIGN_UP_STATUS,  # the same rules act for a person here
    InvalidForm: 422,
    WeakPassword: 422,
    NoSession: 401,
    SignInFailed: 401,
    SignInExpired: 401,
    WrongCode: 401,
    NotOrganiser: 403,
    ForeignRequest: 403,
    MfaMissing: 403,
    UnknownMeetingId: 404,
    UnknownExport: 404,
}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Room:
    """What the room needs: built once per process on AWS; the local stack and tests pass their own."""

    store: Store
    edition: Edition
    pool: UserPool
    verifier: TokenVerifier
    bucket: ExportBucket
    site_origin: str
    now: Callable[[], dt.datetime] = field(default=utc_now)
    # Acting for a person (`roomactions`): the one-person marker's key, and mail (None sends none).
    hash_key: bytes = b""
    sender: SesSender | None = None
    mail_pause: float = 0.0  # seconds between the mails of a message to a meeting (SES's sending rate)

    @property
    def notes(self) -> RoomStore:
        return RoomStore(self.store)


app = APIGatewayHttpResolver()


def _room() -> Room:
    room: Room = app.context["room"]
    return room


def _cookies() -> dict[str, str]:
    return read_cookies(app.current_event.cookies)


def _html(status: int, page: str, cookies: list[Cookie] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=page,
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"},
        cookies=cookies,
    )


def _json(status: int, body: Any) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Cache-Control": "no-store"},
    )


def _see(location: str, cookies: list[Cookie] | None = None) -> Response[Any]:
    return Response(
        status_code=303,
        content_type=content_types.TEXT_PLAIN,
        body="",
        headers={"Location": location, "Cache-Control": "no-store"},
        cookies=cookies,
    )


def posted() -> dict[str, list[str]]:
    """The form post's fields, each with every value sent (checkboxes of one name send several)."""
    event = app.current_event
    raw = event.decoded_body or ""
    if len(raw.encode()) > MAX_BODY:
        raise BodyTooLarge(f"{len(raw)} characters")
    media = str(event.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if raw and media != "application/x-www-form-urlencoded":
        raise MalformedBody("not a form post")
    try:
        return parse_qs(raw, keep_blank_values=True, max_num_fields=40)
    except ValueError as exc:
        raise MalformedBody("form data not readable") from exc


def _form() -> dict[str, str]:
    """The form post's fields (the last of a repeated name is ignored: each field is sent once)."""
    return {name: values[0] for name, values in posted().items()}


def _organiser() -> Organiser:
    """The signed-in organiser, or NoSession / NotOrganiser. An ID token that only expired is renewed from
    the refresh token (while its working day lasts); the new cookie goes out with the answer."""
    room, cookies = _room(), _cookies()
    token = cookies.get(ID_COOKIE, "")
    refresh = refresh_from(cookies)
    if not token and refresh is None:
        raise NoSession("no cookie")
    try:
        return room.verifier.organiser(token)
    except NoSession:
        if refresh is None or (token and not room.verifier.expired(token)):
            raise
    username, refresh_token = refresh
    try:
        tokens = room.pool.refresh(username, refresh_token)
    except (SignInFailed, SignInExpired) as exc:  # signed out, or the working day is over
        raise NoSession("refresh refused") from exc
    organiser = room.verifier.organiser(tokens.id_token)
    app.context["renewed"].extend(session_cookies(tokens, username)[:1])
    return organiser


def _acting() -> Organiser:
    """For a state-changing request: signed in, in the group, and from the site itself."""
    organiser = _organiser()
    check_origin(app.current_event.headers, _room().site_origin)
    return organiser


def audit(organiser: Organiser, action: str, meeting: str = "", registration_id: str = "") -> None:
    room = _room()
    at = stamp(room.now())
    room.notes.record(
        AuditEntry(at, organiser.sub, organiser.email, action, meeting, registration_id),
        room.edition.expires_at,
    )
    logger.info(
        "organiser action",
        extra={
            "who": organiser.sub,
            "action": action,
            "meeting": meeting,
            "registration_id": registration_id,
        },
    )


# -- the room ------------------------------------------------------------------------------------------------


@app.get("/organisatie")
def room_without_slash() -> Response[Any]:
    return _see(ROOM_PATH)


@app.get("/organisatie/")
def room_page() -> Response[Any]:
    from praatmee import roomdata, roompages

    try:
        organiser = _organiser()
    except NoSession:
        return _see(SIGN_IN_PATH)
    query = app.current_event.query_string_parameters or {}
    page = roomdata.room_page(_room(), organiser, notice=roomdata.notice(_room(), query))
    return _html(200, roompages.room_page(page))


@app.get("/api/organisatie/overzicht")
def overview() -> Response[Any]:
    """The counts and the mix per meeting as JSON: the same numbers the room shows, never a person."""
    from praatmee import roomdata

    _organiser()
    return _json(200, roomdata.overview_answer(_room()))


@app.post("/api/organisatie/exports")
def make_export() -> Response[Any]:
    from praatmee.exports import run_export

    organiser = _acting()
    room = _room()
    export = run_export(room.store, room.bucket, room.edition, room.now())
    audit(organiser, "export_made")
    logger.info("export written", extra={"folder": export.folder})
    return _see(f"{ROOM_PATH}?export=gemaakt#exports")


@app.post("/api/organisatie/downloads")
def download() -> Response[Any]:
    """A short-lived link to one file of a finished export, made for this click only: the answer sends the
    browser there, so the link is never part of a page or of the room's address."""
    from praatmee import roomdata

    organiser = _acting()
    key = _form().get("key", "")
    if key not in roomdata.export_keys(_room()):
        raise UnknownExport("not a file of a finished export")
    audit(organiser, "export_downloaded")
    return _see(roomdata.download_link(_room(), key))


@app.post("/api/organisatie/bijeenkomsten/<meeting_id>/gegevens")
def save_venue(meeting_id: str) -> Response[Any]:
    from praatmee import roomdata, roompages

    organiser = _acting()
    room = _room()
    if room.edition.meeting(meeting_id) is None:
        raise UnknownMeetingId(meeting_id[:40])
    typed = {name: value for name, value in _form().items() if name in VenueDetails.model_fields}
    try:
        details = VenueDetails.model_validate(typed)
    except ValidationError as exc:
        problems = {str(error["loc"][0]): words.VENUE_ERRORS[str(error["loc"][0])] for error in exc.errors()}
        page = roomdata.venue_form(room, organiser, (meeting_id, typed), problems)
        return _html(422, roompages.venue_error_page(page, meeting_id))
    room.notes.save_venue(meeting_id, details, organiser.sub, room.now(), room.edition.expires_at)
    audit(organiser, "venue_saved", meeting=meeting_id)
    return _see(f"{ROOM_PATH}?opgeslagen={meeting_id}#gegevens-{meeting_id}")


# -- errors: the one place that turns them into answers ------------------------------------------------------


def _wants_page() -> bool:
    event = app.current_event
    return event.path.startswith("/organisatie/") or "form" in str(event.headers.get("content-type") or "")


@app.exception_handler(DomainError)  # type: ignore[untyped-decorator]
def _domain_error(exc: DomainError) -> Response[Any]:
    from praatmee import roompages

    status = next(HTTP_STATUS[cls] for cls in type(exc).__mro__ if cls in HTTP_STATUS)
    logger.info("organiser request refused", extra={"status": status, "code": exc.code})
    message = _message(exc.code)
    if not _wants_page():
        return _json(status, {"errors": [{"field": exc.field, "code": exc.code, "message": message}]})
    if app.current_event.path == "/api/organisatie/inloggen" and isinstance(
        exc, SignInFailed | SignInExpired | WrongCode | WeakPassword | MfaMissing
    ):
        step = None if isinstance(exc, SignInFailed | SignInExpired | MfaMissing) else step_from(_cookies())
        page = roompages.sign_in_page(
            step.challenge if step else None,
            secret=_cookies().get(SECRET_COOKIE, ""),
            errors=[(exc.field, message)],
        )
        return _html(status, page, None if step else signed_out_cookies())
    link = (words.SIGN_IN_BUTTON, SIGN_IN_PATH) if status in (401, 403) else (words.TITLE, ROOM_PATH)
    return _html(status, roompages.message_page(words.TITLE, message, link))


def _message(code: str) -> str:
    """The room's own words, else those of the organisers' actions or of the sign-up (the same rules)."""
    from praatmee import persontexts, texts

    for messages in (words.ERROR_MESSAGES, persontexts.ERROR_MESSAGES, texts.ERROR_MESSAGES):
        if code in messages:
            return messages[code]
    return words.ERROR_MESSAGES["try_again"]


@app.not_found
def _no_route(exc: NotFoundError) -> Response[Any]:
    message = words.ERROR_MESSAGES["not_found_route"]
    return _json(404, {"errors": [{"field": None, "code": "not_found", "message": message}]})


# -- entry points --------------------------------------------------------------------------------------------


@cache
def default_room() -> Room:
    """Built once per process, at the first request: the JWKS follows from the pool, never from settings."""
    from praatmee.bucket import ExportBucket
    from praatmee.edition import load_edition
    from praatmee.ses import SesSender
    from praatmee.settings import get_organiser_settings
    from praatmee.store import Store

    settings = get_organiser_settings()
    edition = load_edition()
    return Room(
        store=Store(settings.table_name),
        edition=edition,
        pool=UserPool(settings.user_pool_id, settings.user_pool_client_id),
        verifier=TokenVerifier(settings.user_pool_id, settings.user_pool_client_id),
        bucket=ExportBucket(settings.export_bucket),
        site_origin=settings.site_origin,
        hash_key=settings.hash_key(),
        sender=SesSender(sender=settings.sender_address, reply_to=str(edition.contact_email)),
        mail_pause=0.1,  # SES's default sending rate of 14 mails a second, with room to spare
    )


# The actions on one person and the messages to a meeting: routes of their own module, on this app.
# Signing in and out, and the actions on one person: routes of their own modules, on this app.
from praatmee.roomactions import router as _actions  # noqa: E402 - they import this module's helpers
from praatmee.roomsignin import router as _sign_in  # noqa: E402

app.include_router(_sign_in)
app.include_router(_actions)


@logger.inject_lambda_context(
    log_event=False, correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
def lambda_handler(event: dict[str, Any], context: LambdaContext, room: Room | None = None) -> dict[str, Any]:
    """The room's Lambda entry point; the local stack and tests pass their own `room`."""
    if (refused := origin.refusal(event)) is not None:  # first: not through CloudFront, no work at all
        return refused
    renewed: list[Cookie] = []  # a renewed ID token's cookie, set by `_organiser`
    app.append_context(room=room or default_room(), renewed=renewed)  # type: ignore[no-untyped-call]
    result = app.resolve(event, context)
    if renewed:
        result["cookies"] = [*(result.get("cookies") or []), *(str(cookie) for cookie in renewed)]
    return result
