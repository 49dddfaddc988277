"""The room's routes for one person and for a message to a meeting (issue: organisers act on requests).

Thin routes over `actions` (the rules), `messages` and the mail: each state change is signed in, from the
site itself (`room._acting`), confirmed by a ticked box where it cannot be undone, written to the audit trail
with the registration id only, and answered by a redirect to a page that shows what happened.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from praatmee import actions, personpages, service
from praatmee import persontexts as words
from praatmee.action_store import ActionStore
from praatmee.edition import Role, Sector, Theme
from praatmee.errors import MalformedBody, NotConfirmed
from praatmee.models import Email, Name, OptionalText, RegistrationRequest, RegistrationStatus
from praatmee.room import _acting, _html, _organiser, _room, _see, audit, posted
from praatmee.roompages import SIGN_IN_PATH
from praatmee.session import NoSession

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]
# An organiser's resend goes out each time: even a mark from this very millisecond counts as before it.
EVERY_TIME = -dt.timedelta(milliseconds=1)


def desk() -> service.Context:
    """The rules' context on the room's table, with the organisers' writes and the one-person key."""
    room = _room()
    store = ActionStore(room.store.table_name, room.store.client)
    return service.Context(store=store, edition=room.edition, hash_key=room.hash_key, now=room.now)


def _mailing() -> Any:
    room = _room()
    if room.sender is None:
        return None
    from praatmee.mail import MailContext

    return MailContext(room.store, room.edition, room.sender, room.site_origin, room.now)


def _deliver(kind_name: str, registration_id: str) -> None:
    mailing = _mailing()
    if mailing is None:
        return
    from praatmee import mail

    kind = {"receipt": mail.RECEIPT, "moved": mail.MOVED, "promoted": mail.PROMOTED}[kind_name]
    mail.safely(lambda: mail.deliver(mailing, kind, registration_id), kind.name)


def _one(fields: dict[str, list[str]], name: str) -> str:
    return fields.get(name, [""])[0].strip()


def _confirmed(fields: dict[str, list[str]]) -> None:
    if _one(fields, "zeker") != "ja":
        raise NotConfirmed("box not ticked")


# -- finding and showing a person ---------------------------------------------------------------------------


@router.get("/organisatie/deelnemers/")
def find() -> Response[Any]:
    if (away := _away()) is not None:
        return away
    query = {k: str(v)[:254] for k, v in (router.current_event.query_string_parameters or {}).items()}
    ctx = desk()
    found: list[actions.Person] | None = None
    if query.get("email"):
        found = actions.find_by_email(ctx, query["email"])
    elif query.get("naam") and query.get("bijeenkomst"):
        found = actions.find_by_name(ctx, query["bijeenkomst"], query["naam"])
    return _html(200, personpages.find_page(ctx.edition, found, query))


@router.get("/organisatie/deelnemers/<registration_id>/")
def show(registration_id: str) -> Response[Any]:
    if (away := _away()) is not None:
        return away
    ctx = desk()
    notice = words.DONE.get((router.current_event.query_string_parameters or {}).get("klaar", ""), "")
    return _html(
        200, personpages.person_page(ctx.edition, actions.person(ctx, registration_id[:40]), notice=notice)
    )


def _away() -> Response[Any] | None:
    """A page's reader without a session is sent to sign in (as the room's own page does)."""
    try:
        _organiser()
    except NoSession:
        return _see(SIGN_IN_PATH)
    return None


def _done(registration_id: str, what: str) -> Response[Any]:
    return _see(f"{personpages.person_path(registration_id)}?klaar={what}")


# -- acting on a person -------------------------------------------------------------------------------------


@router.post("/api/organisatie/deelnemers/<registration_id>/afmelden")
def cancel(registration_id: str) -> Response[Any]:
    organiser = _acting()
    _confirmed(posted())
    ctx = desk()
    before = actions.person(ctx, registration_id[:40])
    cancelled = actions.cancel_for(ctx, before.id)
    audit(organiser, "cancelled", meeting=before.meeting, registration_id=before.id)
    _tell_cancelled(before)
    if cancelled.promoted is not None:
        _deliver("promoted", cancelled.promoted)
    return _done(before.id, "afgemeld")


def _tell_cancelled(before: actions.Person) -> None:
    """The person's data is gone after the cancellation, so this mail is composed from what was read before
    (sent once: the cancellation happens once)."""
    mailing, meeting = _mailing(), _room().edition.meeting(before.meeting)
    if mailing is None or meeting is None or not before.email:
        return
    from praatmee import mail, personletters
    from praatmee.letters import Letter

    data = {"registration_id": before.id, "name": before.name, "email": before.email, "status": "cancelled"}
    letter = Letter(mailing.edition, mailing.site_origin, data, meeting, None, None, mailing.now())
    mail.safely(lambda: mailing.sender.send(personletters.cancelled(letter)), "cancelled")


@router.post("/api/organisatie/deelnemers/<registration_id>/verplaatsen")
def move(registration_id: str) -> Response[Any]:
    organiser = _acting()
    fields = posted()
    _confirmed(fields)
    ctx = desk()
    moved, promoted = actions.move(ctx, registration_id[:40], _one(fields, "naar")[:40])
    audit(organiser, "moved", meeting=moved.meeting, registration_id=moved.id)
    _deliver("moved", moved.id)
    for registration in promoted:  # who got the seat they left, or seats added where they went
        _deliver("promoted", registration)
    return _done(moved.id, "verplaatst")


class Correction(BaseModel):
    """What an organiser may correct here, checked by the same field types as the sign-up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    email: Email
    organisation: OptionalText | None = None
    needs: OptionalText | None = None
    role: Role
    sector: Sector
    themes: Annotated[list[Theme], Field(min_length=1, max_length=len(Theme))]


@router.post("/api/organisatie/deelnemers/<registration_id>/verbeteren")
def correct(registration_id: str) -> Response[Any]:
    organiser = _acting()
    form = posted()
    fields: dict[str, Any] = {
        name: _one(form, name) or None for name in ("name", "email", "organisation", "needs")
    }
    fields |= {
        "role": _one(form, "role"),
        "sector": _one(form, "sector"),
        "themes": form.get("themes", []),
    }
    ctx = desk()
    person = actions.person(ctx, registration_id[:40])
    actions.confirmed_first(person.id, person.status)
    try:
        correction = Correction.model_validate(fields)
    except ValidationError as exc:
        problems = [(str(error["loc"][0]), words.CORRECT_INVALID) for error in exc.errors()]
        return _html(422, personpages.person_page(ctx.edition, person, errors=problems))
    changes = correction.model_dump(mode="json", exclude={"email"})
    corrected = actions.correct(ctx, person.id, changes, email=correction.email)
    audit(organiser, "corrected", meeting=corrected.meeting, registration_id=corrected.id)
    if corrected.email != person.email:
        _deliver("receipt", corrected.id)
    return _done(corrected.id, "verbeterd")


@router.post("/api/organisatie/deelnemers/<registration_id>/bevestiging")
def resend(registration_id: str) -> Response[Any]:
    organiser = _acting()
    posted()
    ctx = desk()
    actions.owe_receipt_again(ctx, registration_id[:40])
    audit(organiser, "receipt_resent", registration_id=registration_id[:40])
    _deliver("receipt", registration_id[:40])
    return _done(registration_id[:40], "bevestiging")


@router.post("/api/organisatie/deelnemers/<registration_id>/bevestigingslink")
def resend_confirm_link(registration_id: str) -> Response[Any]:
    """The confirm mail once more, with a new link (the old one stops working), as a repeated form post
    sends it but at once: the person phoned because the first one did not come."""
    organiser = _acting()
    posted()
    person = actions.unconfirmed(desk(), registration_id[:40])
    audit(organiser, "confirm_link_resent", meeting=person.meeting, registration_id=person.id)
    mailing = _mailing()
    if mailing is not None:
        from praatmee import mail

        send = partial(mail.deliver, mailing, mail.CONFIRM_ASKED, person.id, again_after=EVERY_TIME)
        mail.safely(send, mail.CONFIRM_ASKED.name)
    return _done(person.id, "bevestigingslink")


@router.post("/api/organisatie/deelnemers/<registration_id>/bevestigen")
def confirm_for(registration_id: str) -> Response[Any]:
    """The organiser vouches for the address (the person confirmed it by phone): the same confirmation as
    the person's own click, so a seat, a reserve place or the draw, and the receipt with the cancel link."""
    from praatmee import confirming

    organiser = _acting()
    _confirmed(posted())
    ctx = desk()
    person = actions.unconfirmed(ctx, registration_id[:40])
    confirmed = confirming.confirm_for(ctx, person.id)
    if confirmed.newly:
        audit(organiser, "confirmed_for", meeting=person.meeting, registration_id=person.id)
        mailing = _mailing()
        if mailing is not None:
            from praatmee import mail

            mail.after_confirmation(mailing, person.id, confirmed.answer.waitlist_position)
            for promoted in confirmed.promoted:
                mail.after_promotion(mailing, promoted)
    return _done(person.id, "bevestigd")


@router.post("/api/organisatie/deelnemers/<registration_id>/wissen")
def erase(registration_id: str) -> Response[Any]:
    organiser = _acting()
    _confirmed(posted())
    ctx, room = desk(), _room()
    data = ActionStore(room.store.table_name, room.store.client).registration_data(registration_id[:40]) or {}
    signed_up = str(data.get("created_at", ""))[:19].replace(":", "")
    # Exports are named by their UTC time (`exports/2027-02-01T090000Z/`): those since the sign-up hold it.
    before = tuple(
        folder for folder in room.bucket.exports() if folder.rstrip("/").rsplit("/", 1)[-1] >= signed_up
    )
    erased = actions.erase(ctx, registration_id[:40], before)
    audit(organiser, "erased", meeting=erased.meeting, registration_id=registration_id[:40])
    if erased.promoted is not None:
        _deliver("promoted", erased.promoted)
    return _html(200, personpages.erased_page(erased.exports))


# -- adding someone -----------------------------------------------------------------------------------------


@router.get("/organisatie/aanmelden/")
def add_page() -> Response[Any]:
    if (away := _away()) is not None:
        return away
    return _html(200, personpages.add_page(_room().edition, {}))


@router.post("/api/organisatie/aanmelden")
def add() -> Response[Any]:
    from praatmee.field_errors import field_error
    from praatmee.reader import form_to_fields

    organiser = _acting()
    fields = posted()
    ctx = desk()
    typed = {name: ",".join(values) for name, values in fields.items()}
    body = form_to_fields(fields)
    if fields.get("under_16") == ["ja"] and "guardian" in body:
        body["guardian"]["consent"] = True  # the organiser's form has no box for it: the parent is mailed
    try:
        request = RegistrationRequest.model_validate(body)
    except ValidationError as exc:
        problems = [(error.field, error.message) for error in map(field_error, exc.errors())]
        return _html(422, personpages.add_page(ctx.edition, typed, problems))
    registered = service.register(ctx, request, added_by_organiser=True)
    audit(organiser, "added", meeting=request.meeting, registration_id=registered.answer.id)
    mailing = _mailing()
    if mailing is not None and registered.stored:
        from praatmee import mail

        answer = registered.answer
        mail.after_registration(
            mailing, answer.id, registered.cancel_token, registered.guardian_token, answer.waitlist_position
        )
    for promoted in registered.promoted:  # seats added while people waited, found free by this sign-up
        _deliver("promoted", promoted)
    return _done(registered.answer.id, "aangemeld")


# -- a message to a meeting ---------------------------------------------------------------------------------


def _meeting_title(meeting_id: str) -> str:
    from praatmee.room import UnknownMeetingId

    meeting = _room().edition.meeting(meeting_id)
    if meeting is None:
        raise UnknownMeetingId(meeting_id[:40])
    return meeting.title


@router.get("/organisatie/bijeenkomsten/<meeting_id>/bericht/")
def message_page(meeting_id: str) -> Response[Any]:
    from praatmee import messages

    if (away := _away()) is not None:
        return away
    title = _meeting_title(meeting_id)
    sent = messages.sent_messages(_room().store, meeting_id)
    query = router.current_event.query_string_parameters or {}
    notice = ""
    if sent and query.get("verstuurd") == sent[0].id:
        notice = words.MESSAGE_SENT.format(sent=sent[0].sent, refused=sent[0].refused)
    return _html(200, personpages.message_page(title, meeting_id, sent=sent, notice=notice))


@router.post("/api/organisatie/bijeenkomsten/<meeting_id>/bericht")
def message(meeting_id: str) -> Response[Any]:
    from praatmee import messages

    organiser = _acting()
    title = _meeting_title(meeting_id)
    fields = posted()
    room = _room()
    body, reserves = _one(fields, "bericht").replace("\r\n", "\n"), _one(fields, "reserves") == "ja"
    problem = (
        words.MESSAGE_EMPTY if not body else words.MESSAGE_TOO_LONG if len(body) > messages.MAX_LENGTH else ""
    )
    if problem:
        page = personpages.message_page(
            title, meeting_id, body=body, reserves=reserves, errors=[("bericht", problem)]
        )
        return _html(422, page)
    now = room.now().astimezone(dt.UTC).isoformat(timespec="seconds")
    sending = _one(fields, "stap") == "versturen"
    message_id = _one(fields, "id") if sending else uuid.uuid4().hex
    at = _one(fields, "at") if sending else now
    if len(message_id) != 32 or not message_id.isalnum() or len(at) > 32:
        raise MalformedBody("not a message of this room")
    draft = messages.Message(message_id, meeting_id, at, body, reserves, organiser.sub)
    if not sending:
        count = len(messages.recipients(room.store, draft))
        preview = _preview_text(draft)
        page = personpages.message_page(
            title, meeting_id, body=body, reserves=reserves, preview=(draft, count, preview)
        )
        return _html(200, page)
    mailing = _mailing()
    if mailing is None:
        raise MalformedBody("this room sends no mail")
    done = messages.send(mailing, draft, pause=room.mail_pause)
    audit(organiser, "message_sent", meeting=meeting_id)
    return _see(f"{personpages.message_path(meeting_id)}?verstuurd={done.id}")


def _preview_text(draft: Any) -> str:
    from praatmee import personletters
    from praatmee.letters import Letter

    room = _room()
    meeting = room.edition.meeting(draft.meeting)
    assert meeting is not None
    data = {"registration_id": "", "name": "(naam)", "email": "", "status": RegistrationStatus.PLACED.value}
    letter = Letter(room.edition, room.site_origin, data, meeting, None, None, room.now())
    return personletters.message(letter, draft.body).text
