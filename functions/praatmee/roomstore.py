"""The organisers' room's own items in the one table: each meeting's private details and the audit trail.

| item | pk | sk | holds |
|---|---|---|---|
| venue details | `MEETING#<id>` | `VENUE` | `address`, `route`, `online_link`, `phone`, `updated_*` |
| audit entry | `AUDIT` | `<UTC time>#<random>` | `who` (sub), `email` (organiser's), `action`, `meeting` |

An audit entry may also name a `registration_id` (the actions on a person that come next).

Neither holds a participant's personal data; both carry the edition's TTL. The export's and the daily job's
scans filter on their own sort keys, so these items never reach them.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from praatmee.dynamo import Item, n, plain, s
from praatmee.table import MEETING_PREFIX

if TYPE_CHECKING:
    from praatmee.store import Store

VENUE_SK = "VENUE"
AUDIT_PK = "AUDIT"

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1500)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\+?[0-9][0-9 ()-]{5,20})?$")]
ONLINE_LINK = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s<>\"]*)?$")


class VenueDetails(BaseModel):
    """What a participant needs that is not public: the address and route, the online link, a phone number
    for the day. Empty fields are not set; the confirmation then says what it said before."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: Line = ""
    route: Text = ""
    online_link: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    phone: Phone = ""

    @field_validator("online_link")
    @classmethod
    def _https(cls, value: str) -> str:
        if value and not ONLINE_LINK.match(value):
            raise ValueError("not an https link")
        return value

    def empty(self) -> bool:
        return not (self.address or self.route or self.online_link or self.phone)


def venue_key(meeting_id: str) -> Item:
    return {"pk": s(f"{MEETING_PREFIX}{meeting_id}"), "sk": s(VENUE_SK)}


@dataclass(frozen=True)
class AuditEntry:
    at: str
    who: str
    email: str
    action: str
    meeting: str = ""
    registration_id: str = ""


class RoomStore:
    """Reads and writes of the room's items, through the store's retrying client."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def _table(self) -> str:
        return self.store.table_name

    def venues(self, meeting_ids: list[str]) -> dict[str, VenueDetails]:
        items = self.store.dynamo.batch_get(self._table, [venue_key(m) for m in meeting_ids])
        found = {}
        for item in items:
            data = plain(item)
            meeting = str(data["pk"]).removeprefix(MEETING_PREFIX)
            found[meeting] = VenueDetails.model_validate(
                {name: data.get(name, "") for name in VenueDetails.model_fields}
            )
        return found

    def venue(self, meeting_id: str) -> VenueDetails | None:
        item = self.store.dynamo.call(
            "get_item", TableName=self._table, Key=venue_key(meeting_id), ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        data = plain(item)
        return VenueDetails.model_validate({name: data.get(name, "") for name in VenueDetails.model_fields})

    def save_venue(
        self, meeting_id: str, details: VenueDetails, by: str, at: dt.datetime, expires_at: int
    ) -> None:
        """Replace the meeting's details (the room checks the meeting against the edition first)."""
        item: Item = {
            **venue_key(meeting_id),
            **{name: s(value) for name, value in details.model_dump().items() if value},
            "updated_at": s(stamp(at)),
            "updated_by": s(by),
            "expires_at": n(expires_at),
        }
        self.store.dynamo.call("put_item", TableName=self._table, Item=item)

    # -- the audit trail -------------------------------------------------------------------------------

    def record(self, entry: AuditEntry, expires_at: int) -> None:
        item: Item = {
            "pk": s(AUDIT_PK),
            "sk": s(f"{entry.at}#{secrets.token_hex(4)}"),
            "who": s(entry.who),
            "email": s(entry.email),
            "action": s(entry.action),
            "expires_at": n(expires_at),
        }
        if entry.meeting:
            item["meeting"] = s(entry.meeting)
        if entry.registration_id:
            item["registration_id"] = s(entry.registration_id)
        self.store.dynamo.call(
            "put_item", TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)"
        )

    def recent(self, limit: int = 20) -> list[AuditEntry]:
        """The newest entries first."""
        page = self.store.dynamo.call(
            "query",
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": s(AUDIT_PK)},
            ScanIndexForward=False,
            Limit=limit,
        )
        entries = []
        for item in page.get("Items", []):
            data = plain(item)
            entries.append(
                AuditEntry(
                    at=str(data["sk"]).split("#", 1)[0],
                    who=str(data.get("who", "")),
                    email=str(data.get("email", "")),
                    action=str(data.get("action", "")),
                    meeting=str(data.get("meeting", "")),
                    registration_id=str(data.get("registration_id", "")),
                )
            )
        return entries


def stamp(at: dt.datetime) -> str:
    """The room's time stamps: UTC, to the millisecond, so audit entries sort by time."""
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds")
