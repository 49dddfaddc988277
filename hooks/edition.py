"""MkDocs hook: fills `{{ name }}` placeholders in pages from the edition file.

Dates, places and audiences are typed only in functions/praatmee/meetings.yaml; pages refer to them by
placeholder. An unknown placeholder fails the (strict) build.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from mkdocs.exceptions import PluginError

from praatmee import texts
from praatmee.edition import Edition, Role, Theme, load_edition

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def meetings_table(edition: Edition) -> str:
    rows = [
        "| Bijeenkomst | Datum | Tijd | Waar | Voor wie |",
        "|---|---|---|---|---|",
    ]
    for m in edition.meetings:
        place = "Online" if m.place is None else f"{m.place} (op locatie)"
        rows.append(
            f"| {m.title} | {texts.upper_first(texts.long_date(m.date))} | {texts.times(m)} "
            f"| {place} | {texts.upper_first(texts.audience(m))} |"
        )
    return "\n".join(rows)


def meetings_list(edition: Edition) -> str:
    return "\n".join(
        f"- **{m.title}**: {texts.long_date(m.date)}, {texts.times(m)}, {texts.where(m)}."
        for m in edition.meetings
    )


def roles_list(_: Edition) -> str:
    return "\n".join(f"- {texts.upper_first(texts.ROLE_LABELS[r])}" for r in Role if r is not Role.ANDERS)


def themes_list(_: Edition) -> str:
    return "\n".join(f"- {texts.upper_first(texts.THEME_LABELS[t])}" for t in Theme)


def confirm_weeks(edition: Edition) -> str:
    weeks, days = divmod(edition.confirm_days_before, 7)
    return f"{weeks} weken" if days == 0 else f"{edition.confirm_days_before} dagen"


RENDERERS: dict[str, Callable[[Edition], str]] = {
    "meetings_table": meetings_table,
    "meetings_list": meetings_list,
    "meeting_count": lambda e: str(len(e.meetings)),
    "deadline": texts.deadline,
    "last_day": lambda e: texts.long_date(e.register_before - dt.timedelta(days=1)),
    "retain_until": lambda e: texts.long_date(e.retain_until),
    "confirm_weeks": confirm_weeks,
    "contact_email": lambda e: f"[{e.contact_email}](mailto:{e.contact_email})",
    "roles_list": roles_list,
    "themes_list": themes_list,
    "edition": lambda e: str(e.edition),
}


def render(markdown: str, edition: Edition) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in RENDERERS:
            raise PluginError(f"unknown placeholder {{{{ {name} }}}}; known: {', '.join(sorted(RENDERERS))}")
        return RENDERERS[name](edition)

    return PLACEHOLDER.sub(fill, markdown)


def on_page_markdown(markdown: str, **_: Any) -> str:
    load_edition.cache_clear()  # `mkdocs serve` re-reads an edited edition file
    return render(markdown, load_edition())
