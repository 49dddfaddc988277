"""Who is coming, per meeting: the counts per status and the mix against the draw's targets.

One computation for the workbook's overview sheet and the organisers' room. The mix counts the people who
applied for the draw or hold a seat: before the draw that is the pool (so organisers can reach out to a group
that is missing), after it (or when places go first come) the people who will come.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from praatmee import roomtexts, texts
from praatmee.edition import SCHOOL_TYPES, Edition, Role, RoleGroup, Sector, Theme, features
from praatmee.exports import MeetingExport
from praatmee.models import RegistrationStatus
from praatmee.table import ExportedRegistration

COUNTED = (RegistrationStatus.APPLIED, RegistrationStatus.PLACED)


def labels(one: ExportedRegistration) -> frozenset[str]:
    return _labels_of(one.role, one.sector, one.themes)


@cache
def _labels_of(role: str, sector: str, themes: tuple[str, ...]) -> frozenset[str]:
    """What a person counts for in the target mix (a few dozen combinations, so cached); nothing for codes
    the edition does not know: a table holds what was written, and the overview shows it rather than stop."""
    try:
        return features(Role(role), Sector(sector), [Theme(theme) for theme in themes])
    except ValueError:
        return frozenset()


def mix_counts(meeting: MeetingExport) -> Counter[str]:
    """Per feature label, how many applied or hold a seat (a person may count for several themes)."""
    return Counter(label for one in meeting.people if one.status in COUNTED for label in labels(one))


@dataclass(frozen=True)
class MixRow:
    label: str
    text: str
    count: int
    target: tuple[int, int] | None


@dataclass(frozen=True)
class MeetingView:
    """What the room shows of a meeting: counts only, never a person."""

    id: str
    title: str
    capacity: int
    applied: int
    placed: int
    waitlisted: int
    unconfirmed: int  # signed up within the confirm window, not confirmed yet: holds nothing
    pending: int
    cancelled: int
    mix: tuple[tuple[str, tuple[MixRow, ...]], ...]  # (group heading, rows)

    @property
    def pool(self) -> bool:
        """True while the mix shows the draw's pool rather than the people placed."""
        return self.applied > 0 and self.placed == 0


def meeting_labels(edition: Edition, meeting_id: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The mix's groups and labels for a meeting: role groups, the school types of its audience, themes."""
    meeting = edition.meeting(meeting_id)
    audience = meeting.audience if meeting else frozenset(Sector)
    school_types = sorted({SCHOOL_TYPES[sector] for sector in audience})
    return (
        (roomtexts.BY_ROLE_GROUP, tuple(f"rol:{group}" for group in RoleGroup)),
        (roomtexts.BY_SCHOOL_TYPE, tuple(f"school:{kind}" for kind in school_types)),
        (roomtexts.BY_THEME, tuple(f"thema:{theme}" for theme in Theme)),
    )


def room_view(edition: Edition, meetings: Sequence[MeetingExport]) -> list[MeetingView]:
    quotas = {m.id: m.targets.quotas() for m in edition.meetings if m.targets}
    views = []
    for meeting in meetings:
        counts = mix_counts(meeting)
        targets = quotas.get(meeting.id, {})
        mix = tuple(
            (
                heading,
                tuple(
                    MixRow(label, texts.FEATURE_LABELS.get(label, label), counts[label], targets.get(label))
                    for label in group
                ),
            )
            for heading, group in meeting_labels(edition, meeting.id)
        )
        views.append(
            MeetingView(
                id=meeting.id,
                title=meeting.title,
                capacity=meeting.capacity,
                applied=meeting.count(RegistrationStatus.APPLIED),
                placed=meeting.count(RegistrationStatus.PLACED),
                waitlisted=meeting.count(RegistrationStatus.WAITLISTED),
                unconfirmed=meeting.count(RegistrationStatus.UNCONFIRMED),
                pending=meeting.count(RegistrationStatus.PENDING_GUARDIAN),
                cancelled=meeting.count(RegistrationStatus.CANCELLED),
                mix=mix,
            )
        )
    return views
