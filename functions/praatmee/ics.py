"""The calendar entry (.ics) attached to the confirmation two weeks before a meeting.

Only the confirmations job imports this module: `icalendar` stays off the registration API's cold start.
"""

from __future__ import annotations

import calendar as months
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar

from praatmee import texts
from praatmee.edition import Edition, Meeting

PRODUCT_ID = "-//Praat mee over basisondersteuning//NL"


def meeting_event(
    edition: Edition, meeting: Meeting, *, registration_id: str, site_origin: str, now: dt.datetime
) -> bytes:
    """One VEVENT in local time (TZID from the edition, with its VTIMEZONE), as bytes of text/calendar."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    # Stable per registration and meeting, so a second attachment updates the entry instead of doubling it.
    event.add("uid", f"{registration_id}-{meeting.id}@praatmee")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", edition.starts_at(meeting))
    event.add("dtend", edition.ends_at(meeting))
    event.add("summary", texts.ics_summary(meeting))
    event.add("location", texts.ics_location(meeting))
    event.add("description", texts.ics_description(edition, site_origin))
    calendar.add_component(vtimezone(edition.tz, edition.starts_at(meeting).year))
    calendar.add_component(event)
    return bytes(calendar.to_ical())


WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def vtimezone(zone: ZoneInfo, year: int) -> icalendar.Timezone:
    """The zone as yearly rules (RRULE), the way Outlook and most clients write and read a VTIMEZONE.

    icalendar's own VTIMEZONE lists every change from 1970 to 2037 as RDATEs, which vobject (and reportedly
    Outlook) reads an hour off after a daylight-saving change. The rule is read from the zone's changes in
    the year before `year` (a change on the n-th or last weekday of a month, as in the EU and the US); a
    zone without changes gets one STANDARD part.
    """
    component = icalendar.Timezone()
    component.add("tzid", zone.key)
    changes = _changes(zone, year - 1)
    if not changes:
        january = dt.datetime(year - 1, 1, 1)
        offset = january.replace(tzinfo=zone).utcoffset() or dt.timedelta()
        component.add_component(_observance(icalendar.TimezoneStandard(), january, offset, offset, zone))
        return component
    for moment, before, after in changes:
        local = (moment + before).replace(tzinfo=None)
        kind = icalendar.TimezoneDaylight() if after > before else icalendar.TimezoneStandard()
        observance = _observance(kind, local, before, after, zone, at=moment)
        last_day = months.monthrange(local.year, local.month)[1]
        week = -1 if local.day + 7 > last_day else (local.day - 1) // 7 + 1
        observance.add(
            "rrule",
            {"freq": "yearly", "bymonth": local.month, "byday": f"{week}{WEEKDAY_CODES[local.weekday()]}"},
        )
        component.add_component(observance)
    return component


def _observance(
    kind: icalendar.Component,
    local: dt.datetime,
    before: dt.timedelta,
    after: dt.timedelta,
    zone: ZoneInfo,
    *,
    at: dt.datetime | None = None,
) -> icalendar.Component:
    kind.add("dtstart", local)
    kind.add("tzoffsetfrom", before)
    kind.add("tzoffsetto", after)
    kind.add("tzname", (at or local.replace(tzinfo=zone)).astimezone(zone).tzname())
    return kind


def _changes(zone: ZoneInfo, year: int) -> list[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
    """Each change of the zone's UTC offset in `year`: the UTC moment, the offset before and after."""
    changes = []
    moment = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment.year == year:
        following = moment + dt.timedelta(minutes=15)
        next_offset = following.astimezone(zone).utcoffset()
        if next_offset != offset and offset is not None and next_offset is not None:
            changes.append((following, offset, next_offset))
        moment, offset = following, next_offset
    return changes
