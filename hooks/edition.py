"""MkDocs hook: fills `{{ name }}` placeholders in pages from the edition file.

Dates, places and audiences are typed only in functions/praatmee/meetings.yaml; pages refer to them by
placeholder. An unknown placeholder fails the (strict) build.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from html import escape
from typing import Any

from mkdocs.exceptions import PluginError

from praatmee import beacon, commitment, confirm_texts, lottery_texts, texts
from praatmee.edition import Allocation, Edition, Role, Sector, Theme, load_edition, reload_edition

log = logging.getLogger("mkdocs.hooks.edition")
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def meetings_table(edition: Edition) -> str:
    """An HTML table (with a caption and labels for the phone layout), one row per meeting."""
    headers = ("Datum", "Tijd", "Waar", "Voor wie")
    rows = []
    for m in edition.meetings:
        place = "Online" if m.place is None else f"{m.place} (op locatie)"
        cells = (texts.upper_first(texts.meeting_date(edition, m)), texts.times(m), place,
                 texts.upper_first(texts.audience(m)))  # fmt: skip
        tds = "".join(f'<td data-label="{h}">{escape(c)}</td>' for h, c in zip(headers, cells, strict=True))
        rows.append(f'<tr><th scope="row">{escape(m.title)}</th>{tds}</tr>')
    head = "".join(f'<th scope="col">{h}</th>' for h in ("Bijeenkomst", *headers))
    note = "" if edition.dates_confirmed else f'<p class="pm-note">{escape(texts.DATES_UNCONFIRMED_NOTE)}</p>'
    return (
        '<table class="pm-meetings"><caption>De bijeenkomsten</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"
    )


def meetings_summary(edition: Edition) -> str:
    """`drie bijeenkomsten op locatie en één online bijeenkomst`"""
    on_site = sum(1 for m in edition.meetings if not m.online)
    online = len(edition.meetings) - on_site
    parts = []
    if on_site:
        parts.append(f"{texts.count(on_site, 'bijeenkomst', 'bijeenkomsten')} op locatie")
    if online:
        parts.append(f"{texts.count(online, 'online bijeenkomst', 'online bijeenkomsten')}")
    return texts.join_words(parts)


def meetings_list(edition: Edition) -> str:
    return "\n".join(
        f"- **{m.title}**: {texts.meeting_date(edition, m)}, {texts.times(m)}, {texts.where(m)}."
        for m in edition.meetings
    )


def roles_list(_: Edition) -> str:
    return "\n".join(f"- {texts.upper_first(texts.ROLE_LABELS[r])}" for r in Role if r is not Role.ANDERS)


def themes_list(_: Edition) -> str:
    return "\n".join(f"- {texts.upper_first(texts.THEME_LABELS[t])}" for t in Theme)


def confirm_weeks(edition: Edition) -> str:
    return texts.confirm_period(edition)


def guardian_consent_period(edition: Edition) -> str:
    return texts.count(edition.guardian_consent_days, "dag", "dagen")


def _target_lines(terms: commitment.MeetingTerms) -> str:
    words = lottery_texts.COMMITMENT_PAGE
    lines = []
    order = list(texts.FEATURE_LABELS)
    for feature, (low, high) in sorted(terms.targets.items(), key=lambda item: _position(order, item[0])):
        group = texts.upper_first(texts.FEATURE_LABELS.get(feature, feature))
        form = "range_min" if high >= terms.capacity else "range"
        lines.append(escape(words[form].format(group=group, low=low, high=high)))
    return "<br>".join(lines)


def _position(order: list[str], feature: str) -> tuple[int, str]:
    return (order.index(feature) if feature in order else len(order), feature)


def commitment_block(edition: Edition) -> str:
    """The published commitment ("Zo kiezen we"), read from the file the draw reads; until it exists, the
    promise to publish it before the deadline."""
    words = lottery_texts.COMMITMENT_PAGE
    if edition.allocation is not Allocation.DRAW:
        return words["first_come"]
    promised = commitment.load()
    if promised is None:
        return words["not_yet"].format(deadline=texts.deadline(edition))

    def code(value: str) -> str:
        return f'<code class="pm-hash">{escape(value)}</code>'

    made = dt.datetime.fromisoformat(promised.made_at).astimezone(edition.tz)
    when = beacon.time_of(promised.beacon.round).astimezone(edition.tz)
    first = words["trial"] if promised.trial else words["intro"].format(made=texts.long_date(made.date()))
    commit = promised.code.commit or words["unknown_commit"]
    facts = [
        words["round"].format(
            round=promised.beacon.round, when=f"{texts.long_date(when.date())} om {when:%H.%M.%S} uur"
        ),
        words["secret"].format(hash=code(promised.secret_sha256)),
        words["code"].format(commit=code(commit)),
        words["file"].format(hash=code(promised.sha256)),
    ]
    head = "".join(f'<th scope="col">{words[key]}</th>' for key in ("meeting", "seats", "targets"))
    rows = "".join(
        f'<tr><th scope="row">{escape(terms.title)}</th><td data-label="{words["seats"]}">{terms.capacity}'
        f'</td><td data-label="{words["targets"]}">{_target_lines(terms)}</td></tr>'
        for terms in promised.meetings
    )
    table = (
        f'<table class="pm-meetings"><caption>{words["targets_caption"]}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
    return "\n".join([first, "", *(f"- {fact}" for fact in facts), "", table])


RENDERERS: dict[str, Callable[[Edition], str]] = {
    "meetings_table": meetings_table,
    "meetings_list": meetings_list,
    "meetings_summary": meetings_summary,
    "deadline": texts.deadline,
    "last_day": lambda e: texts.long_date(e.register_before - dt.timedelta(days=1)),
    "retain_until": lambda e: texts.long_date(e.retain_until),
    "confirm_weeks": confirm_weeks,
    "guardian_consent_period": guardian_consent_period,
    "confirm_step": lambda e: confirm_texts.NEXT_STEP.format(hours=e.confirm_within_hours),
    "confirm_hours": lambda e: f"{e.confirm_within_hours} uur",
    "after_confirming": lambda e: confirm_texts.AFTER_CONFIRMING[e.allocation.value].format(
        period=texts.confirm_period(e)
    ),
    "contact_email": lambda e: f"[{e.contact_email}](mailto:{e.contact_email})",
    "roles_list": roles_list,
    "themes_list": themes_list,
    "edition": lambda e: str(e.edition),
    "how_places_are_given": texts.how_places_are_given,
    "commitment": commitment_block,
}


def render(markdown: str, edition: Edition) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in RENDERERS:
            raise PluginError(f"unknown placeholder {{{{ {name} }}}}; known: {', '.join(sorted(RENDERERS))}")
        return RENDERERS[name](edition)

    return PLACEHOLDER.sub(fill, markdown)


def form_choices(edition: Edition) -> dict[str, Any]:
    """What the sign-up form template (overrides/aanmelden.html) shows: every choice and its Dutch label."""
    return {
        "meetings": [
            {
                "id": m.id,
                "label": f"{m.title}: {texts.meeting_date(edition, m)}, {texts.times(m)}, {texts.where(m)}",
                "audience": " ".join(s for s in Sector if s in m.audience),
                "for": f"Voor {texts.audience(m)}.",
            }
            for m in edition.meetings
        ],
        "roles": [(r.value, texts.upper_first(texts.ROLE_LABELS[r])) for r in Role],
        "sectors": [(s.value, texts.upper_first(texts.SECTOR_LABELS[s])) for s in Sector],
        "themes": [(t.value, texts.upper_first(texts.THEME_LABELS[t])) for t in Theme],
        "texts": texts.FORM_TEXTS,
        "deadline": texts.deadline(edition),
        "allocation": edition.allocation.value,
        "closed": sign_up_closed(edition, dt.datetime.now(dt.UTC)),
    }


def sign_up_closed(edition: Edition, now: dt.datetime) -> dict[str, Any]:
    """The "sign-up is closed" notice of every page: shown when the site is built after the deadline, else
    hidden until the moment passes (docs/assets/gesloten.js), for a site built before it."""
    closes = edition.registration_closes_at
    last_day = texts.long_date(edition.register_before - dt.timedelta(days=1))
    return {
        "at": closes.isoformat(),
        "now": now >= closes,
        "text": texts.SIGN_UP_CLOSED.format(last_day=last_day),
    }


def on_page_context(context: dict[str, Any], **_: Any) -> dict[str, Any]:
    context["pm"] = form_choices(load_edition())
    return context


def on_page_markdown(markdown: str, **_: Any) -> str:
    return render(markdown, reload_edition())


def on_pre_build(**_: Any) -> None:
    # Info, not a warning: `mkdocs build --strict` must still build a draft edition.
    for warning in reload_edition().warnings():
        log.info("edition file: %s", warning)
