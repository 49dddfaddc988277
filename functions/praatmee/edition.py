"""The edition model: one validated description of meetings, deadline and retention.

The site's build hook and every function load the edition through `load_edition()`, so nothing
about a meeting is written twice.
"""

from __future__ import annotations

import datetime as dt
import os
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, EmailStr, Field, PositiveInt, StringConstraints, model_validator


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


MeetingId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Meeting(_Frozen):
    id: MeetingId
    title: str
    place: str | None = Field(description="The town; None for the online meeting")
    date: dt.date
    start: ClockTime
    end: ClockTime
    audience: frozenset[Sector] = Field(min_length=1)
    capacity: PositiveInt

    @property
    def online(self) -> bool:
        return self.place is None

    @model_validator(mode="after")
    def _end_after_start(self) -> Meeting:
        if self.end <= self.start:
            raise ValueError(f"meeting {self.id}: end {self.end} is not after start {self.start}")
        return self


class Edition(_Frozen):
    edition: int
    timezone: str
    register_before: dt.date
    confirm_days_before: PositiveInt
    # A pupil's sign-up waits this many days for the guardian's consent; then the daily job deletes it.
    guardian_consent_days: PositiveInt
    retain_until: dt.date
    contact_email: EmailStr
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
        return self

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
    return Edition.model_validate(yaml.safe_load(text))


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
