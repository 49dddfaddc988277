"""The one table: its keys and items, the records read back, and `Table`, which makes, seeds and reads it.

| item | pk | sk | holds |
|---|---|---|---|
| meeting | `MEETING#<id>` | `MEETING` | `capacity`, `placed`, `waitlist_length`, `tickets_issued` |
| waiting-list entry | `MEETING#<id>` | `WAIT#<ticket, 10 digits>` | `registration_id` |
| uniqueness marker | `EMAIL#<hmac of the e-mail>` | `EMAIL` | `registration_id`, `fingerprint` |
| registration | `REG#<id>` | `REG` | the sign-up, `status`, `token_hash`, `ticket` |

Every item carries `expires_at` (TTL) from the edition file. The CDK app (`infra/concerns.py`) makes the table
with these names and seeds it with `seed_updates`, the same updates `Table.seed` sends. Every write of a
registration's life is `Store`'s (store.py), a `Table` that also keeps the ledger.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from praatmee.dynamo import Dynamo, Item, full_jitter, n, plain, s, to_attribute
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
DRAW_SK = "DRAW"


def meeting_key(meeting_id: str) -> Item:
    return {"pk": {"S": f"{MEETING_PREFIX}{meeting_id}"}, "sk": {"S": MEETING_SK}}


def wait_key(meeting_id: str, ticket: int) -> Item:
    return {"pk": {"S": f"{MEETING_PREFIX}{meeting_id}"}, "sk": {"S": f"{WAIT_PREFIX}{ticket:010d}"}}


def marker_key(email_hash: str) -> Item:
    return {"pk": {"S": f"EMAIL#{email_hash}"}, "sk": {"S": "EMAIL"}}


def registration_key(registration_id: str) -> Item:
    return {"pk": {"S": f"{REGISTRATION_PREFIX}{registration_id}"}, "sk": {"S": REGISTRATION_SK}}


def draw_key(meeting_id: str, choice: int = 1) -> Item:
    """A meeting's draw among first choices (`DRAW`), or among second choices for seats left (`DRAW#2`)."""
    return {
        "pk": s(f"{MEETING_PREFIX}{meeting_id}"),
        "sk": s(DRAW_SK if choice == 1 else f"{DRAW_SK}#{choice}"),
    }


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
    applied: int = 0  # signed up for the draw, not yet drawn

    @classmethod
    def from_item(cls, item: Item) -> MeetingCounts:
        return cls(
            capacity=int(item["capacity"]["N"]),
            placed=int(item["placed"]["N"]),
            waitlist_length=int(item["waitlist_length"]["N"]),
            applied=int(item.get("applied", {}).get("N", 0)),
        )


@dataclass(frozen=True)
class DrawRecord:
    """A meeting's draw as it was made: who was drawn, the reserves in order, and any target it missed
    (feature, people missing, people in excess). Written once, so running the draw again reuses it.
    `choice` 2 is the draw among second choices for the seats that first choices left (no reserves)."""

    meeting: str
    drawn_at: str
    selected: tuple[str, ...]
    reserves: tuple[str, ...]
    shortfalls: tuple[tuple[str, int, int], ...] = ()
    seats: int = 0
    choice: int = 1

    def item(self, expires_at: int) -> Item:
        return {
            **draw_key(self.meeting, self.choice),
            "seats": n(self.seats),
            "drawn_at": s(self.drawn_at),
            "selected": to_attribute(list(self.selected)),
            "reserves": to_attribute(list(self.reserves)),
            "shortfalls": to_attribute([list(shortfall) for shortfall in self.shortfalls]),
            "expires_at": n(expires_at),
        }

    @classmethod
    def from_item(cls, item: Item) -> DrawRecord:
        data = plain(item)
        return cls(
            meeting=str(data["pk"]).removeprefix(MEETING_PREFIX),
            drawn_at=data["drawn_at"],
            selected=tuple(data["selected"]),
            reserves=tuple(data["reserves"]),
            shortfalls=tuple((str(f), int(m), int(e)) for f, m, e in data.get("shortfalls", [])),
            seats=int(data.get("seats", 0)),
            choice=2 if data["sk"] != DRAW_SK else 1,
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
    second_meeting: str = ""  # the second choice, where places are given by a draw
    # Mails to this person that SES refused (the daily job tries again); organisers can follow up by hand.
    mail_failures: int = 0


@dataclass(frozen=True, slots=True)
class UnconfirmedSignUp:
    """A sign-up not confirmed yet: only counted, so no personal field; `expires_at` ends its window."""

    meeting: str
    expires_at: int


ExportRecord = MeetingCapacity | ExportedRegistration | UnconfirmedSignUp


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    return value.get("S", "") if value else ""


def exported(item: Item) -> ExportRecord:
    """A meeting or registration item of the export's scan (`Table.export_records`) as a record."""
    if _text(item, "sk") == MEETING_SK:
        capacity = item.get("capacity", {}).get("N")
        return MeetingCapacity(meeting_id_of(item), None if capacity is None else int(capacity))
    if _text(item, "status") == RegistrationStatus.UNCONFIRMED:
        return UnconfirmedSignUp(_text(item, "meeting"), int(item.get("expires_at", {}).get("N", 0)))
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
        second_meeting=_text(item, "second_meeting"),
        mail_failures=int(item.get("mail_failures", {}).get("N", 0)),
    )


# -- seeding ----------------------------------------------------------------------------------------------


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
            "tickets_issued = if_not_exists(tickets_issued, :zero), "
            "applied = if_not_exists(applied, :zero)",
            "ExpressionAttributeNames": {"#capacity": "capacity"},
            "ExpressionAttributeValues": {
                ":capacity": n(meeting.capacity),
                ":expires": n(edition.expires_at),
                ":zero": n(0),
            },
        }
        for meeting in edition.meetings
    ]


class Table:
    """The table: making it, seeding it, and every read of it. `Store` adds the ledger's writes."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient | None = None,
        *,
        max_attempts: int = 8,
        sleep: Callable[[float], None] = time.sleep,
        backoff: Callable[[int], float] = full_jitter,
    ) -> None:
        self.table_name = table_name
        self.dynamo = Dynamo(client, max_attempts=max_attempts, sleep=sleep, backoff=backoff)

    @property
    def client(self) -> DynamoDBClient:
        return self.dynamo.client

    # -- set-up ------------------------------------------------------------------------------------

    def create_table(self) -> None:
        """The table as the infrastructure defines it (used by tests and the local stack)."""
        self.client.create_table(
            TableName=self.table_name,
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
        self.client.update_time_to_live(
            TableName=self.table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )

    def seed(self, edition: Edition) -> None:
        """Create or update the meeting items from the edition file; counters are kept as they are."""
        for update in seed_updates(self.table_name, edition):
            self.client.update_item(**update)

    def set_capacity(self, meeting_id: str, capacity: int) -> None:
        """Organisers may add seats; promotion then fills them from the waiting list."""
        self.client.update_item(
            TableName=self.table_name,
            Key=meeting_key(meeting_id),
            UpdateExpression="SET #capacity = :capacity",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#capacity": "capacity"},
            ExpressionAttributeValues={":capacity": n(capacity)},
        )

    # -- reading -----------------------------------------------------------------------------------

    def waitlist_head(self, meeting_id: str) -> tuple[int, str] | None:
        """The ticket and registration id of the first person waiting, or None."""
        return next(self._waiting(meeting_id, Limit=1), None)

    def waiting_list(self, meeting_id: str) -> list[tuple[int, str]]:
        """Everyone waiting, first first: (ticket, registration id)."""
        return list(self._waiting(meeting_id))

    def _waiting(self, meeting_id: str, **options: Any) -> Iterator[tuple[int, str]]:
        # A generator: the head reads one page of one entry, never the whole list.
        pages = self.dynamo.pages(
            "query",
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :wait)",
            ExpressionAttributeValues={":pk": meeting_key(meeting_id)["pk"], ":wait": s(WAIT_PREFIX)},
            ConsistentRead=True,
            **options,
        )
        for page in pages:
            for entry in page["Items"]:
                yield int(entry["sk"]["S"].removeprefix(WAIT_PREFIX)), entry["registration_id"]["S"]

    def registration(self, registration_id: str) -> StoredRegistration | None:
        response = self.dynamo.call(
            "get_item", TableName=self.table_name, Key=registration_key(registration_id), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else StoredRegistration.from_item(item)

    def meeting_counts(self, meeting_ids: Sequence[str]) -> dict[str, MeetingCounts]:
        """Counters of the given meetings (eventually consistent: for display only)."""
        items = self.dynamo.batch_get(self.table_name, [meeting_key(meeting) for meeting in meeting_ids])
        return {meeting_id_of(item): MeetingCounts.from_item(item) for item in items}

    def registrations(self) -> Iterator[dict[str, Any]]:
        """Every registration as plain values: a consistent, paginated scan (the daily mail job)."""
        pages = self.dynamo.pages(
            "scan",
            TableName=self.table_name,
            ConsistentRead=True,
            FilterExpression="sk = :reg",
            ExpressionAttributeValues={":reg": s(REGISTRATION_SK)},
        )
        for page in pages:
            yield from (plain(item) for item in page["Items"])

    def draw_record(self, meeting_id: str, choice: int = 1) -> DrawRecord | None:
        """The meeting's draw (among first or second choices), once it was made (consistent read)."""
        item = self.dynamo.call(
            "get_item", TableName=self.table_name, Key=draw_key(meeting_id, choice), ConsistentRead=True
        ).get("Item")
        return None if item is None else DrawRecord.from_item(item)

    # -- the export ---------------------------------------------------------------------------------

    def export_records(self) -> Iterator[list[ExportRecord]]:
        """Every meeting and registration as a record, a page (up to 1 MB) at a time: a consistent, paginated
        scan. Markers, waiting-list entries and hashes stay behind; an unconfirmed sign-up is only counted.
        """
        pages = self.dynamo.pages(
            "scan",
            TableName=self.table_name,
            ConsistentRead=True,
            FilterExpression="sk IN (:meeting, :reg)",
            ProjectionExpression="pk, sk, meeting, second_meeting, #status, #name, email, #role, sector, "
            "themes, organisation, needs, under_16, guardian, created_at, ticket, mail_failures, #capacity, "
            "expires_at",
            ExpressionAttributeNames={
                "#status": "status",
                "#name": "name",
                "#role": "role",
                "#capacity": "capacity",
            },
            ExpressionAttributeValues={":meeting": s(MEETING_SK), ":reg": s(REGISTRATION_SK)},
        )
        for page in pages:
            yield [exported(item) for item in page["Items"]]
