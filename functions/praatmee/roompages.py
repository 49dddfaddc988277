"""The organisers' pages as HTML: the sign-in steps and the room. Plain values in, a page out; no I/O.

Same look as the site's link pages (`/assets/praatmee.css`) plus `/assets/organisatie.css`; no scripts, no
inline styles (the site's Content-Security-Policy holds), `noindex`. Bars are inline SVG, hidden from screen
readers, with the numbers beside them in text.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from praatmee import roomtexts as words
from praatmee import texts
from praatmee.edition import Edition
from praatmee.overview import MeetingView, MixRow
from praatmee.roomstore import AuditEntry, VenueDetails

SIGN_IN_PATH = "/organisatie/inloggen/"
ROOM_PATH = "/organisatie/"
BAR_WIDTH = 160


def e(value: object) -> str:
    return html.escape(str(value))


def document(title: str, inner: str, *, error: bool = False) -> str:
    prefix = "Fout: " if error else ""
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{e(prefix + title)} - Praat mee</title>"
        '<link rel="stylesheet" href="/assets/praatmee.css">'
        '<link rel="stylesheet" href="/assets/organisatie.css"></head>'
        f'<body><main class="pm-link-page pm-room">{inner}</main></body></html>'
    )


def error_summary(messages: Sequence[tuple[str | None, str]]) -> str:
    """GOV.UK's error summary: each message links to its field when it has one."""
    if not messages:
        return ""
    items = "".join(
        f'<li><a href="#{e(name)}">{e(text)}</a></li>' if name else f"<li>{e(text)}</li>"
        for name, text in messages
    )
    return f'<div class="pm-room-errors" role="alert"><h2>{e(words.ERROR_SUMMARY)}</h2><ul>{items}</ul></div>'


def _input(name: str, label: str, kind: str, autocomplete: str, extra: str = "") -> str:
    return (
        f'<p><label for="{name}">{e(label)}</label><br>'
        f'<input id="{name}" name="{name}" type="{kind}" autocomplete="{autocomplete}" required{extra}></p>'
    )


def _form(action: str, fields: str, button: str) -> str:
    button_html = f'<p><button type="submit">{e(button)}</button></p>'
    return f'<form method="post" action="{action}">{fields}{button_html}</form>'


# -- signing in ------------------------------------------------------------------------------------------


def sign_in_page(
    challenge: str | None, *, secret: str = "", errors: Sequence[tuple[str | None, str]] = ()
) -> str:
    """The page of the step the sign-in is at: password, new password, setting up the app, or its code."""
    action = "/api/organisatie/inloggen"
    code = _input("code", words.FIELDS["code"], "text", "one-time-code", ' inputmode="numeric" maxlength="6"')
    if challenge == "NEW_PASSWORD_REQUIRED":
        body = f"<p>{e(words.FIRST_TIME_INTRO)}</p>" + _form(
            action,
            _input("new_password", words.FIELDS["new_password"], "password", "new-password"),
            words.FIRST_TIME_BUTTON,
        )
    elif challenge == "MFA_SETUP":
        grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        body = (
            f"<p>{e(words.SETUP_INTRO)}</p><p>{e(words.SETUP_KEY)}:<br>"
            f'<code class="pm-room-key">{e(grouped)}</code></p>' + _form(action, code, words.SETUP_BUTTON)
        )
    elif challenge == "SOFTWARE_TOKEN_MFA":
        body = f"<p>{e(words.CODE_INTRO)}</p>" + _form(action, code, words.CODE_BUTTON)
    else:
        body = f"<p>{e(words.SIGN_IN_INTRO)}</p>" + _form(
            action,
            _input("email", words.FIELDS["email"], "email", "username")
            + _input("password", words.FIELDS["password"], "password", "current-password"),
            words.SIGN_IN_BUTTON,
        )
    if challenge:
        body += _form("/api/organisatie/uitloggen", "", words.START_AGAIN)
    inner = f"<h1>{e(words.SIGN_IN_TITLE)}</h1>{error_summary(errors)}{body}"
    return document(words.SIGN_IN_TITLE, inner, error=bool(errors))


def message_page(title: str, message: str, link: tuple[str, str] | None = None) -> str:
    more = f'<p><a href="{e(link[1])}">{e(link[0])}</a></p>' if link else ""
    return document(title, f"<h1>{e(title)}</h1><p>{e(message)}</p>{more}")


# -- the room ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFolder:
    folder: str
    made_at: dt.datetime | None
    files: tuple[tuple[str, str], ...]  # (file name, key)


@dataclass(frozen=True)
class RoomPage:
    edition: Edition
    email: str
    meetings: Sequence[MeetingView]
    exports: Sequence[ExportFolder]
    venues: dict[str, VenueDetails]
    audit: Sequence[AuditEntry]
    notice: str = ""
    errors: Sequence[tuple[str | None, str]] = ()
    # The venue form being corrected: its meeting and what was typed, shown again with the errors.
    typed: tuple[str, dict[str, str]] | None = None
    field_errors: dict[str, str] = field(default_factory=dict)


def moment(value: dt.datetime, edition: Edition) -> str:
    local = value.astimezone(edition.tz)
    return f"{texts.long_date(local.date())}, {local:%H.%M} uur"


def _bar(row: MixRow, scale: int) -> str:
    def x(count: int) -> int:
        return round(BAR_WIDTH * min(count, scale) / scale)

    band = ""
    if row.target:
        low, high = row.target
        band = (
            f'<rect class="pm-bar-target" x="{x(low)}" y="1" width="{max(x(high) - x(low), 2)}" height="18"/>'
        )
    return (
        f'<svg class="pm-bar" width="{BAR_WIDTH}" height="20" viewBox="0 0 {BAR_WIDTH} 20" '
        f'aria-hidden="true" focusable="false">{band}'
        f'<rect class="pm-bar-count" x="0" y="5" width="{x(row.count)}" height="10"/></svg>'
    )


def _verdict(row: MixRow) -> str:
    if row.target is None:
        return words.MIX_NO_TARGET
    low, high = row.target
    wanted = words.MIX_TARGET.format(low=low, high=high)
    if row.count < low:
        return f"{wanted} ({words.MIX_SHORT.format(n=low - row.count)})"
    if row.count > high:
        return f"{wanted} ({words.MIX_OVER.format(n=row.count - high)})"
    return f"{wanted} ({words.MIX_OK})"


def _mix(meeting: MeetingView) -> str:
    scale = max(
        [meeting.capacity, 1]
        + [row.count for _, rows in meeting.mix for row in rows]
        + [row.target[1] for _, rows in meeting.mix for row in rows if row.target]
    )
    caption = words.MIX_POOL if meeting.pool else words.MIX_PLACED
    tables = []
    for heading, rows in meeting.mix:
        body = "".join(
            f'<tr><th scope="row">{e(row.text)}</th><td>{_bar(row, scale)} <span>{row.count}</span></td>'
            f"<td>{e(_verdict(row))}</td></tr>"
            for row in rows
        )
        head = "".join(f'<th scope="col">{e(title)}</th>' for title in words.MIX_COLUMNS)
        tables.append(
            f'<table class="pm-mix"><caption>{e(heading)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
    return f"<p>{e(caption)}</p>{''.join(tables)}"


def _counts(meeting: MeetingView, edition: Edition) -> str:
    values = (
        meeting.capacity,
        meeting.applied,
        meeting.placed,
        meeting.waitlisted,
        meeting.unconfirmed,
        meeting.pending,
        meeting.cancelled,
    )
    pairs = [
        (title, value)
        for title, value in zip(words.COUNT_COLUMNS[1:], values, strict=True)
        if value or title != words.COUNT_COLUMNS[2] or edition.draw_moment is not None
    ]
    items = "".join(f"<div><dt>{e(title)}</dt><dd>{value}</dd></div>" for title, value in pairs)
    return f'<dl class="pm-counts">{items}</dl>'


def _exports(folders: Sequence[ExportFolder], edition: Edition) -> str:
    make = _form("/api/organisatie/exports", "", words.EXPORT_NOW)
    if not folders:
        return f"{make}<p>{e(words.NO_EXPORTS)}</p>"
    parts = []
    for folder in folders:
        when = moment(folder.made_at, edition) if folder.made_at else folder.folder
        buttons = "".join(
            '<li><form method="post" action="/api/organisatie/downloads">'
            f'<input type="hidden" name="key" value="{e(key)}">'
            f'<button type="submit" class="pm-link-button">{e(words.DOWNLOAD.format(name=name))}</button>'
            "</form></li>"
            for name, key in folder.files
        )
        parts.append(f"<li>{e(words.EXPORT_OF.format(moment=when))}<ul>{buttons}</ul></li>")
    return f'{make}<ul class="pm-exports">{"".join(parts)}</ul>'


def _venue_form(page: RoomPage, meeting_id: str, title: str, online: bool) -> str:
    typed = page.typed[1] if page.typed and page.typed[0] == meeting_id else None
    stored = page.venues.get(meeting_id, VenueDetails()).model_dump()
    names = ("online_link", "phone") if online else ("address", "route", "phone")
    fields = []
    for name in names:
        field_id = f"{meeting_id}-{name}"
        value = (typed or stored).get(name, "")
        problem = page.field_errors.get(name) if typed is not None else None
        described = f' aria-describedby="{field_id}-fout" aria-invalid="true"' if problem else ""
        message = (
            f'<br><span id="{field_id}-fout" class="pm-room-error">{e(problem)}</span>' if problem else ""
        )
        label = f'<label for="{field_id}">{e(words.VENUE_FIELDS[name])}</label>{message}<br>'
        if name == "route":
            control = f'<textarea id="{field_id}" name="{name}" rows="4"{described}>{e(value)}</textarea>'
        else:
            kind = {"online_link": "url", "phone": "tel"}.get(name, "text")
            complete = {"phone": "tel", "address": "street-address"}.get(name, "off")
            control = (
                f'<input id="{field_id}" name="{name}" type="{kind}" autocomplete="{complete}" '
                f'value="{e(value)}"{described}>'
            )
        fields.append(f"<p>{label}{control}</p>")
    action = f"/api/organisatie/bijeenkomsten/{meeting_id}/gegevens"
    return (
        f'<form method="post" action="{action}" id="gegevens-{meeting_id}">'
        f"<fieldset><legend>{e(title)}</legend>"
        f'{"".join(fields)}<p><button type="submit">{e(words.VENUE_SAVE.format(title=title))}</button></p>'
        "</fieldset></form>"
    )


def _audit(entries: Sequence[AuditEntry], edition: Edition) -> str:
    if not entries:
        return f"<p>{e(words.AUDIT_EMPTY)}</p>"
    lines = "".join(
        "<li>"
        + e(
            words.AUDIT_LINE.format(
                moment=moment(dt.datetime.fromisoformat(entry.at), edition),
                email=entry.email,
                action=words.AUDIT_ACTIONS.get(entry.action, entry.action),
            )
        )
        + (f" ({e(entry.meeting)})" if entry.meeting else "")
        + "</li>"
        for entry in entries
    )
    return f"<ul>{lines}</ul>"


def _people_links() -> str:
    """To the organisers' actions on one person (`roomactions`)."""
    from praatmee import persontexts as people

    return (
        f'<ul class="pm-room-nav"><li><a href="/organisatie/deelnemers/">{e(people.NAV_FIND)}</a></li>'
        f'<li><a href="/organisatie/aanmelden/">{e(people.NAV_ADD)}</a></li></ul>'
    )


def _write_to(meeting_id: str, title: str) -> str:
    from praatmee import persontexts as people

    path = f"/organisatie/bijeenkomsten/{meeting_id}/bericht/"
    return f'<p><a href="{path}">{e(people.NAV_MESSAGE.format(title=title))}</a></p>'


def room_page(page: RoomPage) -> str:
    edition = page.edition
    titles = {m.id: m for m in edition.meetings}
    notice = f'<p class="pm-room-notice" role="status">{e(page.notice)}</p>' if page.notice else ""
    sections = []
    for meeting in page.meetings:
        pool = f"<p>{e(words.POOL_NOTE)}</p>" if meeting.pool else ""
        sections.append(
            f'<section aria-labelledby="m-{meeting.id}"><h2 id="m-{meeting.id}">{e(meeting.title)}</h2>'
            f"{_counts(meeting, edition)}{pool}<h3>{e(words.MIX_TITLE.format(title=meeting.title))}</h3>"
            f"{_mix(meeting)}{_write_to(meeting.id, meeting.title)}</section>"
        )
    venue_forms = "".join(
        _venue_form(page, m.id, m.title, online=m.online) for m in edition.meetings if m.id in titles
    )
    inner = (
        f"<h1>{e(words.TITLE)}</h1>"
        f"<p>{e(words.SIGNED_IN_AS.format(email=page.email))}</p>"
        + _form("/api/organisatie/uitloggen", "", words.SIGN_OUT)
        + f"{error_summary(page.errors)}{notice}<p>{e(words.INTRO)}</p>{_people_links()}"
        + "".join(sections)
        + f'<h2 id="exports">{e(words.EXPORTS_TITLE)}</h2><p>{e(words.EXPORTS_INTRO)}</p>'
        + _exports(page.exports, edition)
        + f'<h2 id="gegevens">{e(words.VENUES_TITLE)}</h2><p>{e(words.VENUES_INTRO)}</p>{venue_forms}'
        + f'<h2 id="acties">{e(words.AUDIT_TITLE)}</h2>{_audit(page.audit, edition)}'
    )
    return document(words.TITLE, inner, error=bool(page.errors))


def venue_error_page(page: RoomPage, meeting_id: str) -> str:
    """A venue form that needs correcting, on a page of its own: what was typed, each problem at its field.
    (It holds no download forms: it is answered from the API's path, whose headers allow no redirect away.)"""
    meeting = page.edition.meeting(meeting_id)
    assert meeting is not None  # the route checked it
    inner = (
        f"<h1>{e(words.VENUES_TITLE)}</h1>{error_summary(page.errors)}"
        + _venue_form(page, meeting.id, meeting.title, online=meeting.online)
        + f'<p><a href="{ROOM_PATH}">{e(words.BACK_TO_ROOM)}</a></p>'
    )
    return document(words.VENUES_TITLE, inner, error=True)
