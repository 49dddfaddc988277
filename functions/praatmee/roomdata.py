"""What the room reads: the counts and mix (through the export's reading and `overview`), the finished
exports with their files, venue details and the audit trail; and a download link made for one click."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from praatmee import roomtexts as words
from praatmee.exports import SUMMARY, collect
from praatmee.overview import MeetingView, room_view
from praatmee.roompages import ExportFolder, RoomPage

if TYPE_CHECKING:
    from praatmee.room import Room
    from praatmee.session import Organiser

RECENT_EXPORTS = 5
# A download link is made per click and followed at once: one minute is plenty.
DOWNLOAD_SECONDS = 60


def meetings(room: Room) -> list[MeetingView]:
    return room_view(room.edition, collect(room.edition, room.store.export_records(), now=room.now()))


def _made_at(folder: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(folder.rstrip("/").rsplit("/", 1)[-1], "%Y-%m-%dT%H%M%SZ").replace(
            tzinfo=dt.UTC
        )
    except ValueError:
        return None


def recent_exports(room: Room, count: int = RECENT_EXPORTS) -> list[ExportFolder]:
    folders = []
    for folder in room.bucket.exports():
        objects = room.bucket.objects(folder)
        if not any(o.name == SUMMARY for o in objects):
            continue  # still being written
        files = tuple((o.name, o.key) for o in objects if o.name != SUMMARY)
        folders.append(ExportFolder(folder, _made_at(folder), files))
        if len(folders) == count:
            break
    return folders


def export_keys(room: Room) -> set[str]:
    """The files a download may ask for: those of the recent finished exports the room lists."""
    return {key for folder in recent_exports(room) for _, key in folder.files}


def download_link(room: Room, key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return room.bucket.link(key, DOWNLOAD_SECONDS, filename=name)


def notice(room: Room, query: dict[str, str]) -> str:
    if query.get("export") == "gemaakt":
        return words.EXPORT_MADE
    meeting = room.edition.meeting(query.get("opgeslagen", ""))
    return words.VENUE_SAVED.format(title=meeting.title) if meeting else ""


def room_page(
    room: Room,
    organiser: Organiser,
    *,
    notice: str = "",
) -> RoomPage:
    return RoomPage(
        edition=room.edition,
        email=organiser.email,
        meetings=meetings(room),
        exports=recent_exports(room),
        venues=room.notes.venues([m.id for m in room.edition.meetings]),
        audit=room.notes.recent(),
        notice=notice,
    )


def venue_form(
    room: Room, organiser: Organiser, typed: tuple[str, dict[str, str]], problems: dict[str, str]
) -> RoomPage:
    """What the venue form's error page needs: what was typed and the problems; no counts, no exports."""
    return RoomPage(
        edition=room.edition,
        email=organiser.email,
        meetings=(),
        exports=(),
        venues={},
        audit=(),
        errors=[(f"{typed[0]}-{name}", message) for name, message in problems.items()],
        typed=typed,
        field_errors=problems,
    )


def overview_answer(room: Room) -> dict[str, Any]:
    """The room's numbers as JSON: counts and the mix per meeting, nothing about any one person."""
    return {
        "meetings": [
            {
                "id": view.id,
                "title": view.title,
                "capacity": view.capacity,
                "applied": view.applied,
                "placed": view.placed,
                "waitlisted": view.waitlisted,
                "unconfirmed": view.unconfirmed,
                "pending_guardian": view.pending,
                "cancelled": view.cancelled,
                "mix_of": "applied" if view.pool else "placed",
                "mix": [
                    {
                        "label": row.label,
                        "count": row.count,
                        "target": list(row.target) if row.target else None,
                    }
                    for _, rows in view.mix
                    for row in rows
                ],
            }
            for view in meetings(room)
        ]
    }
