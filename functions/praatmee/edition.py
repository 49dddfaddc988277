"""The edition model: one validated description of meetings, deadline, retention and how places are given.

The site's build hook and every function load the edition through `load_edition()`, so nothing
about a meeting is written twice.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    model_validator,
)


class Sector(StrEnum):
    PO = "po"
    SBO = "sbo"
    SO = "so"
    VO = "vo"
    VSO = "vso"


class Role(StrEnum):
    OUDER = "ouder"
    LEERLING = "leerling"
    LERAAR = "leraar"
    BEGELEIDER = "begeleider"
    SCHOOLLEIDER = "schoolleider"
    BESTUURDER = "bestuurder"
    SAMENWERKINGSVERBAND = "samenwerkingsverband"
    EXPERT = "expert"
    ANDERS = "anders"


class Theme(StrEnum):
    DYSLEXIE = "dyslexie"
    HOOGBEGAAFDHEID = "hoogbegaafdheid"
    LEERGEDRAG = "leergedrag"


class Allocation(StrEnum):
    """How places are given: at sign-up, in order of arrival, or by a fair draw after the deadline."""

    FIRST_COME = "first_come"
    DRAW = "draw"


class RoleGroup(StrEnum):
    """The groups whose mix the draw balances: roles that bring the same kind of experience."""

    OUDERS = "ouders"
    LEERLINGEN = "leerlingen"
    ONDERWIJS = "onderwijs"  # teachers and support staff
    ANDEREN = "anderen"


class SchoolType(StrEnum):
    """School-type groups, balanced in the meetings that are for both."""

    BASIS = "basis"
    VOORTGEZET = "voortgezet"


ROLE_GROUPS: dict[Role, RoleGroup] = {
    Role.OUDER: RoleGroup.OUDERS,
    Role.LEERLING: RoleGroup.LEERLINGEN,
    Role.LERAAR: RoleGroup.ONDERWIJS,
    Role.BEGELEIDER: RoleGroup.ONDERWIJS,
    Role.SCHOOLLEIDER: RoleGroup.ANDEREN,
    Role.BESTUURDER: RoleGroup.ANDEREN,
    Role.SAMENWERKINGSVERBAND: RoleGroup.ANDEREN,
    Role.EXPERT: RoleGroup.ANDEREN,
    Role.ANDERS: RoleGroup.ANDEREN,
}
SCHOOL_TYPES: dict[Sector, SchoolType] = {
    Sector.PO: SchoolType.BASIS,
    Sector.SBO: SchoolType.BASIS,
    Sector.SO: SchoolType.BASIS,
    Sector.VO: SchoolType.VOORTGEZET,
    Sector.VSO: SchoolType.VOORTGEZET,
}


def features(role: Role, sector: Sector, themes: Iterable[Theme]) -> frozenset[str]:
    """The labels a person counts for in a meeting's target mix (a person may count for several themes)."""
    return frozenset(
        {
            f"rol:{ROLE_GROUPS[role]}",
            f"school:{SCHOOL_TYPES[sector]}",
            *(f"thema:{theme}" for theme in themes),
        }
    )


WEEKEND_DAYS = ("Saturday", "Sunday")
MeetingId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Bounds(_Frozen):
    """At least `min` and at most `max` people of a group in the panel."""

    min: NonNegativeInt
    max: NonNegativeInt

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: Any) -> Any:
        # The edition file writes a range as `[6, 12]`.
        if isinstance(value, list | tuple) and len(value) == 2:
            return {"min": value[0], "max": value[1]}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.min > self.max:
            raise ValueError(f"minimum {self.min} is above maximum {self.max}")
        return self


class Targets(_Frozen):
    """A meeting's target mix for the draw: every role group, optionally themes and school types."""

    roles: dict[RoleGroup, Bounds]
    themes: dict[Theme, Bounds] = Field(default_factory=dict)
    school_types: dict[SchoolType, Bounds] = Field(default_factory=dict)

    def quotas(self) -> dict[str, tuple[int, int]]:
        """Per feature label of `features()`, the (min, max) count the draw aims for."""
        groups = (("rol", self.roles), ("thema", self.themes), ("school", self.school_types))
        return {
            f"{prefix}:{key}": (bounds.min, bounds.max)
            for prefix, targets in groups
            for key, bounds in sorted(targets.items())
        }


class Meeting(_Frozen):
    id: MeetingId
    title: str
    place: str | None = Field(description="The town; None for the online meeting")
    date: dt.date
    start: ClockTime
    end: ClockTime
    audience: frozenset[Sector] = Field(min_length=1)
    capacity: PositiveInt
    targets: Targets | None = None

    @property
    def online(self) -> bool:
        return self.place is None

    @model_validator(mode="after")
    def _end_after_start(self) -> Meeting:
        if self.end <= self.start:
            raise ValueError(f"meeting {self.id}: end {self.end} is not after start {self.start}")
        if self.targets is not None:
            self._check_targets(self.targets)
        return self

    def _check_targets(self, targets: Targets) -> None:
        """Targets a panel of `capacity` people can meet: every person is in exactly one role group and one
        school type, so their minimums must fit and their maximums must leave no seat unfillable."""
        where = f"meeting {self.id}"
        if set(targets.roles) != set(RoleGroup):
            raise ValueError(f"{where}: targets.roles needs every role group {[g.value for g in RoleGroup]}")
        own_types = {SCHOOL_TYPES[sector] for sector in self.audience}
        if targets.school_types and set(targets.school_types) != own_types:
            raise ValueError(
                f"{where}: targets.school_types must name exactly {sorted(t.value for t in own_types)}"
            )
        for name, partition in (("roles", targets.roles), ("school_types", targets.school_types)):
            if partition and not (
                sum(b.min for b in partition.values())
                <= self.capacity
                <= sum(b.max for b in partition.values())
            ):
                raise ValueError(
                    f"{where}: the {name} minimums and maximums cannot add up to {self.capacity}"
                )
        for bounds in (*targets.roles.values(), *targets.themes.values(), *targets.school_types.values()):
            if bounds.min > self.capacity:
                raise ValueError(f"{where}: a minimum of {bounds.min} is above the capacity {self.capacity}")


class Edition(_Frozen):
    edition: int
    timezone: str
    register_before: dt.date
    confirm_days_before: PositiveInt
    # A pupil's sign-up waits this many days for the guardian's consent; then the daily job deletes it.
    guardian_consent_days: PositiveInt
    # A sign-up counts only once its address is confirmed by the link in the first e-mail; unconfirmed, it is
    # gone (with its data) after this many hours. Short, so an invented address holds nothing for long.
    confirm_within_hours: Annotated[int, Field(ge=1, le=72)]
    retain_until: dt.date
    contact_email: EmailStr
    allocation: Allocation = Allocation.FIRST_COME
    # Whether the organisers confirmed every meeting's date (and so its weekday). Until then the site and the
    # mails say "datum onder voorbehoud" beside each date.
    dates_confirmed: bool = False
    # With `draw`: the local time of the draw, after the deadline and before every confirmation is due.
    draw_at: dt.datetime | None = None
    meetings: tuple[Meeting, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Edition:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        ids = [m.id for m in self.meetings]
        if len(set(ids)) != len(ids):
            raise ValueError(f"meeting ids must be unique: {ids}")
        for meeting in self.meetings:
            if meeting.date < self.register_before:
                raise ValueError(f"meeting {meeting.id} is before the registration deadline")
            if meeting.date > self.retain_until:
                raise ValueError(f"meeting {meeting.id} is after the retention date")
        if self.draw_at is not None:
            self._check_draw_moment(self.draw_at)
        if self.allocation is Allocation.DRAW:
            if self.draw_at is None:
                raise ValueError("allocation draw needs draw_at, the moment of the draw")
            missing = [m.id for m in self.meetings if m.targets is None]
            if missing:
                raise ValueError(f"allocation draw needs targets for every meeting; missing: {missing}")
        return self

    def _check_draw_moment(self, draw_at: dt.datetime) -> None:
        if draw_at.tzinfo is not None:
            raise ValueError("draw_at is a local time; write it without a time zone")
        at = draw_at.replace(tzinfo=self.tz)
        if at < self.registration_closes_at + self.confirm_window:
            # A sign-up of the last minute may still be confirmed within the window, before the draw.
            raise ValueError("draw_at must leave confirm_within_hours after the registration deadline")
        for meeting in self.meetings:
            if at > self.confirmation_due(meeting):
                raise ValueError(
                    f"draw_at leaves meeting {meeting.id} less than {self.confirm_days_before} days' notice"
                )

    def warnings(self) -> list[str]:
        """What to check with the organisers before publishing; never a reason to refuse the file."""
        if self.dates_confirmed:
            return []
        return [
            f"meeting {m.id} is on a {WEEKEND_DAYS[m.date.weekday() - 5]} ({m.date}) and dates_confirmed "
            "is false: confirm the date with the organisers"
            for m in self.meetings
            if m.date.weekday() >= 5
        ]

    def confirmation_due(self, meeting: Meeting) -> dt.datetime:
        """The moment people must know whether they take part: `confirm_days_before` days ahead."""
        return self.local(meeting.date - dt.timedelta(days=self.confirm_days_before))

    @property
    def draw_moment(self) -> dt.datetime | None:
        """When the draw runs (aware, local time), or None when places are given at sign-up."""
        if self.allocation is not Allocation.DRAW or self.draw_at is None:
            return None
        return self.draw_at.replace(tzinfo=self.tz)

    @property
    def confirm_window(self) -> dt.timedelta:
        return dt.timedelta(hours=self.confirm_within_hours)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, day: dt.date, clock: str = "00:00") -> dt.datetime:
        hour, minute = (int(part) for part in clock.split(":"))
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def starts_at(self, meeting: Meeting) -> dt.datetime:
        return self.local(meeting.date, meeting.start)

    def ends_at(self, meeting: Meeting) -> dt.datetime:
        return self.local(meeting.date, meeting.end)

    @property
    def registration_closes_at(self) -> dt.datetime:
        """Sign-up closes at midnight, local time, at the start of `register_before`."""
        return self.local(self.register_before)

    @property
    def expires_at(self) -> int:
        """The TTL (epoch seconds) that every stored item carries."""
        return int(self.local(self.retain_until + dt.timedelta(days=1)).timestamp())

    def meeting(self, meeting_id: str) -> Meeting | None:
        return next((m for m in self.meetings if m.id == meeting_id), None)


def parse_edition(text: str) -> Edition:
    # libyaml's safe loader when PyYAML was built with it: the same document, read in a fraction of the time
    # (the file is parsed on every cold start).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return Edition.model_validate(yaml.load(text, Loader=loader))  # noqa: S506 - a safe loader


EDITION_FILE_VARIABLE = "PRAATMEE_EDITION_FILE"


def load_edition(path: Path | None = None) -> Edition:
    """The edition in `path`; else in the file `PRAATMEE_EDITION_FILE` names (to try a draft of the next
    edition with `make serve`, or to test with dates that stay in the future); else the one shipped here."""
    if path is None and os.environ.get(EDITION_FILE_VARIABLE):
        path = Path(os.environ[EDITION_FILE_VARIABLE])
    return _load(path)


def reload_edition() -> Edition:
    """Read the edition file again (for `mkdocs serve`, which keeps one process across edits)."""
    _load.cache_clear()
    return load_edition()


@cache
def _load(path: Path | None) -> Edition:
    if path is None:
        text = resources.files("praatmee").joinpath("meetings.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return parse_edition(text)
