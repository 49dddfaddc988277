"""The calendar entry (.ics) attached to the confirmation two weeks before a meeting.

Only the confirmations job imports this module: `icalendar` stays off the registration API's cold start.
"""

from __future__ import annotations

import datetime as dt

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
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
