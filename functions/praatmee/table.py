"""The one table: its keys, its items' shapes and records, how it is made and the meetings seeded into it.

| item | pk | sk | holds |
|---|---|---|---|
| meeting | `MEETING#<id>` | `MEETING` | `capacity`, `placed`, `waitlist_length`, `tickets_issued` |
| waiting-list entry | `MEETING#<id>` | `WAIT#<ticket, 10 digits>` | `registration_id` |
| uniqueness marker | `EMAIL#<hmac of the e-mail>` | `EMAIL` | `registration_id`, `fingerprint` |
| registration | `REG#<id>` | `REG` | the sign-up, `status`, `token_hash`, `ticket` |

Every item carries `expires_at` (TTL) from the edition file. The CDK app (`infra/concerns.py`) makes the table
with these names and seeds it with `seed_updates`, the same updates `Store.seed` sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from praatmee.dynamo import Item, n, s, to_attribute
from praatmee.models import RegistrationStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

    from praatmee.edition import Edition

PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at"

MEETING_PREFIX = "MEETING#"
REGISTRATION_PREFIX = "REG#"
WAIT_PREFIX = "WAIT#"
MEETING_SK = "MEETING"
REGISTRATION_SK = "REG"


def meeting_key(meeting_id: str) -> Item:
    return {"pk": {"S": f"{MEETING_PREFIX}{meeting_id}"}, "sk": {"S": MEETING_SK}}


def wait_key(meeting_id: str, ticket: int) -> Item:
    return {"pk": {"S": f"{MEETING_PREFIX}{meeting_id}"}, "sk": {"S": f"{WAIT_PREFIX}{ticket:010d}"}}


def marker_key(email_hash: str) -> Item:
    return {"pk": {"S": f"EMAIL#{email_hash}"}, "sk": {"S": "EMAIL"}}


def registration_key(registration_id: str) -> Item:
    return {"pk": {"S": f"{REGISTRATION_PREFIX}{registration_id}"}, "sk": {"S": REGISTRATION_SK}}


def wait_entry(meeting_id: str, ticket: int, registration_id: str, expires_at: int) -> Item:
    return {
        **wait_key(meeting_id, ticket),
        "registration_id": s(registration_id),
        "expires_at": n(expires_at),
    }


@dataclass(frozen=True)
class NewRegistration:
    """A registration about to be written; `data` holds the sign-up's fields (already plain JSON values)."""

    id: str
    meeting: str
    email_hash: str
    fingerprint: str
    token_hash: str
    created_at: str
    expires_at: int
    data: Mapping[str, Any]

    def marker(self) -> Item:
        return {
            **marker_key(self.email_hash),
            "registration_id": s(self.id),
            "meeting": s(self.meeting),
            "fingerprint": s(self.fingerprint),
            "expires_at": n(self.expires_at),
        }

    def item(self, status: RegistrationStatus, ticket: int | None = None) -> Item:
        item: Item = {
            **registration_key(self.id),
            "registration_id": s(self.id),
            "meeting": s(self.meeting),
            "status": s(status.value),
            "email_hash": s(self.email_hash),
            "token_hash": s(self.token_hash),
            "created_at": s(self.created_at),
            "expires_at": n(self.expires_at),
            **{name: to_attribute(value) for name, value in self.data.items() if value is not None},
        }
        if ticket is not None:
            item["ticket"] = n(ticket)
        return item


# -- items read back as records -------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingCounts:
    capacity: int
    placed: int
    waitlist_length: int

    @classmethod
    def from_item(cls, item: Item) -> MeetingCounts:
        return cls(
            capacity=int(item["capacity"]["N"]),
            placed=int(item["placed"]["N"]),
            waitlist_length=int(item["waitlist_length"]["N"]),
        )


def meeting_id_of(item: Item) -> str:
    return item["pk"]["S"].removeprefix(MEETING_PREFIX)


@dataclass(frozen=True)
class StoredRegistration:
    """What the cancel and consent links need of a registration."""

    id: str
    meeting: str
    status: RegistrationStatus
    token_hash: str
    email_hash: str
    ticket: int | None
    # Only a pupil's sign-up has one: the hash of the secret in the guardian's consent link.
    guardian_token_hash: str | None = None
    # For the consent page; kept out of the repr, so a logged record never shows it.
    name: str = field(default="", repr=False)

    @classmethod
    def from_item(cls, item: Item) -> StoredRegistration:
        return cls(
            id=item["registration_id"]["S"],
            meeting=item["meeting"]["S"],
            status=RegistrationStatus(item["status"]["S"]),
            token_hash=item["token_hash"]["S"],
            email_hash=item["email_hash"]["S"],
            ticket=int(item["ticket"]["N"]) if "ticket" in item else None,
            guardian_token_hash=item["guardian_token_hash"]["S"] if "guardian_token_hash" in item else None,
            name=item["name"]["S"] if "name" in item else "",
        )


@dataclass(frozen=True, slots=True)
class MeetingCapacity:
    """A meeting's seats, as the export reads them."""

    id: str
    capacity: int | None


@dataclass(frozen=True, slots=True)
class ExportedRegistration:
    """One registration as an organiser sees it (cancelled ones have no personal fields left)."""

    id: str
    meeting: str
    status: RegistrationStatus
    ticket: int | None
    created_at: str
    name: str
    email: str
    role: str
    sector: str
    themes: tuple[str, ...]
    organisation: str
    needs: str
    under_16: bool | None
    guardian_name: str
    guardian_email: str
    # Mails to this person that SES refused (the daily job tries again); organisers can follow up by hand.
    mail_failures: int = 0


ExportRecord = MeetingCapacity | ExportedRegistration


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    return value.get("S", "") if value else ""


def exported(item: Item) -> ExportRecord:
    """A meeting or registration item of the export's scan (`Store.export_records`) as a record."""
    if _text(item, "sk") == MEETING_SK:
        capacity = item.get("capacity", {}).get("N")
        return MeetingCapacity(meeting_id_of(item), None if capacity is None else int(capacity))
    guardian = item.get("guardian", {}).get("M", {})
    under_16 = item.get("under_16")
    ticket = item.get("ticket")
    return ExportedRegistration(
        id=_text(item, "pk").removeprefix(REGISTRATION_PREFIX),
        meeting=_text(item, "meeting"),
        status=RegistrationStatus(_text(item, "status")),
        ticket=int(ticket["N"]) if ticket and "N" in ticket else None,
        created_at=_text(item, "created_at"),
        name=_text(item, "name"),
        email=_text(item, "email"),
        role=_text(item, "role"),
        sector=_text(item, "sector"),
        themes=tuple(t.get("S", "") for t in item.get("themes", {}).get("L", [])),
        organisation=_text(item, "organisation"),
        needs=_text(item, "needs"),
        under_16=under_16.get("BOOL") if under_16 else None,
        guardian_name=_text(guardian, "name"),
        guardian_email=_text(guardian, "email"),
        mail_failures=int(item.get("mail_failures", {}).get("N", 0)),
    )


# -- set-up ----------------------------------------------------------------------------------------------


def create_table(client: DynamoDBClient, table_name: str) -> None:
    """The table as the infrastructure defines it (used by tests and the local stack)."""
    client.create_table(
        TableName=table_name,
        KeySchema=[
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": SORT_KEY, "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )


def seed_updates(table_name: str, edition: Edition) -> list[dict[str, Any]]:
    """The `update_item` parameters that write the edition's meetings: capacity and TTL set, counters kept
    as they are (`if_not_exists`), so sending them again after sign-ups loses nobody."""
    return [
        {
            "TableName": table_name,
            "Key": meeting_key(meeting.id),
            "UpdateExpression": "SET #capacity = :capacity, expires_at = :expires, "
            "placed = if_not_exists(placed, :zero), "
            "waitlist_length = if_not_exists(waitlist_length, :zero), "
            "tickets_issued = if_not_exists(tickets_issued, :zero)",
            "ExpressionAttributeNames": {"#capacity": "capacity"},
            "ExpressionAttributeValues": {
                ":capacity": n(meeting.capacity),
                ":expires": n(edition.expires_at),
                ":zero": n(0),
            },
        }
        for meeting in edition.meetings
    ]
