"""A message from the organisers to everyone placed at a meeting (and, if they choose, its reserves): kept on
the meeting with how many were sent and refused, and sent once per person by the mail marks, like every mail.

| item | pk | sk | holds |
|---|---|---|---|
| message | `MEETING#<id>` | `MESSAGE#<UTC time>#<message id>` | `body`, `reserves`, `by`, `sent`, `refused` |
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from praatmee import personletters
from praatmee.dynamo import ConditionFailed, Item, n, plain, s
from praatmee.mail import Kind, MailContext, deliver
from praatmee.models import RegistrationStatus
from praatmee.store import Store
from praatmee.table import MEETING_PREFIX

PREFIX = "MESSAGE#"
PLACED, WAITLISTED = RegistrationStatus.PLACED, RegistrationStatus.WAITLISTED
MAX_LENGTH = 5000


@dataclass(frozen=True)
class Message:
    id: str
    meeting: str
    at: str  # UTC, ISO 8601, when it was first sent
    body: str
    reserves: bool
    by: str  # the organiser's user id (sub), never their name
    sent: int = 0
    refused: int = 0

    @property
    def statuses(self) -> tuple[RegistrationStatus, ...]:
        return (PLACED, WAITLISTED) if self.reserves else (PLACED,)

    def kind(self) -> Kind:
        compose = partial(personletters.message, body=self.body)
        return Kind(f"message_{self.id}", self.statuses, None, compose, family="message")


def recipients(store: Store, message: Message) -> list[tuple[str, bool]]:
    """Who the message is for, with whether they got it already (its mark): registration ids, sorted."""
    mark = f"mail_{message.kind().name}"
    wanted = {status.value for status in message.statuses}
    return sorted(
        (str(data["registration_id"]), mark in data)
        for data in store.registrations()
        if data.get("meeting") == message.meeting and data.get("status") in wanted
    )


def send(
    mailing: MailContext, message: Message, pause: float = 0.0, sleep: Callable[[float], None] = time.sleep
) -> Message:
    """Send the message to each recipient who did not get it yet (a second run sends nobody twice), `pause`
    seconds apart (SES's sending rate), and keep it with the counts of this run added."""
    keep(mailing.store, message, mailing.edition.expires_at)
    kind, sent, refused = message.kind(), 0, 0
    for registration_id, done in recipients(mailing.store, message):
        if done:
            continue
        if deliver(mailing, kind, registration_id):
            sent += 1
        else:
            refused += 1
        sleep(pause)
    return add_counts(mailing.store, message, sent, refused)


def _key(message: Message) -> Item:
    return {"pk": s(f"{MEETING_PREFIX}{message.meeting}"), "sk": s(f"{PREFIX}{message.at}#{message.id}")}


def keep(store: Store, message: Message, expires_at: int) -> None:
    """Write the message once (a double click writes nothing new)."""
    item = {
        **_key(message),
        "body": s(message.body),
        "reserves": {"BOOL": message.reserves},
        "by": s(message.by),
        "sent": n(0),
        "refused": n(0),
        "expires_at": n(expires_at),
    }
    with contextlib.suppress(ConditionFailed):  # a double click: the first one wrote it
        store.dynamo.call(
            "put_item", TableName=store.table_name, Item=item, ConditionExpression="attribute_not_exists(pk)"
        )


def add_counts(store: Store, message: Message, sent: int, refused: int) -> Message:
    answer = store.dynamo.call(
        "update_item",
        TableName=store.table_name,
        Key=_key(message),
        UpdateExpression="ADD sent :sent, refused :refused",
        ExpressionAttributeValues={":sent": n(sent), ":refused": n(refused)},
        ReturnValues="ALL_NEW",
    )
    return _from_item(answer["Attributes"])


def _from_item(item: Item) -> Message:
    data = plain(item)
    at, _, message_id = str(data["sk"]).removeprefix(PREFIX).rpartition("#")
    return Message(
        id=message_id,
        meeting=str(data["pk"]).removeprefix(MEETING_PREFIX),
        at=at,
        body=str(data["body"]),
        reserves=bool(data["reserves"]),
        by=str(data["by"]),
        sent=int(data["sent"]),
        refused=int(data["refused"]),
    )


def sent_messages(store: Store, meeting_id: str) -> list[Message]:
    """A meeting's messages, newest first."""
    answer = store.dynamo.call(
        "query",
        TableName=store.table_name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":pk": s(f"{MEETING_PREFIX}{meeting_id}"), ":prefix": s(PREFIX)},
        ScanIndexForward=False,
        ConsistentRead=True,
    )
    return [_from_item(item) for item in answer.get("Items", [])]
