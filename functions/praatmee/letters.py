"""Composing the e-mails of the participant's journey: from plain values to text and HTML, nothing else.

A letter reads no store and no clock: delivery (`mail.py`) looks up what a mail needs and passes it in, so
every mail can be read and tested as a function of its values. Every word comes from `texts.py`.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from praatmee import confirm_texts, lottery_texts, mail_texts, texts
from praatmee.edition import Allocation, Sector, Theme
from praatmee.models import RegistrationStatus
from praatmee.ses import Attachment, Mail

if TYPE_CHECKING:
    from praatmee.edition import Edition, Meeting
    from praatmee.roomstore import VenueDetails

WAITLISTED = RegistrationStatus.WAITLISTED

Block = str | tuple[str, str]  # a paragraph, or a link (label, address)


def render(to: str, subject: str, blocks: list[Block], attachments: tuple[Attachment, ...] = ()) -> Mail:
    """Plain text and simple HTML from the same paragraphs: large type, real links, no images."""
    text_parts, html_parts = [], []
    for block in blocks:
        if isinstance(block, str):
            text_parts.append(block)
            html_parts.append(f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>")
        else:
            label, url = block
            text_parts.append(f"{label}:\n{url}")
            html_parts.append(f'<p><a href="{html.escape(url)}">{html.escape(label)}</a></p>')
    body = "".join(html_parts)
    page = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(subject)}</title></head>"
        # A long address or link breaks at the screen's edge instead of pushing the mail sideways on a phone
        # (`word-wrap`: the same, for older mail programs).
        '<body style="font-family: Verdana, Arial, sans-serif; font-size: 18px; line-height: 1.6; '
        "color: #1a1a1a; background: #ffffff; max-width: 40em; margin: 0; padding: 1em; "
        'overflow-wrap: break-word; word-wrap: break-word;">'
        f"{body}</body></html>"
    )
    return Mail(
        to=to, subject=subject, text="\n\n".join(text_parts) + "\n", html=page, attachments=attachments
    )


def link(site_origin: str, path: str, registration_id: str, token: str) -> str:
    """A link to a page of the API that asks before it changes anything (mail scanners follow links)."""
    return f"{site_origin}{path}?{urlencode({'registration_id': registration_id, 'token': token})}"


def cancel_url(site_origin: str, registration_id: str, token: str) -> str:
    return link(site_origin, "/api/cancellations", registration_id, token)


def confirm_url(site_origin: str, registration_id: str, token: str) -> str:
    return link(site_origin, "/api/confirmations", registration_id, token)


def consent_url(site_origin: str, registration_id: str, token: str) -> str:
    return link(site_origin, "/api/consents", registration_id, token)


@dataclass(frozen=True)
class Letter:
    """Everything a mail says, as plain values: composing reads no store and no clock.

    The registration (plain values), its meeting, a fresh token if any, the waiting-list position for a
    mail that tells it, and the time of sending (the calendar entry's time stamp).
    """

    edition: Edition
    site_origin: str
    data: dict[str, Any]
    meeting: Meeting
    token: str | None
    position: int | None
    now: dt.datetime
    # Meetings with a free seat this person may sign up for instead (someone waiting, while sign-up is open).
    open_meetings: tuple[Meeting, ...] = ()
    # The meeting's private details the organisers stored (address, route, link, phone), if any.
    venue: VenueDetails | None = None
    draw_number: str | None = None  # only in the draw's result mails

    @property
    def id(self) -> str:
        return str(self.data["registration_id"])

    @property
    def status(self) -> RegistrationStatus:
        return RegistrationStatus(self.data["status"])

    def meeting_line(self) -> str:
        return texts.meeting_line(self.edition, self.meeting)

    def closing(self, *, newest: bool) -> list[Block]:
        blocks: list[Block] = []
        if self.token is not None:
            blocks += [
                texts.cancel_paragraph(self.status, newest=newest),
                (texts.CANCEL_LINK_LABEL, cancel_url(self.site_origin, self.id, self.token)),
            ]
        return [
            *blocks,
            texts.CONTACT_PARAGRAPH.format(contact=self.edition.contact_email),
            texts.MAIL_SIGNATURE,
            mail_texts.ORGANISERS,
        ]

    def second_choice(self) -> list[Block]:
        """The second choice a receipt repeats (applied only: once drawn, the meeting is settled)."""
        second = self.edition.meeting(str(self.data.get("second_meeting")))
        if second is None or self.status not in (RegistrationStatus.APPLIED, RegistrationStatus.UNCONFIRMED):
            return []
        return [texts.SECOND_CHOICE_LINE.format(meeting=texts.meeting_line(self.edition, second))]

    def elsewhere(self) -> list[Block]:
        """Meetings that still have room, when this person has no seat and may move there."""
        if not self.open_meetings or self.status is not WAITLISTED:
            return []
        names = texts.join_words([texts.meeting_line(self.edition, m) for m in self.open_meetings])
        return [mail_texts.OPEN_MEETINGS.format(meetings=names, form=f"{self.site_origin}/aanmelden/")]

    def draw_number_blocks(self) -> list[Block]:
        """After the draw: the person's draw number, and where to read how to check the draw with it."""
        if self.draw_number is None:
            return []
        return [
            lottery_texts.DRAW_NUMBER_PARAGRAPH.format(number=self.draw_number),
            (lottery_texts.DRAW_NUMBER_LINK_LABEL, f"{self.site_origin}{lottery_texts.LOTTERY_PAGE}"),
        ]

    def status_paragraphs(self) -> list[Block]:
        edition = self.edition
        if self.status is WAITLISTED:
            assert self.position is not None  # delivery looks it up when the caller did not know it
            status = texts.STATUS_PARAGRAPHS[WAITLISTED].format(position=self.position)
        else:
            status = texts.STATUS_PARAGRAPHS[self.status]
        following = texts.NEXT_PARAGRAPHS[self.status]
        if self.status is RegistrationStatus.PENDING_GUARDIAN and edition.allocation is Allocation.DRAW:
            following = texts.NEXT_PENDING_DRAW
        following = following.format(
            confirm_weeks=texts.confirm_period(edition),
            expires=texts.long_date(consent_deadline(self)),
        )
        return [status, following]


def consent_deadline(letter: Letter) -> dt.date:
    created = dt.datetime.fromisoformat(str(letter.data["created_at"]))
    edition = letter.edition
    return (created + dt.timedelta(days=edition.guardian_consent_days)).astimezone(edition.tz).date()


def receipt(letter: Letter) -> Mail:
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        texts.RECEIPT_INTRO,
        letter.meeting_line(),
        *letter.second_choice(),
        *letter.status_paragraphs(),
        *letter.elsewhere(),
        texts.RECEIPT_DATA,
        *letter.closing(newest=False),
    ]
    return render(str(letter.data["email"]), texts.RECEIPT_SUBJECTS[letter.status], blocks)


def confirm_request(letter: Letter, *, again: bool = False, intro: str = "") -> Mail:
    """The first mail of a sign-up from the site: it counts only once this link is followed in time."""
    edition = letter.edition
    assert letter.token is not None
    until = dt.datetime.fromtimestamp(int(letter.data["expires_at"]), edition.tz)
    hours = edition.confirm_within_hours
    moment = confirm_texts.AT_TIME.format(day=texts.long_date(until.date()), clock=until.strftime("%H:%M"))
    ask = confirm_texts.ASK_DRAW if edition.allocation is Allocation.DRAW else confirm_texts.ASK
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        intro or (confirm_texts.INTRO_AGAIN if again else confirm_texts.INTRO),
        letter.meeting_line(),
        *letter.second_choice(),
        ask.format(until=moment, hours=hours),
        (confirm_texts.LINK_LABEL, confirm_url(letter.site_origin, letter.id, letter.token)),
        confirm_texts.NOT_YOU.format(hours=hours),
        texts.CONTACT_PARAGRAPH.format(contact=edition.contact_email),
        texts.MAIL_SIGNATURE,
        mail_texts.ORGANISERS,
    ]
    subject = confirm_texts.SUBJECT_AGAIN if again else confirm_texts.SUBJECT
    return render(str(letter.data["email"]), subject, blocks)


def confirm_again(letter: Letter) -> Mail:
    return confirm_request(letter, again=True)


def confirm_asked(letter: Letter) -> Mail:
    """The link again because the person asked the organisers for it (the first mail did not come)."""
    return confirm_request(letter, again=True, intro=confirm_texts.INTRO_ASKED)


def receipt_again(letter: Letter) -> Mail:
    """The same form sent again: what the first receipt said, with a new link (older links stop working)."""
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        mail_texts.RECEIPT_AGAIN_INTRO,
        letter.meeting_line(),
        *letter.status_paragraphs(),
        *letter.elsewhere(),
        texts.RECEIPT_DATA,
        *letter.closing(newest=True),
    ]
    return render(str(letter.data["email"]), mail_texts.RECEIPT_AGAIN_SUBJECT, blocks)


def stored_about_pupil(letter: Letter) -> str:
    """What the guardian's request lists: every answer stored about the pupil, one per line."""
    pupil = str(letter.data["name"])
    values = {
        "name": pupil,
        "email": str(letter.data["email"]),
        "sector": texts.SECTOR_LABELS[Sector(letter.data["sector"])],
        "themes": texts.join_words([texts.THEME_LABELS[Theme(t)] for t in letter.data.get("themes", [])]),
        "organisation": letter.data.get("organisation"),
        "needs": letter.data.get("needs"),
    }
    lines = [mail_texts.GUARDIAN_STORED_INTRO]
    for key, label in mail_texts.GUARDIAN_STORED_FIELDS.items():
        if values[key]:
            lines.append(f"- {label}: {values[key]}")
    return "\n".join(lines)


def guardian_request(letter: Letter) -> Mail:
    guardian = letter.data["guardian"]
    pupil = str(letter.data["name"])
    assert letter.token is not None
    first, about, ask, expires = mail_texts.GUARDIAN_PARAGRAPHS
    blocks: list[Block] = [
        texts.GREETING.format(name=guardian["name"]),
        first.format(pupil=pupil),
        letter.meeting_line(),
        about,
        ask,
        (texts.CONSENT_LINK_LABEL, consent_url(letter.site_origin, letter.id, letter.token)),
        expires.format(expires=texts.long_date(consent_deadline(letter))),
        stored_about_pupil(letter),
        mail_texts.GUARDIAN_STORED_YOU.format(
            retain_until=texts.long_date(letter.edition.retain_until),
            privacy=f"{letter.site_origin}/privacy/",
        ),
        mail_texts.GUARDIAN_NOT_YOU,
        texts.CONTACT_PARAGRAPH.format(contact=letter.edition.contact_email),
        texts.MAIL_SIGNATURE,
        mail_texts.ORGANISERS,
    ]
    # A fixed subject: the pupil's name is a stranger's text to this address (issue 16).
    return render(str(guardian["email"]), mail_texts.GUARDIAN_SUBJECT, blocks)


def consented(letter: Letter) -> Mail:
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        texts.CONSENTED_INTRO,
        letter.meeting_line(),
        *letter.status_paragraphs(),
        *letter.closing(newest=True),
    ]
    return render(str(letter.data["email"]), texts.CONSENTED_SUBJECTS[letter.status], blocks)


def promoted(letter: Letter) -> Mail:
    good_news, following = texts.PROMOTED_PARAGRAPHS
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        good_news,
        letter.meeting_line(),
        following.format(confirm_weeks=texts.confirm_period(letter.edition)),
        *letter.closing(newest=True),
    ]
    return render(str(letter.data["email"]), texts.PROMOTED_SUBJECT, blocks)


def confirmation(letter: Letter) -> Mail:
    from praatmee import ics  # icalendar only here: never on the registration API's path

    meeting = letter.meeting
    welcome, calendar = texts.CONFIRMATION_PARAGRAPHS
    where: list[Block] = [
        texts.CONFIRMATION_ONLINE
        if meeting.place is None
        else texts.CONFIRMATION_PLACE.format(place=meeting.place)
    ]
    if letter.venue is not None and not letter.venue.empty():
        where = venue_blocks(letter.venue)
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        welcome,
        *([texts.CONFIRMATION_SECOND_CHOICE] if letter.data.get("second_meeting") == meeting.id else []),
        letter.meeting_line(),
        *where,
        calendar,
        *letter.draw_number_blocks(),
        *letter.closing(newest=True),
    ]
    event = ics.meeting_event(
        letter.edition,
        meeting,
        registration_id=letter.id,
        site_origin=letter.site_origin,
        now=letter.now,
    )
    attachment = Attachment(texts.ICS_FILENAME, "text/calendar; method=PUBLISH", event)
    subject = texts.CONFIRMATION_SUBJECT.format(date=texts.day_month(meeting.date))
    return render(str(letter.data["email"]), subject, blocks, (attachment,))


def reserve(letter: Letter) -> Mail:
    drawn, position = texts.RESERVE_PARAGRAPHS
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        drawn,
        letter.meeting_line(),
        position.format(position=letter.position),
        *letter.draw_number_blocks(),
        *letter.closing(newest=True),
    ]
    subject = texts.RESERVE_SUBJECT.format(date=texts.day_month(letter.meeting.date))
    return render(str(letter.data["email"]), subject, blocks)


def no_place(letter: Letter) -> Mail:
    sorry, still = texts.NO_PLACE_PARAGRAPHS
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        sorry,
        letter.meeting_line(),
        still,
        *letter.elsewhere(),
        # The daily job sends it with a fresh link, so links of older mails stop working.
        *letter.closing(newest=True),
    ]
    subject = texts.NO_PLACE_SUBJECT.format(date=texts.day_month(letter.meeting.date))
    return render(str(letter.data["email"]), subject, blocks)


def venue_blocks(venue: VenueDetails) -> list[Block]:
    """What the organisers stored of a meeting, instead of "we send the address later"."""
    from praatmee import roomtexts

    blocks: list[Block] = []
    if venue.address:
        blocks.append(roomtexts.CONFIRMATION_ADDRESS.format(address=venue.address))
    if venue.route:
        blocks.append(roomtexts.CONFIRMATION_ROUTE.format(route=venue.route))
    if venue.online_link:
        blocks.append((roomtexts.CONFIRMATION_LINK, venue.online_link))
    if venue.phone:
        blocks.append(roomtexts.CONFIRMATION_PHONE.format(phone=venue.phone))
    return blocks
