"""The room's pages for one person and for a message to a meeting, as HTML (same frame as `roompages`).
Plain values in, a page out. Every action is a form that posts, with a box to tick first where it cannot be
undone (no scripts: the site's Content-Security-Policy allows none in the room)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from praatmee import confirm_texts, export_texts, texts
from praatmee import persontexts as words
from praatmee.actions import Person
from praatmee.edition import Edition, Role, Sector, Theme
from praatmee.messages import Message
from praatmee.roompages import ROOM_PATH, document, e, error_summary

PEOPLE_PATH = "/organisatie/deelnemers/"
ADD_PATH = "/organisatie/aanmelden/"
ACTIONS = "/api/organisatie/deelnemers"


def person_path(registration_id: str) -> str:
    return f"{PEOPLE_PATH}{registration_id}/"


def message_path(meeting_id: str) -> str:
    return f"/organisatie/bijeenkomsten/{meeting_id}/bericht/"


def _back(label: str = words.BACK_TO_ROOM, path: str = ROOM_PATH) -> str:
    return f'<p><a href="{e(path)}">{e(label)}</a></p>'


def _notice(text: str) -> str:
    return f'<p class="pm-room-notice" role="status">{e(text)}</p>' if text else ""


def _text_input(name: str, label: str, value: str = "", kind: str = "text", extra: str = "") -> str:
    return (
        f'<p><label for="{name}">{e(label)}</label><br>'
        f'<input id="{name}" name="{name}" type="{kind}" value="{e(value)}"{extra}></p>'
    )


def _select(name: str, label: str, options: Sequence[tuple[str, str]], chosen: str = "") -> str:
    items = "".join(
        f'<option value="{e(value)}"{" selected" if value == chosen else ""}>{e(text)}</option>'
        for value, text in options
    )
    return (
        f'<p><label for="{name}">{e(label)}</label><br><select id="{name}" name="{name}">{items}</select></p>'
    )


def _confirm(form_id: str) -> str:
    box = f"{form_id}-zeker"
    return (
        f'<p class="pm-choice"><input id="{box}" name="zeker" type="checkbox" value="ja" required>'
        f'<label for="{box}">{e(words.CONFIRM)}</label></p>'
    )


def _choices(
    name: str, legend: str, options: Sequence[tuple[str, str]], chosen: Sequence[str], kind: str = "radio"
) -> str:
    """Radio buttons or checkboxes in a fieldset (ids prefixed, so they never clash with another form)."""
    items = "".join(
        f'<p class="pm-choice"><input id="fix-{name}-{value}" name="{name}" type="{kind}" value="{e(value)}"'
        f'{" checked" if value in chosen else ""}><label for="fix-{name}-{value}">{e(label)}</label></p>'
        for value, label in options
    )
    return f'<fieldset id="fix-{name}"><legend>{e(legend)}</legend>{items}</fieldset>'


def _action(form_id: str, path: str, title: str, intro: str, fields: str, button: str) -> str:
    return (
        f'<form method="post" action="{e(path)}" id="{form_id}"><fieldset><legend>{e(title)}</legend>'
        f'<p>{e(intro)}</p>{fields}<p><button type="submit">{e(button)}</button></p></fieldset></form>'
    )


def _meetings(edition: Edition, sector: str = "") -> list[tuple[str, str]]:
    return [
        (m.id, f"{m.title}: {texts.long_date(m.date)}")
        for m in edition.meetings
        if not sector or sector in m.audience
    ]


# -- finding ------------------------------------------------------------------------------------------------


def find_page(edition: Edition, found: Sequence[Person] | None, query: dict[str, str]) -> str:
    """The search form, and what it found (None before a search)."""
    by_email = (
        f'<form method="get" action="{PEOPLE_PATH}">'
        + _text_input("email", words.FIND_EMAIL, query.get("email", ""), "email", ' autocomplete="off"')
        + f'<p><button type="submit">{e(words.FIND_BUTTON)}</button></p></form>'
    )
    by_name = (
        f'<form method="get" action="{PEOPLE_PATH}">'
        + _text_input("naam", words.FIND_NAME, query.get("naam", ""), extra=' autocomplete="off"')
        + _select("bijeenkomst", words.FIND_MEETING, _meetings(edition), query.get("bijeenkomst", ""))
        + f'<p><button type="submit">{e(words.FIND_BUTTON)}</button></p></form>'
    )
    results = ""
    if found is not None:
        titles = {m.id: m.title for m in edition.meetings}
        items = "".join(
            f'<li><a href="{person_path(p.id)}">{e(p.name)}</a>: {e(titles.get(p.meeting, p.meeting))}, '
            f"{e(_status(edition, p))}</li>"
            for p in found
        )
        results = f"<h2>{e(words.FIND_RESULTS)}</h2>" + (
            f"<ul>{items}</ul>" if items else f"<p>{e(words.FIND_NONE)}</p>"
        )
    inner = f"<h1>{e(words.FIND_TITLE)}</h1><p>{e(words.FIND_INTRO)}</p>{by_email}{by_name}{results}{_back()}"
    return document(words.FIND_TITLE, inner)


def _moment(edition: Edition, epoch: int) -> str:
    at = dt.datetime.fromtimestamp(epoch, edition.tz)
    return confirm_texts.AT_TIME.format(day=texts.long_date(at.date()), clock=at.strftime("%H:%M"))


def _status(edition: Edition, person: Person) -> str:
    """The status in words; for an unconfirmed sign-up also until when it can be confirmed."""
    label = export_texts.STATUS_LABELS[person.status]
    if person.confirm_until is None:
        return label
    if person.expired:
        return f"{label} ({words.FIND_EXPIRED})"
    return f"{label} ({words.FIND_CONFIRM_UNTIL.format(moment=_moment(edition, person.confirm_until))})"


# -- one person ---------------------------------------------------------------------------------------------


def person_page(
    edition: Edition,
    person: Person,
    *,
    notice: str = "",
    errors: Sequence[tuple[str | None, str]] = (),
) -> str:
    titles = {m.id: m.title for m in edition.meetings}
    rows = [
        ("meeting", titles.get(person.meeting, person.meeting)),
        ("status", export_texts.STATUS_LABELS[person.status]),
        *_window(edition, person),
        ("position", "" if person.position is None else str(person.position)),
        ("email", person.email),
        ("role", texts.ROLE_LABELS.get(Role(person.role), person.role) if person.role else ""),
        ("sector", texts.SECTOR_LABELS.get(Sector(person.sector), person.sector) if person.sector else ""),
        ("themes", ", ".join(texts.THEME_LABELS.get(Theme(t), t) for t in person.themes)),
        ("organisation", person.organisation),
        ("needs", person.needs),
        ("second_meeting", titles.get(person.second_meeting, person.second_meeting)),
        ("added", words.ADDED_BY_ORGANISER if person.added_by_organiser else words.ADDED_BY_PERSON),
        (
            "mails",
            "; ".join(words.MAIL_NAMES.get(kind, kind) for kind in person.mails) or words.NO_MAILS,
        ),
    ]
    facts = "".join(f"<dt>{e(words.LABELS[key])}</dt><dd>{e(value)}</dd>" for key, value in rows if value)
    inner = (
        f"<h1>{e(words.PERSON_TITLE.format(name=person.name or words.PERSON_ERASED_NAME))}</h1>"
        f'{error_summary(errors)}{_notice(notice)}<dl class="pm-person">{facts}</dl>'
    )
    if person.expired:
        inner += f'<p class="pm-room-notice">{e(words.EXPIRED_NOTE)}</p>'
    elif person.confirm_until is not None:
        inner += _unconfirmed_actions(person)
    elif person.status.value != "cancelled":
        inner += _actions(edition, person)
    inner += _back()
    return document(words.PERSON_TITLE.format(name=person.name), inner, error=bool(errors))


def _window(edition: Edition, person: Person) -> list[tuple[str, str]]:
    if person.confirm_until is None:
        return []
    return [("expired" if person.expired else "confirm_until", _moment(edition, person.confirm_until))]


def _unconfirmed_actions(person: Person) -> str:
    """Before the address is confirmed: the link again, or the organiser confirms it; or the usual end."""
    base = f"{ACTIONS}/{person.id}"
    sure = (
        '<p class="pm-choice"><input id="bevestigen-zeker" name="zeker" type="checkbox" value="ja" required>'
        f'<label for="bevestigen-zeker">{e(words.CONFIRM_FOR_SURE)}</label></p>'
    )
    return "".join(
        (
            _action(
                "bevestigingslink",
                f"{base}/bevestigingslink",
                words.CONFIRM_LINK_TITLE,
                words.CONFIRM_LINK_INTRO,
                "",
                words.CONFIRM_LINK_BUTTON,
            ),
            _action(
                "bevestigen",
                f"{base}/bevestigen",
                words.CONFIRM_FOR_TITLE,
                words.CONFIRM_FOR_INTRO,
                sure,
                words.CONFIRM_FOR_BUTTON,
            ),
            *_ending(base),
        )
    )


def _ending(base: str) -> tuple[str, str]:
    """The two ways every live sign-up can end, confirmed or not: cancel it, or erase it with its data."""
    return (
        _action(
            "afmelden",
            f"{base}/afmelden",
            words.CANCEL_TITLE,
            words.CANCEL_INTRO,
            _confirm("afmelden"),
            words.CANCEL_BUTTON,
        ),
        _action(
            "wissen",
            f"{base}/wissen",
            words.ERASE_TITLE,
            words.ERASE_INTRO,
            _confirm("wissen"),
            words.ERASE_BUTTON,
        ),
    )


def _actions(edition: Edition, person: Person) -> str:
    base = f"{ACTIONS}/{person.id}"
    others = [(m, label) for m, label in _meetings(edition, person.sector) if m != person.meeting]
    correct = (
        _text_input("name", words.LABELS["name"], person.name, extra=' autocomplete="off" maxlength="100"')
        + _text_input("email", words.LABELS["email"], person.email, "email", ' autocomplete="off"')
        + _text_input(
            "organisation", words.LABELS["organisation"], person.organisation, extra=' maxlength="150"'
        )
        + _text_input("needs", words.LABELS["needs"], person.needs, extra=' maxlength="500"')
        + _choices(
            "role", words.LABELS["role"], [(r.value, texts.ROLE_LABELS[r]) for r in Role], [person.role]
        )
        + _choices(
            "sector",
            words.LABELS["sector"],
            [(s.value, texts.SECTOR_LABELS[s]) for s in Sector],
            [person.sector],
        )
        + _choices(
            "themes",
            words.LABELS["themes"],
            [(t.value, texts.THEME_LABELS[t]) for t in Theme],
            list(person.themes),
            "checkbox",
        )
    )
    forms = [
        _action(
            "verplaatsen",
            f"{base}/verplaatsen",
            words.MOVE_TITLE,
            words.MOVE_INTRO,
            _select("naar", words.MOVE_TO, others) + _confirm("verplaatsen"),
            words.MOVE_BUTTON,
        )
        if others
        else "",
        _action(
            "verbeteren",
            f"{base}/verbeteren",
            words.CORRECT_TITLE,
            words.CORRECT_INTRO,
            correct,
            words.CORRECT_BUTTON,
        ),
        _action(
            "bevestiging",
            f"{base}/bevestiging",
            words.RESEND_TITLE,
            words.RESEND_INTRO,
            "",
            words.RESEND_BUTTON,
        ),
        *_ending(base),
    ]
    return "".join(forms)


def erased_page(folders: Sequence[str]) -> str:
    exports = words.ERASED_EXPORTS.format(folders=", ".join(folders)) if folders else words.ERASED_NO_EXPORTS
    inner = f"<h1>{e(words.ERASED)}</h1>{_notice(words.ERASED)}<p>{e(exports)}</p>{_back()}"
    return document(words.ERASED, inner)


# -- a message to a meeting ---------------------------------------------------------------------------------


def message_page(
    title: str,
    meeting_id: str,
    *,
    body: str = "",
    reserves: bool = False,
    preview: tuple[Message, int, str] | None = None,
    sent: Sequence[Message] = (),
    notice: str = "",
    errors: Sequence[tuple[str | None, str]] = (),
) -> str:
    """Write, preview (the message, how many get it, the mail's text), send; and the messages sent before."""
    action = f"/api/organisatie/bijeenkomsten/{meeting_id}/bericht"
    checked = " checked" if reserves else ""
    write = (
        f'<form method="post" action="{action}" id="schrijven">'
        f'<p><label for="bericht">{e(words.MESSAGE_BODY)}</label><br>'
        f'<textarea id="bericht" name="bericht" rows="8" maxlength="5000">{e(body)}</textarea></p>'
        f'<p class="pm-choice"><input id="reserves" name="reserves" type="checkbox" value="ja"{checked}>'
        f'<label for="reserves">{e(words.MESSAGE_RESERVES)}</label></p>'
        '<p><button type="submit" name="stap" value="voorbeeld">'
        f"{e(words.MESSAGE_PREVIEW)}</button></p></form>"
    )
    shown = ""
    if preview is not None:
        message, count, text = preview
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{e(value)}">'
            for name, value in (
                ("bericht", message.body),
                ("reserves", "ja" if message.reserves else ""),
                ("id", message.id),
                ("at", message.at),
                ("stap", "versturen"),
            )
        )
        shown = (
            f'<h2 id="voorbeeld">{e(words.MESSAGE_PREVIEW_TITLE)}</h2>'
            f'<pre class="pm-mail-preview">{e(text)}</pre>'
            f"<p>{e(words.MESSAGE_RECIPIENTS.format(n=count))}</p>"
            f'<form method="post" action="{action}">{hidden}'
            f'<p><button type="submit">{e(words.MESSAGE_SEND)}</button></p></form>'
        )
    history = "".join(
        f"<li>{e(words.MESSAGE_LINE.format(moment=m.at, sent=m.sent, refused=m.refused))}</li>" for m in sent
    )
    history_html = f"<h2>{e(words.MESSAGES_TITLE)}</h2><ul>{history}</ul>" if history else ""
    page_title = words.MESSAGE_TITLE.format(title=title)
    inner = (
        f"<h1>{e(page_title)}</h1>{error_summary(errors)}{_notice(notice)}<p>{e(words.MESSAGE_INTRO)}</p>"
        f"{write}{shown}{history_html}{_back()}"
    )
    return document(page_title, inner, error=bool(errors))


# -- adding someone -----------------------------------------------------------------------------------------


def add_page(edition: Edition, typed: dict[str, str], errors: Sequence[tuple[str | None, str]] = ()) -> str:
    """The sign-up form for someone who phoned or wrote: the same fields and rules as the site's form."""

    def choices(name: str, options: Sequence[tuple[str, str]], kind: str = "radio") -> str:
        chosen = typed.get(name, "").split(",")
        return "".join(
            f'<p class="pm-choice"><input id="{name}-{value}" name="{name}" type="{kind}" value="{value}"'
            f'{" checked" if value in chosen else ""}><label for="{name}-{value}">{e(label)}</label></p>'
            for value, label in options
        )

    def group(name: str, legend: str, inner: str) -> str:
        return f'<fieldset id="{name}"><legend>{e(legend)}</legend>{inner}</fieldset>'

    fields = (
        _select(
            "meeting",
            texts.FIELD_LABELS["meeting"].capitalize(),
            _meetings(edition),
            typed.get("meeting", ""),
        )
        + _text_input("name", words.LABELS["name"], typed.get("name", ""), extra=' maxlength="100"')
        + _text_input("email", words.LABELS["email"], typed.get("email", ""), "email", ' autocomplete="off"')
        + group(
            "role", words.LABELS["role"], choices("role", [(r.value, texts.ROLE_LABELS[r]) for r in Role])
        )
        + group(
            "sector",
            words.LABELS["sector"],
            choices("sector", [(s.value, texts.SECTOR_LABELS[s]) for s in Sector]),
        )
        + group(
            "themes",
            words.LABELS["themes"],
            choices("themes", [(t.value, texts.THEME_LABELS[t]) for t in Theme], "checkbox"),
        )
        + group("under_16", words.ADD_UNDER_16, choices("under_16", [("ja", words.YES), ("nee", words.NO)]))
        + _text_input("guardian_name", words.ADD_GUARDIAN_NAME, typed.get("guardian_name", ""))
        + _text_input("guardian_email", words.ADD_GUARDIAN_EMAIL, typed.get("guardian_email", ""), "email")
        + _text_input("organisation", words.LABELS["organisation"], typed.get("organisation", ""))
        + _text_input("needs", words.LABELS["needs"], typed.get("needs", ""))
        + '<p class="pm-choice">'
        '<input id="privacy_consent" name="privacy_consent" type="checkbox" value="ja">'
        f'<label for="privacy_consent">{e(words.ADD_CONSENT)}</label></p>'
    )
    form = (
        f'<form method="post" action="/api/organisatie/aanmelden">{fields}'
        f'<p><button type="submit">{e(words.ADD_BUTTON)}</button></p></form>'
    )
    inner = f"<h1>{e(words.ADD_TITLE)}</h1>{error_summary(errors)}<p>{e(words.ADD_INTRO)}</p>{form}{_back()}"
    return document(words.ADD_TITLE, inner, error=bool(errors))
