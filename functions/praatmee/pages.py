"""The small Dutch HTML pages of the API: the pages the links in e-mails open, and the form's error page.

A link page only asks; its form posts to a route of `api.py`, and only that changes anything.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from praatmee import confirm_texts, guardian_consent, mail_texts, service, texts
from praatmee.errors import RegistrationNotFound
from praatmee.models import CancellationRequest, ErrorItem, RegistrationStatus
from praatmee.table import StoredRegistration

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]


def page(status: int, title: str, inner: str, title_prefix: str = "") -> Response[Any]:
    """A small Dutch page without scripts or outside resources (the site's Content-Security-Policy holds)."""
    body = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{html.escape(title_prefix + title)}</title>"
        '<link rel="stylesheet" href="/assets/praatmee.css"></head>'
        # The site's name and a privacy link, as on every page of the site: a page a mail opens must not
        # look like a stranger's.
        f'<body><header class="pm-link-header"><a href="/">{html.escape(mail_texts.SITE_NAME)}</a></header>'
        f'<main class="pm-link-page"><h1>{html.escape(title)}</h1>{inner}'
        f'<p><a href="/">{html.escape(texts.LINK_PAGES["home"])}</a></p></main>'
        f'<footer class="pm-link-footer"><a href="/privacy/">{html.escape(mail_texts.PRIVACY_LINK)}</a>'
        "</footer></body></html>"
    )
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=body,
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
    )


def form_error_page(status: int, errors: list[ErrorItem], back: str) -> Response[Any]:
    """What a form post without JavaScript gets instead of JSON errors; `back` is the form's path."""
    from praatmee.field_errors import in_form_order

    items = "".join(f"<li>{html.escape(error.message)}</li>" for error in in_form_order(errors))
    # "What you still need to change" only fits errors on fields, not "busy, try again".
    intro = f"<p>{html.escape(texts.FORM_ERROR_INTRO)}</p>" if any(e.field for e in errors) else ""
    inner = (
        f"{intro}<ul>{items}</ul><p><strong>{html.escape(texts.FORM_BACK_HINT)}</strong></p>"
        f'<p><a href="{html.escape(back)}">{html.escape(texts.FORM_BACK)}</a></p>'
    )
    return page(status, texts.FORM_ERROR_TITLE, inner, title_prefix=texts.FORM_TEXTS["error_title_prefix"])


def _ctx() -> service.Context:
    ctx: service.Context = router.context["service"]
    return ctx


def _link_query() -> tuple[str, str] | None:
    event = router.current_event
    registration_id = event.get_query_string_value("registration_id") or ""
    token = event.get_query_string_value("token") or ""
    try:
        CancellationRequest(registration_id=registration_id, token=token)
    except ValueError:
        return None
    return registration_id, token


def _not_found_page() -> Response[Any]:
    words = texts.LINK_PAGES
    return page(404, words["not_found_title"], f"<p>{html.escape(words['not_found'])}</p>")


def _link_replaced() -> bool:
    """A cancel link from an older mail: the registration lives on with a newer link. (Telling that to a
    holder of its id reveals nothing: ids are 128 random bits and reach only that person's mailbox.)"""
    query = _link_query()
    if query is None:
        return False
    stored = _ctx().store.registration(query[0])
    return stored is not None and stored.status is not RegistrationStatus.CANCELLED


def _replaced_page() -> Response[Any]:
    return page(404, mail_texts.REPLACED_LINK_TITLE, f"<p>{html.escape(mail_texts.REPLACED_LINK)}</p>")


def _hidden(registration_id: str, token: str) -> str:
    return (
        f'<input type="hidden" name="registration_id" value="{html.escape(registration_id)}">'
        f'<input type="hidden" name="token" value="{html.escape(token)}">'
    )


def _linked(
    find: Callable[[service.Context, str, str], StoredRegistration],
) -> tuple[str, str, StoredRegistration] | None:
    """The registration a mail's link is for, or None: an unknown id and a wrong token get the same page."""
    query = _link_query()
    if query is None:
        return None
    registration_id, token = query
    try:
        return registration_id, token, find(_ctx(), registration_id, token)
    except RegistrationNotFound:
        return None


@router.get("/api/cancellations", summary="The page a cancel link opens: it asks; nothing changes on GET")
def cancellation_page() -> Response[Any]:
    words = texts.LINK_PAGES
    linked = _linked(service.registration_for_token)
    if linked is None:
        return _replaced_page() if _link_replaced() else _not_found_page()
    registration_id, token, stored = linked
    if stored.status is RegistrationStatus.CANCELLED:
        return page(200, words["cancel_title"], f"<p>{html.escape(words['cancelled_already'])}</p>")
    question = mail_texts.CANCEL_QUESTIONS.get(stored.status, words["cancel_question"])
    meeting = _ctx().edition.meeting(stored.meeting)
    line = texts.meeting_line(_ctx().edition, meeting) if meeting else stored.meeting
    inner = (
        f"<p>{html.escape(words['cancel_intro'])}</p><p><strong>{html.escape(line)}</strong></p>"
        f"<p>{html.escape(question)}</p>"
        f'<form method="post" action="/api/cancellations">{_hidden(registration_id, token)}'
        f'<button type="submit">{html.escape(words["cancel_button"])}</button></form>'
    )
    return page(200, words["cancel_title"], inner)


def _decision_button(decision: str, label: str) -> str:
    return f'<p><button type="submit" name="decision" value="{decision}">{html.escape(label)}</button></p>'


@router.get("/api/consents", summary="The page a guardian's link opens: it asks; nothing changes on GET")
def consent_page() -> Response[Any]:
    words = texts.LINK_PAGES
    linked = _linked(guardian_consent.guardian_registration)
    if linked is None:
        return _not_found_page()
    registration_id, token, stored = linked
    if stored.status in (RegistrationStatus.PLACED, RegistrationStatus.WAITLISTED):
        return page(200, words["consent_title"], f"<p>{html.escape(words['consent_done'])}</p>")
    if stored.status is not RegistrationStatus.PENDING_GUARDIAN:
        return _not_found_page()
    pupil = stored.name
    meeting = _ctx().edition.meeting(stored.meeting)
    line = texts.meeting_line(_ctx().edition, meeting) if meeting else ""
    inner = (
        f"<p>{html.escape(words['consent_intro'].format(pupil=pupil))}</p>"
        f"<p><strong>{html.escape(line)}</strong></p>"
        f"<p>{html.escape(words['consent_question'].format(pupil=pupil))}</p>"
        f'<form method="post" action="/api/consents">{_hidden(registration_id, token)}'
        f"{_decision_button('confirm', words['consent_yes'])}"
        f"{_decision_button('decline', words['consent_no'])}"
        "</form>"
    )
    return page(200, words["consent_title"], inner)


@router.get("/api/confirmations", summary="The page a confirm link opens: it asks; nothing changes on GET")
def confirmation_page() -> Response[Any]:
    from praatmee import confirming

    words = confirm_texts
    hours = _ctx().edition.confirm_within_hours
    query = _link_query()
    try:
        data = confirming.confirmation_data(_ctx(), *query) if query is not None else None
    except RegistrationNotFound:
        data = None
    if data is None or confirming.expired(data, _ctx().now()):
        # An unknown id, a wrong token and a deleted sign-up look alike: the link does not work (anymore).
        again = f'<p><a href="/aanmelden/">{html.escape(words.SIGN_UP_AGAIN)}</a></p>'
        expired = html.escape(words.EXPIRED.format(hours=hours))
        return page(410 if data is not None else 404, words.EXPIRED_TITLE, f"<p>{expired}</p>{again}")
    status = RegistrationStatus(data["status"])
    if status is RegistrationStatus.CANCELLED:
        return page(200, words.PAGE_TITLE, f"<p>{html.escape(words.PAGE_CANCELLED)}</p>")
    if status is not RegistrationStatus.UNCONFIRMED:
        return page(200, words.PAGE_TITLE, f"<p>{html.escape(words.PAGE_DONE)}</p>")
    meeting = _ctx().edition.meeting(str(data["meeting"]))
    line = texts.meeting_line(_ctx().edition, meeting) if meeting else ""
    registration_id, token = query  # type: ignore[misc]
    inner = (
        f"<p>{html.escape(words.PAGE_INTRO)}</p><p><strong>{html.escape(line)}</strong></p>"
        f"<p>{html.escape(words.PAGE_QUESTION)}</p>"
        f'<form method="post" action="/api/confirmations">{_hidden(registration_id, token)}'
        f'<button type="submit">{html.escape(words.PAGE_BUTTON)}</button></form>'
    )
    return page(200, words.PAGE_TITLE, inner)
